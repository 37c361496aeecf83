/* cardrender proof TEMPLATE [RECORD] -o OUT.png [--sides OTHER] [--dpi N]
 *                  [--assets DIR] [--safe-mm N] [--fsync] [--threads N] */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardrender.h"
#include "cli.h"

/* Between the two sides on a --sides sheet. */
#define SIDES_GAP_MM 10.0

const char cli_proof_usage[] =
    "usage: cardrender proof TEMPLATE [RECORD] -o OUT.png [--sides OTHER_TEMPLATE] [--dpi N]\n"
    "                        [--assets DIR] [--safe-mm N] [--fsync] [--threads N]\n"
    "\n"
    "Draws a proof for the people who approve cards: the card rendered from TEMPLATE\n"
    "and RECORD, with a light \"样张 SPECIMEN\" watermark, its outline and rounded\n"
    "corners, the safe margin (dashed), every field's box with its name, and in red\n"
    "each text field that overflows, was shrunk or condensed, or lacks a font for a\n"
    "character, with the reason under its box. Overflow is shown, not an error.\n"
    "RECORD \"-\" is read from standard input.\n"
    "  -o, --output FILE      the PNG to write (written whole or not at all); \"-\":\n"
    "                         standard output; a FIFO or device is written in place,\n"
    "                         a symbolic link's target is replaced\n"
    "  --fsync                flush the file and its folder to the disk first\n"
    "  --threads N            threads that code the PNG, 1..64 (default: the\n"
    "                         processors online, at most 8; the same file for any)\n"
    "  --sides OTHER          also proof OTHER_TEMPLATE (e.g. the emblem side) with the\n"
    "                         same record, beside the first on one sheet\n"
    "  --dpi N                resolution, " CLI_DPI_RANGE " (default: TEMPLATE's)\n"
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
    bool fsync;
    int threads; /* --threads */
} proof_args;

enum { OPT_SIDES = 256, OPT_ASSETS, OPT_DPI, OPT_SAFE_MM, OPT_FSYNC, OPT_THREADS };

static const struct option proof_options[] = {{"output", required_argument, NULL, 'o'},
                                              {"sides", required_argument, NULL, OPT_SIDES},
                                              {"assets", required_argument, NULL, OPT_ASSETS},
                                              {"dpi", required_argument, NULL, OPT_DPI},
                                              {"safe-mm", required_argument, NULL, OPT_SAFE_MM},
                                              {"fsync", no_argument, NULL, OPT_FSYNC},
                                              {"threads", required_argument, NULL, OPT_THREADS},
                                              {0}};

static bool take_option(void *data, int id, const char *value)
{
    proof_args *args = data;
    switch (id) {
    case 'o':
        args->output = value;
        return true;
    case OPT_SIDES:
        args->other_side = value;
        return true;
    case OPT_ASSETS:
        args->assets = value;
        return true;
    case OPT_DPI:
        return cli_option_dpi("proof", value, &args->dpi);
    case OPT_FSYNC:
        args->fsync = true;
        return true;
    case OPT_THREADS:
        return cli_option_threads("proof", value, &args->threads);
    default:
        return cli_option_number("proof", "--safe-mm", value, 0, 20, false, &args->safe_mm);
    }
}
static int parse_proof_args(int argc, char **argv, proof_args *args)
{
    args->safe_mm = 3;
    args->threads = cli_default_threads();
    const cli_parser parser = {"proof", "o:", proof_options, take_option, args};
    if (!cli_parse_pair(&parser, argc, argv, &args->template_path, &args->record_path))
        return 0;
    if (!args->template_path || !args->output) {
        fprintf(stderr, "cardrender proof: needs TEMPLATE and -o OUT.png\n");
        return 0;
    }
    return 1;
}
/* The proof of one side, captioned with the files it was made from. */
static cr_image *proof_side(cr_engine *engine, const char *template_path, const cr_record *record,
                            const proof_args *args, int dpi, cr_error *err)
{
    cr_template *tpl = cr_template_load_file(engine, template_path, err);
    if (!tpl)
        return NULL;
    char caption[1024];
    const char *record_name = cli_is_stdio(args->record_path) ? "<stdin>" : args->record_path;
    snprintf(caption, sizeof caption, "%s%s%s", template_path, record_name ? "  ·  " : "",
             record_name ? record_name : "");
    cr_proof_options options = {.struct_size = sizeof options,
                                .dpi = dpi ? dpi : cr_template_dpi(tpl),
                                .asset_dir = args->assets,
                                .safe_mm = args->safe_mm > 0 ? args->safe_mm : -1,
                                .caption = caption,
                                .warning = cli_print_warning};
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
    proof_args args = {0};
    if (!parse_proof_args(argc, argv, &args)) {
        return CLI_USAGE;
    }
    cr_error err;
    cr_record *record = NULL;
    cr_image *image = NULL;
    cr_engine *engine = cr_engine_create(cli_engine_options(), &err);
    if (engine && args.record_path)
        record = cli_record_load(args.record_path, NULL, &err);
    if (engine && (record || !args.record_path))
        image = make_proof(engine, record, &args, &err);
    int status = CLI_INPUT_ERROR;
    if (image)
        status = cli_write_image("proof", image, args.output, args.fsync, args.threads);
    else
        fprintf(stderr, "cardrender: %s\n", err.message);
    cr_image_destroy(image);
    cr_record_destroy(record);
    cr_engine_destroy(engine);
    return status;
}
