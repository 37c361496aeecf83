/* cardrender layout TEMPLATE [RECORD] [--json] [--dpi N] */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardrender.h"
#include "cli.h"
#include "layout_report.h"

static const char layout_usage[] =
    "usage: cardrender layout TEMPLATE [RECORD] [--json] [--dpi N]\n"
    "\n"
    "Lays out every text field of TEMPLATE filled from RECORD (may be left out\n"
    "when the template binds no keys) and prints what the engine decided:\n"
    "one line per line of text with its runs (script, language, direction,\n"
    "font, text), or with --json the whole layout (size used, fit, breaks,\n"
    "lines, runs, glyphs in 26.6 and in pixels; format described in\n"
    "tools/layout_dump.h). A field that cannot be laid out is reported and\n"
    "the others still printed; the exit status is then 1.\n"
    "  --json     print the layout as JSON\n"
    "  --dpi N    resolution, 72..1200 (default: the template's)\n";

typedef struct layout_args {
    const char *template_path;
    const char *record_path;
    bool json;
    int dpi;
} layout_args;

static bool parse_layout_args(int argc, char **argv, layout_args *args)
{
    const char *positional[2] = {NULL, NULL};
    int count = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            args->json = true;
        } else if (!strcmp(a, "--dpi") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], &args->dpi)) {
                fprintf(stderr, "cardrender layout: --dpi needs a whole number, not \"%s\"\n",
                        argv[i]);
                return false;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "cardrender layout: unknown or incomplete option \"%s\"\n", a);
            return false;
        } else if (count < 2) {
            positional[count++] = a;
        } else {
            fprintf(stderr, "cardrender layout: too many arguments\n");
            return false;
        }
    }
    args->template_path = positional[0];
    args->record_path = positional[1];
    if (!args->template_path) {
        fprintf(stderr, "cardrender layout: needs TEMPLATE\n");
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- main */

static int run_layout(const layout_args *args, cr_engine *engine, cr_error *err)
{
    cr_template *tpl = cr_template_load_file(engine, args->template_path, err);
    cr_record *record =
        tpl && args->record_path ? cr_record_load_file(args->record_path, err) : NULL;
    int status = CLI_INPUT_ERROR;
    if (tpl && (record || !args->record_path)) {
        int dpi = args->dpi ? args->dpi : cr_template_dpi(tpl);
        if (cr_layout_report(engine, tpl, record, args->template_path, args->record_path, dpi,
                             args->json))
            status = CLI_OK;
    } else {
        fprintf(stderr, "cardrender: %s\n", err->message);
    }
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    return status;
}

int cli_layout(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(layout_usage, stdout);
        return CLI_OK;
    }
    layout_args args = {0};
    if (!parse_layout_args(argc, argv, &args)) {
        fputs(layout_usage, stderr);
        return CLI_USAGE;
    }
    if (args.dpi && (args.dpi < 72 || args.dpi > 1200)) {
        fprintf(stderr, "cardrender layout: --dpi %d is out of range (72 to 1200)\n", args.dpi);
        return CLI_USAGE;
    }
    cr_error err;
    cr_engine *engine = cr_engine_create(NULL, &err);
    if (!engine) {
        fprintf(stderr, "cardrender: %s\n", err.message);
        return CLI_INPUT_ERROR;
    }
    int status = run_layout(&args, engine, &err);
    cr_engine_destroy(engine);
    return status;
}
