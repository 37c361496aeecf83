/* Batch building blocks: reading JSON Lines and CSV records, output names,
 * the checks --resume makes, and the pool that keeps results in order. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "batch_output.h"
#include "batch_pool.h"
#include "batch_source.h"
#include "cardrender.h"
#include "support.h"

/* ------------------------------------------------------------- helpers */

typedef struct scratch {
    char dir[64];
} scratch;

static int make_scratch(void **state)
{
    scratch *s = calloc(1, sizeof *s);
    scratch_dir_make(s->dir, sizeof s->dir, "cr-batch");
    *state = s;
    return 0;
}

static int remove_scratch(void **state)
{
    scratch *s = *state;
    scratch_dir_remove(s->dir);
    free(s);
    return 0;
}

/* Writes bytes to DIR/name; returns the path (static buffer per call site). */
static const char *write_file(const scratch *s, const char *name, const char *bytes, size_t length,
                              char *path, size_t size)
{
    snprintf(path, size, "%s/%s", s->dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, length, f), length);
    fclose(f);
    return path;
}

#define WRITE(s, name, text, path)                                                                 \
    write_file((s), (name), (text), sizeof(text) - 1, path, sizeof path)

/* Reads every item of a source into items (at most max); returns the count. */
static int read_all(cr_batch_source *source, cr_batch_item *items, int max)
{
    int count = 0;
    cr_error err;
    while (count < max && cr_batch_source_next(source, &items[count], &err) == 1)
        count++;
    return count;
}

static void free_items(cr_batch_item *items, int count)
{
    for (int i = 0; i < count; i++)
        cr_record_destroy(items[i].record);
}

/* ---------------------------------------------------------- JSON Lines */

static void test_jsonl_numbers_records_and_skips_blank_lines(void **state)
{
    char path[256];
    WRITE(*state, "a.jsonl",
          "\xEF\xBB\xBF{\"name\": \"张伟\"}\n\n  \t\r\n{\"name\": \"李四\", \"sex\": \"男\"}\r\n"
          "{\"name\": \"王五\"}",
          path);
    cr_error err;
    cr_batch_source *source = cr_batch_source_open(path, CR_BATCH_JSONL, &err);
    assert_non_null(source);
    cr_batch_item items[8];
    int count = read_all(source, items, 8);
    assert_int_equal(count, 3);
    long lines[] = {1, 4, 5};
    const char *names[] = {"张伟", "李四", "王五"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(items[i].number, i + 1);
        assert_int_equal(items[i].line, lines[i]);
        assert_non_null(items[i].record);
        assert_string_equal(cr_record_get(items[i].record, "name"), names[i]);
    }
    assert_string_equal(cr_record_get(items[1].record, "sex"), "男");
    free_items(items, count);
    cr_batch_source_close(source);
    assert_int_equal(cr_batch_count_records(path, CR_BATCH_JSONL), 3);
}

static void test_jsonl_bad_lines_are_items_with_located_errors(void **state)
{
    char path[256];
    WRITE(*state, "bad.jsonl",
          "{\"name\": \"a\"}\n"
          "{\"name\": broken}\n"
          "[\"not\", \"an object\"]\n"
          "{\"name\": \"b\", \"year\": 1990}\n"
          "{\"name\": \"c\", \"name\": \"d\"}\n"
          "{\"name\": \"e\"}\n",
          path);
    cr_error err;
    cr_batch_source *source = cr_batch_source_open(path, CR_BATCH_JSONL, &err);
    assert_non_null(source);
    cr_batch_item items[8];
    int count = read_all(source, items, 8);
    assert_int_equal(count, 6);
    assert_non_null(items[0].record);
    assert_non_null(items[5].record);
    assert_int_equal(items[5].number, 6);

    char expected[512];
    snprintf(expected, sizeof expected, "%s:2:15: syntax error:", path);
    assert_null(items[1].record);
    assert_int_equal(items[1].error.code, CR_ERR_SYNTAX);
    assert_memory_equal(items[1].error.message, expected, strlen(expected));

    snprintf(expected, sizeof expected, "%s:3: a record must be a JSON object, not an array", path);
    assert_string_equal(items[2].error.message, expected);

    snprintf(expected, sizeof expected, "%s:4:23: \"year\" must be a string, not a number", path);
    assert_string_equal(items[3].error.message, expected);

    snprintf(expected, sizeof expected, "%s:5:15: duplicate key \"name\"", path);
    assert_string_equal(items[4].error.message, expected);
    free_items(items, count);
    cr_batch_source_close(source);
}

