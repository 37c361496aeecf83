/* cardrender sheet TEMPLATE RECORDS... -o SHEET.png [--back BACK_TEMPLATE -b BACK.png]
 *                  [--mirror] [--layout CxR] [--gap-mm G] [--margin-mm M] [--dpi N]
 *                  [--assets DIR] [--format csv|jsonl] [--encoding NAME] [--fsync]
 *
 * Renders one card per record and imposes them on one sheet with crop
 * marks; with --back, the backs on a second sheet, registered so that each
 * back lies behind its front once the sheet is turned over. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "batch_source.h"
#include "cardrender.h"
#include "cli.h"
#include "files.h"

const char cli_sheet_usage[] =
    "usage: cardrender sheet TEMPLATE RECORDS... -o SHEET.png [--back BACK_TEMPLATE -b BACK.png]\n"
    "                        [--mirror] [--layout CxR] [--gap-mm G] [--margin-mm M] [--dpi N]\n"
    "                        [--assets DIR] [--format csv|jsonl] [--encoding NAME] [--fsync]\n"
    "\n"
    "Imposes one card per record on a sheet, row by row from the top left, with\n"
    "crop marks in the margin along every cut. Each of RECORDS (\"-\": standard\n"
    "input) is read as batch reads its RECORDS: JSON Lines (one object a line),\n"
    "or CSV with a header row when its name ends in .csv; and a file whose name\n"
    "ends in .json is one JSON record, as render reads it.\n"
    "  -o, --output FILE   the front sheet (panels: FILE.k.png, FILE.overlay.png);\n"
    "                      \"-\": standard output (a sheet without panels)\n"
    "  --back TEMPLATE     also render each record's back with TEMPLATE ...\n"
    "  -b, --back-output FILE  ... onto this sheet, slots mirrored left to right\n"
    "  --mirror            flip both sheets left to right (film printed on its back)\n"
    "  --layout CxR        columns x rows (default 2x4: 8 cards)\n"
    "  --gap-mm G          space between cards (default 3)\n"
    "  --margin-mm M       margin around the cards, where the crop marks are (default 6)\n"
    "  --dpi N             resolution, " CLI_DPI_RANGE " (default: the template's)\n"
    "  --assets DIR        the folder photo paths are read against (default: each\n"
    "                      record file's folder; standard input: the working folder)\n"
    "  --format F          read every RECORDS file as csv or jsonl, whatever its name\n"
    "  --encoding NAME     the character encoding of RECORDS, e.g. gb18030, gbk, big5,\n"
    "                      utf-16le (default: a byte-order mark's, else UTF-8)\n"
    "  --fsync             flush each sheet and its folder to the disk first\n";

enum { MAX_RECORDS = 32 * 32 };

typedef struct sheet_args {
    const char *template_path, *back_template_path;
    const char *output, *back_output;
    const char *assets;
    const char *format;               /* --format: NULL, or every RECORDS file read so */
    cr_record_options record_options; /* --encoding */
    const char **record_paths;
    int record_path_count;
    cr_sheet_options sheet;
    int dpi;
    bool fsync;
} sheet_args;

/* The records and the folder each one's photos are read against. */
typedef struct record_list {
    cr_record *records[MAX_RECORDS];
    char *asset_dirs[MAX_RECORDS]; /* NULL: the record file's folder */
    size_t count;
} record_list;

static int usage_error(const char *fmt, const char *value)
{
    fprintf(stderr, "cardrender sheet: ");
    fprintf(stderr, fmt, value);
    fputc('\n', stderr);
    return CLI_USAGE;
}

static bool parse_layout(const char *text, cr_sheet_options *sheet)
{
    int columns, rows, used = 0;
    if (sscanf(text, "%dx%d%n", &columns, &rows, &used) != 2 || text[used] || columns < 1 ||
        rows < 1 || columns > 32 || rows > 32)
        return false;
    sheet->columns = columns;
    sheet->rows = rows;
    return true;
}

/* A refused option value, said on stderr; false. */
static bool refuse(const char *fmt, const char *value)
{
    fprintf(stderr, "cardrender sheet: ");
    fprintf(stderr, fmt, value);
    fputc('\n', stderr);
    return false;
}

enum {
    OPT_BACK = 256,
    OPT_ASSETS,
    OPT_LAYOUT,
    OPT_GAP_MM,
    OPT_MARGIN_MM,
    OPT_DPI,
    OPT_MIRROR,
    OPT_ENCODING,
    OPT_FORMAT,
    OPT_FSYNC
};

static const struct option sheet_options[] = {{"output", required_argument, NULL, 'o'},
                                              {"back-output", required_argument, NULL, 'b'},
                                              {"back", required_argument, NULL, OPT_BACK},
                                              {"assets", required_argument, NULL, OPT_ASSETS},
                                              {"layout", required_argument, NULL, OPT_LAYOUT},
                                              {"gap-mm", required_argument, NULL, OPT_GAP_MM},
                                              {"margin-mm", required_argument, NULL, OPT_MARGIN_MM},
                                              {"dpi", required_argument, NULL, OPT_DPI},
                                              {"mirror", no_argument, NULL, OPT_MIRROR},
                                              {"encoding", required_argument, NULL, OPT_ENCODING},
                                              {"format", required_argument, NULL, OPT_FORMAT},
                                              {"fsync", no_argument, NULL, OPT_FSYNC},
                                              {0}};

