/* The public API's contract with programs that link it: options structs
 * grow by struct_size (a program built against an older, shorter struct
 * keeps working and gets the defaults for what it lacks; an uninitialised
 * struct or options this library lacks are refused), accessors take NULL,
 * and CR_VERSION_ATLEAST compares the header's version. Run from the
 * project root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cardrender.h"
#include "support.h"

static const char small_template[] =
    "{\"version\": 1, \"card\": {\"width_mm\": 20, \"height_mm\": 10, \"dpi\": 100},\n"
    " \"fields\": [{\"type\": \"text\", \"name\": \"n\", \"box_mm\": [1, 1, 18, 8], \"bind\": "
    "\"n\",\n"
    "  \"font\": \"OCR B\", \"size_pt\": 10}]}";

static cr_template *load_small(void)
{
    cr_error err;
    cr_template *tpl = cr_template_load_memory(fixture_engine, small_template,
                                               strlen(small_template), "small.json", NULL, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    return tpl;
}

static cr_record *record_of(const char *json)
{
    cr_error err;
    cr_record *record = cr_record_load_memory(json, strlen(json), "r.json", &err);
    if (!record)
        fail_msg("%s", err.message);
    return record;
}

static void test_zeroed_options_are_refused(void **state)
{
    cr_template *tpl = load_small();
    cr_render_options options = {.dpi = 100}; /* struct_size left 0 */
    cr_error err;
    assert_null(cr_render(fixture_engine, tpl, NULL, &options, &err));
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
    assert_string_equal(err.message, "cr_render_options: struct_size is 0: start from "
                                     "cr_render_options_init (or set struct_size to its size)");
    cr_proof_options proof = {.dpi = 100};
    assert_null(cr_render_proof(fixture_engine, tpl, NULL, &proof, &err));
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
    assert_int_equal(cr_check_layout(fixture_engine, tpl, NULL, &options, &err), CR_ERR_ARGUMENT);
    cr_engine_options engine_options = {.font_manifest_path = "fonts/manifest.json"};
    assert_null(cr_engine_create(&engine_options, &err));
    assert_non_null(strstr(err.message, "cr_engine_options: struct_size is 0"));
    cr_template_destroy(tpl);
}

/* The writers with options: a zeroed struct is refused before any file is
 * made; initialised, with fsync, the file is written (the sync itself is
 * seen by tests/outputs.sh through the fault shim). */
