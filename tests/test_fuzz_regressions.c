/* Replays the saved fuzz inputs, tests/data/fuzz/HARNESS/NAME, through the
 * harnesses' own code (fuzz/fuzz_paths.c): the inputs a fuzzer once crashed
 * on, and hand-made hostile ones (deep nesting, huge and non-finite numbers,
 * empty strings, invalid UTF-8, tiny, truncated and huge-declared pictures,
 * broken CSV, bytes not valid in their encoding, records built in memory
 * with cut entries and bad image bytes, PNG plans with boxes off the image). Each must end in the
 * outcome listed here, never in a crash, a leak or undefined behaviour (the ASan+UBSan run of the
 * suite); and every file in those folders must be listed, so none is replayed unchecked. Run from
 * the project root. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fuzz_paths.h"
#include "support.h"

#define FUZZ_DATA "tests/data/fuzz"
#define INPUT_LIMIT (1 << 20) /* above every harness's -max_len */

typedef struct expectation {
    const char *harness; /* the folder: template, record, image, csv, encoding, memory, png,
                          * service */
    const char *name;
    cr_status status;
    const char *message; /* part of the error message; NULL when status is CR_OK */
    /* csv and encoding: records read by the batch source, good or bad;
     * memory: cr_check's findings; service: the HTTP status. */
    long count;
} expectation;

