/* cardrender render TEMPLATE [RECORD] -o OUT.png [--dpi N] [--assets DIR]
 *                  [--canvas WxH] [--canvas-offset X,Y] [--mirror] [--encoding NAME]
 *                  [--fsync] [--threads N] [--static-cache] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardrender.h"
#include "cli.h"

const char cli_render_usage[] =
    "usage: cardrender render TEMPLATE [RECORD] -o OUT.png [--dpi N] [--assets DIR]\n"
    "                         [--canvas WxH] [--canvas-offset X,Y] [--mirror]\n"
    "                         [--encoding NAME] [--fsync] [--threads N] [--static-cache]\n"
    "\n"
    "Renders one card: TEMPLATE (JSON) filled from RECORD (JSON object of strings;\n"
    "\"-\": standard input; may be left out when the template binds no keys) into an\n"
    "8-bit RGB PNG.\n"
    "  -o, --output FILE   the PNG to write (written whole or not at all); \"-\":\n"
    "                      standard output. A FIFO or device is written in place,\n"
    "                      a symbolic link's target is replaced, a folder refused\n"
    "  --fsync             flush the file and its folder to the disk before\n"
    "                      reporting success\n"
    "  --threads N         threads that code the PNG, 1..64 (default: the processors\n"
    "                      online, at most 8; the file is the same for any number)\n"
    "  --dpi N             resolution, " CLI_DPI_RANGE " (default: the template's)\n"
    "  --assets DIR        the folder photo paths in RECORD are read against\n"
    "                      (default: RECORD's folder; standard input: the working\n"
    "                      folder); paths may not leave it\n"
    "  --canvas WxH        a printer canvas in pixels (e.g. 1016x648 Evolis, 661x1035\n"
    "                      Fargo at 300 dpi) with the card centred on it\n"
    "  --canvas-offset X,Y move the card from the centre by X,Y pixels (right, down)\n"
    "  --mirror            flip every output left to right (retransfer film)\n"
    "  --encoding NAME     the character encoding of RECORD, e.g. gb18030, gbk, big5,\n"
    "                      utf-16le (default: a byte-order mark's, else UTF-8)\n"
    "  --max-value-bytes N refuse a record value longer than N bytes (default 65536)\n"
    "  --static-cache      first paint the template's static layers apart, as batch\n"
    "                      does to start each card from them: slower for one card,\n"
    "                      the same file (for comparison)\n"
    "A template with K fields or an overlay also writes OUT.k.png and OUT.overlay.png\n"
    "(1-bit grayscale, black where the panel prints); such a card cannot go to -o -.\n";

typedef struct render_args {
    const char *template_path;
    const char *record_path;
    const char *output;
    const char *assets;
    cr_record_options record_options; /* --encoding */
    int dpi;
    size_t max_value_bytes; /* --max-value-bytes; 0: the library's 64 KiB */
    int canvas_width, canvas_height;
    int offset_x, offset_y;
    int offset_given;
    int mirror;
    bool fsync;
    int threads; /* --threads */
} render_args;

/* "AxB" (separator 'x') or "A,B" (','): two whole numbers. */
static int parse_pair(const char *text, char separator, int *a, int *b)
{
    const char *split = strchr(text, separator);
    if (!split || split == text)
        return 0;
    char first[32];
    size_t length = (size_t)(split - text);
    if (length >= sizeof first)
        return 0;
    memcpy(first, text, length);
    first[length] = '\0';
    return cli_parse_int(first, a) && cli_parse_int(split + 1, b);
}

enum {
    OPT_ASSETS = 256,
    OPT_CANVAS,
    OPT_CANVAS_OFFSET,
    OPT_MIRROR,
    OPT_DPI,
    OPT_ENCODING,
    OPT_MAX_VALUE,
    OPT_FSYNC,
    OPT_THREADS,
    OPT_STATIC_CACHE
};

static const struct option render_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"assets", required_argument, NULL, OPT_ASSETS},
    {"canvas", required_argument, NULL, OPT_CANVAS},
    {"canvas-offset", required_argument, NULL, OPT_CANVAS_OFFSET},
    {"mirror", no_argument, NULL, OPT_MIRROR},
    {"dpi", required_argument, NULL, OPT_DPI},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"max-value-bytes", required_argument, NULL, OPT_MAX_VALUE},
    {"fsync", no_argument, NULL, OPT_FSYNC},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"static-cache", no_argument, NULL, OPT_STATIC_CACHE},
    {0}};

