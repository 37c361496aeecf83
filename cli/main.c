/* cardrender: command-line front end of the engine. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardrender.h"
#include "cli.h"
#include "encoding.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"render", cli_render, "render TEMPLATE [RECORD] -o OUT.png [--dpi N]   render one card"},
    {"compare", cli_compare,
     "compare EXPECTED.png ACTUAL.png [--diff D.png] [--tolerance T]   perceptual comparison"},
    {"golden", cli_golden, "golden DIR [--update]   render and compare every golden case in DIR"},
    {"layout", cli_layout,
     "layout TEMPLATE [RECORD] [--json] [--dpi N]   print how each text field was laid out"},
    {"proof", cli_proof,
     "proof TEMPLATE [RECORD] -o OUT.png [--sides OTHER] [--safe-mm N]   a proof with guides "
     "for approval"},
    {"check", cli_check,
     "check TEMPLATE [RECORDS...] [--safe-mm N]   list overflows, missing fonts and keys, boxes "
     "off the card, unreadable photos"},
    {"sheet", cli_sheet,
     "sheet TEMPLATE RECORDS... -o SHEET.png [--back T -b BACK.png] [--mirror] [--layout 2x4]   "
     "impose cards n-up with crop marks"},
    {"batch", cli_batch,
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

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return 1;
    return 0;
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
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "cardrender: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
