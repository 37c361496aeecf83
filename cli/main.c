/* cardrender: command-line front end of the engine. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardrender.h"
#include "cli.h"
#include "files.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
    const char *summary;
} command;

static const command commands[] = {
    {"render", cli_render, cli_render_usage,
     "render TEMPLATE [RECORD] -o OUT.png [--dpi N]   render one card"},
    {"compare", cli_compare, cli_compare_usage,
     "compare EXPECTED.png ACTUAL.png [--diff D.png] [--tolerance T]   perceptual comparison"},
    {"golden", cli_golden, cli_golden_usage,
     "golden DIR [--update]   render and compare every golden case in DIR"},
    {"layout", cli_layout, cli_layout_usage,
     "layout TEMPLATE [RECORD] [--json] [--dpi N]   print how each text field was laid out"},
    {"proof", cli_proof, cli_proof_usage,
     "proof TEMPLATE [RECORD] -o OUT.png [--sides OTHER] [--safe-mm N]   a proof with guides "
     "for approval"},
    {"check", cli_check, cli_check_usage,
     "check TEMPLATE [RECORDS...] [--safe-mm N] [--json]   list overflows, missing fonts and "
     "keys, boxes off the card, unreadable photos (RECORDS: JSON, JSON Lines, CSV, -)"},
    {"sheet", cli_sheet, cli_sheet_usage,
     "sheet TEMPLATE RECORDS... -o SHEET.png [--back T -b BACK.png] [--mirror] [--layout 2x4]   "
     "impose cards n-up with crop marks"},
    {"batch", cli_batch, cli_batch_usage,
     "batch TEMPLATE RECORDS -o DIR [-j N] [--name PATTERN] [--resume]   render one card per "
     "record"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: cardrender COMMAND [ARGS]   (cardrender COMMAND --help for details)\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s\n", commands[i].summary);
    fprintf(out, "\n  --version   print the version\n"
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

json_t *cli_json_text(const char *text)
{
    json_t *value = json_string(text);
    if (value)
        return value;
    char *copy = strdup(text);
    size_t bad;
    while (copy && !cr_utf8_valid(copy, strlen(copy), &bad))
        copy[bad] = '?';
    value = json_string(copy ? copy : "");
    free(copy);
    return value;
}

cr_engine *cli_engine_create(void)
{
    cr_error err;
    cr_engine *engine = cr_engine_create(NULL, &err);
    if (!engine)
        fprintf(stderr, "cardrender: %s\n", err.message);
    return engine;
}

/* Runs a command: its usage for --help, and again after a usage error. */
static int run_command(const command *c, int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(c->usage, stdout);
        return CLI_OK;
    }
    int status = c->run(argc, argv);
    if (status == CLI_USAGE)
        fputs(c->usage, stderr);
    return status;
}

bool cli_parse_options(const cli_parser *p, int argc, char **argv, const char **operands, int max,
                       int *count)
{
    char shorts[64];
    snprintf(shorts, sizeof shorts, ":%s", p->shorts); /* ':': a missing value is told apart */
    opterr = 0;
    optind = 0; /* glibc: start afresh, as for a new argv */
    for (int id; (id = getopt_long(argc, argv, shorts, p->longs, NULL)) != -1;) {
        if (id == '?' || id == ':') {
            fprintf(stderr, "cardrender %s: unknown or incomplete option \"%s\"\n", p->command,
                    argv[optind - 1]);
            return false;
        }
        if (!p->take(p->args, id, optarg))
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
