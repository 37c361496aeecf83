/* cardrender compare EXPECTED.png ACTUAL.png [--diff DIFF.png] [--tolerance T] */
#include <math.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardrender.h"
#include "cli.h"
#include "compare.h"
#include "png_io.h"

static const char compare_usage[] =
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

static int parse_compare_args(int argc, char **argv, compare_args *args)
{
    const char *positional[2] = {NULL, NULL};
    int count = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--diff") && i + 1 < argc) {
            args->diff = argv[++i];
        } else if (!strcmp(a, "--tolerance") && i + 1 < argc) {
            if (!cli_parse_number(argv[++i], 0, DBL_MAX, &args->tolerance)) {
                fprintf(stderr, "cardrender compare: --tolerance needs a number >= 0, not \"%s\"\n",
                        argv[i]);
                return 0;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "cardrender compare: unknown or incomplete option \"%s\"\n", a);
            return 0;
        } else if (count < 2) {
            positional[count++] = a;
        } else {
            fprintf(stderr, "cardrender compare: too many arguments\n");
            return 0;
        }
    }
    args->expected = positional[0];
    args->actual = positional[1];
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

static void print_verdict(const cr_compare_result *result, const cr_canvas *expected,
                          const cr_canvas *actual, double tolerance)
{
    char text[32];
    if (!result->same_size)
        printf("FAIL: sizes differ: %dx%d vs %dx%d\n", expected->width, expected->height,
               actual->width, actual->height);
    else
        printf("score %.3f (tolerance %s): %s\n", result->score,
               tolerance_text(tolerance, text, sizeof text), result->ok ? "OK" : "FAIL");
}

/* Compares the two decoded images, prints the verdict and writes the diff
 * picture when asked; returns the exit status. */
static int compare_canvases(const compare_args *args, const cr_canvas *expected,
                            const cr_canvas *actual, int dpi)
{
    cr_error err;
    cr_compare_result result;
    cr_canvas diff;
    if (cr_compare_images(expected, actual, args->tolerance, &result, args->diff ? &diff : NULL,
                          &err) != CR_OK) {
        fprintf(stderr, "cardrender compare: %s\n", err.message);
        return CLI_INPUT_ERROR;
    }
    print_verdict(&result, expected, actual, args->tolerance);
    int status = result.ok ? CLI_OK : CLI_INPUT_ERROR;
    if (args->diff) {
        if (cr_png_write_file(&diff, dpi, args->diff, &err) != CR_OK) {
            fprintf(stderr, "cardrender compare: %s\n", err.message);
            status = CLI_INPUT_ERROR;
        }
        cr_canvas_free(&diff);
    }
    return status;
}

int cli_compare(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(compare_usage, stdout);
        return CLI_OK;
    }
    compare_args args = {.tolerance = CR_COMPARE_DEFAULT_TOLERANCE};
    if (!parse_compare_args(argc, argv, &args)) {
        fputs(compare_usage, stderr);
        return CLI_USAGE;
    }
    cr_error err;
    cr_canvas expected, actual;
    int dpi = 0;
    if (cr_png_read_rgb(args.expected, &expected, &dpi, &err) != CR_OK) {
        fprintf(stderr, "cardrender compare: %s\n", err.message);
        return CLI_INPUT_ERROR;
    }
    int status = CLI_INPUT_ERROR;
    if (cr_png_read_rgb(args.actual, &actual, NULL, &err) == CR_OK) {
        status = compare_canvases(&args, &expected, &actual, dpi);
        cr_canvas_free(&actual);
    } else {
        fprintf(stderr, "cardrender compare: %s\n", err.message);
    }
    cr_canvas_free(&expected);
    return status;
}
