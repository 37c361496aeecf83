/* Memory in, memory out (cardrender.h: cr_record_create, cr_record_set,
 * cr_record_set_image, cr_image_write_png_memory, cr_free) and cr_check:
 * a record built key by key renders the same bytes as the record file; a
 * photo's bytes render the same as the photo file, fail with the same codes
 * and messages (the key named where the path was), and never touch the file
 * system; cr_check lists what `cardrender check` lists. Run from the project
 * root; the shared photos are ../shared/data/photos (those tests skip when
 * absent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cardrender.h"
#include "support.h"

#define TPL "templates/resident-id-zh-photo.json"
#define REC "examples/records/zh-zhang-wei.json"
#define ASSETS "examples/records"
#define EXAMPLE_PHOTO "examples/records/photos/portrait-358x441.jpg"
#define PHOTO_DIR "../shared/data/photos"

static cr_engine *engine;
static cr_template *card; /* TPL */

/* ------------------------------------------------------------ helpers */

static void *read_bytes(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    *size = (size_t)ftell(f);
    rewind(f);
    void *data = malloc(*size ? *size : 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, *size, f), *size);
    fclose(f);
    return data;
}

/* The record file's keys and values set one by one on a new record. */
static cr_record *record_from_json_file(const char *path, const char *name)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    assert_non_null(root);
    cr_error err;
    cr_record *record = cr_record_create(name, &err);
    assert_non_null(record);
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (cr_record_set(record, key, json_string_value(value), &err) != CR_OK)
            fail_msg("%s", err.message);
    }
    json_decref(root);
    return record;
}

static cr_record *load_record(const char *path)
{
    cr_error err;
    cr_record *record = cr_record_load_file(path, &err);
    if (!record)
        fail_msg("%s", err.message);
    return record;
}

/* The card's PNG bytes (cr_free them); photos read against asset_dir. */
static uint8_t *render_png(const cr_template *tpl, const cr_record *record, const char *asset_dir,
                           size_t *size)
{
    cr_render_options options;
    cr_render_options_init(&options);
    options.asset_dir = asset_dir;
    cr_error err;
    cr_image *image = cr_render(engine, tpl, record, &options, &err);
    if (!image)
        fail_msg("%s", err.message);
    uint8_t *png = NULL;
    if (cr_image_write_png_memory(image, &png, size, &err) != CR_OK)
        fail_msg("%s", err.message);
    cr_image_destroy(image);
    return png;
}

static void expect_same_bytes(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size)
{
    assert_int_equal(a_size, b_size);
    assert_memory_equal(a, b, a_size);
}

/* A card that is one image field bound to "photo", at 300 dpi. */
static const char photo_template[] =
    "{\"version\": 1, \"card\": {\"width_mm\": 26, \"height_mm\": 32, \"corner_radius_mm\": 0, "
    "\"dpi\": 300},\n \"fields\": [{\"type\": \"image\", \"name\": \"photo\", \"box_mm\": [0, 0, "
    "26, 32], \"bind\": \"photo\"}]}";

