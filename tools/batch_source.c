/* Batch records from JSON Lines (jansson) or CSV (libcsv), one at a time.
 * Input is read a line at a time, so the line a record starts on is known
 * and memory stays flat however long the input is. Lines come decoded to
 * UTF-8 from any encoding (encoding.h), each with the first bad byte
 * sequence it held, if any: the record that holds it fails. */
#include "batch_source.h"
#include "input_file.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>

#include "encoding.h"
#include "array.h"
#include "error.h"
#include "json_locate.h"
#include "template.h"
#include "text.h"

/* Fields of one CSV row while libcsv hands them over. */
typedef struct csv_row {
    char **fields;
    size_t *lengths;
    size_t count, capacity;
    long line;           /* where the row starts; 0: not started */
    bool malformed;      /* libcsv could not read it */
    long error_line;     /* where it could not */
    size_t error_column; /* byte on error_line; 0: at the end of the input */
    bool undecodable;    /* holds a byte sequence not valid in the input's encoding */
    cr_decode_problem problem;
    size_t problem_field; /* 0-based field the sequence is in */
} csv_row;

/* Rows libcsv completed but next() has not returned yet: usually one. */
typedef struct row_queue {
    csv_row *rows;
    size_t head, count, capacity;
} row_queue;

struct cr_batch_source {
    FILE *raw;     /* the input as it is */
    bool owns_raw; /* raw is closed with the source (not stdin, not the caller's) */
    cr_decoder *decoder;
    FILE *file; /* the input as UTF-8 */
    char *name; /* for messages: the path, or "<stdin>" */
    cr_batch_format format;
    char *line; /* getline's buffer */
    size_t line_capacity;
    long line_number;
    long record_count;
    bool line_bad; /* the last line read held a byte sequence not valid in the encoding */
    cr_decode_problem problem;
    /* CSV */
    struct csv_parser csv;
    bool csv_ready;
    csv_row header;
    csv_row row;        /* the row being read */
    bool out_of_memory; /* a callback could not store a field */
    row_queue done;
};

bool cr_batch_format_parse(const char *name, cr_batch_format *out)
{
    if (!strcmp(name, "csv"))
        *out = CR_BATCH_CSV;
    else if (!strcmp(name, "jsonl"))
        *out = CR_BATCH_JSONL;
    else
        return false;
    return true;
}

cr_batch_format cr_batch_format_for_path(const char *path)
{
    size_t length = strlen(path);
    return length >= 4 && !strcasecmp(path + length - 4, ".csv") ? CR_BATCH_CSV : CR_BATCH_JSONL;
}

/* ------------------------------------------------------------- lines */

static cr_location at_line(const cr_batch_source *source, long line)
{
    cr_location where = {source->name, (int)line, 0, -1, NULL};
    return where;
}

/* Reads the next physical line (newline kept): its length, 0 at the end,
 * -1 on a read error or when the whole input is in another encoding (err
 * set, once, instead of an error for every record). The decoder has dropped
 * a byte-order mark (spreadsheet programs write one). */
static long read_line(cr_batch_source *source, cr_error *err)
{
    errno = 0;
    ssize_t length = getline(&source->line, &source->line_capacity, source->file);
    if (length < 0 && ferror(source->file)) {
        cr_error_set(err, CR_ERR_IO, at_line(source, source->line_number + 1),
                     "cannot read the records: %s", strerror(errno ? errno : EIO));
        return -1;
    }
    if (length < 0)
        return 0;
    source->line_number++;
    source->line_bad = cr_decoder_problem(source->decoder, source->line_number, &source->problem);
    if (source->line_bad && source->problem.whole_file) {
        cr_decoder_fail(source->decoder, &source->problem, NULL, err);
        return -1;
    }
    return length;
}

static bool is_blank(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
            return false;
    return true;
}

/* ------------------------------------------------------------ records */

