/* cardrender: command-line front end of the engine. */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cardrender.h"
#include "cli.h"
#include "files.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
    const char *summary;
    bool fonts;    /* makes an engine: takes --font-manifest FILE */
    bool one_card; /* renders one card per template: its engine builds no static cache */
} command;

static const command commands[] = {
    {"render", cli_render, cli_render_usage,
     "render TEMPLATE [RECORD] -o OUT.png [--dpi N]   render one card", true, true},
    {"compare", cli_compare, cli_compare_usage,
     "compare EXPECTED.png ACTUAL.png [--diff D.png] [--tolerance T]   perceptual comparison",
     false, false},
    {"golden", cli_golden, cli_golden_usage,
     "golden DIR [--update]   render and compare every golden case in DIR", true, false},
    {"layout", cli_layout, cli_layout_usage,
     "layout TEMPLATE [RECORD] [--json] [--dpi N]   print how each text field was laid out", true,
     false},
    {"proof", cli_proof, cli_proof_usage,
     "proof TEMPLATE [RECORD] -o OUT.png [--sides OTHER] [--safe-mm N]   a proof with guides "
     "for approval",
     true, true},
    {"check", cli_check, cli_check_usage,
     "check TEMPLATE [RECORDS...] [--safe-mm N] [--json]   list overflows, missing fonts and "
     "keys, boxes off the card, unreadable photos (RECORDS: JSON, JSON Lines, CSV, -)",
     true, false},
    {"sheet", cli_sheet, cli_sheet_usage,
     "sheet TEMPLATE RECORDS... -o SHEET.png [--back T -b BACK.png] [--mirror] [--layout 2x4]   "
     "impose cards n-up with crop marks",
     true, false},
    {"batch", cli_batch, cli_batch_usage,
     "batch TEMPLATE RECORDS -o DIR [-j N] [--name PATTERN] [--resume]   render one card per "
     "record",
     true, false},
    {"serve", cli_serve, cli_serve_usage,
     "serve --templates DIR [--listen ADDR:PORT]   answer HTTP requests for cards, checks and "
     "layouts; the template studio at /",
     true, false},
};

#ifndef CR_DATADIR
#define CR_DATADIR "/usr/local/share/cardrender"
#endif

/* The installed manifest is the library's default (render/base/engine.c). */
static const char font_manifest_usage[] =
    "  --font-manifest FILE  the font manifest to read (default:\n"
    "                        $CARDRENDER_FONT_MANIFEST, else the installed\n"
    "                        " CR_DATADIR "/fonts/manifest.json)\n"
    "  --max-memory N        bytes (suffix K, M or G: KiB, MiB, GiB) all threads\n"
    "                        may hold at once for decoding photos; a photo waits\n"
    "                        for memory, one needing more is an input error\n"
    "                        (default: half the machine's memory)\n";

static void usage(FILE *out)
{
    fprintf(out, "usage: cardrender COMMAND [ARGS]   (cardrender COMMAND --help for details)\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s\n", commands[i].summary);
    fprintf(out, "\n  --version   print the version\n"
                 "\nEvery command but compare takes --font-manifest FILE and --max-memory N\n"
                 "(COMMAND --help).\n"
                 "\nexit status: 0 success, 1 input error, 2 usage error\n");
}

/* True when argv holds -h or --help. */
static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return true;
    return false;
}

void cli_print_warning(void *user_data, const cr_error *warning)
{
    (void)user_data;
    fprintf(stderr, "cardrender: warning: %s\n", warning->message);
}

/* --font-manifest FILE, for every engine the command makes; taken only
 * when the command running makes one. */
static cr_engine_options engine_options = {.struct_size = sizeof(cr_engine_options)};
static bool command_takes_fonts;

const cr_engine_options *cli_engine_options(void)
{
    return engine_options.font_manifest_path || engine_options.max_memory ||
                   engine_options.no_static_cache
               ? &engine_options
               : NULL;
}

void cli_engine_static_cache(bool on)
{
    engine_options.no_static_cache = !on;
}