static cr_template *load_photo_template(void)
{
    cr_error err;
    cr_template *tpl = cr_template_load_memory(engine, photo_template, strlen(photo_template),
                                               "photo.json", NULL, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    return tpl;
}

/* A record whose "photo" is the path value, or (data not NULL) those bytes. */
static cr_record *photo_record(const char *value, const void *data, size_t size)
{
    cr_error err;
    cr_record *record = cr_record_create("rec", &err);
    assert_non_null(record);
    if (value)
        assert_int_equal(cr_record_set(record, "photo", value, &err), CR_OK);
    if (data && cr_record_set_image(record, "photo", data, size, &err) != CR_OK)
        fail_msg("%s", err.message);
    return record;
}

/* ------------------------------------------------------------ records */

/* (1) The record built in memory renders the record file's bytes. */
static void test_built_record_renders_like_the_file(void **state)
{
    cr_record *file = load_record(REC);
    cr_record *built = record_from_json_file(REC, "zhang");
    size_t a_size, b_size;
    uint8_t *a = render_png(card, file, ASSETS, &a_size);
    uint8_t *b = render_png(card, built, ASSETS, &b_size);
    expect_same_bytes(a, a_size, b, b_size);
    cr_free(a);
    cr_free(b);
    cr_free(NULL);
    cr_record_destroy(built);
    cr_record_destroy(file);
}

/* A later cr_record_set replaces the value; the key keeps its place. */
static void test_set_replaces(void **state)
{
    cr_error err;
    cr_record *record = cr_record_create(NULL, &err);
    assert_int_equal(cr_record_set(record, "name", "张三", &err), CR_OK);
    assert_int_equal(cr_record_set(record, "sex", "男", &err), CR_OK);
    assert_int_equal(cr_record_set(record, "name", "李四", &err), CR_OK);
    assert_string_equal(cr_record_get(record, "name"), "李四");
    assert_string_equal(cr_record_get(record, "sex"), "男");
    assert_null(cr_record_get(record, "photo"));
    for (int i = 0; i < 100; i++) { /* past any first capacity */
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(cr_record_set(record, key, key, &err), CR_OK);
    }
    assert_string_equal(cr_record_get(record, "k99"), "k99");
    cr_record_destroy(record);
}

/* (5) Bytes that are not UTF-8 are refused naming the record, the key and
 * the offset; the record stays as it was. */
static void test_invalid_utf8_is_refused(void **state)
{
    cr_error err;
    cr_record *record = cr_record_create(NULL, &err);
    assert_int_equal(cr_record_set(record, "name", "ok", &err), CR_OK);
    assert_int_equal(cr_record_set(record, "name", "张\xff伟", &err), CR_ERR_RECORD);
    assert_string_equal(err.message, "<memory>: record key \"name\": the value is not UTF-8: "
                                     "byte 0xFF at byte offset 3 of the value");
    assert_string_equal(cr_record_get(record, "name"), "ok");
    assert_int_equal(cr_record_set(record, "na\xc3me", "x", &err), CR_ERR_RECORD);
    assert_string_equal(err.message, "<memory>: record key \"na\\xC3me\" is not UTF-8: byte 0xC3 "
                                     "at byte offset 2 of the key");
    assert_null(cr_record_get(record, "na\xc3me"));
    assert_int_equal(cr_record_set(record, "x", "\xed\xa0\x80", &err),
                     CR_ERR_RECORD); /* a surrogate */
    uint8_t byte = 0xff;
    assert_int_equal(cr_record_set_image(record, "\xff", &byte, 1, &err), CR_ERR_RECORD);
    assert_int_equal(cr_record_set(NULL, "a", "b", &err), CR_ERR_ARGUMENT);
    assert_int_equal(cr_record_set(record, NULL, "b", &err), CR_ERR_ARGUMENT);
    assert_int_equal(cr_record_set(record, "a", NULL, &err), CR_ERR_ARGUMENT);
    assert_int_equal(cr_record_set_image(record, "photo", NULL, 0, &err), CR_ERR_ARGUMENT);
    assert_int_equal(cr_record_set_image(NULL, "photo", &byte, 1, &err), CR_ERR_ARGUMENT);
    cr_record_destroy(record);
}

/* ------------------------------------------------------------- photos */

/* (2) A record file with the photo's bytes bound renders what it renders
 * reading the photo file. */
static void test_photo_bytes_render_like_the_file(void **state)
{
    size_t photo_size;
    void *photo = read_bytes(EXAMPLE_PHOTO, &photo_size);
    cr_record *file = load_record(REC);
    cr_record *with_bytes = load_record(REC);
    cr_error err;
    assert_int_equal(cr_record_set_image(with_bytes, "photo", photo, photo_size, &err), CR_OK);
    memset(photo, 0, photo_size); /* copied: the caller's buffer is the caller's */
    size_t a_size, b_size;
    uint8_t *a = render_png(card, file, NULL, &a_size);
    uint8_t *b = render_png(card, with_bytes, NULL, &b_size);
    expect_same_bytes(a, a_size, b, b_size);
    cr_free(a);
    cr_free(b);
    free(photo);
    cr_record_destroy(with_bytes);
    cr_record_destroy(file);
}

/* Every shared photo (16-bit, alpha, CMYK, EXIF-rotated, progressive ...):
 * its bytes render the file's card. */
static void test_shared_photo_bytes(void **state)
{
    if (!test_data_present(PHOTO_DIR, "run from the project root with ../shared beside the "
                                      "checkout"))
        skip();
    static const char *const names[] = {
        "astronaut-512.jpg",  "portrait-16bit.png",       "portrait-358x441.jpg",
        "portrait-alpha.png", "portrait-cmyk.jpg",        "portrait-exif-orientation-6.jpg",
        "portrait-gray.jpg",  "portrait-progressive.jpg",
    };
    cr_template *tpl = load_photo_template();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", PHOTO_DIR, names[i]);
        size_t photo_size;
        void *photo = read_bytes(path, &photo_size);
        cr_record *file = photo_record(names[i], NULL, 0);
        cr_record *bytes = photo_record(NULL, photo, photo_size);
        size_t a_size, b_size;
        uint8_t *a = render_png(tpl, file, PHOTO_DIR, &a_size);
        uint8_t *b = render_png(tpl, bytes, NULL, &b_size);
        print_message("%-32s %zu bytes of PNG\n", names[i], a_size);
        expect_same_bytes(a, a_size, b, b_size);
        cr_free(a);
        cr_free(b);
        cr_record_destroy(bytes);
        cr_record_destroy(file);
        free(photo);
    }
    cr_template_destroy(tpl);
}