static void test_write_options(void **state)
{
    cr_template *tpl = load_small();
    cr_record *record = record_of("{\"n\": \"AB12\"}");
    cr_error err;
    cr_image *image = cr_render(fixture_engine, tpl, record, NULL, &err);
    assert_non_null(image);
    char path[] = "/tmp/cardrender-test-api-XXXXXX.png";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    cr_write_options zeroed = {.fsync = 1};
    assert_int_equal(cr_image_write_png_file_with(image, path, &zeroed, &err), CR_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "cr_write_options: struct_size is 0"));
    assert_int_equal(cr_image_write_panels_with(image, path, &zeroed, &err), CR_ERR_ARGUMENT);
    assert_int_equal(access(path, F_OK), -1);
    cr_write_options options;
    cr_write_options_init(&options);
    options.fsync = 1;
    assert_int_equal(cr_image_write_panels_with(image, path, &options, &err), CR_OK);
    uint8_t *png;
    size_t size;
    assert_int_equal(cr_image_write_png_memory(image, &png, &size, &err), CR_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *written = malloc(size + 1);
    assert_int_equal(fread(written, 1, size + 1, f), size);
    assert_memory_equal(written, png, size);
    fclose(f);
    assert_int_equal(unlink(path), 0);
    free(written);
    free(png);
    cr_image_destroy(image);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* A program built when cr_render_options ended before the printer canvas:
 * its struct is shorter; the library must not read past it (the bytes after
 * it here are garbage, which as a canvas size would be refused) and must use
 * the defaults: the card's own size. */
static void test_older_shorter_options_get_defaults(void **state)
{
    cr_template *tpl = load_small();
    unsigned char bytes[sizeof(cr_render_options)];
    memset(bytes, 0xAB, sizeof bytes);
    cr_render_options older;
    cr_render_options_init(&older);
    older.struct_size = offsetof(cr_render_options, canvas_width);
    memcpy(bytes, &older, older.struct_size);
    cr_record *record = record_of("{\"n\": \"12345\"}");
    cr_error err;
    cr_image *image =
        cr_render(fixture_engine, tpl, record, (const cr_render_options *)bytes, &err);
    if (!image)
        fail_msg("%s", err.message);
    assert_int_equal(cr_image_dpi(image), 100);
    int width, height;
    cr_template_pixel_size(tpl, 100, &width, &height);
    assert_int_equal(cr_image_width(image), width);
    assert_int_equal(cr_image_height(image), height);
    cr_image_destroy(image);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* A program built against a newer header sets an option this library does
 * not know: refused, never ignored; the same tail left zero is fine. */
static void test_newer_options_set_are_refused(void **state)
{
    cr_template *tpl = load_small();
    struct {
        cr_render_options known;
        uint64_t newer_option;
    } newer;
    memset(&newer, 0, sizeof newer);
    cr_render_options_init(&newer.known);
    newer.known.struct_size = sizeof newer;
    cr_record *record = record_of("{\"n\": \"12345\"}");
    cr_error err;
    cr_image *image = cr_render(fixture_engine, tpl, record, &newer.known, &err);
    if (!image)
        fail_msg("%s", err.message);
    cr_image_destroy(image);
    newer.newer_option = 1;
    assert_null(cr_render(fixture_engine, tpl, record, &newer.known, &err));
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "sets options this library"));
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

static void test_init_functions_set_defaults(void **state)
{
    cr_sheet_options sheet;
    memset(&sheet, 0xFF, sizeof sheet);
    cr_sheet_options_init(&sheet);
    assert_int_equal(sheet.struct_size, sizeof sheet);
    assert_int_equal(sheet.columns, 2);
    assert_int_equal(sheet.rows, 4);
    assert_true(sheet.gap_mm == 3.0 && sheet.margin_mm == 6.0);
    assert_int_equal(sheet.back, 0);
    cr_render_options render;
    memset(&render, 0xFF, sizeof render);
    cr_render_options_init(&render);
    assert_int_equal(render.struct_size, sizeof render);
    assert_null(render.asset_dir);
    assert_int_equal(render.dpi, 0);
    cr_proof_options_init(NULL); /* NULL is allowed */
    cr_write_options write;
    memset(&write, 0xFF, sizeof write);
    cr_write_options_init(&write);
    assert_int_equal(write.struct_size, sizeof write);
    assert_int_equal(write.fsync, 0);
}

static void test_accessors_take_null(void **state)
{
    assert_int_equal(cr_image_width(NULL), 0);
    assert_int_equal(cr_image_height(NULL), 0);
    assert_int_equal(cr_image_stride(NULL), 0);
    assert_int_equal(cr_image_dpi(NULL), 0);
    assert_null(cr_image_pixels(NULL));
    assert_null(cr_image_panel(NULL, CR_PANEL_K));
    assert_int_equal(cr_template_dpi(NULL), 0);
    assert_int_equal(cr_template_field_count(NULL), 0);
    assert_null(cr_template_path(NULL));
    assert_null(cr_record_get(NULL, "n"));
    double w = 1, h = 1, r = 1;
    cr_template_card_mm(NULL, &w, &h, &r);
    assert_true(w == 0 && h == 0 && r == 0);
    int pw = 1, ph = 1;
    cr_template_pixel_size(NULL, 300, &pw, &ph);
    assert_true(pw == 0 && ph == 0);
    cr_field_info info;
    assert_int_equal(cr_template_field(NULL, 0, &info), CR_ERR_ARGUMENT);
    assert_string_equal(cr_status_name((cr_status)99), "unknown");
    assert_string_equal(cr_panel_name((cr_panel)7), "unknown");
    cr_image_destroy(NULL);
    cr_record_destroy(NULL);
    cr_template_destroy(NULL);
    cr_engine_destroy(NULL);
}

static void test_version_atleast(void **state)
{
    assert_true(CR_VERSION_ATLEAST(0, 0, 0));
    assert_true(CR_VERSION_ATLEAST(CR_VERSION_MAJOR, CR_VERSION_MINOR, CR_VERSION_PATCH));
    assert_false(CR_VERSION_ATLEAST(CR_VERSION_MAJOR, CR_VERSION_MINOR, CR_VERSION_PATCH + 1));
    assert_false(CR_VERSION_ATLEAST(CR_VERSION_MAJOR, CR_VERSION_MINOR + 1, 0));
    assert_false(CR_VERSION_ATLEAST(CR_VERSION_MAJOR + 1, 0, 0));
    assert_string_equal(cr_version(), CR_VERSION_STRING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeroed_options_are_refused),
        cmocka_unit_test(test_write_options),
        cmocka_unit_test(test_older_shorter_options_get_defaults),
        cmocka_unit_test(test_newer_options_set_are_refused),
        cmocka_unit_test(test_init_functions_set_defaults),
        cmocka_unit_test(test_accessors_take_null),
        cmocka_unit_test(test_version_atleast),
    };
    return cmocka_run_group_tests_name("api", tests, engine_setup, engine_teardown);
}