/* --canvas and --canvas-offset; 0 when the value is malformed. */
static int parse_print_option(const char *option, const char *value, render_args *args)
{
    int ok = !strcmp(option, "--canvas")
                 ? parse_pair(value, 'x', &args->canvas_width, &args->canvas_height) &&
                       args->canvas_width > 0 && args->canvas_height > 0
                 : (args->offset_given = parse_pair(value, ',', &args->offset_x, &args->offset_y));
    if (!ok)
        fprintf(stderr, "cardrender render: %s needs %s, not \"%s\"\n", option,
                !strcmp(option, "--canvas") ? "WIDTHxHEIGHT in pixels, e.g. 1016x648"
                                            : "X,Y in pixels, e.g. 0,-3",
                value);
    return ok;
}

static bool take_option(void *data, int id, const char *value)
{
    render_args *args = data;
    switch (id) {
    case 'o':
        args->output = value;
        return true;
    case OPT_ASSETS:
        args->assets = value;
        return true;
    case OPT_CANVAS:
        return parse_print_option("--canvas", value, args);
    case OPT_CANVAS_OFFSET:
        return parse_print_option("--canvas-offset", value, args);
    case OPT_MIRROR:
        args->mirror = 1;
        return true;
    case OPT_FSYNC:
        args->fsync = true;
        return true;
    case OPT_THREADS:
        return cli_option_threads("render", value, &args->threads);
    case OPT_STATIC_CACHE:
        cli_engine_static_cache(true);
        return true;
    case OPT_ENCODING:
        args->record_options.encoding = value;
        return cli_option_encoding("render", value);
    case OPT_MAX_VALUE:
        return cli_option_max_value_bytes("render", value, &args->max_value_bytes);
    default:
        return cli_option_dpi("render", value, &args->dpi);
    }
}

static int parse_render_args(int argc, char **argv, render_args *args)
{
    args->threads = cli_default_threads();
    const cli_parser parser = {"render", "o:", render_options, take_option, args};
    if (!cli_parse_pair(&parser, argc, argv, &args->template_path, &args->record_path))
        return 0;
    if (!args->template_path || !args->output) {
        fprintf(stderr, "cardrender render: needs TEMPLATE and -o OUT.png\n");
        return 0;
    }
    return 1;
}
static int fail(const cr_error *err)
{
    fprintf(stderr, "cardrender: %s\n", err->message);
    return CLI_INPUT_ERROR;
}

int cli_render(int argc, char **argv)
{
    render_args args = {0};
    cr_record_options_init(&args.record_options);
    if (!parse_render_args(argc, argv, &args)) {
        return CLI_USAGE;
    }
    if (args.offset_given && !args.canvas_width) {
        fprintf(stderr, "cardrender render: --canvas-offset needs --canvas\n");
        return CLI_USAGE;
    }
    cr_error err;
    int status = CLI_INPUT_ERROR;
    cr_template *tpl = NULL;
    cr_record *record = NULL;
    cr_image *image = NULL;
    cr_engine *engine = cr_engine_create(cli_engine_options(), &err);
    if (!engine)
        return fail(&err);
    tpl = cr_template_load_file(engine, args.template_path, &err);
    if (tpl && args.record_path)
        record = cli_record_load(args.record_path, &args.record_options, &err);
    if (tpl && (record || !args.record_path)) {
        cr_render_options options = {.struct_size = sizeof options,
                                     .dpi = args.dpi,
                                     .warning = cli_print_warning,
                                     .asset_dir = args.assets,
                                     .canvas_width = args.canvas_width,
                                     .canvas_height = args.canvas_height,
                                     .canvas_offset_x = args.offset_x,
                                     .canvas_offset_y = args.offset_y,
                                     .mirror = args.mirror,
                                     .max_value_bytes = args.max_value_bytes};
        image = cr_render(engine, tpl, record, &options, &err);
    }
    if (image)
        status = cli_write_image("render", image, args.output, args.fsync, args.threads);
    else
        fail(&err);
    cr_image_destroy(image);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);
    return status;
}