/* (4) Nothing is read from the file system for bytes: the asset folder does
 * not exist and the path value names no file, yet the card renders, the
 * same as from the file; the bytes win over the path. An optional image
 * field with bytes and no value shows them. */
static void test_bytes_open_no_file(void **state)
{
    size_t photo_size;
    void *photo = read_bytes(EXAMPLE_PHOTO, &photo_size);
    cr_template *tpl = load_photo_template();
    cr_record *file = photo_record("portrait-358x441.jpg", NULL, 0);
    cr_record *bytes = photo_record("no/such/photo.jpg", photo, photo_size);
    size_t a_size, b_size;
    uint8_t *a = render_png(tpl, file, ASSETS "/photos", &a_size);
    uint8_t *b = render_png(tpl, bytes, "/no/such/folder", &b_size);
    expect_same_bytes(a, a_size, b, b_size);
    cr_free(b);
    cr_record *only_bytes = photo_record(NULL, photo, photo_size);
    b = render_png(tpl, only_bytes, "/no/such/folder", &b_size);
    expect_same_bytes(a, a_size, b, b_size);
    cr_free(b);
    cr_free(a);
    cr_record_destroy(only_bytes);
    cr_record_destroy(bytes);
    cr_record_destroy(file);
    cr_template_destroy(tpl);
    free(photo);
}

/* Renders tpl for record and returns the error (the render must fail). */
static cr_error render_error(const cr_template *tpl, const cr_record *record, const char *asset_dir,
                             uint64_t max_pixels)
{
    cr_render_options options;
    cr_render_options_init(&options);
    options.asset_dir = asset_dir;
    options.max_image_pixels = max_pixels;
    cr_error err;
    cr_image *image = cr_render(engine, tpl, record, &options, &err);
    if (image)
        fail_msg("the render did not fail");
    return err;
}

/* message with the first `from` replaced by `to`. */
static void replace(const char *message, const char *from, const char *to, char *out, size_t size)
{
    const char *at = strstr(message, from);
    assert_non_null(at);
    snprintf(out, size, "%.*s%s%s", (int)(at - message), message, to, at + strlen(from));
}

/* (3) Bad bytes fail as the same bytes in a file do: the same code, the
 * same message with the image named by its key instead of its path. */
