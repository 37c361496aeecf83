/* cardrender golden DIR [--update] [--tolerance T]: renders every case folder
 * in DIR and compares it with the case's expected.png. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cardrender.h"
#include "cli.h"
#include "compare_png.h"

const char cli_golden_usage[] =
    "usage: cardrender golden DIR [--update] [--tolerance T]\n"
    "\n"
    "Every folder in DIR is a case, run in name order. It holds template.json,\n"
    "record.json (left out when the template binds nothing), expected.png and\n"
    "optionally case.json:\n"
    "  {\"dpi\": 300, \"template\": \"a.json\", \"record\": \"b.json\",\n"
    "   \"tolerance\": 2.5, \"tolerance_reason\": \"why this case cannot be exact\"}\n"
    "Each case is rendered, written as a PNG file, read back through libpng and\n"
    "compared with expected.png. Rendering is deterministic, so by default every\n"
    "pixel must be equal (tolerance 0); a case that sets a tolerance above 0 is\n"
    "judged by the perceptual score of cardrender compare instead and must say\n"
    "why in \"tolerance_reason\". Photos a record names are read from the case\n"
    "folder. A failing case leaves actual.png and diff.png in its folder; a\n"
    "passing one removes them. The last line reads \"N passed, M failed\".\n"
    "  --update         write expected.png from the render instead of comparing\n"
    "  --tolerance T    the highest score that passes, for cases whose case.json\n"
    "                   sets none (default 0: exact)\n"
    "\n"
    "exit status: 0 all passed, 1 a case failed or DIR holds none, 2 usage error\n";

enum { PATH_SIZE = 4096 };

typedef struct golden_args {
    const char *dir;
    bool update;
    double tolerance;
} golden_args;

/* One case folder and what its case.json asks for. */
typedef struct golden_case {
    const char *name;
    char dir[PATH_SIZE];
    char template_path[PATH_SIZE];
    char record_path[PATH_SIZE]; /* "" when the case has no record */
    int dpi;                     /* 0: the template's */
    double tolerance;            /* 0: every pixel equal */
    bool tolerance_set;          /* by case.json, which must then say why */
    bool tolerance_reason;       /* case.json has a "tolerance_reason" */
} golden_case;

/* ------------------------------------------------------------ arguments */

enum { OPT_UPDATE = 256, OPT_TOLERANCE };

static const struct option golden_options[] = {
    {"update", no_argument, NULL, OPT_UPDATE},
    {"tolerance", required_argument, NULL, OPT_TOLERANCE},
    {0}};

static bool take_option(void *data, int id, const char *value)
{
    golden_args *args = data;
    if (id == OPT_UPDATE) {
        args->update = true;
        return true;
    }
    if (cli_parse_number(value, 0, DBL_MAX, &args->tolerance))
        return true;
    fprintf(stderr, "cardrender golden: --tolerance needs a number >= 0, not \"%s\"\n", value);
    return false;
}

static bool parse_golden_args(int argc, char **argv, golden_args *args)
{
    const cli_parser parser = {"golden", "", golden_options, take_option, args};
    const char *operands[1] = {NULL};
    int count;
    if (!cli_parse_options(&parser, argc, argv, operands, 1, &count))
        return false;
    args->dir = operands[0];
    if (!args->dir) {
        fprintf(stderr, "cardrender golden: needs DIR\n");
        return false;
    }
    return true;
}
/* ---------------------------------------------------------------- paths */

/* The command's own failures are carried as the library's are: a cr_error
 * whose message the caller prints. err may be NULL. */