/* The options that name a file or folder: where each value goes. */
static const char **path_slot(sheet_args *args, int id)
{
    switch (id) {
    case 'o':
        return &args->output;
    case 'b':
        return &args->back_output;
    case OPT_BACK:
        return &args->back_template_path;
    case OPT_ASSETS:
        return &args->assets;
    case OPT_FORMAT:
        return &args->format;
    }
    return NULL;
}

static bool take_option(void *data, int id, const char *value)
{
    sheet_args *args = data;
    const char **slot = path_slot(args, id);
    if (slot) {
        *slot = value;
        return true;
    }
    if (id == OPT_MIRROR) {
        args->sheet.mirror = 1;
        return true;
    }
    if (id == OPT_FSYNC) {
        args->fsync = true;
        return true;
    }
    if (id == OPT_DPI)
        return cli_option_dpi("sheet", value, &args->dpi);
    if (id == OPT_ENCODING) {
        args->record_options.encoding = value;
        return cli_option_encoding("sheet", value);
    }
    if (id == OPT_LAYOUT)
        return parse_layout(value, &args->sheet) ||
               refuse("--layout needs COLUMNSxROWS, 1 to 32 each, not \"%s\"", value);
    double number;
    if (!cli_parse_number(value, 0, 100, &number))
        return refuse("the value of a --gap-mm or --margin-mm must be 0 to 100, not \"%s\"", value);
    *(id == OPT_GAP_MM ? &args->sheet.gap_mm : &args->sheet.margin_mm) = number;
    return true;
}

/* TEMPLATE and RECORDS go into args->record_paths (room for argc), the
 * records then start at its second entry. */
static int parse_sheet_args(int argc, char **argv, sheet_args *args)
{
    const cli_parser parser = {"sheet", "o:b:", sheet_options, take_option, args};
    int count;
    if (!cli_parse_options(&parser, argc, argv, args->record_paths, argc, &count))
        return CLI_USAGE;
    args->template_path = count > 0 ? args->record_paths[0] : NULL;
    args->record_paths += count > 0;
    args->record_path_count = count > 0 ? count - 1 : 0;
    if (!args->template_path || !args->record_path_count || !args->output)
        return usage_error("%s", "needs TEMPLATE, at least one RECORDS file and -o SHEET.png");
    if (!args->back_template_path != !args->back_output)
        return usage_error("%s", "--back BACK_TEMPLATE and -b BACK.png go together");
    cr_batch_format format;
    if (args->format && !cr_batch_format_parse(args->format, &format))
        return usage_error("--format must be csv or jsonl, not \"%s\"", args->format);
    if (cli_is_stdio(args->output) && cli_is_stdio(args->back_output))
        return usage_error("%s", "-o - and -b -: two sheets cannot share standard output");
    return CLI_OK;
}

/* ----------------------------------------------------------- records */

/* A file of one JSON record, as render reads it: its name ends in .json
 * and no --format says otherwise. */
static bool is_json_record(const sheet_args *args, const char *path)
{
    size_t length = strlen(path);
    return !args->format && length >= 5 && !strcasecmp(path + length - 5, ".json");
}

/* How batch would read path: --format, else by its name. */
static cr_batch_format source_format(const sheet_args *args, const char *path)
{
    cr_batch_format format;
    if (args->format && cr_batch_format_parse(args->format, &format))
        return format;
    return cr_batch_format_for_path(path);
}

static int too_many(const record_list *list, const cr_sheet_options *sheet)
{
    fprintf(stderr, "cardrender: more than %zu records: too many for a %dx%d sheet (%d slots)\n",
            list->count, sheet->columns, sheet->rows, sheet->columns * sheet->rows);
    return CLI_INPUT_ERROR;
}

/* Every record of a JSON Lines or CSV file (or standard input), read as
 * batch reads them; the file's folder (standard input: the working folder)
 * holds their photos. */
static int read_source(const sheet_args *args, const char *path, record_list *list)
{
    cr_error err;
    cr_batch_source *source =
        cr_batch_source_open_with(path, source_format(args, path), &args->record_options, &err);
    if (!source) {
        fprintf(stderr, "cardrender: %s\n", err.message);
        return CLI_INPUT_ERROR;
    }
    int status = CLI_OK;
    cr_batch_item item;
    int more;
    while (status == CLI_OK && (more = cr_batch_source_next(source, &item, &err)) == 1) {
        if (!item.record) {
            fprintf(stderr, "cardrender: %s\n", item.error.message);
            status = CLI_INPUT_ERROR;
        } else if (list->count >= (size_t)args->sheet.columns * (size_t)args->sheet.rows) {
            cr_record_destroy(item.record);
            status = too_many(list, &args->sheet);
        } else {
            list->asset_dirs[list->count] =
                cli_is_stdio(path) ? strdup(".") : tool_path_folder(path);
            list->records[list->count++] = item.record;
        }
    }
    if (status == CLI_OK && more < 0) {
        fprintf(stderr, "cardrender: %s\n", err.message);
        status = CLI_INPUT_ERROR;
    }
    cr_batch_source_close(source);
    return status;
}