static void test_missing_records_file_is_an_error(void **state)
{
    scratch *s = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/none.jsonl", s->dir);
    cr_error err;
    assert_null(cr_batch_source_open(path, CR_BATCH_JSONL, &err));
    assert_int_equal(err.code, CR_ERR_IO);
    assert_non_null(strstr(err.message, "none.jsonl: cannot open the records"));
    assert_int_equal(cr_batch_count_records(path, CR_BATCH_JSONL), -1);
    assert_int_equal(cr_batch_count_records("-", CR_BATCH_JSONL), -1);
}

/* ----------------------------------------------------------------- CSV */

static void test_csv_header_quotes_and_multiline_fields(void **state)
{
    char path[256];
    WRITE(*state, "a.csv",
          "\xEF\xBB\xBFname,address,id\r\n"
          "张伟, 北京 ,1\r\n"
          "\r\n"
          "\"陈\"\"晓玲\",\"广东省,\n深圳市\",2\r\n"
          "王五,,3",
          path);
    cr_error err;
    cr_batch_source *source = cr_batch_source_open(path, CR_BATCH_CSV, &err);
    if (!source)
        fail_msg("%s", err.message);
    cr_batch_item items[8];
    int count = read_all(source, items, 8);
    assert_int_equal(count, 3);
    assert_int_equal(items[0].line, 2);
    assert_string_equal(cr_record_get(items[0].record, "address"), " 北京 ");
    assert_int_equal(items[1].number, 2);
    assert_int_equal(items[1].line, 4);
    assert_string_equal(cr_record_get(items[1].record, "name"), "陈\"晓玲");
    assert_string_equal(cr_record_get(items[1].record, "address"), "广东省,\n深圳市");
    assert_int_equal(items[2].line, 6);
    assert_string_equal(cr_record_get(items[2].record, "address"), "");
    assert_string_equal(cr_record_get(items[2].record, "id"), "3");
    free_items(items, count);
    cr_batch_source_close(source);
    assert_int_equal(cr_batch_count_records(path, CR_BATCH_CSV), 3);
}

static void test_csv_bad_rows_do_not_stop_the_rest(void **state)
{
    char path[256];
    WRITE(*state, "bad.csv",
          "name,id\n"
          "a,1\n"
          "b,\"2\"x\n"
          "c\n"
          "d,\xFF\n"
          "e,5\n"
          "f,\"never closed\n",
          path);
    cr_error err;
    cr_batch_source *source = cr_batch_source_open(path, CR_BATCH_CSV, &err);
    assert_non_null(source);
    cr_batch_item items[8];
    int count = read_all(source, items, 8);
    assert_int_equal(count, 6);
    assert_non_null(items[0].record);
    assert_int_equal(items[1].error.code, CR_ERR_SYNTAX);
    assert_non_null(strstr(items[1].error.message, ":3: malformed CSV at byte 6"));
    assert_non_null(strstr(items[2].error.message, ":4: the row has 1 field, the header 2"));
    assert_non_null(strstr(items[3].error.message, ":5:3: column 2 \"id\" is not valid UTF-8: byte "
                                                   "0xFF at byte offset 23; save the file"));
    assert_non_null(items[4].record);
    assert_string_equal(cr_record_get(items[4].record, "name"), "e");
    assert_int_equal(items[4].number, 5);
    assert_int_equal(items[5].error.code, CR_ERR_SYNTAX);
    assert_non_null(strstr(items[5].error.message, "opened on line 7 never ends"));
    free_items(items, count);
    cr_batch_source_close(source);
}