/* An empty record named "FILE:LINE", as batch names records in messages. */
static cr_record *record_new(const cr_batch_source *source, long line, size_t count)
{
    size_t size = strlen(source->name) + 32;
    char *name = malloc(size);
    if (!name)
        return NULL;
    snprintf(name, size, "%s:%ld", source->name, line);
    cr_record *record = cr_record_new(name, count);
    free(name);
    return record;
}

/* ---------------------------------------------------------- JSON Lines */

/* cr_json_parse sees one line, so its errors say line 1: move them to the
 * line in the file, keeping the column and the text. */
static void move_to_line(const cr_batch_source *source, long line, cr_error *err)
{
    char prefix[600];
    if (err->line > 0 && err->column > 0)
        snprintf(prefix, sizeof prefix, "%s:%d:%d: ", source->name, err->line, err->column);
    else if (err->line > 0)
        snprintf(prefix, sizeof prefix, "%s:%d: ", source->name, err->line);
    else
        snprintf(prefix, sizeof prefix, "%s: ", source->name);
    size_t skip = strncmp(err->message, prefix, strlen(prefix)) ? 0 : strlen(prefix);
    char text[sizeof err->message];
    snprintf(text, sizeof text, "%s", err->message + skip);
    int column = err->line == 1 && err->column > 0 ? err->column : 0;
    cr_location where = {source->name, (int)line, column, -1, NULL};
    cr_error_set(err, err->code, where, "%s", text);
}

/* A record's value that is not a string, located on its line. */
static void not_a_string(const cr_batch_source *source, long line, const char *text, size_t length,
                         const char *key, const json_t *value, cr_error *err)
{
    cr_json_step step = CR_JSON_KEY(key);
    cr_json_position pos = {0, 0, 0};
    cr_json_locate(text, length, &step, 1, CR_JSON_AT_VALUE, &pos);
    cr_location where = {source->name, (int)line, pos.column, -1, NULL};
    cr_error_set(err, CR_ERR_RECORD, where, "\"%s\" must be a string, not %s", key,
                 cr_json_kind(value, false));
}

static cr_record *record_from_object(const cr_batch_source *source, long line, json_t *object,
                                     const char *text, size_t length, cr_error *err)
{
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value)
    {
        if (!json_is_string(value)) {
            not_a_string(source, line, text, length, key, value, err);
            return NULL;
        }
    }
    cr_record *record = record_new(source, line, json_object_size(object));
    bool ok = record != NULL;
    json_object_foreach(object, key, value)
    {
        if (ok)
            ok = cr_record_append(record, key, json_string_value(value), json_string_length(value));
    }
    if (!ok) {
        cr_record_destroy(record);
        cr_fail(err, CR_ERR_NOMEM, "%s:%ld: out of memory", source->name, line);
        return NULL;
    }
    return record;
}

static cr_record *parse_json_line(const cr_batch_source *source, long line, const char *text,
                                  size_t length, cr_error *err)
{
    json_t *root = cr_json_parse(text, length, source->name, CR_ERR_RECORD, err);
    if (!root) {
        move_to_line(source, line, err);
        return NULL;
    }
    cr_record *record = NULL;
    if (!json_is_object(root))
        cr_error_set(err, CR_ERR_RECORD, at_line(source, line),
                     "a record must be a JSON object, not %s", cr_json_kind(root, false));
    else
        record = record_from_object(source, line, root, text, length, err);
    json_decref(root);
    return record;
}

static int next_json_line(cr_batch_source *source, cr_batch_item *item, cr_error *err)
{
    for (;;) {
        long length = read_line(source, err);
        if (length <= 0)
            return (int)length;
        if (is_blank(source->line, (size_t)length))
            continue;
        while (length > 0 && strchr("\r\n", source->line[length - 1]))
            length--; /* so that jansson's positions all fall on line 1 */
        item->number = ++source->record_count;
        item->line = source->line_number;
        if (source->line_bad)
            cr_decoder_fail(source->decoder, &source->problem, NULL, &item->error);
        else
            item->record =
                parse_json_line(source, item->line, source->line, (size_t)length, &item->error);
        return 1;
    }
}

