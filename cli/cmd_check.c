/* cardrender check TEMPLATE [RECORDS...] [--safe-mm N] [--dpi N] [--assets DIR]
 *                  [--encoding NAME] [--max-value-bytes N] [--format F] [--json]
 *
 * Lists everything that would make a bad card, one line per finding, and
 * writes no files. The findings are the library's (cr_check): the
 * template's own once, prefixed with its path, then each record's, prefixed
 * with the record's name (its file, or FILE:LINE in JSON Lines and CSV,
 * read as batch reads them). This file only reads the records and prints:
 * lines, or JSON objects with --json. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "batch_source.h"
#include "cardrender.h"
#include "cli.h"
#include "files.h"

const char cli_check_usage[] =
    "usage: cardrender check TEMPLATE [RECORDS...] [--safe-mm N] [--dpi N] [--assets DIR]\n"
    "                        [--encoding NAME] [--max-value-bytes N] [--format F] [--json]\n"
    "\n"
    "Checks a template and records without writing anything. One line per finding:\n"
    "  RECORD: field 3 \"name\": overflows: needs 2 lines, box holds 1\n"
    "Findings: text that overflows its box or had to be shrunk or condensed to fit;\n"
    "characters no font covers; boxes outside the card or inside the safe margin\n"
    "(text and image fields); every key a record lacks; every photo a record binds\n"
    "that is missing, unreadable, not a JPEG or PNG, or too large. A summary line\n"
    "ends the list.\n"
    "RECORDS are JSON record files, JSON Lines files (name ending in .jsonl) or CSV\n"
    "files with a header row (.csv), read as batch reads them; a record of JSON\n"
    "Lines or CSV is named FILE:LINE. \"-\" reads standard input: CSV unless it starts\n"
    "with '{'; JSON Lines when every line that is not blank starts with '{'; else\n"
    "one JSON record.\n"
    "  --safe-mm N   the safe margin inside the card's edge (default 3; 0: no check)\n"
    "  --dpi N       resolution the text is laid out at (default: the template's)\n"
    "  --assets DIR  the folder photo paths are read against (default: each record\n"
    "                file's; standard input: the working folder)\n"
    "  --encoding NAME  the character encoding of RECORDS, e.g. gb18030, gbk, big5,\n"
    "                utf-16le (default: a byte-order mark's, else UTF-8)\n"
    "  --max-value-bytes N refuse a record value longer than N bytes (default 65536)\n"
    "  --format F    json, jsonl or csv: how every RECORDS is read, whatever its name\n"
    "  --json        print one JSON object per finding (keys subject, kind,\n"
    "                field_index, field, file, line, column, message, text; null\n"
    "                when unknown) and then {\"summary\": {\"findings\": N, \"template\":\n"
    "                T, \"records\": N}} instead of lines\n"
    "exit status: 0 nothing found, 1 findings or an input error, 2 usage error\n";

typedef enum record_format { FORMAT_JSON, FORMAT_JSONL, FORMAT_CSV } record_format;

typedef struct check_args {
    const char *template_path;
    const char **operands; /* TEMPLATE and RECORDS, allocated */
    const char **records;  /* within operands */
    int record_count;
    double safe_mm;
    int dpi;
    size_t max_value_bytes; /* --max-value-bytes; 0: the library's 64 KiB */
    const char *assets;
    cr_record_options record_options; /* --encoding */
    bool format_given;                /* --format */
    record_format format;
    bool json; /* --json */
} check_args;

/* A check under way: what it has printed so far. */
typedef struct checker {
    cr_engine *engine;
    const cr_template *tpl;
    const check_args *args;
    int findings;
    int records;
} checker;

/* ------------------------------------------------------------- options */

enum { OPT_SAFE_MM = 256, OPT_DPI, OPT_ASSETS, OPT_ENCODING, OPT_MAX_VALUE, OPT_FORMAT, OPT_JSON };

static const struct option check_options[] = {
    {"safe-mm", required_argument, NULL, OPT_SAFE_MM},
    {"dpi", required_argument, NULL, OPT_DPI},
    {"assets", required_argument, NULL, OPT_ASSETS},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"max-value-bytes", required_argument, NULL, OPT_MAX_VALUE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"json", no_argument, NULL, OPT_JSON},
    {0}};