/* clang-format off */
static const expectation expected[] = {
    /* Found by fuzz_record: a first line with no glyphs did NULL + 0. The
     * short one stops at the next field, after laying the name out. */
    {"record", "space-name.json", CR_ERR_RECORD, "the record record.json has no key \"sex\"", 0},
    {"record", "space-name-full.json", CR_OK, NULL, 0},
    /* Hand-made. */
    {"template", "deep-nesting.json", CR_ERR_SYNTAX, "maximum parsing depth reached", 0},
    {"template", "empty.json", CR_ERR_SYNTAX, "fuzz.json:1: syntax error", 0},
    {"template", "empty-font.json", CR_ERR_TEMPLATE, "field 0: unknown font family \"\"", 0},
    {"template", "empty-text.json", CR_OK, NULL, 0},
    {"template", "extends-outside.json", CR_ERR_TEMPLATE,
     "\"extends\" must be a path relative to this file's folder (got \"/etc/passwd\")", 0},
    {"template", "huge-dpi.json", CR_ERR_SYNTAX, "fuzz.json:1:51: syntax error: too big integer", 0},
    {"template", "huge-numbers.json", CR_ERR_TEMPLATE,
     "\"width_mm\" must be greater than 0 and at most 1000 (got 1e+308)", 0},
    {"template", "huge-size-pt.json", CR_ERR_TEMPLATE,
     "field 0: \"size_pt\" must be greater than 0 and at most 200 (got 1e+300)", 0},
    {"template", "invalid-utf8-text.json", CR_ERR_SYNTAX, "unable to decode byte 0xff", 0},
    {"template", "nan-size.json", CR_ERR_SYNTAX, "invalid token near 'NaN'", 0},
    {"template", "overflow-number.json", CR_ERR_SYNTAX, "real number overflow near '1e999'", 0},
    {"record", "deep-nesting.json", CR_ERR_SYNTAX, "maximum parsing depth reached", 0},
    {"record", "invalid-utf8.json", CR_ERR_SYNTAX, "record.json:1:10: syntax error", 0},
    {"record", "lone-surrogate.json", CR_ERR_SYNTAX, "invalid Unicode '\\uD800'", 0},
    {"record", "nul-in-value.json", CR_ERR_SYNTAX, "\\u0000 is not allowed", 0},
    {"record", "number-value.json", CR_ERR_SYNTAX, "real number overflow", 0},
    {"record", "long-text.json", CR_OK, NULL, 0},
    {"record", "photo-empty.json", CR_ERR_RECORD,
     "field 17 \"photo\": record key \"photo\": the value is empty", 0},
    {"record", "photo-escapes.json", CR_ERR_RECORD,
     "\"../../../etc/passwd\" escapes the asset folder \"examples/records\"", 0},
    {"record", "photo-folder.json", CR_ERR_IO,
     "examples/records/photos: is a directory, not an image file", 0},
    {"record", "photo-not-image.json", CR_ERR_IMAGE,
     "photos/README.md: not a JPEG or PNG image (looks like text)", 0},
    {"image", "1x1.jpg", CR_OK, NULL, 0},
    {"image", "empty", CR_ERR_IMAGE, "fuzz.img: image data is empty (0 bytes)", 0},
    {"image", "gif-header", CR_ERR_IMAGE, "not a JPEG or PNG image (looks like GIF)", 0},
    {"image", "huge-declared.png", CR_ERR_IMAGE,
     "image is 100000x100000 pixels (10000000000), more than the limit of 4194304", 0},
    {"image", "truncated.jpg", CR_ERR_IMAGE, "JPEG data is truncated (premature end of data)", 0},
    {"image", "zero-width.png", CR_ERR_IMAGE, "PNG header is invalid (Image width is zero", 0},
    {"csv", "duplicate-header.csv", CR_ERR_RECORD,
     ":1: header columns 1 and 2 are both named \"name\"", 0},
    {"csv", "empty-header.csv", CR_ERR_RECORD, ":1: no header row", 0},
    {"csv", "invalid-utf8-header.csv", CR_ERR_RECORD,
     ":1:3: header column 1 is not valid UTF-8: byte 0xFF at byte offset 2", 0},
    {"csv", "jsonl-mixed.jsonl", CR_ERR_RECORD, ":3: a record must be a JSON object, not an array",
     4},
    {"csv", "more-fields.csv", CR_ERR_RECORD, ":2: the row has 3 fields, the header 1", 1},
    {"csv", "unterminated-quote.csv", CR_ERR_SYNTAX,
     ":2: malformed CSV: a quoted field opened on line 2 never ends", 1},
    /* Hand-made: the first byte picks encoding and reader (fuzz_paths.h). */
    {"encoding", "ug-gb18030.json", CR_OK, NULL, 0},
    {"encoding", "ug-utf16-bom.json", CR_OK, NULL, 0},
    {"encoding", "ug-utf32be-bom.json", CR_OK, NULL, 0},
    {"encoding", "invalid-gbk.json", CR_ERR_RECORD,
     "record.json:1:11: not valid gbk: byte 0x81 at byte offset 10", 0},
    {"encoding", "utf32-cut.json", CR_ERR_RECORD,
     "record.json:1:13: not valid utf-32le: bytes 0x7D 0x00 at byte offset 48", 0},
    {"encoding", "utf16le-odd.json", CR_ERR_RECORD,
     "record.json:1:3: not valid utf-16le: byte 0x61 at byte offset 4", 0},
    {"encoding", "people-gb18030.csv", CR_OK, NULL, 2},
    {"encoding", "people-utf8-as-big5.csv", CR_ERR_RECORD,
     "fuzz.records:2:3: column 1 \"name\" is not valid big5: bytes 0xBC 0x9F at byte offset 29", 2},
    {"encoding", "people-utf16be.jsonl", CR_ERR_RECORD,
     "fuzz.records:5:10: \"name\" must be a string, not a number", 6},
    /* Hand-made: entries of fuzz_memory_path's format. */
    {"memory", "zh-text.bin", CR_ERR_RECORD,
     "field 17 \"photo\": the record memory has no key \"photo\"", 1},
    {"memory", "photo-1x1.bin", CR_OK, NULL, 0},
    {"memory", "photo-truncated.bin", CR_ERR_IMAGE,
     "record key \"photo\": <image bytes of record key \"photo\">: JPEG data is truncated", 1},
    {"memory", "photo-empty.bin", CR_ERR_IMAGE,
     "<image bytes of record key \"photo\">: image data is empty (0 bytes)", 1},
    {"memory", "photo-path-and-bytes.bin", CR_OK, NULL, 0},
    {"memory", "invalid-utf8-value.bin", CR_ERR_RECORD,
     "memory: record key \"name\": the value is not UTF-8: byte 0xFF at byte offset 3", 0},
    {"memory", "cut-entry.bin", CR_ERR_IMAGE,
     "<image bytes of record key \"photo\">: JPEG data is truncated", 1},
    /* Hand-made: inputs of fuzz_png_path's format (every one must be CR_OK). */
    {"png", "two-boxes-two-changes.bin", CR_OK, NULL, 0},
    {"png", "one-pixel-boxes-outside.bin", CR_OK, NULL, 0},
    /* Hand-made: requests of fuzz_service_path's format; the count is the
     * HTTP status the service must answer. */
    {"service", "render-zh.bin", CR_OK, NULL, 200},
    {"service", "check-inline.bin", CR_OK, NULL, 200},
    {"service", "layout-ug.bin", CR_OK, NULL, 200},
    {"service", "bad-json.bin", CR_OK, NULL, 400},
    {"service", "no-token.bin", CR_OK, NULL, 401},
    {"service", "too-large.bin", CR_OK, NULL, 413},
    {"service", "studio.bin", CR_OK, NULL, 200},
    {"service", "path-name.bin", CR_OK, NULL, 404},
};
/* clang-format on */

#define EXPECTED_COUNT (sizeof expected / sizeof expected[0])

static cr_template *record_template, *memory_template;
static char batch_path[64];

static int setup(void **state)
{
    engine_setup(state);
    record_template = load_template_or_fail(FUZZ_RECORD_TEMPLATE);
    memory_template = load_template_or_fail(FUZZ_MEMORY_TEMPLATE);
    snprintf(batch_path, sizeof batch_path, "/tmp/cr-fuzz-regression-XXXXXX");
    int fd = mkstemp(batch_path);
    if (fd < 0)
        fail_msg("mkstemp failed");
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    unlink(batch_path);
    cr_template_destroy(record_template);
    cr_template_destroy(memory_template);
    return engine_teardown(state);
}