static void expect_bytes_fail_like_file(const char *label, const void *data, size_t size,
                                        uint64_t max_pixels)
{
    char dir[64], path[128];
    scratch_dir_make(dir, sizeof dir, "cr-memory");
    snprintf(path, sizeof path, "%s/photo.bin", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    fclose(f);
    cr_template *tpl = load_photo_template();
    cr_record *file = photo_record("photo.bin", NULL, 0);
    cr_record *bytes = photo_record(NULL, data, size);
    cr_error from_file = render_error(tpl, file, dir, max_pixels);
    cr_error from_bytes = render_error(tpl, bytes, dir, max_pixels);
    char expected[1024];
    replace(from_file.message, path, "<image bytes of record key \"photo\">", expected,
            sizeof expected);
    print_message("%-14s %s\n", label, from_bytes.message);
    assert_string_equal(from_bytes.message, expected);
    assert_int_equal(from_bytes.code, from_file.code);
    assert_int_equal(from_bytes.code, CR_ERR_IMAGE);
    assert_int_equal(from_bytes.field_index, 0);
    assert_string_equal(from_bytes.file, "photo.json");
    assert_int_equal(from_bytes.line, from_file.line);
    assert_non_null(strstr(from_bytes.message, "record key \"photo\": <image bytes of record "
                                               "key \"photo\">: "));
    cr_record_destroy(bytes);
    cr_record_destroy(file);
    cr_template_destroy(tpl);
    scratch_dir_remove(dir);
}

static void test_bad_bytes_fail_like_files(void **state)
{
    size_t size;
    uint8_t *jpeg = read_bytes(EXAMPLE_PHOTO, &size);
    expect_bytes_fail_like_file("truncated", jpeg, size / 2, 0);
    expect_bytes_fail_like_file("not an image", "not a photo\n", 12, 0);
    expect_bytes_fail_like_file("too many pixels", jpeg, size, 100000);
    static const uint8_t png_start[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0};
    expect_bytes_fail_like_file("truncated PNG", png_start, sizeof png_start, 0);
    free(jpeg);
}

/* Empty bytes: an image error naming the key (a file says "file is empty"). */
static void test_empty_bytes(void **state)
{
    cr_template *tpl = load_photo_template();
    cr_record *bytes = photo_record(NULL, "", 0);
    cr_error err = render_error(tpl, bytes, NULL, 0);
    assert_int_equal(err.code, CR_ERR_IMAGE);
    assert_string_equal(err.message, "photo.json:2:82: field 0 \"photo\": record key \"photo\": "
                                     "<image bytes of record key \"photo\">: image data is empty "
                                     "(0 bytes)");
    cr_record_destroy(bytes);
    cr_template_destroy(tpl);
}

static void keep_warning(void *data, const cr_error *warning)
{
    snprintf(data, 1024, "%s", warning->message);
}

/* A proof and cr_check_layout decode the bytes too. */
static void test_proof_and_check_layout_use_bytes(void **state)
{
    size_t photo_size;
    void *photo = read_bytes(EXAMPLE_PHOTO, &photo_size);
    cr_template *tpl = load_photo_template();
    cr_record *good = photo_record("nothing.jpg", photo, photo_size);
    cr_record *bad = photo_record(NULL, photo, photo_size / 3);
    cr_proof_options proof;
    cr_proof_options_init(&proof);
    proof.asset_dir = "/no/such/folder";
    cr_error err;
    cr_image *image = cr_render_proof(engine, tpl, good, &proof, &err);
    if (!image)
        fail_msg("%s", err.message);
    cr_image_destroy(image);
    assert_null(cr_render_proof(engine, tpl, bad, &proof, &err));
    assert_int_equal(err.code, CR_ERR_IMAGE);
    assert_non_null(strstr(err.message, "<image bytes of record key \"photo\">: JPEG data is "
                                        "truncated"));
    cr_render_options options;
    cr_render_options_init(&options);
    options.asset_dir = "/no/such/folder";
    options.warning = keep_warning;
    char warning[1024] = "";
    options.warning_data = warning;
    assert_int_equal(cr_check_layout(engine, tpl, good, &options, &err), CR_OK);
    assert_string_equal(warning, "");
    assert_int_equal(cr_check_layout(engine, tpl, bad, &options, &err), CR_OK);
    assert_string_equal(warning, "photo.json:2:82: field 0 \"photo\": the record rec: record key "
                                 "\"photo\": <image bytes of record key \"photo\">: JPEG data "
                                 "is truncated (premature end of data)");
    free(photo);
    cr_record_destroy(bad);
    cr_record_destroy(good);
    cr_template_destroy(tpl);
}

/* -------------------------------------------------------------- cr_check */

typedef struct seen {
    char texts[16][1200];
    char kinds[16][32];
    char details[16][1200];
    int fields[16];
    int lines[16];
    char files[16][256];
    size_t count;
} seen;

static void keep(void *data, const cr_finding *f)
{
    seen *s = data;
    assert_true(s->count < 16);
    snprintf(s->texts[s->count], sizeof s->texts[0], "%s", f->text);
    snprintf(s->kinds[s->count], sizeof s->kinds[0], "%s", f->kind);
    snprintf(s->details[s->count], sizeof s->details[0], "%s", f->detail);
    snprintf(s->files[s->count], sizeof s->files[0], "%s", f->file);
    s->fields[s->count] = f->field_index;
    s->lines[s->count] = f->line;
    s->count++;
}

static void check_into(const cr_template *tpl, const cr_record *record, double safe_mm, seen *s)
{
    memset(s, 0, sizeof *s);
    cr_check_options options;
    cr_check_options_init(&options);
    options.safe_mm = safe_mm;
    options.asset_dir = ASSETS;
    options.finding = keep;
    options.finding_data = s;
    size_t count = 99;
    cr_error err;
    if (cr_check(engine, tpl, record, &options, &count, &err) != CR_OK)
        fail_msg("%s", err.message);
    assert_int_equal(count, s->count);
}

/* (6) An in-memory record's findings: the lines `cardrender check` prints
 * for the same record file, with the record's name as their subject. */
static void test_check_memory_record(void **state)
{
    cr_record *record = record_from_json_file(REC, "applicant 7");
    cr_error err;
    assert_int_equal(
        cr_record_set(record, "name", "欧阳诸葛司马慕容上官端木皇甫长孙宇文令狐", &err), CR_OK);
    assert_int_equal(cr_record_set_image(record, "photo", "not a photo\n", 12, &err), CR_OK);
    cr_record *partial = cr_record_create("partial", &err);
    assert_int_equal(cr_record_set(partial, "name", "张伟", &err), CR_OK);
    seen s;
    check_into(card, record, 0, &s);
    assert_int_equal(s.count, 3);
    assert_string_equal(s.texts[0], "applicant 7: field 9 \"name\": overflows: even at 7.50 pt: "
                                    "needs 2 lines, box holds 1");
    assert_string_equal(s.kinds[0], "overflow");
    assert_string_equal(s.details[0], "overflows: even at 7.50 pt: needs 2 lines, box holds 1");
    assert_int_equal(s.fields[0], 9);
    assert_string_equal(s.files[0], TPL);
    assert_true(s.lines[0] > 0);
    assert_string_equal(s.texts[1],
                        "applicant 7: field 9 \"name\": shrunk from 10.5 to 7.5 pt to fit");
    assert_string_equal(s.kinds[1], "shrunk");
    assert_string_equal(s.texts[2], "applicant 7: field 17 \"photo\": record key \"photo\": "
                                    "<image bytes of record key \"photo\">: not a JPEG or PNG "
                                    "image (looks like text)");
    assert_string_equal(s.kinds[2], "photo");

    check_into(card, partial, 0, &s);
    assert_int_equal(s.count, 8);
    assert_string_equal(s.texts[0], "partial: field 10 \"sex\": the record has no key \"sex\"");
    assert_string_equal(s.kinds[0], "missing_key");
    assert_string_equal(s.texts[7], "partial: field 17 \"photo\": the record has no key \"photo\"");
    /* image bytes alone are the key for an image field */
    assert_int_equal(cr_record_set_image(partial, "photo", "x", 1, &err), CR_OK);
    check_into(card, partial, 0, &s);
    assert_int_equal(s.count, 8);
    assert_string_equal(s.kinds[7], "photo");
    cr_record_destroy(partial);
    cr_record_destroy(record);
}

/* The template's own findings, with the safe margin's three settings. */
static void test_check_template(void **state)
{
    seen s;
    check_into(card, NULL, 0, &s); /* 3 mm */
    assert_int_equal(s.count, 0);
    check_into(card, NULL, -1, &s); /* none */
    assert_int_equal(s.count, 0);
    check_into(card, NULL, 12, &s);
    assert_true(s.count > 0);
    assert_string_equal(s.texts[0], TPL ": field 0 \"label_name\": box [6, 6.2, 8, 3] mm reaches "
                                        "into the 12 mm safe margin");
    assert_string_equal(s.kinds[0], "safe_margin");
    size_t count = 99;
    cr_error err;
    assert_int_equal(cr_check(engine, card, NULL, NULL, &count, &err), CR_OK);
    assert_int_equal(count, 0);
    assert_int_equal(cr_check(NULL, card, NULL, NULL, &count, &err), CR_ERR_ARGUMENT);
    cr_check_options zeroed = {.dpi = 300};
    assert_int_equal(cr_check(engine, card, NULL, &zeroed, NULL, &err), CR_ERR_ARGUMENT);
    cr_check_options bad_dpi;
    cr_check_options_init(&bad_dpi);
    bad_dpi.dpi = 5000;
    assert_int_equal(cr_check(engine, card, NULL, &bad_dpi, NULL, &err), CR_ERR_ARGUMENT);
}

/* ------------------------------------------------------------------- main */

static int setup(void **state)
{
    cr_error err;
    engine = cr_engine_create(NULL, &err);
    card = engine ? cr_template_load_file(engine, TPL, &err) : NULL;
    if (!card)
        fprintf(stderr, "setup: %s\n", err.message);
    return card ? 0 : -1;
}

static int teardown(void **state)
{
    cr_template_destroy(card);
    cr_engine_destroy(engine);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_built_record_renders_like_the_file),
        cmocka_unit_test(test_set_replaces),
        cmocka_unit_test(test_invalid_utf8_is_refused),
        cmocka_unit_test(test_photo_bytes_render_like_the_file),
        cmocka_unit_test(test_shared_photo_bytes),
        cmocka_unit_test(test_bytes_open_no_file),
        cmocka_unit_test(test_bad_bytes_fail_like_files),
        cmocka_unit_test(test_empty_bytes),
        cmocka_unit_test(test_proof_and_check_layout_use_bytes),
        cmocka_unit_test(test_check_memory_record),
        cmocka_unit_test(test_check_template),
    };
    return cmocka_run_group_tests_name("memory", tests, setup, teardown);
}
