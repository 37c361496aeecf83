/* cardrender batch TEMPLATE RECORDS -o DIR [-j N] [--name PATTERN] [--resume]
 *                  [--failures FILE] [--format csv|jsonl] [--encoding NAME] [--assets DIR]
 *                  [--dpi N] [--fsync]
 *
 * The main thread reads records in order, names each output and hands the
 * rendering to a pool of workers sharing one engine and template; results
 * come back in record order, so messages and the failures file are the same
 * whatever -j is. Each PNG appears under its name only once complete. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "batch_output.h"
#include "batch_pool.h"
#include "batch_source.h"
#include "cardrender.h"
#include "cli.h"
#include "files.h"

const char cli_batch_usage[] =
    "usage: cardrender batch TEMPLATE RECORDS -o DIR [-j N] [--name PATTERN] [--resume]\n"
    "                        [--failures FILE] [--format csv|jsonl] [--encoding NAME]\n"
    "                        [--assets DIR] [--dpi N] [--fsync]\n"
    "\n"
    "Renders one card per record of RECORDS (\"-\": standard input) into DIR.\n"
    "RECORDS is JSON Lines (one object a line; blank lines skipped) or, when its\n"
    "name ends in .csv, CSV with a header row of keys.\n"
    "  -o, --output DIR    the folder for the PNG files (created when missing)\n"
    "  -j, --jobs N        render on N threads (default 1; 0: one per core)\n"
    "  --name PATTERN      file names: {key} is the record's value for key, {#} the\n"
    "                      record number as 000001; must end in .png (default {#}.png)\n"
    "  --resume            skip records whose PNG is complete in DIR, delete\n"
    "                      temporary files a killed run left there\n"
    "  --failures FILE     one JSON line per failed record (default DIR/failures.jsonl;\n"
    "                      written only when a record fails)\n"
    "  --format F          csv or jsonl, whatever the name of RECORDS\n"
    "  --encoding NAME     the character encoding of RECORDS, e.g. gb18030, gbk, big5,\n"
    "                      utf-16le (default: a byte-order mark's, else UTF-8)\n"
    "  --max-value-bytes N refuse a record value longer than N bytes (default 65536)\n"
    "  --assets DIR        the folder photo paths are read against (default: the\n"
    "                      folder of RECORDS; standard input: the working folder)\n"
    "  --dpi N             resolution, " CLI_DPI_RANGE " (default: the template's)\n"
    "  --fsync             flush every card and its folder to the disk before it\n"
    "                      counts as written, and the failures file and DIR at the\n"
    "                      end, before reporting success (slower; survives power cuts)\n"
    "\n"
    "Exit status: 0 every record rendered (or already there), 1 some failed or the\n"
    "input could not be read, 2 usage error.\n";

enum { MAX_THREADS = 256, JOBS_PER_THREAD = 4, PLAIN_PROGRESS_RECORDS = 1000 };

typedef struct batch_args {
    const char *template_path;
    const char *records_path;
    const char *output_dir;
    const char *name_pattern;
    const char *failures_path;
    const char *assets;
    const char *format;
    const char *encoding;
    int threads;
    int dpi;
    size_t max_value_bytes; /* --max-value-bytes; 0: the library's 64 KiB */
    bool resume;
    bool fsync;
} batch_args;

/* One record on its way through the batch. */
typedef struct batch_job {
    long number, line;
    cr_record *record; /* freed once rendered */
    char *name;        /* the output file name, NULL when it cannot be made */
    char *path;        /* DIR/name */
    bool skipped;      /* --resume: complete already */
    bool write_failed; /* rendered, but the file could not be written */
    cr_error error;    /* code != CR_OK: the record failed */
    char *warnings;    /* "message\n" each, or NULL */
} batch_job;

/* What the workers share: read-only while they run. */
typedef struct render_setup {
    cr_engine *engine;
    cr_template *tpl;
    int dpi;
    size_t max_value_bytes;
    const char *asset_dir;
    cr_write_options write; /* --fsync */
} render_setup;

typedef struct progress {
    bool tty;
    bool bar_shown;
    long total; /* -1: unknown (standard input) */
    struct timespec start, last;
    long last_line_done;
} progress;

