/* cardrender compare EXPECTED.png ACTUAL.png [--diff DIFF.png] [--tolerance T] */
#include <math.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardrender.h"
#include "cli.h"
#include "compare_png.h"

const char cli_compare_usage[] =
    "usage: cardrender compare EXPECTED.png ACTUAL.png [--diff DIFF.png] [--tolerance T]\n"
    "\n"
    "Compares two card images perceptually and prints one line, e.g.\n"
    "  score 0.000 (tolerance 15.0): OK\n"
    "The score is the largest difference, in percent of full contrast, that a\n"
    "sub-pixel shift cannot explain: 0 identical, about 50 for text moved by one\n"
    "pixel, up to 100 for a missing stroke. Images of different sizes never match.\n"
    "  --diff FILE      write a picture of the differences: EXPECTED faded to\n"
    "                   light gray, differences in red (the redder, the larger)\n"
    "  --tolerance T    the highest score that passes (default 15)\n"
    "\n"
    "exit status: 0 OK, 1 FAIL or an unreadable file, 2 usage error\n";

typedef struct compare_args {
    const char *expected;
    const char *actual;
    const char *diff;
    double tolerance;
} compare_args;

enum { OPT_DIFF = 256, OPT_TOLERANCE };

static const struct option compare_options[] = {
    {"diff", required_argument, NULL, OPT_DIFF},
    {"tolerance", required_argument, NULL, OPT_TOLERANCE},
    {0}};

static bool take_option(void *data, int id, const char *value)
{
    compare_args *args = data;
    if (id == OPT_DIFF) {
        args->diff = value;
        return true;
    }
    if (cli_parse_number(value, 0, DBL_MAX, &args->tolerance))
        return true;
    fprintf(stderr, "cardrender compare: --tolerance needs a number >= 0, not \"%s\"\n", value);
    return false;
}

static int parse_compare_args(int argc, char **argv, compare_args *args)
{
    const cli_parser parser = {"compare", "", compare_options, take_option, args};
    if (!cli_parse_pair(&parser, argc, argv, &args->expected, &args->actual))
        return 0;
    if (!args->actual) {
        fprintf(stderr, "cardrender compare: needs EXPECTED.png and ACTUAL.png\n");
        return 0;
    }
    return 1;
}
/* "15.0", or as many digits as a finer tolerance needs ("2.25"). */
static const char *tolerance_text(double tolerance, char *buf, size_t size)
{
    double tenths = tolerance * 10;
    snprintf(buf, size, fabs(tenths - round(tenths)) < 1e-9 ? "%.1f" : "%g", tolerance);
    return buf;
}

static void print_verdict(const cr_png_comparison *result, double tolerance)
{
    char text[32];
    if (!result->same_size)
        printf("FAIL: sizes differ: %dx%d vs %dx%d\n", result->expected_width,
               result->expected_height, result->actual_width, result->actual_height);
    else
        printf("score %.3f (tolerance %s): %s\n", result->score,
               tolerance_text(tolerance, text, sizeof text), result->ok ? "OK" : "FAIL");
}

int cli_compare(int argc, char **argv)
{
    compare_args args = {.tolerance = CR_COMPARE_DEFAULT_TOLERANCE};
    if (!parse_compare_args(argc, argv, &args)) {
        return CLI_USAGE;
    }
    /* The verdict first, then a failure to write the diff, as it happens. */
    cr_error err;
    cr_png_comparison result;
    cr_status status =
        cr_compare_png(args.expected, args.actual, NULL, args.tolerance, args.diff, &result, &err);
    if (result.compared)
        print_verdict(&result, args.tolerance);
    if (status != CR_OK)
        fprintf(stderr, "cardrender compare: %s\n", err.message);
    return status == CR_OK && result.ok ? CLI_OK : CLI_INPUT_ERROR;
}
