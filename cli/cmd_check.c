/* cardrender check TEMPLATE [RECORDS...] [--safe-mm N] [--dpi N] [--assets DIR]
 *                  [--encoding NAME]
 *
 * Lists everything that would make a bad card, one line per finding, and
 * writes no files. Findings of the template itself (a box outside the card
 * or in the safe margin, fixed text that does not fit) are prefixed with the
 * template's path, once; a record's (keys it lacks, bound text that does not
 * fit, characters no font covers, photos that cannot be read) with the
 * record's path. */
#include <stdarg.h>
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

/* What a check has found so far. */
typedef struct findings {
    const cr_template *tpl;
    const char *prefix; /* the template's or the record's path */
    bool bound_only;    /* a record's pass: fixed text was checked with the template */
    int count;
} findings;

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
    if (id == OPT_SAFE_MM)
        return cli_option_number("check", "--safe-mm", value, 0, 20, false, &args->safe_mm);
    if (id == OPT_DPI)
        return cli_option_dpi("check", value, &args->dpi);
    if (id == OPT_ENCODING) {
        args->record_options.encoding = value;
        return cli_option_encoding("check", value);
    }
    if (id == OPT_MAX_VALUE)
        return cli_option_max_value_bytes("check", value, &args->max_value_bytes);
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
/* ------------------------------------------------------------ findings */

static void field_label(const cr_template *tpl, int index, char *buf, size_t size)
{
    cr_field_info info;
    if (index >= 0 && cr_template_field(tpl, (size_t)index, &info) == CR_OK && info.name[0])
        snprintf(buf, size, "field %d \"%s\"", index, info.name);
    else
        snprintf(buf, size, "field %d", index);
}

