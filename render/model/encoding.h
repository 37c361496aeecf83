/* Record input in any encoding ICU knows, read as UTF-8.
 *
 * Population registries export GB 18030, GBK, Big5 or UTF-16; the rest of
 * the engine reads UTF-8 only. A decoder sits between a raw input and its
 * reader: it converts through ICU (never a codec of our own) and hands out a
 * FILE* that reads as UTF-8, so the line-based readers of batch_source.c
 * keep working unchanged and memory stays flat however long the input is.
 *
 * Without an encoding, a byte-order mark (UTF-8, UTF-16LE/BE, UTF-32LE/BE)
 * selects one, else the input is UTF-8. A byte-order mark never reaches the
 * reader, and positions count from after it.
 *
 * A byte sequence that is not valid in the encoding is replaced by U+FFFD in
 * the output and noted as a problem with the decoded line and column it
 * lands on and its byte offset in the input; the reader asks for the
 * problem of each line it reads and fails that record. At the first problem
 * the decoder also asks whether the whole input reads cleanly in the other
 * likely encoding (GB 18030 for UTF-8, UTF-8 for anything else): if it does,
 * the input is in the wrong encoding as a whole, and the problem says so
 * once (whole_file) instead of failing every record. */
#ifndef CR_ENCODING_H
#define CR_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cardrender.h"

typedef struct cr_decoder cr_decoder;

/* One bad byte sequence. */
typedef struct cr_decode_problem {
    long line;              /* 1-based line of the decoded text */
    long column;            /* 1-based character on that line */
    size_t line_byte;       /* where the U+FFFD standing for it starts in the decoded line */
    uint64_t offset;        /* 0-based byte offset of the sequence in the input */
    unsigned char bytes[8]; /* the sequence (its first bytes, when longer) */
    int byte_count;         /* how many of bytes are set */
    bool whole_file;        /* the whole input reads cleanly as `suggest` */
    const char *suggest;    /* an encoding these bytes read cleanly in, or NULL */
} cr_decode_problem;

/* cr_encoding_check (cardrender.h): whether ICU knows the encoding name. */

/* Wraps raw (which stays the caller's; close the decoder first) in a
 * decoder. name is the input's name for messages (copied); encoding may be
 * NULL (byte-order mark, else UTF-8). NULL and err set (CR_ERR_ARGUMENT for
 * an unknown encoding, CR_ERR_NOMEM) on failure. */
cr_decoder *cr_decoder_open(FILE *raw, const char *name, const char *encoding, cr_error *err);

/* The UTF-8 stream to read from; the decoder owns it. */
FILE *cr_decoder_stream(cr_decoder *decoder);

/* The first problem on decoded line `line` (problems on earlier lines are
 * forgotten: call with rising lines). False when the line decoded cleanly. */
bool cr_decoder_problem(cr_decoder *decoder, long line, cr_decode_problem *out);

/* A message for a problem into err, located at the input's name, the line
 * and the column; `what` (may be NULL) says where, e.g. `column 2 "name"`.
 * Returns CR_ERR_RECORD. */
cr_status cr_decoder_fail(const cr_decoder *decoder, const cr_decode_problem *problem,
                          const char *what, cr_error *err);

void cr_decoder_close(cr_decoder *decoder);

/* A whole input in memory decoded into a NUL-terminated UTF-8 copy the
 * caller frees (*text_length bytes before the NUL). A byte sequence that is
 * not valid in the encoding is an error as cr_decoder_fail writes it. */
cr_status cr_decode_text(const char *bytes, size_t length, const char *encoding, const char *name,
                         char **text, size_t *text_length, cr_error *err);

#endif