static int read_records(const sheet_args *args, record_list *list)
{
    int status = CLI_OK;
    for (int i = 0; i < args->record_path_count && status == CLI_OK; i++) {
        const char *path = args->record_paths[i];
        if (!is_json_record(args, path)) {
            status = read_source(args, path, list);
            continue;
        }
        if (list->count >= (size_t)args->sheet.columns * (size_t)args->sheet.rows)
            return too_many(list, &args->sheet);
        cr_error err;
        cr_record *record = cr_record_load_file_with(path, &args->record_options, &err);
        if (!record) {
            fprintf(stderr, "cardrender: %s\n", err.message);
            return CLI_INPUT_ERROR;
        }
        list->records[list->count++] = record;
    }
    return status;
}

static void free_records(record_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        cr_record_destroy(list->records[i]);
        free(list->asset_dirs[i]);
    }
}

/* ------------------------------------------------------------ sheets */

/* Renders every record with tpl, imposes the cards and writes the sheet. */
static int make_sheet(cr_engine *engine, const cr_template *tpl, const sheet_args *args,
                      const record_list *list, int back, const char *output)
{
    cr_image *cards[MAX_RECORDS] = {NULL};
    cr_error err;
    int status = CLI_OK;
    for (size_t i = 0; i < list->count && status == CLI_OK; i++) {
        cr_render_options options = {.struct_size = sizeof options,
                                     .dpi = args->dpi,
                                     .warning = cli_print_warning,
                                     .asset_dir =
                                         args->assets ? args->assets : list->asset_dirs[i]};
        cards[i] = cr_render(engine, tpl, list->records[i], &options, &err);
        if (!cards[i])
            status = CLI_INPUT_ERROR;
    }
    cr_image *sheet = NULL;
    if (status == CLI_OK) {
        cr_sheet_options options = args->sheet;
        options.back = back;
        sheet = cr_sheet_impose((const cr_image *const *)cards, list->count, &options, &err);
    }
    if (status == CLI_OK && !sheet)
        status = CLI_INPUT_ERROR;
    if (status != CLI_OK)
        fprintf(stderr, "cardrender: %s\n", err.message);
    else
        status = cli_write_image("sheet", sheet, output, args->fsync, cli_default_threads());
    cr_image_destroy(sheet);
    for (size_t i = 0; i < list->count; i++)
        cr_image_destroy(cards[i]);
    return status;
}

/* Registration needs the back's card to be the front's size. */
static int check_sides(const cr_template *front, const cr_template *back, int dpi)
{
    int fw, fh, bw, bh;
    cr_template_pixel_size(front, dpi, &fw, &fh);
    cr_template_pixel_size(back, dpi, &bw, &bh);
    if (fw == bw && fh == bh)
        return CLI_OK;
    fprintf(stderr,
            "cardrender: %s: the back's card is %dx%d px but the front's (%s) is %dx%d px\n",
            cr_template_path(back), bw, bh, cr_template_path(front), fw, fh);
    return CLI_INPUT_ERROR;
}

static int run_sheet(cr_engine *engine, const sheet_args *args, record_list *list)
{
    cr_error err;
    cr_template *front = cr_template_load_file(engine, args->template_path, &err);
    cr_template *back = NULL;
    if (front && args->back_template_path)
        back = cr_template_load_file(engine, args->back_template_path, &err);
    int status = front && (back || !args->back_template_path) ? CLI_OK : CLI_INPUT_ERROR;
    if (status != CLI_OK)
        fprintf(stderr, "cardrender: %s\n", err.message);
    if (status == CLI_OK)
        status = read_records(args, list);
    if (status == CLI_OK && back)
        status = check_sides(front, back, args->dpi ? args->dpi : cr_template_dpi(front));
    if (status == CLI_OK)
        status = make_sheet(engine, front, args, list, 0, args->output);
    if (status == CLI_OK && back)
        status = make_sheet(engine, back, args, list, 1, args->back_output);
    cr_template_destroy(back);
    cr_template_destroy(front);
    return status;
}

int cli_sheet(int argc, char **argv)
{
    const char *record_paths[argc > 0 ? argc : 1];
    sheet_args args = {.record_paths = record_paths};
    cr_record_options_init(&args.record_options);
    cr_sheet_options_init(&args.sheet);
    int status = parse_sheet_args(argc, argv, &args);
    if (status != CLI_OK)
        return status;
    cr_engine *engine = cli_engine_create();
    if (!engine)
        return CLI_INPUT_ERROR;
    record_list *list = calloc(1, sizeof *list);
    status = list ? run_sheet(engine, &args, list) : CLI_INPUT_ERROR;
    if (list)
        free_records(list);
    free(list);
    cr_engine_destroy(engine);
    return status;
}