static void test_csv_header_problems_stop_before_any_record(void **state)
{
    static const struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"", "no header row"},
        {"\n\n", "no header row"},
        {"name,,id\n", ":1: header column 2 has no name"},
        {"name,id,name\n", ":1: header columns 1 and 3 are both named \"name\""},
        {"na\"me,id\n", ":1: malformed CSV at byte 3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        write_file(*state, "h.csv", cases[i].text, strlen(cases[i].text), path, sizeof path);
        cr_error err;
        cr_batch_source *source = cr_batch_source_open(path, CR_BATCH_CSV, &err);
        assert_null(source);
        if (!strstr(err.message, cases[i].message))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.message, cases[i].message);
    }
}

static void test_format_from_name(void **state)
{
    cr_batch_format format;
    assert_int_equal(cr_batch_format_for_path("a/b.CSV"), CR_BATCH_CSV);
    assert_int_equal(cr_batch_format_for_path("a/b.jsonl"), CR_BATCH_JSONL);
    assert_int_equal(cr_batch_format_for_path("-"), CR_BATCH_JSONL);
    assert_true(cr_batch_format_parse("csv", &format) && format == CR_BATCH_CSV);
    assert_true(cr_batch_format_parse("jsonl", &format) && format == CR_BATCH_JSONL);
    assert_false(cr_batch_format_parse("xml", &format));
}

/* --------------------------------------------------------------- names */

static cr_record *record_of(const char *json)
{
    cr_error err;
    cr_record *record = cr_record_load_memory(json, strlen(json), "test", &err);
    if (!record)
        fail_msg("%s", err.message);
    return record;
}

static char *expand(const char *pattern, long number, const cr_record *record, cr_error *err)
{
    cr_name_pattern *p = cr_name_pattern_parse(pattern, err);
    if (!p)
        fail_msg("%s", err->message);
    char *name = NULL;
    cr_name_pattern_expand(p, number, record, &name, err);
    cr_name_pattern_destroy(p);
    return name;
}

static void test_name_patterns_fill_in_number_and_keys(void **state)
{
    cr_error err;
    cr_record *record = record_of(
        "{\"id\": \"110101199003074573\", \"name\": \"张伟\", \"odd\": \"../a\\\\b\\tc\"}");
    char *name = expand(CR_DEFAULT_NAME_PATTERN, 42, NULL, &err);
    assert_string_equal(name, "000042.png");
    free(name);
    name = expand("{id}-{name}-{#}.png", 1234567, record, &err);
    assert_string_equal(name, "110101199003074573-张伟-1234567.png");
    free(name);
    name = expand("{odd}.png", 1, record, &err);
    assert_string_equal(name, "_._a_b_c.png"); /* no '/', no leading '.' */
    free(name);
    cr_record_destroy(record);
}

static void test_name_pattern_value_problems(void **state)
{
    cr_error err;
    cr_record *record = record_of("{\"id\": \"\", \"long\": \"" /* 300 x 'x' below */ "\"}");
    assert_null(expand("{missing}.png", 1, record, &err));
    assert_int_equal(err.code, CR_ERR_RECORD);
    assert_string_equal(err.message,
                        "the output name needs the key \"missing\": the record has none");
    assert_null(expand("{id}.png", 1, record, &err));
    assert_string_equal(err.message, "the output name needs the key \"id\": it is empty");
    assert_null(expand("{id}.png", 1, NULL, &err));
    cr_record_destroy(record);

    char json[400];
    snprintf(json, sizeof json, "{\"long\": \"%0300d\"}", 0);
    record = record_of(json);
    assert_null(expand("{long}.png", 1, record, &err));
    assert_string_equal(err.message, "the output name is longer than 255 bytes");
    cr_record_destroy(record);
}

