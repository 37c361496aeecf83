/* Records for a batch, read one at a time from JSON Lines (one object a
 * line, blank lines skipped) or CSV with a header row (libcsv), from a file
 * or standard input. A record that cannot be read is an item with an error,
 * so one bad line never stops the batch and record numbers never shift. */
#ifndef CR_BATCH_SOURCE_H
#define CR_BATCH_SOURCE_H

#include <stdbool.h>
#include <stdio.h>

#include "cardrender.h"

typedef enum cr_batch_format { CR_BATCH_JSONL, CR_BATCH_CSV } cr_batch_format;

/* "csv" or "jsonl"; false for anything else. */
bool cr_batch_format_parse(const char *name, cr_batch_format *out);

/* CSV when the name ends in ".csv" (any case), else JSON Lines. */
cr_batch_format cr_batch_format_for_path(const char *path);

/* One record as read. Exactly one of record and a non-OK error.code. */
typedef struct cr_batch_item {
    long number;       /* 1-based among the records (blank lines and the header not counted) */
    long line;         /* the line it starts on */
    cr_record *record; /* the caller owns it; its path reads "FILE:LINE" */
    cr_error error;    /* why the record could not be read */
} cr_batch_item;

typedef struct cr_batch_source cr_batch_source;

/* Opens path ("-": standard input) and, for CSV, reads the header: a header
 * that is missing, has an empty or repeated name or is not UTF-8 is an error
 * naming the file, line and column. */
cr_batch_source *cr_batch_source_open(const char *path, cr_batch_format format, cr_error *err);

/* The same in the encoding options name (options may be NULL: see
 * cr_record_options). Every line is decoded to UTF-8 before it is parsed; a
 * record holding a byte sequence not valid in the encoding is an item whose
 * error (CR_ERR_RECORD) names the line, column and byte offset, and, when
 * the whole file reads cleanly in another encoding, the first such sequence
 * ends the input instead (next returns -1 once, err saying which encoding
 * to give). An unknown encoding name is CR_ERR_ARGUMENT. */
cr_batch_source *cr_batch_source_open_with(const char *path, cr_batch_format format,
                                           const cr_record_options *options, cr_error *err);

/* The same over file, an open stream the caller keeps and closes after
 * cr_batch_source_close (e.g. fmemopen over records held in memory); name
 * stands for it in messages and records' names ("NAME:LINE"). */
cr_batch_source *cr_batch_source_open_stream(FILE *file, const char *name, cr_batch_format format,
                                             const cr_record_options *options, cr_error *err);

/* Reads the next record into *item: 1 when there is one (good or bad), 0 at
 * the end, -1 when the input cannot be read any further (err says why). */
int cr_batch_source_next(cr_batch_source *source, cr_batch_item *item, cr_error *err);

void cr_batch_source_close(cr_batch_source *source);

/* How many records a regular file holds, counted cheaply (for a progress
 * bar); -1 for standard input or when the file cannot be read. */
long cr_batch_count_records(const char *path, cr_batch_format format);
long cr_batch_count_records_with(const char *path, cr_batch_format format,
                                 const cr_record_options *options);

#endif