static bool fail(cr_error *err, cr_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(cr_error *err, cr_status code, const char *fmt, ...)
{
    if (!err)
        return false;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}

/* dir/file into out; an absolute file stays as it is. */
static bool join_path(char *out, const char *dir, const char *file, cr_error *err)
{
    int n = file[0] == '/' ? snprintf(out, PATH_SIZE, "%s", file)
                           : snprintf(out, PATH_SIZE, "%s/%s", dir, file);
    if (n >= 0 && n < PATH_SIZE)
        return true;
    return fail(err, CR_ERR_ARGUMENT, "path too long: %s/%s", dir, file);
}

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* Adds a copy of name to the growing list; false when out of memory. */
static bool append_name(char ***names, size_t *count, const char *name)
{
    char **grown = realloc(*names, (*count + 1) * sizeof **names);
    if (!grown)
        return false;
    *names = grown;
    if (!(grown[*count] = strdup(name)))
        return false;
    (*count)++;
    return true;
}

/* The case folders in dir (not hidden ones), sorted by name. */
static bool list_cases(const char *dir, char ***names, size_t *count, cr_error *err)
{
    *names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d) {
        return fail(err, CR_ERR_IO, "cannot open %s: %s", dir, strerror(errno));
    }
    bool ok = true;
    char path[PATH_SIZE];
    for (struct dirent *entry; ok && (entry = readdir(d));) {
        if (entry->d_name[0] == '.' || !join_path(path, dir, entry->d_name, NULL))
            continue;
        if (is_directory(path))
            ok = append_name(names, count, entry->d_name);
    }
    closedir(d);
    if (!ok) {
        free_names(*names, *count);
        return fail(err, CR_ERR_NOMEM, "out of memory listing %s", dir);
    }
    qsort(*names, *count, sizeof **names, compare_names);
    return true;
}

/* ------------------------------------------------------------ case.json */

static bool case_json_error(cr_error *err, const char *path, const char *what)
{
    return fail(err, CR_ERR_SYNTAX, "%s: %s", path, what);
}

/* Applies one key of case.json to the case. */
static bool apply_case_key(golden_case *c, const char *path, const char *key, json_t *value,
                           cr_error *err)
{
    if (!strcmp(key, "dpi")) {
        json_int_t dpi = json_is_integer(value) ? json_integer_value(value) : -1;
        if (dpi < CR_DPI_MIN || dpi > CR_DPI_MAX)
            return case_json_error(err, path, "\"dpi\" must be a whole number " CLI_DPI_RANGE);
        c->dpi = (int)dpi;
    } else if (!strcmp(key, "tolerance")) {
        if (!json_is_number(value) || !(json_number_value(value) >= 0))
            return case_json_error(err, path, "\"tolerance\" must be a number >= 0");
        c->tolerance = json_number_value(value);
        c->tolerance_set = true;
    } else if (!strcmp(key, "tolerance_reason")) {
        if (!json_is_string(value) || !json_string_value(value)[0])
            return case_json_error(err, path, "\"tolerance_reason\" must be a sentence");
        c->tolerance_reason = true;
    } else if (!strcmp(key, "template") || !strcmp(key, "record")) {
        if (!json_is_string(value) || !json_string_value(value)[0])
            return case_json_error(err, path,
                                   key[0] == 't' ? "\"template\" must name a file"
                                                 : "\"record\" must name a file");
        char *target = key[0] == 't' ? c->template_path : c->record_path;
        return join_path(target, c->dir, json_string_value(value), err);
    } else {
        char what[256];
        snprintf(what, sizeof what,
                 "unknown key \"%.100s\" (known: dpi, tolerance, tolerance_reason, template, "
                 "record)",
                 key);
        return case_json_error(err, path, what);
    }
    return true;
}

/* Reads the optional case.json over the defaults already in c. */
static bool read_case_json(golden_case *c, cr_error *err)
{
    char path[PATH_SIZE];
    if (!join_path(path, c->dir, "case.json", err))
        return false;
    if (!file_exists(path))
        return true;
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        return fail(err, CR_ERR_SYNTAX, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    }
    bool ok = json_is_object(root) || case_json_error(err, path, "must be a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (ok)
            ok = apply_case_key(c, path, key, value, err);
    }
    json_decref(root);
    /* Output is deterministic: a case that is not exact says why. */
    if (ok && c->tolerance_set && c->tolerance > 0 && !c->tolerance_reason)
        ok = case_json_error(err, path, "a \"tolerance\" above 0 needs a \"tolerance_reason\"");
    return ok;
}

/* The case's files and settings: defaults, then its case.json. */
static bool load_case(const golden_args *args, const char *name, golden_case *c, cr_error *err)
{
    memset(c, 0, sizeof *c);
    c->name = name;
    c->tolerance = args->tolerance;
    if (!join_path(c->dir, args->dir, name, err) ||
        !join_path(c->template_path, c->dir, "template.json", err) ||
        !join_path(c->record_path, c->dir, "record.json", err))
        return false;
    if (!file_exists(c->record_path))
        c->record_path[0] = '\0'; /* case.json may still name one */
    return read_case_json(c, err);
}