static void test_bad_name_patterns_are_refused(void **state)
{
    static const struct {
        const char *pattern;
        const char *why;
    } cases[] = {
        {"{#}", "must end in \".png\""}, {".png", "must end in \".png\""},
        {"a/{#}.png", "holds a '/'"},    {"{a{b}}.png", "'{' inside a placeholder"},
        {"a}.png", "'}' without a '{'"}, {"{}.png", "an empty placeholder"},
        {"{a.png", "not closed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_error err;
        assert_null(cr_name_pattern_parse(cases[i].pattern, &err));
        assert_int_equal(err.code, CR_ERR_ARGUMENT);
        if (!strstr(err.message, cases[i].why))
            fail_msg("\"%s\": \"%s\" lacks \"%s\"", cases[i].pattern, err.message, cases[i].why);
    }
    cr_error err;
    cr_name_pattern *p = cr_name_pattern_parse("{#}.png", &err);
    assert_false(cr_name_pattern_uses_keys(p));
    cr_name_pattern_destroy(p);
    p = cr_name_pattern_parse("x{id}.png", &err);
    assert_true(cr_name_pattern_uses_keys(p));
    cr_name_pattern_destroy(p);
}

static void test_name_set_reports_the_first_holder(void **state)
{
    cr_name_set *set = cr_name_set_create();
    long holder = -1;
    char name[32];
    for (long i = 1; i <= 5000; i++) { /* several times the first table size */
        snprintf(name, sizeof name, "%06ld.png", i);
        assert_true(cr_name_set_add(set, name, i, &holder));
        assert_int_equal(holder, 0);
    }
    assert_false(cr_name_set_add(set, "000777.png", 6000, &holder));
    assert_int_equal(holder, 777);
    cr_name_set_destroy(set);
}

/* --------------------------------------------------------- the folder */

static void test_complete_png_needs_signature_and_iend(void **state)
{
    scratch *s = *state;
    cr_error err;
    cr_engine *engine = cr_engine_create(NULL, &err);
    assert_non_null(engine);
    static const char tpl_json[] =
        "{\"version\": 1, \"card\": {\"width_mm\": 10, \"height_mm\": 5, "
        "\"dpi\": 72}, \"fields\": []}";
    cr_template *tpl =
        cr_template_load_memory(engine, tpl_json, sizeof tpl_json - 1, "t.json", NULL, &err);
    assert_non_null(tpl);
    cr_image *image = cr_render(engine, tpl, NULL, NULL, &err);
    assert_non_null(image);
    char path[256];
    snprintf(path, sizeof path, "%s/whole.png", s->dir);
    assert_int_equal(cr_image_write_png_file(image, path, &err), CR_OK);
    char why[128];
    assert_true(cr_png_file_verify(path, why, sizeof why));

    uint8_t *png;
    size_t size;
    assert_int_equal(cr_image_write_png_memory(image, &png, &size, &err), CR_OK);
    char cut[256];
    write_file(s, "cut.png", (const char *)png, size - 1, cut, sizeof cut);
    assert_false(cr_png_file_verify(cut, why, sizeof why));
    assert_string_equal(why, "it ends before IEND");
    png[0] = 'X';
    write_file(s, "nosig.png", (const char *)png, size, cut, sizeof cut);
    assert_false(cr_png_file_verify(cut, why, sizeof why));
    assert_string_equal(why, "it does not start with the PNG signature");
    assert_false(cr_png_file_verify(s->dir, why, sizeof why));
    assert_string_equal(why, "a directory");
    snprintf(cut, sizeof cut, "%s/none.png", s->dir);
    assert_false(cr_png_file_verify(cut, why, sizeof why));
    assert_string_equal(why, "No such file or directory");
    free(png);
    cr_image_destroy(image);
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);
}