static uint8_t *read_input(const char *harness, const char *name, size_t *size)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s/%s", FUZZ_DATA, harness, name);
    FILE *file = fopen(path, "rb");
    if (!file)
        fail_msg("%s: cannot open", path);
    uint8_t *data = malloc(INPUT_LIMIT);
    assert_non_null(data);
    *size = fread(data, 1, INPUT_LIMIT, file);
    assert_true(feof(file)); /* read whole */
    fclose(file);
    return data;
}

/* The harness's code path on one input; *count as in expectation (csv's
 * first byte picks the format as in fuzz/fuzz_csv.c; encoding's first byte
 * goes to fuzz_encoding_path, as in fuzz/fuzz_encoding.c). */
static cr_status replay(const char *harness, const uint8_t *data, size_t size, long *count,
                        cr_error *err)
{
    *count = 0;
    if (!strcmp(harness, "template"))
        return fuzz_template_path(fixture_engine, data, size, err);
    if (!strcmp(harness, "record"))
        return fuzz_record_path(fixture_engine, record_template, data, size, err);
    if (!strcmp(harness, "image"))
        return fuzz_image_path(data, size, err);
    if (!strcmp(harness, "png"))
        return fuzz_png_path(data, size, err);
    if (!strcmp(harness, "service")) {
        int http_status = 0;
        cr_status status = fuzz_service_path(fixture_engine, data, size, &http_status, err);
        *count = http_status;
        return status;
    }
    if (!strcmp(harness, "encoding"))
        return fuzz_encoding_path(fixture_engine, record_template, data, size, count, err);
    if (!strcmp(harness, "memory")) {
        size_t findings;
        cr_status status =
            fuzz_memory_path(fixture_engine, memory_template, data, size, &findings, err);
        *count = (long)findings;
        return status;
    }
    assert_string_equal(harness, "csv");
    assert_true(size >= 1);
    cr_batch_format format = data[0] & 1 ? CR_BATCH_CSV : CR_BATCH_JSONL;
    return fuzz_batch_path(data + 1, size - 1, format, batch_path, count, err);
}

static void check_one(const expectation *e)
{
    size_t size;
    uint8_t *data = read_input(e->harness, e->name, &size);
    cr_error err;
    memset(&err, 0, sizeof err);
    long count;
    cr_status status = replay(e->harness, data, size, &count, &err);
    free(data);
    if (status != e->status)
        fail_msg("%s/%s: %s, wanted %s: %s", e->harness, e->name, cr_status_name(status),
                 cr_status_name(e->status), err.message);
    if (status != CR_OK)
        assert_int_equal(err.code, status); /* the error says what the status says */
    if (e->message && !strstr(err.message, e->message))
        fail_msg("%s/%s: message \"%s\" lacks \"%s\"", e->harness, e->name, err.message,
                 e->message);
    if (count != e->count)
        fail_msg("%s/%s: count %ld, wanted %ld", e->harness, e->name, count, e->count);
}

static void replay_harness(const char *harness)
{
    int count = 0;
    for (size_t i = 0; i < EXPECTED_COUNT; i++) {
        if (!strcmp(expected[i].harness, harness)) {
            check_one(&expected[i]);
            count++;
        }
    }
    assert_true(count > 0);
}

static void test_template_inputs(void **state)
{
    replay_harness("template");
}

static void test_record_inputs(void **state)
{
    replay_harness("record");
}

static void test_image_inputs(void **state)
{
    replay_harness("image");
}

static void test_csv_inputs(void **state)
{
    replay_harness("csv");
}

static void test_encoding_inputs(void **state)
{
    replay_harness("encoding");
}

static void test_memory_inputs(void **state)
{
    replay_harness("memory");
}

static void test_png_inputs(void **state)
{
    replay_harness("png");
}

static void test_service_inputs(void **state)
{
    replay_harness("service");
}

static bool is_listed(const char *harness, const char *name)
{
    for (size_t i = 0; i < EXPECTED_COUNT; i++)
        if (!strcmp(expected[i].harness, harness) && !strcmp(expected[i].name, name))
            return true;
    return false;
}

/* A file added to tests/data/fuzz without an outcome here would otherwise
 * never be replayed; a listed file that is gone fails check_one. */
static void test_every_saved_input_is_listed(void **state)
{
    const char *harnesses[] = {"template", "record", "image", "csv",
                               "encoding", "memory", "png",   "service"};
    for (size_t h = 0; h < sizeof harnesses / sizeof harnesses[0]; h++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", FUZZ_DATA, harnesses[h]);
        DIR *dir = opendir(path);
        if (!dir)
            fail_msg("%s: cannot open", path);
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (entry->d_name[0] != '.' && !is_listed(harnesses[h], entry->d_name))
                fail_msg("%s/%s has no expected outcome in %s", path, entry->d_name, __FILE__);
        }
        closedir(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_saved_input_is_listed),
        cmocka_unit_test(test_template_inputs),
        cmocka_unit_test(test_record_inputs),
        cmocka_unit_test(test_image_inputs),
        cmocka_unit_test(test_csv_inputs),
        cmocka_unit_test(test_encoding_inputs),
        cmocka_unit_test(test_memory_inputs),
        cmocka_unit_test(test_png_inputs),
        cmocka_unit_test(test_service_inputs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