/* ---------------------------------------------------------------- CSV */

static void row_clear(csv_row *row)
{
    for (size_t i = 0; i < row->count; i++)
        free(row->fields[i]);
    row->count = 0;
}

static void row_free(csv_row *row)
{
    row_clear(row);
    free(row->fields);
    free(row->lengths);
    memset(row, 0, sizeof *row);
}

static bool row_append(csv_row *row, const char *data, size_t length)
{
    /* Two arrays of one capacity: each grows alike, the shared count is
     * raised once both have. */
    size_t fields_capacity = row->capacity, lengths_capacity = row->capacity;
    if (!cr_reserve((void **)&row->fields, &fields_capacity, row->count + 1, sizeof *row->fields) ||
        !cr_reserve((void **)&row->lengths, &lengths_capacity, row->count + 1,
                    sizeof *row->lengths))
        return false;
    row->capacity = lengths_capacity;
    char *copy = malloc(length + 1);
    if (!copy)
        return false;
    memcpy(copy, data, length);
    copy[length] = '\0';
    row->fields[row->count] = copy;
    row->lengths[row->count++] = length;
    return true;
}

static void on_csv_field(void *data, size_t length, void *context)
{
    cr_batch_source *source = context;
    if (!source->row.line) /* a row that began after a lone CR inside a line */
        source->row.line = source->line_number;
    if (!row_append(&source->row, data ? data : "", data ? length : 0))
        source->out_of_memory = true;
}

static bool queue_push(row_queue *q, const csv_row *row)
{
    if (q->head + q->count == q->capacity && q->head > 0) {
        memmove(q->rows, q->rows + q->head, q->count * sizeof *q->rows);
        q->head = 0;
    }
    if (!cr_reserve((void **)&q->rows, &q->capacity, q->head + q->count + 1, sizeof *q->rows))
        return false;
    q->rows[q->head + q->count++] = *row;
    return true;
}

static csv_row queue_pop(row_queue *q)
{
    csv_row row = q->rows[q->head++];
    if (--q->count == 0)
        q->head = 0;
    return row;
}

/* Moves the finished row to the queue; the next row starts empty. */
static void on_csv_row_end(int terminator, void *context)
{
    cr_batch_source *source = context;
    if (!queue_push(&source->done, &source->row)) {
        source->out_of_memory = true;
        row_free(&source->row);
    }
    memset(&source->row, 0, sizeof source->row);
}

/* Spaces are data in CSV (RFC 4180); libcsv would trim them by default. */
static int no_space(unsigned char c)
{
    return 0;
}