static void test_temporary_names(void **state)
{
    assert_true(cr_is_png_temporary_name("000001.png.a1b2c3.tmp"));
    assert_true(cr_is_png_temporary_name("张伟.png.tmp.XyZ123"));
    assert_false(cr_is_png_temporary_name("000001.png"));
    assert_false(cr_is_png_temporary_name("failures.jsonl"));
    assert_false(cr_is_png_temporary_name("a.png.bak"));
    assert_false(cr_is_png_temporary_name(".png.abc.tmp"));
    assert_true(cr_is_png_temporary_name("a.png.4242-17.tmp"));
    assert_false(cr_is_png_temporary_name("a.png.a b.tmp"));
    assert_false(cr_is_png_temporary_name("a.png..tmp"));
}

static void test_stale_temporaries_are_removed_and_nothing_else(void **state)
{
    scratch *s = *state;
    char path[256];
    WRITE(s, "000001.png", "keep", path);
    WRITE(s, "000002.png.q7x0ab.tmp", "half", path);
    WRITE(s, "000003.png.zz99zz.tmp", "half", path);
    WRITE(s, "notes.tmp", "keep", path);
    size_t removed = 0;
    cr_error err;
    assert_int_equal(cr_remove_png_temporaries(s->dir, &removed, &err), CR_OK);
    assert_int_equal(removed, 2);
    snprintf(path, sizeof path, "%s/000001.png", s->dir);
    assert_int_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/notes.tmp", s->dir);
    assert_int_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/000002.png.q7x0ab.tmp", s->dir);
    assert_int_not_equal(access(path, F_OK), 0);
}

/* Names that appeared in the folder watched, besides 000001.png; each must
 * be one --resume deletes. */
static int temporaries_seen(int watch)
{
    char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t length = read(watch, events, sizeof events);
    int temporaries = 0;
    for (ssize_t at = 0; at < length;) {
        const struct inotify_event *event = (const struct inotify_event *)(events + at);
        if (event->len && strcmp(event->name, "000001.png")) {
            if (!cr_is_png_temporary_name(event->name))
                fail_msg("the writer made \"%s\", which --resume would not delete", event->name);
            temporaries++;
        }
        at += (ssize_t)(sizeof *event + event->len);
    }
    return temporaries;
}

/* Whether the folder's file system makes files without a name. */
static bool has_tmpfile(const char *dir)
{
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* The names the real writer gives its temporaries must be the ones
 * --resume deletes: watch the folder while it writes and check every file
 * that appeared besides the final one. A new card, where the file system
 * has O_TMPFILE, shows none (the file gets its final name at once); a card
 * written over an old one shows one (linked, then renamed over it). */
static void test_writer_temporaries_match_the_cleanup(void **state)
{
    scratch *s = *state;
    int watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    assert_true(watch >= 0);
    assert_true(inotify_add_watch(watch, s->dir, IN_CREATE) >= 0);
    cr_error err;
    cr_engine *engine = cr_engine_create(NULL, &err);
    static const char tpl_json[] =
        "{\"version\": 1, \"card\": {\"width_mm\": 5, \"height_mm\": 5, \"dpi\": 72}, "
        "\"fields\": []}";
    cr_template *tpl =
        cr_template_load_memory(engine, tpl_json, sizeof tpl_json - 1, "t.json", NULL, &err);
    cr_image *image = cr_render(engine, tpl, NULL, NULL, &err);
    assert_non_null(image);
    char path[256];
    snprintf(path, sizeof path, "%s/000001.png", s->dir);
    assert_int_equal(cr_image_write_png_file(image, path, &err), CR_OK);
    assert_int_equal(temporaries_seen(watch), has_tmpfile(s->dir) ? 0 : 1);
    assert_int_equal(cr_image_write_png_file(image, path, &err), CR_OK); /* over it */
    assert_int_equal(temporaries_seen(watch), 1);
    close(watch);
    cr_image_destroy(image);
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);
}