typedef struct batch {
    batch_args args;
    render_setup setup;
    char *asset_dir;
    char *failures_path;
    int failures_fd; /* opened at the first failure */
    cr_batch_format format;
    cr_batch_source *source;
    cr_name_pattern *pattern;
    cr_name_set *names;
    cr_batch_pool *pool;
    bool input_broken; /* reading stopped early: exit 1 */
    /* The output folder cannot take files any more (no space, read-only,
     * permission, quota): no more records are read, and the cards still in
     * the workers are not reported one by one. */
    bool stopped;
    int stop_errno;
    bool failures_unwritable; /* the failures file could not be written */
    long rendered, failed, skipped, unwritten;
    progress progress;
} batch;

/* RECORDS as messages name it. */
static const char *records_name(const batch *b)
{
    return strcmp(b->args.records_path, "-") ? b->args.records_path : "<stdin>";
}

/* ------------------------------------------------------------ arguments */

/* Prints a usage problem; returns 0 (false) for the caller to pass on. */
static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "cardrender batch: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 0;
}

enum {
    OPT_NAME = 256,
    OPT_FAILURES,
    OPT_ASSETS,
    OPT_FORMAT,
    OPT_DPI,
    OPT_RESUME,
    OPT_ENCODING,
    OPT_MAX_VALUE,
    OPT_FSYNC
};

static const struct option batch_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"jobs", required_argument, NULL, 'j'},
    {"name", required_argument, NULL, OPT_NAME},
    {"failures", required_argument, NULL, OPT_FAILURES},
    {"assets", required_argument, NULL, OPT_ASSETS},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"dpi", required_argument, NULL, OPT_DPI},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"max-value-bytes", required_argument, NULL, OPT_MAX_VALUE},
    {"fsync", no_argument, NULL, OPT_FSYNC},
    {0}};

/* The options that take a string: where each value goes. */
static const char **string_slot(batch_args *args, int id)
{
    switch (id) {
    case 'o':
        return &args->output_dir;
    case OPT_NAME:
        return &args->name_pattern;
    case OPT_FAILURES:
        return &args->failures_path;
    case OPT_ASSETS:
        return &args->assets;
    case OPT_FORMAT:
        return &args->format;
    case OPT_ENCODING:
        return &args->encoding;
    }
    return NULL;
}

static bool take_option(void *data, int id, const char *value)
{
    batch_args *args = data;
    const char **slot = string_slot(args, id);
    if (slot) {
        *slot = value;
        return true;
    }
    if (id == OPT_RESUME || id == OPT_FSYNC) {
        *(id == OPT_RESUME ? &args->resume : &args->fsync) = true;
        return true;
    }
    if (id == OPT_DPI)
        return cli_option_dpi("batch", value, &args->dpi);
    if (id == OPT_MAX_VALUE)
        return cli_option_max_value_bytes("batch", value, &args->max_value_bytes);
    if (!cli_parse_int(value, &args->threads))
        return usage_error("-j needs a whole number");
    return true;
}

static int parse_options(int argc, char **argv, batch_args *args)
{
    const cli_parser parser = {"batch", "o:j:", batch_options, take_option, args};
    if (!cli_parse_pair(&parser, argc, argv, &args->template_path, &args->records_path))
        return 0;
    if (!args->records_path || !args->output_dir)
        return usage_error("needs TEMPLATE, RECORDS and -o DIR");
    return 1;
}

static int check_options(batch_args *args, cr_batch_format *format)
{
    if (args->threads < 0 || args->threads > MAX_THREADS)
        return usage_error("-j %d is out of range (0: one thread per core, up to %d)",
                           args->threads, MAX_THREADS);
    if (args->threads == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        args->threads = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (int)cores;
    }
    if (args->format && !cr_batch_format_parse(args->format, format))
        return usage_error("--format must be csv or jsonl, not \"%s\"", args->format);
    if (!args->format)
        *format = cr_batch_format_for_path(args->records_path);
    if (args->encoding && !cli_option_encoding("batch", args->encoding))
        return 0;
    return 1;
}

/* --------------------------------------------------------------- progress */

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

