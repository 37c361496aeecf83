/* cardrender proof TEMPLATE [RECORD] -o OUT.png [--sides OTHER] [--dpi N]
 *                  [--assets DIR] [--safe-mm N] */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardrender.h"
#include "cli.h"

/* Between the two sides on a --sides sheet. */
#define SIDES_GAP_MM 10.0

static const char proof_usage[] =
    "usage: cardrender proof TEMPLATE [RECORD] -o OUT.png [--sides OTHER_TEMPLATE] [--dpi N]\n"
    "                        [--assets DIR] [--safe-mm N]\n"
    "\n"
    "Draws a proof for the people who approve cards: the card rendered from TEMPLATE\n"
    "and RECORD, with a light \"样张 SPECIMEN\" watermark, its outline and rounded\n"
    "corners, the safe margin (dashed), every field's box with its name, and in red\n"
    "each text field that overflows, was shrunk or condensed, or lacks a font for a\n"
    "character, with the reason under its box. Overflow is shown, not an error.\n"
    "  -o, --output FILE      the PNG to write (written whole or not at all)\n"
    "  --sides OTHER          also proof OTHER_TEMPLATE (e.g. the emblem side) with the\n"
    "                         same record, beside the first on one sheet\n"
    "  --dpi N                resolution, 72..1200 (default: TEMPLATE's)\n"
    "  --assets DIR           the folder photo paths in RECORD are read against\n"
    "  --safe-mm N            the safe margin inside the card's edge (default 3; 0: none)\n";

typedef struct proof_args {
    const char *template_path;
    const char *record_path;
    const char *output;
    const char *other_side;
    const char *assets;
    int dpi;
    double safe_mm;
} proof_args;

/* The option at argv[*i] and its value; 0, with a message, when it is
 * unknown, lacks its value or has a bad one. */
static int parse_option(int argc, char **argv, int *i, proof_args *args)
{
    const char *a = argv[*i];
    if (*i + 1 >= argc) {
        fprintf(stderr, "cardrender proof: unknown or incomplete option \"%s\"\n", a);
        return 0;
    }
    const char *value = argv[++*i];
    double dpi;
    if (!strcmp(a, "-o") || !strcmp(a, "--output"))
        args->output = value;
    else if (!strcmp(a, "--sides"))
        args->other_side = value;
    else if (!strcmp(a, "--assets"))
        args->assets = value;
    else if (!strcmp(a, "--dpi")) {
        if (!cli_option_number("proof", a, value, 72, 1200, true, &dpi))
            return 0;
        args->dpi = (int)dpi;
    } else if (!strcmp(a, "--safe-mm")) {
        return cli_option_number("proof", a, value, 0, 20, false, &args->safe_mm);
    } else {
        fprintf(stderr, "cardrender proof: unknown option \"%s\"\n", a);
        return 0;
    }
    return 1;
}

static int parse_proof_args(int argc, char **argv, proof_args *args)
{
    const char *positional[2] = {NULL, NULL};
    int count = 0;
    args->safe_mm = 3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1]) {
            if (!parse_option(argc, argv, &i, args))
                return 0;
        } else if (count < 2) {
            positional[count++] = a;
        } else {
            fprintf(stderr, "cardrender proof: too many arguments\n");
            return 0;
        }
    }
    args->template_path = positional[0];
    args->record_path = positional[1];
    if (!args->template_path || !args->output) {
        fprintf(stderr, "cardrender proof: needs TEMPLATE and -o OUT.png\n");
        return 0;
    }
    return 1;
}

static void print_warning(void *user_data, const cr_error *warning)
{
    (void)user_data;
    fprintf(stderr, "cardrender: warning: %s\n", warning->message);
}

/* The proof of one side, captioned with the files it was made from. */
static cr_image *proof_side(cr_engine *engine, const char *template_path, const cr_record *record,
                            const proof_args *args, int dpi, cr_error *err)
{
    cr_template *tpl = cr_template_load_file(engine, template_path, err);
    if (!tpl)
        return NULL;
    char caption[1024];
    snprintf(caption, sizeof caption, "%s%s%s", template_path, args->record_path ? "  ·  " : "",
             args->record_path ? args->record_path : "");
    cr_proof_options options = {.dpi = dpi ? dpi : cr_template_dpi(tpl),
                                .asset_dir = args->assets,
                                .safe_mm = args->safe_mm > 0 ? args->safe_mm : -1,
                                .caption = caption,
                                .warning = print_warning};
    cr_image *image = cr_render_proof(engine, tpl, record, &options, err);
    cr_template_destroy(tpl);
    return image;
}

/* One side, or both beside each other at the first side's resolution. */
static cr_image *make_proof(cr_engine *engine, const cr_record *record, const proof_args *args,
                            cr_error *err)
{
    cr_image *front = proof_side(engine, args->template_path, record, args, args->dpi, err);
    if (!front || !args->other_side)
        return front;
    cr_image *back = proof_side(engine, args->other_side, record, args, cr_image_dpi(front), err);
    cr_image *both = back ? cr_image_beside(front, back, SIDES_GAP_MM, err) : NULL;
    cr_image_destroy(front);
    cr_image_destroy(back);
    return both;
}

int cli_proof(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(proof_usage, stdout);
        return CLI_OK;
    }
    proof_args args = {0};
    if (!parse_proof_args(argc, argv, &args)) {
        fputs(proof_usage, stderr);
        return CLI_USAGE;
    }
    cr_error err;
    cr_record *record = NULL;
    cr_image *image = NULL;
    cr_engine *engine = cr_engine_create(NULL, &err);
    if (engine && args.record_path)
        record = cr_record_load_file(args.record_path, &err);
    if (engine && (record || !args.record_path))
        image = make_proof(engine, record, &args, &err);
    int status = CLI_INPUT_ERROR;
    if (image && cr_image_write_png_file(image, args.output, &err) == CR_OK)
        status = CLI_OK;
    if (status != CLI_OK)
        fprintf(stderr, "cardrender: %s\n", err.message);
    cr_image_destroy(image);
    cr_record_destroy(record);
    cr_engine_destroy(engine);
    return status;
}