cr_engine *cli_engine_create(void)
{
    cr_error err;
    cr_engine *engine = cr_engine_create(cli_engine_options(), &err);
    if (!engine)
        fprintf(stderr, "cardrender: %s\n", err.message);
    return engine;
}

/* A command's usage, with --font-manifest's paragraph when it takes it. */
static void command_usage(const command *c, FILE *out)
{
    fputs(c->usage, out);
    if (c->fonts)
        fprintf(out, "\n%s", font_manifest_usage);
}

/* Runs a command: its usage for --help, and again after a usage error. */
static int run_command(const command *c, int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        command_usage(c, stdout);
        return CLI_OK;
    }
    command_takes_fonts = c->fonts;
    cli_engine_static_cache(!c->one_card);
    if (c->one_card)
        cli_heap_for_one_card();
    int status = c->run(argc, argv);
    if (status == CLI_USAGE)
        command_usage(c, stderr);
    return status;
}

enum { MAX_LONG_OPTIONS = 32 };

/* "N", "NK", "NM" or "NG" (binary units), from 1 MiB to 1 TiB. */
static bool parse_memory(const char *text, uint64_t *bytes)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (errno || end == text || text[0] == '-')
        return false;
    unsigned shift = 0;
    if (*end && strchr("KkMmGg", *end) && end[1] == '\0')
        shift = strchr("Kk", *end) ? 10 : strchr("Mm", *end) ? 20 : 30;
    else if (*end)
        return false;
    if (n > (1ull << 40) >> shift)
        return false;
    *bytes = (uint64_t)n << shift;
    return *bytes >= (1u << 20);
}

/* The command's long options, with the shared ones it takes appended. */
static void shared_long_options(const cli_parser *p, struct option *out)
{
    size_t n = 0;
    while (p->longs[n].name && n < MAX_LONG_OPTIONS - 3)
        n++;
    assert(!p->longs[n].name); /* MAX_LONG_OPTIONS holds every command's */
    memcpy(out, p->longs, n * sizeof *out);
    if (command_takes_fonts) {
        out[n++] = (struct option){"font-manifest", required_argument, NULL, CLI_OPT_FONT_MANIFEST};
        out[n++] = (struct option){"max-memory", required_argument, NULL, CLI_OPT_MAX_MEMORY};
    }
    out[n] = (struct option){0};
}

bool cli_parse_options(const cli_parser *p, int argc, char **argv, const char **operands, int max,
                       int *count)
{
    char shorts[64];
    snprintf(shorts, sizeof shorts, ":%s", p->shorts); /* ':': a missing value is told apart */
    struct option longs[MAX_LONG_OPTIONS];
    shared_long_options(p, longs);
    opterr = 0;
    optind = 0; /* glibc: start afresh, as for a new argv */
    for (int id; (id = getopt_long(argc, argv, shorts, longs, NULL)) != -1;) {
        if (id == '?' || id == ':') {
            fprintf(stderr, "cardrender %s: unknown or incomplete option \"%s\"\n", p->command,
                    argv[optind - 1]);
            return false;
        }
        if (id == CLI_OPT_FONT_MANIFEST)
            engine_options.font_manifest_path = optarg;
        else if (id == CLI_OPT_MAX_MEMORY) {
            if (!parse_memory(optarg, &engine_options.max_memory)) {
                fprintf(stderr,
                        "cardrender %s: --max-memory \"%s\" is not a size (e.g. 2G, 512M)\n",
                        p->command, optarg);
                return false;
            }
        } else if (!p->take(p->args, id, optarg))
            return false;
    }
    *count = 0;
    for (int i = optind; i < argc; i++) {
        if (*count == max) {
            fprintf(stderr, "cardrender %s: too many arguments (\"%s\")\n", p->command, argv[i]);
            return false;
        }
        operands[(*count)++] = argv[i];
    }
    return true;
}

bool cli_parse_pair(const cli_parser *p, int argc, char **argv, const char **first,
                    const char **second)
{
    const char *operands[2] = {NULL, NULL};
    int count;
    if (!cli_parse_options(p, argc, argv, operands, 2, &count))
        return false;
    *first = operands[0];
    *second = operands[1];
    return true;
}