static void report(findings *f, int field_index, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "PREFIX: field N "NAME": TEXT" on stdout. */
static void report(findings *f, int field_index, const char *fmt, ...)
{
    char label[256], text[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (field_index < 0) {
        printf("%s: %s\n", f->prefix, text);
    } else {
        field_label(f->tpl, field_index, label, sizeof label);
        printf("%s: %s: %s\n", f->prefix, label, text);
    }
    f->count++;
}

/* The part of an error's message after "FILE:LINE:COL: field N "NAME": ",
 * which the finding's own prefix replaces. */
static const char *message_body(const cr_error *e)
{
    char prefix[sizeof e->file + sizeof e->field_name + 64];
    int n = 0;
    if (e->file[0]) {
        n += snprintf(prefix + n, sizeof prefix - (size_t)n, "%s:", e->file);
        if (e->line > 0)
            n += snprintf(prefix + n, sizeof prefix - (size_t)n, "%d:", e->line);
        if (e->line > 0 && e->column > 0)
            n += snprintf(prefix + n, sizeof prefix - (size_t)n, "%d:", e->column);
        n += snprintf(prefix + n, sizeof prefix - (size_t)n, " ");
    }
    if (e->field_index >= 0) {
        n += snprintf(prefix + n, sizeof prefix - (size_t)n, "field %d", e->field_index);
        if (e->field_name[0])
            n += snprintf(prefix + n, sizeof prefix - (size_t)n, " \"%s\"", e->field_name);
        n += snprintf(prefix + n, sizeof prefix - (size_t)n, ": ");
    }
    bool same = n > 0 && (size_t)n < sizeof prefix && !strncmp(e->message, prefix, (size_t)n);
    return same ? e->message + n : e->message;
}

/* A problem's text without "the record PATH: " in front when the finding's
 * prefix already names that record. */
static const char *without_record(const findings *f, const char *body)
{
    static const char lead[] = "the record ";
    size_t n = strlen(f->prefix);
    if (!f->bound_only || strncmp(body, lead, sizeof lead - 1))
        return body;
    const char *rest = body + sizeof lead - 1;
    return !strncmp(rest, f->prefix, n) && !strncmp(rest + n, ": ", 2) ? rest + n + 2 : body;
}

/* In a record's pass, fixed text is not reported again. */
static bool skipped(const findings *f, int field_index)
{
    cr_field_info info;
    if (!f->bound_only || cr_template_field(f->tpl, (size_t)field_index, &info) != CR_OK)
        return false;
    return info.bind == NULL;
}

static void on_report(void *data, const cr_field_report *r)
{
    findings *f = data;
    if (skipped(f, r->field_index))
        return;
    if (r->overflow)
        report(f, r->field_index, "overflows: %s", r->reason);
    if (r->used_size_pt < r->size_pt - 1e-9)
        report(f, r->field_index, "shrunk from %g to %g pt to fit", r->size_pt, r->used_size_pt);
    if (r->scale_x < 1 - 1e-9)
        report(f, r->field_index, "condensed to %.1f%% to fit", r->scale_x * 100);
}

/* Characters drawn as .notdef, fields that could not be laid out, photos
 * that cannot be read. */
static void on_problem(void *data, const cr_error *problem)
{
    findings *f = data;
    if (problem->field_index >= 0 && skipped(f, problem->field_index))
        return;
    report(f, problem->field_index, "%s", without_record(f, message_body(problem)));
}

static void check_layout(cr_engine *engine, const cr_record *record, const check_args *args,
                         findings *f)
{
    cr_render_options options = {.struct_size = sizeof options,
                                 .dpi = args->dpi,
                                 .max_value_bytes = args->max_value_bytes,
                                 .asset_dir = args->assets,
                                 .warning = on_problem,
                                 .warning_data = f,
                                 .field_report = on_report,
                                 .field_report_data = f};
    cr_error err;
    if (cr_check_layout(engine, f->tpl, record, &options, &err) != CR_OK) {
        printf("%s: %s\n", f->prefix, err.message);
        f->count++;
    }
}

/* Text and pictures stay inside the safe margin; nothing leaves the card. */
static void check_boxes(const check_args *args, findings *f)
{
    double width, height;
    cr_template_card_mm(f->tpl, &width, &height, NULL);
    double s = args->safe_mm;
    for (size_t i = 0; i < cr_template_field_count(f->tpl); i++) {
        cr_field_info b;
        cr_template_field(f->tpl, i, &b);
        double right = b.x_mm + b.width_mm, bottom = b.y_mm + b.height_mm;
        bool content = !strcmp(b.type, "text") || !strcmp(b.type, "image");
        if (b.x_mm < 0 || b.y_mm < 0 || right > width || bottom > height)
            report(f, (int)i, "box [%g, %g, %g, %g] mm reaches outside the %g x %g mm card", b.x_mm,
                   b.y_mm, b.width_mm, b.height_mm, width, height);
        else if (content && s > 0 &&
                 (b.x_mm < s || b.y_mm < s || right > width - s || bottom > height - s))
            report(f, (int)i, "box [%g, %g, %g, %g] mm reaches into the %g mm safe margin", b.x_mm,
                   b.y_mm, b.width_mm, b.height_mm, s);
    }
}

/* Every key the template binds that the record lacks (an optional one may). */
static void check_binds(const cr_record *record, findings *f)
{
    for (size_t i = 0; i < cr_template_field_count(f->tpl); i++) {
        cr_field_info b;
        cr_template_field(f->tpl, i, &b);
        if (b.bind && !b.optional && !cr_record_get(record, b.bind))
            report(f, (int)i, "the record has no key \"%s\"", b.bind);
    }
}

static void check_record(cr_engine *engine, const char *path, const check_args *args, findings *f)
{
    cr_error err;
    cr_record *record = cr_record_load_file_with(path, &args->record_options, &err);
    if (!record) {
        printf("%s\n", err.message);
        f->count++;
        return;
    }
    f->prefix = path;
    f->bound_only = true;
    check_binds(record, f);
    check_layout(engine, record, args, f);
    cr_record_destroy(record);
}

static int run_check(cr_engine *engine, const cr_template *tpl, const check_args *args)
{
    findings f = {tpl, args->template_path, false, 0};
    check_boxes(args, &f);
    check_layout(engine, NULL, args, &f);
    for (int i = 0; i < args->record_count; i++)
        check_record(engine, args->records[i], args, &f);
    char count[32];
    snprintf(count, sizeof count, "%d", f.count);
    printf("check: %s finding%s (template %s, %d record%s)\n", f.count ? count : "no",
           f.count == 1 ? "" : "s", args->template_path, args->record_count,
           args->record_count == 1 ? "" : "s");
    return f.count ? CLI_INPUT_ERROR : CLI_OK;
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