static bool csv_start(cr_batch_source *source)
{
    if (csv_init(&source->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return false;
    csv_set_space_func(&source->csv, no_space);
    source->csv_ready = true;
    return true;
}

/* libcsv gave up on the row being read: it becomes a bad row (the line and
 * byte where that happened are kept for the message) and the parser starts
 * afresh on the next line. */
static void csv_parse_failed(cr_batch_source *source, size_t column)
{
    row_clear(&source->row);
    source->row.malformed = true;
    source->row.error_line = source->line_number;
    source->row.error_column = column;
    on_csv_row_end(-1, source);
    csv_free(&source->csv);
    source->csv_ready = false;
    if (!csv_start(source))
        source->out_of_memory = true;
}

/* Feeds bytes [from, to) of a line to libcsv; false when it gave up. */
static bool csv_feed_part(cr_batch_source *source, const char *text, size_t from, size_t to)
{
    size_t used =
        csv_parse(&source->csv, text + from, to - from, on_csv_field, on_csv_row_end, source);
    if (used < to - from && csv_error(&source->csv) == CSV_EPARSE) {
        csv_parse_failed(source, from + used + 1);
        return false;
    }
    if (used < to - from)
        source->out_of_memory = true;
    return true;
}

/* Feeds one physical line to libcsv; a whitespace-only line between rows is
 * a blank line and skipped, as in JSON Lines. A line holding a bad byte
 * sequence is fed in two parts, so that the row and field being read where
 * it stands are known: that row fails, naming the column. */
static void csv_feed(cr_batch_source *source, const char *text, size_t length)
{
    if (!source->row.line) {
        if (is_blank(text, length))
            return;
        source->row.line = source->line_number;
    }
    size_t split =
        source->line_bad && source->problem.line_byte < length ? source->problem.line_byte : length;
    if (!csv_feed_part(source, text, 0, split) || split == length)
        return;
    csv_row *row = &source->row;
    if (!row->line) /* a row that began after a lone CR inside a line */
        row->line = source->line_number;
    if (!row->undecodable) {
        row->undecodable = true;
        row->problem = source->problem;
        row->problem_field = row->count;
    }
    csv_feed_part(source, text, split, length);
}

/* The input ended: a last row without a newline ends here. */
static void csv_finish(cr_batch_source *source)
{
    if (!source->row.line)
        return;
    if (csv_fini(&source->csv, on_csv_field, on_csv_row_end, source) != 0)
        csv_parse_failed(source, 0);
}

/* Reads lines until a row is complete: 1, 0 at the end, -1 on an error. */
static int csv_fill(cr_batch_source *source, cr_error *err)
{
    while (source->done.count == 0) {
        if (source->out_of_memory) {
            cr_fail(err, CR_ERR_NOMEM, "%s: out of memory reading CSV", source->name);
            return -1;
        }
        long length = read_line(source, err);
        if (length < 0)
            return -1;
        if (length == 0) {
            csv_finish(source);
            return source->done.count > 0;
        }
        csv_feed(source, source->line, (size_t)length);
    }
    return 1;
}

static void malformed_error(const cr_batch_source *source, const csv_row *row, cr_error *err)
{
    cr_location where = {source->name, (int)row->error_line, 0, -1, NULL};
    if (row->error_column == 0)
        cr_error_set(err, CR_ERR_SYNTAX, where,
                     "malformed CSV: a quoted field opened on line %ld never ends", row->line);
    else
        cr_error_set(err, CR_ERR_SYNTAX, where,
                     "malformed CSV at byte %zu: a quote inside an unquoted field, or text after "
                     "a closing quote",
                     row->error_column);
}

/* A bad byte sequence in row's field, as the decoder found it. */
static void undecodable_error(const cr_batch_source *source, const csv_row *row,
                              const char *header_word, cr_error *err)
{
    const csv_row *header = &source->header;
    size_t i = row->problem_field;
    char what[200];
    if (row != header && i < header->count)
        snprintf(what, sizeof what, "column %zu \"%.100s\"", i + 1, header->fields[i]);
    else
        snprintf(what, sizeof what, "%scolumn %zu", header_word, i + 1);
    cr_decoder_fail(source->decoder, &row->problem, what, err);
}

static bool check_utf8(const cr_batch_source *source, long line, const char *what, const char *text,
                       size_t length, cr_error *err)
{
    size_t bad = 0;
    if (strlen(text) != length) {
        /* UTF-16 without a byte-order mark reads as UTF-8 with NULs. */
        cr_error_set(err, CR_ERR_RECORD, at_line(source, line),
                     "%s holds a NUL byte (UTF-16 without a byte-order mark? try --encoding "
                     "utf-16le or utf-16be)",
                     what);
        return false;
    }
    if (!cr_utf8_valid(text, length, &bad)) {
        cr_error_set(err, CR_ERR_RECORD, at_line(source, line),
                     "%s is not UTF-8 (byte %zu); save the file as UTF-8", what, bad + 1);
        return false;
    }
    return true;
}

static cr_record *record_from_row(const cr_batch_source *source, const csv_row *row, cr_error *err)
{
    const csv_row *header = &source->header;
    if (row->count != header->count) {
        cr_error_set(err, CR_ERR_RECORD, at_line(source, row->line),
                     "the row has %zu field%s, the header %zu", row->count,
                     row->count == 1 ? "" : "s", header->count);
        return NULL;
    }
    for (size_t i = 0; i < row->count; i++) {
        char what[200];
        snprintf(what, sizeof what, "column %zu \"%.100s\"", i + 1, header->fields[i]);
        if (!check_utf8(source, row->line, what, row->fields[i], row->lengths[i], err))
            return NULL;
    }
    cr_record *record = record_new(source, row->line, row->count);
    bool ok = record != NULL;
    for (size_t i = 0; ok && i < row->count; i++)
        ok = cr_record_append(record, header->fields[i], row->fields[i], row->lengths[i]);
    if (!ok) {
        cr_record_destroy(record);
        cr_fail(err, CR_ERR_NOMEM, "%s:%ld: out of memory", source->name, row->line);
        return NULL;
    }
    return record;
}

static int next_csv_row(cr_batch_source *source, cr_batch_item *item, cr_error *err)
{
    int filled = csv_fill(source, err);
    if (filled <= 0)
        return filled;
    csv_row row = queue_pop(&source->done);
    item->number = ++source->record_count;
    item->line = row.line;
    if (row.undecodable)
        undecodable_error(source, &row, "", &item->error);
    else if (row.malformed)
        malformed_error(source, &row, &item->error);
    else
        item->record = record_from_row(source, &row, &item->error);
    row_free(&row);
    return 1;
}

static cr_status check_header(const cr_batch_source *source, cr_error *err)
{
    const csv_row *h = &source->header;
    for (size_t i = 0; i < h->count; i++) {
        char what[64];
        snprintf(what, sizeof what, "header column %zu", i + 1);
        if (!check_utf8(source, h->line, what, h->fields[i], h->lengths[i], err))
            return CR_ERR_RECORD;
        if (h->lengths[i] == 0)
            return cr_error_set(err, CR_ERR_RECORD, at_line(source, h->line),
                                "header column %zu has no name", i + 1);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(h->fields[i], h->fields[j]))
                return cr_error_set(err, CR_ERR_RECORD, at_line(source, h->line),
                                    "header columns %zu and %zu are both named \"%s\"", j + 1,
                                    i + 1, h->fields[i]);
    }
    return CR_OK;
}

static cr_status read_header(cr_batch_source *source, cr_error *err)
{
    if (!csv_start(source))
        return cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", source->name);
    int filled = csv_fill(source, err);
    if (filled < 0)
        return err ? err->code : CR_ERR_IO;
    if (filled == 0)
        return cr_error_set(err, CR_ERR_RECORD, at_line(source, source->line_number),
                            "no header row: a CSV batch starts with a row of column names");
    source->header = queue_pop(&source->done);
    if (source->header.undecodable) {
        undecodable_error(source, &source->header, "header ", err);
        return CR_ERR_RECORD;
    }
    if (source->header.malformed) {
        malformed_error(source, &source->header, err);
        return CR_ERR_SYNTAX;
    }
    return check_header(source, err);
}

/* ------------------------------------------------------------- public */

cr_batch_source *cr_batch_source_open(const char *path, cr_batch_format format, cr_error *err)
{
    return cr_batch_source_open_with(path, format, NULL, err);
}

/* A source named name (copied) over nothing yet; NULL when out of memory. */
static cr_batch_source *source_new(const char *name, cr_batch_format format, cr_error *err)
{
    cr_batch_source *source = calloc(1, sizeof *source);
    if (!source || !(source->name = strdup(name))) {
        free(source);
        cr_fail(err, CR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    source->format = format;
    return source;
}

/* Decodes source->raw and, for CSV, reads the header; closes the source on
 * failure. */
static cr_batch_source *source_start(cr_batch_source *source, const cr_record_options *options,
                                     cr_error *err)
{
    source->decoder =
        cr_decoder_open(source->raw, source->name, options ? options->encoding : NULL, err);
    if (!source->decoder) {
        cr_batch_source_close(source);
        return NULL;
    }
    source->file = cr_decoder_stream(source->decoder);
    if (source->format == CR_BATCH_CSV && read_header(source, err) != CR_OK) {
        cr_batch_source_close(source);
        return NULL;
    }
    return source;
}

cr_batch_source *cr_batch_source_open_with(const char *path, cr_batch_format format,
                                           const cr_record_options *options, cr_error *err)
{
    cr_error_clear(err);
    bool from_stdin = !strcmp(path, "-");
    cr_batch_source *source = source_new(from_stdin ? "<stdin>" : path, format, err);
    if (!source)
        return NULL;
    const char *kind = NULL;
    source->raw = from_stdin ? stdin : cr_fopen_input(path, &kind);
    source->owns_raw = !from_stdin;
    if (!source->raw) {
        if (kind)
            cr_error_set(err, CR_ERR_IO, at_line(source, 0),
                         "the records are %s, not a file (give \"-\" to read standard input)",
                         kind);
        else
            cr_error_set(err, CR_ERR_IO, at_line(source, 0), "cannot open the records: %s",
                         strerror(errno));
        cr_batch_source_close(source);
        return NULL;
    }
    return source_start(source, options, err);
}

cr_batch_source *cr_batch_source_open_stream(FILE *file, const char *name, cr_batch_format format,
                                             const cr_record_options *options, cr_error *err)
{
    cr_error_clear(err);
    cr_batch_source *source = source_new(name, format, err);
    if (!source)
        return NULL;
    source->raw = file;
    return source_start(source, options, err);
}

int cr_batch_source_next(cr_batch_source *source, cr_batch_item *item, cr_error *err)
{
    memset(item, 0, sizeof *item);
    cr_error_clear(&item->error);
    if (source->format == CR_BATCH_CSV)
        return next_csv_row(source, item, err);
    return next_json_line(source, item, err);
}

void cr_batch_source_close(cr_batch_source *source)
{
    if (!source)
        return;
    cr_decoder_close(source->decoder); /* closes file, the decoded stream */
    if (source->raw && source->owns_raw)
        fclose(source->raw);
    if (source->csv_ready)
        csv_free(&source->csv);
    row_free(&source->header);
    row_free(&source->row);
    while (source->done.count > 0) {
        csv_row row = queue_pop(&source->done);
        row_free(&row);
    }
    free(source->done.rows);
    free(source->line);
    free(source->name);
    free(source);
}

static long count_nonblank_lines(FILE *file)
{
    char *line = NULL;
    size_t capacity = 0;
    long count = 0;
    ssize_t length;
    while ((length = getline(&line, &capacity, file)) >= 0)
        count += !is_blank(line, (size_t)length);
    free(line);
    return ferror(file) ? -1 : count;
}

/* Lines as decoded: a UTF-16 newline is two bytes. */
static long count_decoded_lines(const char *path, const cr_record_options *options)
{
    const char *kind;
    FILE *file = cr_fopen_input(path, &kind);
    cr_decoder *decoder =
        file ? cr_decoder_open(file, path, options ? options->encoding : NULL, NULL) : NULL;
    long count = decoder ? count_nonblank_lines(cr_decoder_stream(decoder)) : -1;
    cr_decoder_close(decoder);
    if (file)
        fclose(file);
    return count;
}

long cr_batch_count_records(const char *path, cr_batch_format format)
{
    return cr_batch_count_records_with(path, format, NULL);
}

long cr_batch_count_records_with(const char *path, cr_batch_format format,
                                 const cr_record_options *options)
{
    struct stat st;
    if (!strcmp(path, "-") || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    if (format == CR_BATCH_JSONL)
        return count_decoded_lines(path, options);
    /* CSV rows may span lines: only the parser can count them. */
    cr_batch_source *source = cr_batch_source_open_with(path, format, options, NULL);
    if (!source)
        return -1;
    cr_batch_item item;
    long count = 0;
    int got;
    while ((got = cr_batch_source_next(source, &item, NULL)) == 1) {
        cr_record_destroy(item.record);
        count++;
    }
    cr_batch_source_close(source);
    return got < 0 ? -1 : count;
}