/* ------------------------------------------------------------ one case */

static void print_warning(void *user_data, const cr_error *warning)
{
    fprintf(stderr, "cardrender golden: %s: warning: %s\n", (const char *)user_data,
            warning->message);
}

static cr_image *render_case(cr_engine *engine, const golden_case *c, cr_error *err)
{
    cr_image *image = NULL;
    cr_record *record = NULL;
    cr_template *tpl = cr_template_load_file(engine, c->template_path, err);
    if (tpl && c->record_path[0])
        record = cr_record_load_file(c->record_path, err);
    if (tpl && (record || !c->record_path[0])) {
        /* The case folder holds the photos its record names. */
        cr_render_options options = {.struct_size = sizeof options,
                                     .dpi = c->dpi,
                                     .warning = print_warning,
                                     .warning_data = (void *)c->name,
                                     .asset_dir = c->dir};
        image = cr_render(engine, tpl, record, &options, err);
    }
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    return image;
}

/* Removes actual.png and diff.png left by an earlier failure. */
static void remove_leftovers(const golden_case *c)
{
    char path[PATH_SIZE];
    if (join_path(path, c->dir, "actual.png", NULL))
        unlink(path);
    if (join_path(path, c->dir, "diff.png", NULL))
        unlink(path);
}

static bool update_case(const golden_case *c, const cr_image *image)
{
    char path[PATH_SIZE];
    cr_error err;
    if (!join_path(path, c->dir, "expected.png", &err) ||
        cr_image_write_png_file(image, path, &err) != CR_OK) {
        printf("FAIL  %s: %s\n", c->name, err.message);
        return false;
    }
    remove_leftovers(c);
    printf("updated %s\n", c->name);
    return true;
}

static const char *tolerance_text(double tolerance, char *buf, size_t size)
{
    double tenths = tolerance * 10;
    snprintf(buf, size, fabs(tenths - round(tenths)) < 1e-9 ? "%.1f" : "%g", tolerance);
    return buf;
}

/* Writes actual.png and diff.png for a failed case and says so. */
static void report_mismatch(const golden_case *c, const char *expected_path, const cr_image *image,
                            const char *why)
{
    char actual_path[PATH_SIZE], diff_path[PATH_SIZE];
    cr_error err;
    cr_png_comparison again;
    if (!join_path(actual_path, c->dir, "actual.png", &err) ||
        !join_path(diff_path, c->dir, "diff.png", &err) ||
        cr_image_write_png_file(image, actual_path, &err) != CR_OK ||
        cr_compare_png(expected_path, NULL, image, c->tolerance, diff_path, &again, &err) !=
            CR_OK) {
        printf("FAIL  %s (%s); could not write the pictures: %s\n", c->name, why, err.message);
        return;
    }
    printf("FAIL  %s (%s): wrote %s and %s\n", c->name, why, actual_path, diff_path);
}

/* Why a case failed, into why: the sizes, or how far off it is. */
static void failure_reason(const golden_case *c, const cr_png_comparison *result, char *why,
                           size_t size)
{
    char tolerance[32];
    if (!result->same_size)
        snprintf(why, size, "sizes differ: %dx%d expected, %dx%d rendered", result->expected_width,
                 result->expected_height, result->actual_width, result->actual_height);
    else if (c->tolerance == 0)
        snprintf(why, size, "%ld pixels differ, score %.3f; the case asks for exact",
                 result->changed_pixels, result->score);
    else
        snprintf(why, size, "score %.3f > %s", result->score,
                 tolerance_text(c->tolerance, tolerance, sizeof tolerance));
}

/* Tolerance 0 asks for equal pixels; above 0 for a perceptual score at most
 * that (cardrender compare). written is the render as a PNG file. */