bool cli_parse_int(const char *text, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < -1000000 || v > 1000000)
        return false;
    *out = (int)v;
    return true;
}

bool cli_parse_number(const char *text, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

bool cli_option_number(const char *name, const char *option, const char *text, double min,
                       double max, bool whole, double *out)
{
    if (cli_parse_number(text, min, max, out) && (!whole || *out == floor(*out)))
        return true;
    fprintf(stderr, "cardrender %s: %s needs a %s from %g to %g, not \"%s\"\n", name, option,
            whole ? "whole number" : "number", min, max, text);
    return false;
}

bool cli_option_encoding(const char *name, const char *text)
{
    cr_error err;
    if (cr_encoding_check(text, &err) == CR_OK)
        return true;
    fprintf(stderr, "cardrender %s: --encoding: %s\n", name, err.message);
    return false;
}

bool cli_option_max_value_bytes(const char *name, const char *text, size_t *out)
{
    double value;
    if (!cli_option_number(name, "--max-value-bytes", text, 1, 1 << 30, true, &value))
        return false;
    *out = (size_t)value;
    return true;
}

bool cli_option_dpi(const char *name, const char *text, int *dpi)
{
    double value;
    if (!cli_option_number(name, "--dpi", text, CR_DPI_MIN, CR_DPI_MAX, true, &value))
        return false;
    *dpi = (int)value;
    return true;
}

bool cli_option_threads(const char *name, const char *text, int *threads)
{
    double value;
    if (!cli_option_number(name, "--threads", text, 1, 64, true, &value))
        return false;
    *threads = (int)value;
    return true;
}

int cli_default_threads(void)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online < 1 ? 1 : online > 8 ? 8 : (int)online;
}

bool cli_is_stdio(const char *path)
{
    return path && !strcmp(path, "-");
}

cr_record *cli_record_load(const char *path, const cr_record_options *options, cr_error *err)
{
    if (cli_is_stdio(path))
        return tool_record_load_stdin(options, err);
    return cr_record_load_file_with(path, options, err);
}

/* "-o -" for image: one PNG on standard output, or why not. */
static int write_stdout(const char *name, const cr_image *image, const cr_write_options *options)
{
    bool k = cr_image_panel(image, CR_PANEL_K), overlay = cr_image_panel(image, CR_PANEL_OVERLAY);
    if (k || overlay) {
        fprintf(stderr,
                "cardrender %s: -o - writes one PNG to standard output, but this card has %s, "
                "which go to files of their own (OUT.k.png, OUT.overlay.png): give -o OUT.png\n",
                name,
                k && overlay ? "a K panel and an overlay"
                : k          ? "a K panel"
                             : "an overlay");
        return CLI_USAGE;
    }
    if (isatty(STDOUT_FILENO)) {
        fprintf(stderr,
                "cardrender %s: -o -: standard output is a terminal; send it to a file or a "
                "pipe (> card.png, | lp)\n",
                name);
        return CLI_USAGE;
    }
    cr_error err;
    if (tool_write_png_stdout(image, options, &err) == CR_OK)
        return CLI_OK;
    fprintf(stderr, "cardrender: %s\n", err.message);
    return CLI_INPUT_ERROR;
}

int cli_write_image(const char *name, const cr_image *image, const char *output, bool fsync,
                    int threads)
{
    cr_write_options options;
    cr_write_options_init(&options);
    options.fsync = fsync;
    options.threads = threads;
    if (cli_is_stdio(output))
        return write_stdout(name, image, &options);
    cr_error err;
    if (cr_image_write_panels_with(image, output, &options, &err) == CR_OK)
        return CLI_OK;
    fprintf(stderr, "cardrender: %s\n", err.message);
    return CLI_INPUT_ERROR;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("cardrender %s\n", cr_version());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return run_command(&commands[i], argc - 1, argv + 1);
    fprintf(stderr, "cardrender: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
