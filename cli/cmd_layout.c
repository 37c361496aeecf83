/* cardrender layout TEMPLATE [RECORD] [--json] [--dpi N] */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardrender.h"
#include "cli.h"
#include "layout_report.h"

const char cli_layout_usage[] =
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
    "  --dpi N    resolution, " CLI_DPI_RANGE " (default: the template's)\n";

typedef struct layout_args {
    const char *template_path;
    const char *record_path;
    bool json;
    int dpi;
} layout_args;

enum { OPT_JSON = 256, OPT_DPI };

static const struct option layout_options[] = {
    {"json", no_argument, NULL, OPT_JSON}, {"dpi", required_argument, NULL, OPT_DPI}, {0}};

static bool take_option(void *data, int id, const char *value)
{
    layout_args *args = data;
    if (id == OPT_JSON) {
        args->json = true;
        return true;
    }
    return cli_option_dpi("layout", value, &args->dpi);
}

static bool parse_layout_args(int argc, char **argv, layout_args *args)
{
    const cli_parser parser = {"layout", "", layout_options, take_option, args};
    if (!cli_parse_pair(&parser, argc, argv, &args->template_path, &args->record_path))
        return false;
    if (!args->template_path) {
        fprintf(stderr, "cardrender layout: needs TEMPLATE\n");
        return false;
    }
    return true;
}
/* ---------------------------------------------------------------- main */

static int run_layout(const layout_args *args, cr_engine *engine)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, args->template_path, &err);
    cr_record *record =
        tpl && args->record_path ? cr_record_load_file(args->record_path, &err) : NULL;
    int status = CLI_INPUT_ERROR;
    if (tpl && (record || !args->record_path)) {
        int dpi = args->dpi ? args->dpi : cr_template_dpi(tpl);
        if (cr_layout_report(engine, tpl, record, args->template_path, args->record_path, dpi,
                             args->json))
            status = CLI_OK;
    } else {
        fprintf(stderr, "cardrender: %s\n", err.message);
    }
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    return status;
}

int cli_layout(int argc, char **argv)
{
    layout_args args = {0};
    if (!parse_layout_args(argc, argv, &args)) {
        return CLI_USAGE;
    }
    cr_engine *engine = cli_engine_create();
    if (!engine)
        return CLI_INPUT_ERROR;
    int status = run_layout(&args, engine);
    cr_engine_destroy(engine);
    return status;
}
