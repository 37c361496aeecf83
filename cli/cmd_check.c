/* cardrender check TEMPLATE [RECORDS...] [--safe-mm N] [--dpi N] [--assets DIR]
 *                  [--encoding NAME] [--max-value-bytes N]
 *
 * Lists everything that would make a bad card, one line per finding, and
 * writes no files. The findings are the library's (cr_check): the
 * template's own once, prefixed with its path, then each record's, prefixed
 * with the record's path. This file only reads the records and prints. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardrender.h"
#include "cli.h"

const char cli_check_usage[] =
    "usage: cardrender check TEMPLATE [RECORDS...] [--safe-mm N] [--dpi N] [--assets DIR]\n"
    "                        [--encoding NAME]\n"
    "\n"
    "Checks a template and records without writing anything. One line per finding:\n"
    "  RECORD: field 3 \"name\": overflows: needs 2 lines, box holds 1\n"
    "Findings: text that overflows its box or had to be shrunk or condensed to fit;\n"
    "characters no font covers; boxes outside the card or inside the safe margin\n"
    "(text and image fields); every key a record lacks; every photo a record binds\n"
    "that is missing, unreadable, not a JPEG or PNG, or too large. A summary line\n"
    "ends the list.\n"
    "  --safe-mm N   the safe margin inside the card's edge (default 3; 0: no check)\n"
    "  --dpi N       resolution the text is laid out at (default: the template's)\n"
    "  --assets DIR  the folder photo paths are read against (default: each record's)\n"
    "  --encoding NAME  the character encoding of RECORDS, e.g. gb18030, gbk, big5,\n"
    "                utf-16le (default: a byte-order mark's, else UTF-8)\n"
    "  --max-value-bytes N refuse a record value longer than N bytes (default 65536)\n"
    "exit status: 0 nothing found, 1 findings or an input error, 2 usage error\n";

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

enum { OPT_SAFE_MM = 256, OPT_DPI, OPT_ASSETS, OPT_ENCODING, OPT_MAX_VALUE };

static const struct option check_options[] = {
    {"safe-mm", required_argument, NULL, OPT_SAFE_MM},
    {"dpi", required_argument, NULL, OPT_DPI},
    {"assets", required_argument, NULL, OPT_ASSETS},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"max-value-bytes", required_argument, NULL, OPT_MAX_VALUE},
    {0}};

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

/* One finding: its line. */
static void print_finding(checker *c, const cr_finding *f)
{
    c->findings++;
    puts(f->text);
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

/* A record file; its photos are read against --assets, else its folder. */
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

static void print_summary(const checker *c)
{
    const char *tpl = c->args->template_path;
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
        check_json_file(&c, args->records[i]);
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
    cr_engine *engine = cr_engine_create(NULL, &err);
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