static bool take_format(check_args *args, const char *value)
{
    static const char *const names[] = {"json", "jsonl", "csv"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(value, names[i])) {
            args->format = (record_format)i;
            args->format_given = true;
            return true;
        }
    fprintf(stderr, "cardrender check: --format must be json, jsonl or csv, not \"%s\"\n", value);
    return false;
}

static bool take_option(void *data, int id, const char *value)
{
    check_args *args = data;
    switch (id) {
    case OPT_SAFE_MM:
        return cli_option_number("check", "--safe-mm", value, 0, 20, false, &args->safe_mm);
    case OPT_DPI:
        return cli_option_dpi("check", value, &args->dpi);
    case OPT_ENCODING:
        args->record_options.encoding = value;
        return cli_option_encoding("check", value);
    case OPT_MAX_VALUE:
        return cli_option_max_value_bytes("check", value, &args->max_value_bytes);
    case OPT_FORMAT:
        return take_format(args, value);
    case OPT_JSON:
        args->json = true;
        return true;
    }
    args->assets = value;
    return true;
}

/* TEMPLATE, then any number of RECORDS. */
static int parse_check_args(int argc, char **argv, check_args *args)
{
    args->safe_mm = 3;
    const char **operands = calloc((size_t)argc + 1, sizeof *operands);
    const cli_parser parser = {"check", "", check_options, take_option, args};
    int count = 0;
    if (!operands || !cli_parse_options(&parser, argc, argv, operands, argc, &count)) {
        free(operands);
        return 0;
    }
    args->operands = operands;
    args->template_path = operands[0];
    args->records = operands + (count > 0);
    args->record_count = count > 0 ? count - 1 : 0;
    if (!args->template_path) {
        fprintf(stderr, "cardrender check: needs TEMPLATE\n");
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------- printing */

static void print_json(json_t *object)
{
    char *line = json_dumps(object, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(object);
    if (line)
        puts(line);
    free(line);
}

/* One finding: its line, or with --json its object. */
static void print_finding(checker *c, const cr_finding *f)
{
    c->findings++;
    if (!c->args->json) {
        puts(f->text);
        return;
    }
    json_t *o = tool_finding_json(f);
    print_json(o);
}

static void on_finding(void *data, const cr_finding *finding)
{
    print_finding(data, finding);
}

/* The part of an error's message after its "FILE:LINE:COL: ". */
static const char *after_location(const cr_error *e)
{
    char prefix[sizeof e->file + 32];
    int n = snprintf(prefix, sizeof prefix, "%s:", e->file);
    if (e->line > 0)
        n += snprintf(prefix + n, sizeof prefix - (size_t)n, "%d:", e->line);
    if (e->line > 0 && e->column > 0)
        n += snprintf(prefix + n, sizeof prefix - (size_t)n, "%d:", e->column);
    snprintf(prefix + n, sizeof prefix - (size_t)n, " ");
    size_t length = strlen(prefix);
    return e->file[0] && !strncmp(e->message, prefix, length) ? e->message + length : e->message;
}

/* A record that cannot be read: a finding of kind "record", its line the
 * reader's error as it is (it names the file, line and column itself). */
static void unreadable(checker *c, const char *subject, const cr_error *e)
{
    cr_finding f = {.text = e->message,
                    .subject = subject,
                    .kind = "record",
                    .field_index = -1,
                    .field_name = "",
                    .file = e->file,
                    .line = e->line,
                    .column = e->column,
                    .detail = after_location(e)};
    print_finding(c, &f);
}

/* The error that stopped a check (out of memory): "SUBJECT: MESSAGE". */
static void stopped(checker *c, const char *subject, const cr_error *e)
{
    char text[sizeof e->message + 4200];
    snprintf(text, sizeof text, "%s: %s", subject, e->message);
    cr_finding f = {.text = text,
                    .subject = subject,
                    .kind = "error",
                    .field_index = -1,
                    .field_name = "",
                    .file = "",
                    .line = -1,
                    .column = -1,
                    .detail = e->message};
    print_finding(c, &f);
}

/* -------------------------------------------------------------- checking */

/* The template's findings (record NULL) or one record's. */
static void check_one(checker *c, const cr_record *record, const char *subject,
                      const char *asset_dir)
{
    const check_args *args = c->args;
    cr_check_options options;
    cr_check_options_init(&options);
    options.dpi = args->dpi;
    options.safe_mm = args->safe_mm == 0 ? -1 : args->safe_mm; /* --safe-mm 0: none */
    options.asset_dir = asset_dir;
    options.max_value_bytes = args->max_value_bytes;
    options.finding = on_finding;
    options.finding_data = c;
    cr_error err;
    if (cr_check(c->engine, c->tpl, record, &options, NULL, &err) != CR_OK)
        stopped(c, subject, &err);
}

/* A JSON record file; its photos are read against its folder. */
static void check_json_file(checker *c, const char *path)
{
    c->records++;
    cr_error err;
    cr_record *record = cr_record_load_file_with(path, &c->args->record_options, &err);
    if (!record) {
        unreadable(c, path, &err);
        return;
    }
    check_one(c, record, path, c->args->assets);
    cr_record_destroy(record);
}

/* Every record of a JSON Lines or CSV source, named "NAME:LINE" as batch
 * names them; one that cannot be read is a finding and the next is read. */
static void check_source(checker *c, cr_batch_source *source, const char *name,
                         const char *asset_dir, cr_error *err)
{
    if (!source) {
        c->records++;
        unreadable(c, name, err);
        return;
    }
    cr_batch_item item;
    int more;
    while ((more = cr_batch_source_next(source, &item, err)) == 1) {
        c->records++;
        char subject[4200];
        snprintf(subject, sizeof subject, "%s:%ld", name, item.line);
        if (item.record)
            check_one(c, item.record, subject, asset_dir);
        else
            unreadable(c, subject, &item.error);
        cr_record_destroy(item.record);
    }
    if (more < 0)
        unreadable(c, name, err);
    cr_batch_source_close(source);
}

/* A JSON Lines or CSV file; its photos are read against --assets, else its
 * folder, as in a batch. */
static void check_records_file(checker *c, const char *path, record_format format)
{
    char *folder = c->args->assets ? NULL : tool_path_folder(path);
    cr_batch_format batch_format = format == FORMAT_CSV ? CR_BATCH_CSV : CR_BATCH_JSONL;
    cr_error err;
    cr_batch_source *source =
        cr_batch_source_open_with(path, batch_format, &c->args->record_options, &err);
    check_source(c, source, path, c->args->assets ? c->args->assets : folder, &err);
    free(folder);
}

/* ------------------------------------------------------------ standard input */

/* Standard input has no name to go by, so its first bytes decide: CSV
 * unless it starts with '{'; JSON Lines when every line that is not blank
 * starts with '{'; else one JSON record spread over lines. A byte-order mark,
 * blanks and NUL bytes (UTF-16's other half) are passed over. */
static record_format sniff_format(const char *text, size_t length)
{
    size_t i = 0;
    while (i < length && strchr("\xef\xbb\xbf\xfe\xff", text[i]) && text[i])
        i++;
    bool line_start = true, first = true;
    for (; i < length; i++) {
        char ch = text[i];
        if (ch == '\n')
            line_start = true;
        if (ch == '\0' || strchr(" \t\r\n", ch) || !line_start)
            continue;
        if (ch != '{')
            return first ? FORMAT_CSV : FORMAT_JSON;
        first = line_start = false;
    }
    return FORMAT_JSONL;
}

/* All of standard input into *text (NUL-terminated); false on a read error. */
static bool read_stdin(char **text, size_t *length)
{
    size_t capacity = 65536, used = 0;
    char *buffer = malloc(capacity);
    while (buffer) {
        used += fread(buffer + used, 1, capacity - used - 1, stdin);
        if (used < capacity - 1)
            break;
        char *bigger = realloc(buffer, capacity * 2);
        if (!bigger)
            free(buffer);
        buffer = bigger;
        capacity *= 2;
    }
    if (!buffer || ferror(stdin)) {
        free(buffer);
        return false;
    }
    buffer[used] = '\0';
    *text = buffer;
    *length = used;
    return true;
}

/* A finding-to-be for what went wrong with standard input itself. */
static void stdin_error(cr_error *err, const char *what)
{
    memset(err, 0, sizeof *err);
    err->line = err->column = err->field_index = -1;
    snprintf(err->file, sizeof err->file, "<stdin>");
    snprintf(err->message, sizeof err->message, "<stdin>: %s: %s", what, strerror(errno));
}

/* JSON Lines or CSV held in memory, through the batch reader (which reads a
 * stream). */
static void check_stdin_records(checker *c, char *text, size_t length, record_format format)
{
    const check_args *args = c->args;
    cr_error err;
    cr_batch_source *source = NULL;
    FILE *file = fmemopen(text, length, "r");
    if (!file)
        stdin_error(&err, "cannot read the records");
    else
        source = cr_batch_source_open_stream(file, "<stdin>",
                                             format == FORMAT_CSV ? CR_BATCH_CSV : CR_BATCH_JSONL,
                                             &args->record_options, &err);
    check_source(c, source, "<stdin>", args->assets, &err);
    if (file)
        fclose(file);
}

/* "-": records from standard input, their photos read against --assets, else
 * the working folder (as in a batch). All of it is read first, so that its
 * contents can tell its format. */
static void check_stdin(checker *c)
{
    const check_args *args = c->args;
    char *text;
    size_t length;
    cr_error err;
    if (!read_stdin(&text, &length)) {
        stdin_error(&err, "cannot read the records");
        c->records++;
        unreadable(c, "<stdin>", &err);
        return;
    }
    record_format format = args->format_given ? args->format : sniff_format(text, length);
    if (format != FORMAT_JSON) {
        check_stdin_records(c, text, length, format);
    } else {
        c->records++;
        cr_record *record =
            cr_record_load_memory_with(text, length, "<stdin>", &args->record_options, &err);
        if (record)
            check_one(c, record, "<stdin>", args->assets);
        else
            unreadable(c, "<stdin>", &err);
        cr_record_destroy(record);
    }
    free(text);
}

static bool ends_with(const char *path, const char *suffix)
{
    size_t length = strlen(path), n = strlen(suffix);
    return length >= n && !strcasecmp(path + length - n, suffix);
}

static void check_operand(checker *c, const char *path)
{
    if (!strcmp(path, "-")) {
        check_stdin(c);
        return;
    }
    record_format format = c->args->format_given       ? c->args->format
                           : ends_with(path, ".csv")   ? FORMAT_CSV
                           : ends_with(path, ".jsonl") ? FORMAT_JSONL
                                                       : FORMAT_JSON;
    if (format == FORMAT_JSON)
        check_json_file(c, path);
    else
        check_records_file(c, path, format);
}

static void print_summary(const checker *c)
{
    const char *tpl = c->args->template_path;
    if (c->args->json) {
        json_t *summary = json_object();
        json_object_set_new(summary, "findings", json_integer(c->findings));
        json_object_set_new(summary, "template", tool_json_text(tpl));
        json_object_set_new(summary, "records", json_integer(c->records));
        print_json(json_pack("{s:o}", "summary", summary));
        return;
    }
    char count[32];
    snprintf(count, sizeof count, "%d", c->findings);
    printf("check: %s finding%s (template %s, %d record%s)\n", c->findings ? count : "no",
           c->findings == 1 ? "" : "s", tpl, c->records, c->records == 1 ? "" : "s");
}

static int run_check(cr_engine *engine, const cr_template *tpl, const check_args *args)
{
    checker c = {engine, tpl, args, 0, 0};
    check_one(&c, NULL, args->template_path, args->assets);
    for (int i = 0; i < args->record_count; i++)
        check_operand(&c, args->records[i]);
    print_summary(&c);
    return c.findings ? CLI_INPUT_ERROR : CLI_OK;
}

int cli_check(int argc, char **argv)
{
    check_args args = {0};
    cr_record_options_init(&args.record_options);
    if (!parse_check_args(argc, argv, &args)) {
        free(args.operands);
        return CLI_USAGE;
    }
    cr_error err;
    int status = CLI_INPUT_ERROR;
    cr_template *tpl = NULL;
    cr_engine *engine = cr_engine_create(cli_engine_options(), &err);
    if (engine)
        tpl = cr_template_load_file(engine, args.template_path, &err);
    if (tpl)
        status = run_check(engine, tpl, &args);
    else
        fprintf(stderr, "cardrender: %s\n", err.message);
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);
    free(args.operands);
    return status;
}