static bool judge(const golden_case *c, const char *expected_path, const char *written,
                  const cr_image *image)
{
    cr_png_comparison result;
    cr_error err;
    if (cr_compare_png(expected_path, written, NULL, c->tolerance, NULL, &result, &err) != CR_OK) {
        printf("FAIL  %s: %s\n", c->name, err.message);
        return false;
    }
    char why[160], tolerance[32];
    if (result.ok) {
        remove_leftovers(c);
        if (c->tolerance == 0)
            printf("ok    %s (exact)\n", c->name);
        else
            printf("ok    %s (score %.3f, tolerance %s)\n", c->name, result.score,
                   tolerance_text(c->tolerance, tolerance, sizeof tolerance));
    } else {
        failure_reason(c, &result, why, sizeof why);
        report_mismatch(c, expected_path, image, why);
    }
    return result.ok;
}

/* The render as a file: written by the engine's own PNG writer to a
 * temporary file (path, PATH_SIZE bytes), so that reading it back through
 * libpng checks the encoder as the comparison checks the renderer; false,
 * said, when it cannot be written or decodes to other pixels than were
 * rendered. */
static bool write_and_read_back(const golden_case *c, const cr_image *image, char *path)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(path, PATH_SIZE, "%s/cardrender-golden-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    int fd = mkstemp(path);
    cr_error err;
    if (fd < 0) {
        printf("FAIL  %s: cannot make a temporary file in %s: %s\n", c->name,
               tmp && tmp[0] ? tmp : "/tmp", strerror(errno));
        return false;
    }
    close(fd);
    cr_png_comparison same;
    if (cr_image_write_png_file(image, path, &err) != CR_OK ||
        cr_compare_png(path, NULL, image, 0, NULL, &same, &err) != CR_OK) {
        printf("FAIL  %s: writing and reading back its PNG file: %s\n", c->name, err.message);
        unlink(path);
        return false;
    }
    if (!same.ok) {
        printf("FAIL  %s: its PNG file decodes to other pixels than were rendered\n", c->name);
        unlink(path);
        return false;
    }
    return true;
}

static bool check_case(const golden_case *c, const cr_image *image)
{
    char path[PATH_SIZE];
    cr_error err;
    if (!join_path(path, c->dir, "expected.png", &err)) {
        printf("FAIL  %s: %s\n", c->name, err.message);
        return false;
    }
    if (!file_exists(path)) {
        printf("FAIL  %s: no expected.png; run with --update to create it\n", c->name);
        return false;
    }
    char written[PATH_SIZE];
    if (!write_and_read_back(c, image, written))
        return false;
    bool passed = judge(c, path, written, image);
    unlink(written);
    return passed;
}

static bool run_case(cr_engine *engine, const golden_args *args, const char *name)
{
    golden_case c;
    cr_error err;
    cr_image *image = NULL;
    bool passed = false;
    if (!load_case(args, name, &c, &err) || !(image = render_case(engine, &c, &err)))
        printf("FAIL  %s: %s\n", name, err.message);
    else
        passed = args->update ? update_case(&c, image) : check_case(&c, image);
    fflush(stdout);
    cr_image_destroy(image);
    return passed;
}

/* ------------------------------------------------------------- command */

static int run_cases(const golden_args *args, char **names, size_t count)
{
    cr_error err;
    cr_engine *engine = cr_engine_create(cli_engine_options(), &err);
    if (!engine) {
        fprintf(stderr, "cardrender golden: %s\n", err.message);
        return CLI_INPUT_ERROR;
    }
    size_t passed = 0;
    for (size_t i = 0; i < count; i++)
        passed += run_case(engine, args, names[i]);
    cr_engine_destroy(engine);
    printf("%zu passed, %zu failed\n", passed, count - passed);
    return passed == count ? CLI_OK : CLI_INPUT_ERROR;
}

int cli_golden(int argc, char **argv)
{
    golden_args args = {.tolerance = 0}; /* exact */
    if (!parse_golden_args(argc, argv, &args)) {
        return CLI_USAGE;
    }
    char **names;
    size_t count;
    cr_error err;
    if (!list_cases(args.dir, &names, &count, &err)) {
        fprintf(stderr, "cardrender golden: %s\n", err.message);
        return CLI_INPUT_ERROR;
    }
    int status = CLI_INPUT_ERROR;
    if (count == 0)
        fprintf(stderr, "cardrender golden: %s holds no case folders\n", args.dir);
    else
        status = run_cases(&args, names, count);
    free_names(names, count);
    return status;
}