static double cards_per_second(const batch *b)
{
    double elapsed = seconds_since(&b->progress.start);
    return elapsed > 0 ? b->rendered / elapsed : 0;
}

static long records_done(const batch *b)
{
    return b->rendered + b->failed + b->skipped + b->unwritten;
}

static void draw_bar(const batch *b)
{
    enum { WIDTH = 30 };
    long done = records_done(b), total = b->progress.total;
    if (total <= 0) {
        fprintf(stderr, "\r%ld records %.0f cards/s", done, cards_per_second(b));
        return;
    }
    int filled = (int)(WIDTH * (done < total ? done : total) / total);
    char bar[WIDTH + 1];
    for (int i = 0; i < WIDTH; i++)
        bar[i] = i < filled ? '=' : i == filled ? '>' : ' ';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %ld/%ld %.0f cards/s", bar, done, total, cards_per_second(b));
}

static void plain_line(const batch *b)
{
    long done = records_done(b);
    if (b->progress.total > 0)
        fprintf(stderr, "cardrender batch: %ld/%ld records, %.0f cards/s\n", done,
                b->progress.total, cards_per_second(b));
    else
        fprintf(stderr, "cardrender batch: %ld records, %.0f cards/s\n", done, cards_per_second(b));
}

/* A bar redrawn at most ten times a second on a terminal; elsewhere (a log)
 * a line every 1000 records or 10 seconds. */
static void show_progress(batch *b)
{
    progress *p = &b->progress;
    double since_last = seconds_since(&p->last);
    long done = records_done(b);
    if (p->tty && since_last >= 0.1) {
        draw_bar(b);
        p->bar_shown = true;
    } else if (!p->tty && (done - p->last_line_done >= PLAIN_PROGRESS_RECORDS ||
                           (since_last >= 10 && done > p->last_line_done))) {
        plain_line(b);
        p->last_line_done = done;
    } else {
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &p->last);
}

/* Clears the bar so a message gets a line of its own. */
static void clear_bar(batch *b)
{
    if (b->progress.bar_shown)
        fputs("\r\033[K", stderr);
    b->progress.bar_shown = false;
}

static void start_progress(batch *b)
{
    progress *p = &b->progress;
    p->tty = isatty(STDERR_FILENO);
    cr_record_options options = {.struct_size = sizeof options, .encoding = b->args.encoding};
    p->total = cr_batch_count_records_with(b->args.records_path, b->format, &options);
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    p->last = p->start;
}

/* --------------------------------------------------------------- failures */

static json_t *failure_json(const batch_job *job)
{
    json_t *line = json_object();
    json_object_set_new(line, "record", json_integer(job->number));
    json_object_set_new(line, "line", json_integer(job->line));
    json_object_set_new(line, "output", job->name ? tool_json_text(job->name) : json_null());
    json_object_set_new(line, "status", json_string(cr_status_name(job->error.code)));
    if (job->error.field_index >= 0)
        json_object_set_new(line, "field", tool_json_text(job->error.field_name));
    json_object_set_new(line, "message", tool_json_text(job->error.message));
    return line;
}