static void test_make_folder_creates_parents(void **state)
{
    scratch *s = *state;
    char path[256];
    cr_error err;
    snprintf(path, sizeof path, "%s/a/b/c/", s->dir);
    assert_int_equal(cr_make_folder(path, &err), CR_OK);
    assert_int_equal(cr_make_folder(path, &err), CR_OK);
    char file[256];
    WRITE(s, "file", "x", file);
    snprintf(path, sizeof path, "%s/file/sub", s->dir);
    assert_int_equal(cr_make_folder(path, &err), CR_ERR_IO);
    assert_non_null(strstr(err.message, "file/sub: cannot create the output folder"));
    assert_int_equal(cr_make_folder(file, &err), CR_ERR_IO);
}

/* ---------------------------------------------------------------- pool */

typedef struct pool_job {
    int number;
    int ran;
} pool_job;

/* Later jobs finish first: each sleeps less than the one before. */
static void slow_then_fast(void *context, void *job)
{
    pool_job *j = job;
    struct timespec pause = {0, (long)(50 - j->number % 50) * 20000L};
    nanosleep(&pause, NULL);
    j->ran++;
}

static void test_pool_returns_jobs_in_order(void **state)
{
    enum { JOBS = 300 };
    pool_job *jobs = calloc(JOBS, sizeof *jobs);
    cr_error err;
    cr_batch_pool *pool = cr_batch_pool_create(4, 9, slow_then_fast, NULL, &err);
    assert_non_null(pool);
    int next = 0, expected = 0;
    for (;;) {
        while (next < JOBS && !cr_batch_pool_full(pool)) {
            jobs[next].number = next;
            /* Some need no work, among them a run longer than the window. */
            bool needs_work = next % 7 != 3 && (next < 100 || next >= 150);
            cr_batch_pool_submit(pool, &jobs[next], needs_work);
            next++;
        }
        pool_job *done = cr_batch_pool_take(pool);
        if (!done)
            break;
        assert_int_equal(done->number, expected++);
    }
    assert_int_equal(expected, JOBS);
    for (int i = 0; i < JOBS; i++)
        assert_int_equal(jobs[i].ran, i % 7 != 3 && (i < 100 || i >= 150) ? 1 : 0);
    cr_batch_pool_destroy(pool);
    free(jobs);
    assert_null(cr_batch_pool_create(0, 1, slow_then_fast, NULL, &err));
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_jsonl_numbers_records_and_skips_blank_lines,
                                        make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_jsonl_bad_lines_are_items_with_located_errors,
                                        make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_missing_records_file_is_an_error, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_csv_header_quotes_and_multiline_fields, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_csv_bad_rows_do_not_stop_the_rest, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_csv_header_problems_stop_before_any_record,
                                        make_scratch, remove_scratch),
        cmocka_unit_test(test_format_from_name),
        cmocka_unit_test(test_name_patterns_fill_in_number_and_keys),
        cmocka_unit_test(test_name_pattern_value_problems),
        cmocka_unit_test(test_bad_name_patterns_are_refused),
        cmocka_unit_test(test_name_set_reports_the_first_holder),
        cmocka_unit_test_setup_teardown(test_complete_png_needs_signature_and_iend, make_scratch,
                                        remove_scratch),
        cmocka_unit_test(test_temporary_names),
        cmocka_unit_test_setup_teardown(test_stale_temporaries_are_removed_and_nothing_else,
                                        make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_writer_temporaries_match_the_cleanup, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_make_folder_creates_parents, make_scratch,
                                        remove_scratch),
        cmocka_unit_test(test_pool_returns_jobs_in_order),
    };
    return cmocka_run_group_tests_name("batch", tests, NULL, NULL);
}