/* Appends one line with one write(), so a killed batch leaves whole lines. */
static bool write_failure_line(batch *b, const batch_job *job)
{
    if (b->failures_fd < 0)
        b->failures_fd =
            open(b->failures_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
    json_t *line = failure_json(job);
    char *text = b->failures_fd >= 0 ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(line);
    bool ok = false;
    if (text) {
        size_t length = strlen(text);
        text[length] = '\n'; /* json_dumps leaves room only for the NUL: replace it */
        ok = write(b->failures_fd, text, length + 1) == (ssize_t)(length + 1);
    }
    free(text);
    return ok;
}

static void report_failure(batch *b, const batch_job *job)
{
    b->failed++;
    clear_bar(b);
    fprintf(stderr, "cardrender batch: record %ld (%s:%ld, %s): %s\n", job->number, records_name(b),
            job->line, job->name ? job->name : "no output name", job->error.message);
    if (b->failures_unwritable)
        return;
    if (!write_failure_line(b, job)) {
        b->failures_unwritable = true; /* said once; the summary says it again */
        fprintf(stderr, "cardrender batch: cannot write the failures file %s: %s\n",
                b->failures_path, strerror(errno));
    }
}

/* The probe's file, made as the library makes a card's: without a name
 * where the file system allows (O_TMPFILE), named at the end. */
static int probe_open(const char *folder, const char *path, bool *unnamed)
{
    int fd = open(folder, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    *unnamed = fd >= 0;
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    return fd;
}

static int probe_name(int fd, const char *path)
{
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, self, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
}

/* Whether the output folder still takes a file, the way a card is written:
 * a probe as large as a small card is written, synced, named, closed,
 * renamed and removed. 0, or the errno of the step that failed: a write
 * that failed because the folder is full, read-only, forbidden or over
 * quota fails here too, a passing fault does not. */
static int folder_takes_files(const char *folder)
{
    char *path = tool_path_join(folder, ".cardrender-probe.tmp");
    char *renamed = tool_path_join(folder, ".cardrender-probe-renamed.tmp");
    if (!path || !renamed) {
        free(path);
        free(renamed);
        return ENOMEM;
    }
    static const char block[64 * 1024];
    bool unnamed;
    int fd = probe_open(folder, path, &unnamed);
    int error = fd < 0 ? errno : 0;
    if (!error && write(fd, block, sizeof block) != (ssize_t)sizeof block)
        error = errno ? errno : ENOSPC;
    if (!error && fsync(fd) != 0)
        error = errno;
    if (!error && unnamed)
        error = probe_name(fd, path);
    if (fd >= 0 && close(fd) != 0 && !error)
        error = errno;
    if (!error && rename(path, renamed) != 0)
        error = errno;
    unlink(path);
    unlink(renamed);
    free(path);
    free(renamed);
    return error;
}

/* A card rendered but not written: a bad moment, or the folder can take
 * no more? The latter stops the batch, with one message. */
static void check_folder_after(batch *b, const batch_job *job)
{
    if (b->stopped || !job->write_failed)
        return;
    int error = folder_takes_files(b->args.output_dir);
    if (!error)
        return;
    b->stopped = true;
    b->stop_errno = error;
    clear_bar(b);
    fprintf(stderr,
            "cardrender batch: stopped: the output folder %s takes no more files: %s; the cards "
            "written so far are whole; free space or fix the folder and run the same command "
            "with --resume to finish\n",
            b->args.output_dir, strerror(error));
}

static void report_job(batch *b, const batch_job *job)
{
    if (job->warnings) {
        clear_bar(b);
        for (const char *w = job->warnings; *w;) {
            size_t length = strcspn(w, "\n");
            fprintf(stderr, "cardrender batch: record %ld (%s): warning: %.*s\n", job->number,
                    job->name, (int)length, w);
            w += length + (w[length] == '\n');
        }
    }
    if (job->error.code != CR_OK && b->stopped && job->write_failed)
        b->unwritten++; /* the stop message covers it */
    else if (job->error.code != CR_OK)
        report_failure(b, job);
    else if (job->skipped)
        b->skipped++;
    else
        b->rendered++;
    show_progress(b);
}

/* ------------------------------------------------------------- rendering */

static void job_free(batch_job *job)
{
    cr_record_destroy(job->record);
    free(job->name);
    free(job->path);
    free(job->warnings);
    free(job);
}

/* Warnings are kept with the job and printed in record order. */
static void collect_warning(void *user_data, const cr_error *warning)
{
    batch_job *job = user_data;
    size_t used = job->warnings ? strlen(job->warnings) : 0;
    size_t length = strlen(warning->message);
    char *more = realloc(job->warnings, used + length + 2);
    if (!more)
        return;
    memcpy(more + used, warning->message, length);
    memcpy(more + used + length, "\n", 2);
    job->warnings = more;
}

/* On a worker thread: the job is this thread's alone until it is done. */
static void render_job(void *context, void *job_pointer)
{
    const render_setup *setup = context;
    batch_job *job = job_pointer;
    cr_render_options options = {.struct_size = sizeof options,
                                 .dpi = setup->dpi,
                                 .warning = collect_warning,
                                 .warning_data = job,
                                 .asset_dir = setup->asset_dir,
                                 .max_value_bytes = setup->max_value_bytes};
    cr_image *image = cr_render(setup->engine, setup->tpl, job->record, &options, &job->error);
    if (image)
        job->write_failed =
            cr_image_write_png_file_with(image, job->path, &setup->write, &job->error) != CR_OK;
    cr_image_destroy(image);
    cr_record_destroy(job->record);
    job->record = NULL;
}

/* ------------------------------------------------------------ reading */

/* A naming problem, located at the record's line in RECORDS. */
static void name_error(const batch *b, batch_job *job, cr_status code, const char *what)
{
    cr_error err;
    snprintf(err.message, sizeof err.message, "%s:%ld: %s", records_name(b), job->line, what);
    err.code = code;
    err.field_index = -1;
    job->error = err;
}

static void take_name(batch *b, batch_job *job, bool readable)
{
    long holder = 0;
    if (cr_name_set_add(b->names, job->name, job->number, &holder) || !readable)
        return;
    char what[600];
    if (holder)
        snprintf(what, sizeof what, "the output name \"%.255s\" is already taken by record %ld",
                 job->name, holder);
    else
        snprintf(what, sizeof what, "out of memory");
    name_error(b, job, holder ? CR_ERR_RECORD : CR_ERR_NOMEM, what);
}

/* The output name and path; a record that could not be read still gets
 * them when the pattern needs no key, for the failures file. */
static void name_job(batch *b, batch_job *job)
{
    cr_error err;
    bool readable = job->error.code == CR_OK;
    if (!readable && cr_name_pattern_uses_keys(b->pattern))
        return;
    if (cr_name_pattern_expand(b->pattern, job->number, job->record, &job->name, &err) != CR_OK) {
        name_error(b, job, err.code, err.message);
        return;
    }
    take_name(b, job, readable);
    if (job->error.code != CR_OK)
        return;
    job->path = tool_path_join(b->args.output_dir, job->name);
    if (!job->path)
        name_error(b, job, CR_ERR_NOMEM, "out of memory");
}

/* --resume: an output that is already a whole card is kept; one that is
 * there but damaged (cut, a bad CRC, a link, a FIFO) is said and made again. */
static bool already_done(batch *b, const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return false;
    char why[128];
    if (cr_png_file_verify(path, why, sizeof why))
        return true;
    clear_bar(b);
    fprintf(stderr, "cardrender batch: %s is not a whole card (%s): made again\n", path, why);
    return false;
}

/* What is under a card's name and is not a file (a link, a FIFO, a device)
 * goes: a batch's folder holds its cards, and a card replaces it, where a
 * single -o would write into a FIFO or through a link. */
static void clear_name(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        unlink(path);
}

static batch_job *job_from_item(batch *b, cr_batch_item *item)
{
    batch_job *job = calloc(1, sizeof *job);
    if (!job) {
        cr_record_destroy(item->record);
        return NULL;
    }
    job->number = item->number;
    job->line = item->line;
    job->record = item->record;
    job->error = item->error;
    name_job(b, job);
    if (job->error.code == CR_OK && b->args.resume && already_done(b, job->path))
        job->skipped = true;
    else if (job->error.code == CR_OK)
        clear_name(job->path);
    if (job->error.code != CR_OK || job->skipped) {
        cr_record_destroy(job->record);
        job->record = NULL;
    }
    return job;
}

/* The next record as a job: 1, or 0 when the input is over (or broken,
 * which is reported here). */
static int next_job(batch *b, batch_job **job)
{
    cr_batch_item item;
    cr_error err;
    int got = cr_batch_source_next(b->source, &item, &err);
    if (got < 0) {
        clear_bar(b);
        fprintf(stderr, "cardrender batch: %s\n", err.message);
        b->input_broken = true;
    }
    if (got <= 0)
        return 0;
    *job = job_from_item(b, &item);
    if (!*job) {
        fprintf(stderr, "cardrender batch: out of memory at record %ld\n", item.number);
        b->input_broken = true;
        return 0;
    }
    return 1;
}

/* Keeps the window full while there are records, reports in order. */
static void run_jobs(batch *b)
{
    bool more = true;
    for (;;) {
        while (more && !b->stopped && !cr_batch_pool_full(b->pool)) {
            batch_job *job = NULL;
            more = next_job(b, &job);
            if (more)
                cr_batch_pool_submit(b->pool, job, job->error.code == CR_OK && !job->skipped);
        }
        batch_job *done = cr_batch_pool_take(b->pool);
        if (!done)
            break;
        if (done->error.code != CR_OK)
            check_folder_after(b, done);
        report_job(b, done);
        if (done->number % CLI_HEAP_GIVE_BACK_CARDS == 0)
            cli_heap_give_back();
        job_free(done);
    }
}

/* ----------------------------------------------------------------- setup */

static int fail(const char *message)
{
    fprintf(stderr, "cardrender batch: %s\n", message);
    return CLI_INPUT_ERROR;
}

static char *default_asset_dir(const batch_args *args)
{
    if (args->assets)
        return strdup(args->assets);
    if (!strcmp(args->records_path, "-"))
        return strdup(".");
    return tool_path_folder(args->records_path);
}

/* A failures file from an earlier run would describe records that may now
 * be fine: it goes, and comes back only if a record fails. */
static int prepare_output(batch *b)
{
    cr_error err;
    if (cr_make_folder(b->args.output_dir, &err) != CR_OK)
        return fail(err.message);
    b->failures_path = b->args.failures_path ? strdup(b->args.failures_path)
                                             : tool_path_join(b->args.output_dir, "failures.jsonl");
    b->asset_dir = default_asset_dir(&b->args);
    if (!b->failures_path || !b->asset_dir)
        return fail("out of memory");
    if (access(b->args.output_dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "cardrender batch: %s: cannot write cards in this folder: %s\n",
                b->args.output_dir, strerror(errno));
        return CLI_INPUT_ERROR;
    }
    char *failures_dir = tool_path_folder(b->failures_path);
    bool writable = failures_dir && access(failures_dir, W_OK | X_OK) == 0;
    free(failures_dir);
    if (!writable) {
        fprintf(stderr, "cardrender batch: %s: cannot write the failures file there: %s\n",
                b->failures_path, strerror(errno ? errno : ENOMEM));
        return CLI_INPUT_ERROR;
    }
    if (unlink(b->failures_path) != 0 && errno != ENOENT) {
        fprintf(stderr, "cardrender batch: %s: cannot delete the old failures file: %s\n",
                b->failures_path, strerror(errno));
        return CLI_INPUT_ERROR;
    }
    size_t removed = 0;
    if (b->args.resume && cr_remove_png_temporaries(b->args.output_dir, &removed, &err) != CR_OK)
        return fail(err.message);
    if (removed)
        fprintf(stderr, "cardrender batch: deleted %zu temporary file%s of an interrupted run\n",
                removed, removed == 1 ? "" : "s");
    return CLI_OK;
}

static int load_inputs(batch *b)
{
    cr_error err;
    b->setup.engine = cr_engine_create(cli_engine_options(), &err);
    if (b->setup.engine)
        b->setup.tpl = cr_template_load_file(b->setup.engine, b->args.template_path, &err);
    if (b->setup.tpl)
        b->source = cr_batch_source_open_with(
            b->args.records_path, b->format,
            &(cr_record_options){sizeof(cr_record_options), b->args.encoding}, &err);
    if (!b->source)
        return fail(err.message);
    b->setup.dpi = b->args.dpi;
    return CLI_OK;
}

static int start_workers(batch *b)
{
    cr_error err;
    b->setup.asset_dir = b->asset_dir;
    b->setup.max_value_bytes = b->args.max_value_bytes;
    cr_write_options_init(&b->setup.write);
    b->setup.write.fsync = b->args.fsync;
    b->names = cr_name_set_create();
    if (!b->names)
        return fail("out of memory");
    size_t window = (size_t)b->args.threads * JOBS_PER_THREAD;
    b->pool = cr_batch_pool_create(b->args.threads, window, render_job, &b->setup, &err);
    return b->pool ? CLI_OK : fail(err.message);
}

/* A sync at the end that failed: what may not be on the disk, and how to
 * finish. */
static bool sync_failed(batch *b, const char *message)
{
    clear_bar(b);
    fprintf(stderr,
            "cardrender batch: %s; what was written may not all be on the disk: run the same "
            "command with --resume to check the cards and finish\n",
            message);
    return false;
}

/* --fsync: what --resume and the failures file's reader rely on reaches
 * the disk before success is reported: the failures file, its folder (it
 * was made or an old one deleted) and the output folder (temporaries of a
 * killed run deleted). The cards were synced as they were written. */
static bool sync_bookkeeping(batch *b)
{
    cr_error err;
    if (b->failures_fd >= 0 && fsync(b->failures_fd) != 0) {
        snprintf(err.message, sizeof err.message, "%s: cannot sync the failures file: %s",
                 b->failures_path, strerror(errno));
        return sync_failed(b, err.message);
    }
    if (tool_sync_folder(b->args.output_dir, &err) != CR_OK)
        return sync_failed(b, err.message);
    char *failures_dir = tool_path_folder(b->failures_path);
    bool elsewhere = failures_dir && strcmp(failures_dir, b->args.output_dir) != 0;
    cr_status status = elsewhere ? tool_sync_folder(failures_dir, &err) : CR_OK;
    free(failures_dir);
    return status == CR_OK || sync_failed(b, err.message);
}

static void print_summary(batch *b)
{
    clear_bar(b);
    fprintf(stderr,
            "cardrender batch: %ld record%s: %ld rendered, %ld failed, %ld already complete; "
            "%.1f s, %.0f cards/s\n",
            records_done(b), records_done(b) == 1 ? "" : "s", b->rendered, b->failed, b->skipped,
            seconds_since(&b->progress.start), cards_per_second(b));
    if (b->stopped)
        fprintf(stderr,
                "cardrender batch: stopped early (%s): %ld rendered card%s not written, the "
                "records after them not read; run the same command with --resume to finish\n",
                strerror(b->stop_errno), b->unwritten, b->unwritten == 1 ? "" : "s");
    if (b->failed && b->failures_unwritable)
        fprintf(stderr,
                "cardrender batch: the failures file %s could not be written: the failed records "
                "are the ones named above\n",
                b->failures_path);
    else if (b->failed)
        fprintf(stderr, "cardrender batch: the failed records are listed in %s\n",
                b->failures_path);
}

static void batch_free(batch *b)
{
    cr_batch_pool_destroy(b->pool);
    cr_name_set_destroy(b->names);
    cr_name_pattern_destroy(b->pattern);
    cr_batch_source_close(b->source);
    cr_template_destroy(b->setup.tpl);
    cr_engine_destroy(b->setup.engine);
    if (b->failures_fd >= 0)
        close(b->failures_fd);
    free(b->failures_path);
    free(b->asset_dir);
}

static int parse_args(int argc, char **argv, batch *b)
{
    cr_error err;
    if (!parse_options(argc, argv, &b->args) || !check_options(&b->args, &b->format))
        return CLI_USAGE;
    const char *pattern = b->args.name_pattern ? b->args.name_pattern : CR_DEFAULT_NAME_PATTERN;
    b->pattern = cr_name_pattern_parse(pattern, &err);
    if (!b->pattern) {
        fprintf(stderr, "cardrender batch: %s\n", err.message);
        return err.code == CR_ERR_NOMEM ? CLI_INPUT_ERROR : CLI_USAGE;
    }
    return CLI_OK;
}

int cli_batch(int argc, char **argv)
{
    batch b = {.args = {.threads = 1}, .failures_fd = -1};
    int status = parse_args(argc, argv, &b);
    if (status == CLI_OK)
        status = load_inputs(&b);
    if (status == CLI_OK)
        status = prepare_output(&b);
    if (status == CLI_OK)
        status = start_workers(&b);
    if (status == CLI_OK) {
        start_progress(&b);
        run_jobs(&b);
        bool synced = !b.args.fsync || sync_bookkeeping(&b);
        print_summary(&b);
        status = b.failed || b.input_broken || b.stopped || !synced ? CLI_INPUT_ERROR : CLI_OK;
    }
    batch_free(&b);
    return status;
}
