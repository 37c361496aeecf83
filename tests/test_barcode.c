/* Barcode fields: the geometry read back from the rendered pixels, never
 * from the code's own numbers. A QR Code's finder pattern is 7 modules
 * across (ISO/IEC 18004), dark 1, light 1, dark 3, light 1, dark 1; a Code
 * 128 symbol starts with a 2-module bar. Measuring those runs in pixels
 * tells the module size, that it is whole, and the quiet zones. The box
 * sizes and the expected modules were computed by hand (below, at each
 * test). The readers' test (tests/python/test_barcode_readers.py) checks
 * that the symbols decode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "support.h"

/* A mid grey card, so the symbol's white quiet zone shows against it. */
#define CARD "{\"version\": 1, \"card\": {\"background\": \"#808080\", \"corner_radius_mm\": 0}, "

typedef struct rendered {
    cr_image *image;
    const uint8_t *pixels;
    int width, height, stride;
} rendered;

static cr_template *load(const char *json, cr_error *err)
{
    return cr_template_load_memory(fixture_engine, json, strlen(json), "barcode.json", ".", err);
}

/* Renders the template for {"d": value} at dpi; NULL with err set when the
 * render fails. */
static cr_image *render_value(const char *json, const char *value, int dpi, cr_error *err)
{
    cr_template *tpl = load(json, err);
    assert_non_null(tpl);
    cr_record *record = cr_record_create("record.json", err);
    assert_non_null(record);
    assert_int_equal(cr_record_set(record, "d", value, err), CR_OK);
    cr_render_options options;
    cr_render_options_init(&options);
    options.dpi = dpi;
    cr_image *image = cr_render(fixture_engine, tpl, record, &options, err);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    return image;
}

static rendered render_ok(const char *json, const char *value, int dpi)
{
    cr_error err;
    cr_image *image = render_value(json, value, dpi, &err);
    if (!image)
        fail_msg("render failed: %s", err.message);
    return (rendered){image, cr_image_pixels(image), cr_image_width(image), cr_image_height(image),
                      cr_image_stride(image)};
}

static const uint8_t *at(const rendered *r, int x, int y)
{
    return r->pixels + (size_t)y * (size_t)r->stride + (size_t)x * 3;
}

static bool is_rgb(const rendered *r, int x, int y, int value)
{
    const uint8_t *p = at(r, x, y);
    return p[0] == value && p[1] == value && p[2] == value;
}

static bool is_black(const rendered *r, int x, int y)
{
    return is_rgb(r, x, y, 0);
}

static bool is_white(const rendered *r, int x, int y)
{
    return is_rgb(r, x, y, 255);
}

/* The first black pixel in reading order. */
static void first_black(const rendered *r, int *x, int *y)
{
    for (*y = 0; *y < r->height; (*y)++)
        for (*x = 0; *x < r->width; (*x)++)
            if (is_black(r, *x, *y))
                return;
    fail_msg("no black pixel");
}

/* Pixels from (x, y) rightwards (dx 1) or downwards (dy 1) while the
 * pixel is black (want_black) or white. */
static int run(const rendered *r, int x, int y, int dx, int dy, bool want_black)
{
    int n = 0;
    while (x < r->width && y < r->height && (want_black ? is_black(r, x, y) : is_white(r, x, y))) {
        n++, x += dx, y += dy;
    }
    return n;
}

/* The finder's runs across its middle row, from its left edge: dark 1,
 * light 1, dark 3, light 1, dark 1 modules. */
static void assert_finder_row(const rendered *r, int x, int y, int module)
{
    static const int modules[] = {1, 1, 3, 1, 1};
    for (int i = 0; i < 5; i++) {
        int length = run(r, x, y, 1, 0, i % 2 == 0);
        assert_int_equal(length, modules[i] * module);
        x += length;
    }
}

/* The top-left finder of a QR Code: its top edge is 7 modules of black, its
 * left edge too, its middle row 1-1-3-1-1; left of it and above it the
 * quiet zone's white, quiet modules wide, then the grey card. */
static void assert_qr_geometry(const rendered *r, int module, int quiet)
{
    int x, y;
    first_black(r, &x, &y);
    assert_int_equal(run(r, x, y, 1, 0, true), 7 * module);
    assert_int_equal(run(r, x, y, 0, 1, true), 7 * module);
    assert_finder_row(r, x, y + 3 * module + module / 2, module);
    assert_true(x >= quiet * module + 1 && y >= quiet * module + 1);
    for (int i = 1; i <= quiet * module; i++) {
        assert_true(is_white(r, x - i, y));
        assert_true(is_white(r, x, y - i));
    }
    assert_true(is_rgb(r, x - quiet * module - 1, y, 128)); /* the card */
    assert_true(is_rgb(r, x, y - quiet * module - 1, 128));
}

/* Inside the symbol every pixel is black or white: no module is cut
 * through a pixel (anti-aliased grey would be). */
static void assert_two_tones(const rendered *r, int x0, int y0, int size)
{
    for (int y = y0; y < y0 + size; y++)
        for (int x = x0; x < x0 + size; x++)
            assert_true(is_black(r, x, y) || is_white(r, x, y));
}

/* ------------------------------------------------------- module sizes */

/* "HELLO" is a version 1 QR Code (21 x 21 modules) at level M; with the
 * standard 4-module quiet zones it is 29 modules across. The box is 30 mm:
 * 354 px at 300 dpi (30 * 300 / 25.4 = 354.3), 709 px at 600 (708.7).
 * 354 / 29 = 12.2 and 709 / 29 = 24.4: modules of 12 and 24 px. */
static const char qr_fit[] = CARD "\"fields\": [{\"type\": \"barcode\", \"name\": \"qr\", "
                                  "\"box_mm\": [10, 10, 30, 30], \"symbology\": \"qrcode\", "
                                  "\"bind\": \"d\"}]}";

static void test_qr_fitted_whole_pixels_300(void **state)
{
    rendered r = render_ok(qr_fit, "HELLO", 300);
    assert_qr_geometry(&r, 12, 4);
    int x, y;
    first_black(&r, &x, &y);
    assert_two_tones(&r, x, y, 21 * 12);
    cr_image_destroy(r.image);
}

static void test_qr_fitted_whole_pixels_600(void **state)
{
    rendered r = render_ok(qr_fit, "HELLO", 600);
    assert_qr_geometry(&r, 24, 4);
    cr_image_destroy(r.image);
}

/* The symbol and its quiet zones are centred in the box, left and top
 * rounded down: 10 mm is 118 px (118.1); the symbol is 29 * 12 = 348 px
 * of the box's 354, so it starts 3 px in, at 121, and its first module 48
 * px further, at 169. */
static void test_qr_centred_in_box(void **state)
{
    rendered r = render_ok(qr_fit, "HELLO", 300);
    int x, y;
    first_black(&r, &x, &y);
    assert_int_equal(x, 169);
    assert_int_equal(y, 169);
    cr_image_destroy(r.image);
}

/* "module_mm": 0.3 mm is 3.54 px at 300 dpi and 7.09 at 600: rounded to 4
 * and 7. */
static const char qr_module[] = CARD "\"fields\": [{\"type\": \"barcode\", \"name\": \"qr\", "
                                     "\"box_mm\": [10, 10, 30, 30], \"symbology\": \"qrcode\", "
                                     "\"module_mm\": 0.3, \"bind\": \"d\"}]}";

static void test_module_mm_rounds_to_whole_pixels(void **state)
{
    rendered r = render_ok(qr_module, "HELLO", 300);
    assert_qr_geometry(&r, 4, 4);
    cr_image_destroy(r.image);
    r = render_ok(qr_module, "HELLO", 600);
    assert_qr_geometry(&r, 7, 4);
    cr_image_destroy(r.image);
}

/* "quiet_zone": 1 module instead of 4 (module 12 px: 354 / 23 = 15.4 would
 * allow 15 px, so the module grows: 15 px). */
static void test_quiet_zone_key(void **state)
{
    static const char json[] = CARD "\"fields\": [{\"type\": \"barcode\", \"name\": \"qr\", "
                                    "\"box_mm\": [10, 10, 30, 30], \"symbology\": \"qrcode\", "
                                    "\"quiet_zone\": 1, \"bind\": \"d\"}]}";
    rendered r = render_ok(json, "HELLO", 300);
    assert_qr_geometry(&r, 15, 1);
    cr_image_destroy(r.image);
}

/* Code 128 "AB": start B, A, B, the check character (11 modules each) and
 * the stop (13): 57 modules, 77 with the two 10-module quiet zones. The box
 * is 40 mm: 472 px at 300 dpi (472.4); 472 / 77 = 6.1: 6 px modules. Start
 * B begins with a 2-module bar; the bars fill the box's height (10 mm:
 * 118 px, from 118 to 236). */
static void test_code128_quiet_zone_and_height(void **state)
{
    static const char json[] = CARD "\"fields\": [{\"type\": \"barcode\", \"name\": \"doc\", "
                                    "\"box_mm\": [10, 10, 40, 10], \"symbology\": \"code128\", "
                                    "\"bind\": \"d\"}]}";
    rendered r = render_ok(json, "AB", 300);
    int x, y;
    first_black(&r, &x, &y);
    assert_int_equal(y, 118);
    assert_int_equal(run(&r, x, y, 0, 1, true), 118);
    assert_int_equal(run(&r, x, y, 1, 0, true), 2 * 6);
    for (int i = 1; i <= 10 * 6; i++)
        assert_true(is_white(&r, x - i, y));
    assert_true(is_rgb(&r, x - 10 * 6 - 1, y, 128));
    cr_image_destroy(r.image);
}

/* ------------------------------------------------------------- errors */

static void assert_render_fails(const char *json, const char *value, const char *const *parts)
{
    cr_error err;
    cr_image *image = render_value(json, value, 300, &err);
    assert_null(image);
    for (size_t i = 0; parts[i]; i++)
        if (!strstr(err.message, parts[i]))
            fail_msg("\"%s\" is not in: %s", parts[i], err.message);
}

/* 2 mm is 24 px (23.6): less than the 29 modules of "HELLO" at 1 px. */
static void test_symbol_too_big_for_box(void **state)
{
    static const char json[] = CARD "\"fields\": [{\"type\": \"barcode\", \"name\": \"tiny\", "
                                    "\"box_mm\": [10, 10, 2, 2], \"symbology\": \"qrcode\", "
                                    "\"bind\": \"d\"}]}";
    static const char *const parts[] = {"barcode.json:1:", "field 0 \"tiny\"", "21 x 21 modules",
                                        "29 x 29 px",      "24 x 24 px",       NULL};
    assert_render_fails(json, "HELLO", parts);
}

/* 1 mm modules are 12 px at 300 dpi: 29 * 12 = 348 px, more than the 20
 * mm box's 236. */
static void test_module_mm_too_big_for_box(void **state)
{
    static const char json[] = CARD "\"fields\": [{\"type\": \"barcode\", \"name\": \"big\", "
                                    "\"box_mm\": [10, 10, 20, 20], \"symbology\": \"qrcode\", "
                                    "\"module_mm\": 1, \"bind\": \"d\"}]}";
    static const char *const parts[] = {"field 0 \"big\"", "\"module_mm\"", "348 x 348 px",
                                        "236 x 236 px", NULL};
    assert_render_fails(json, "HELLO", parts);
}

/* 中 is U+4E2D, the third character, at byte 2. */
static void test_code128_refuses_chinese(void **state)
{
    static const char json[] = CARD "\"fields\": [{\"type\": \"barcode\", \"name\": \"doc\", "
                                    "\"box_mm\": [10, 10, 60, 10], \"symbology\": \"code128\", "
                                    "\"bind\": \"d\"}]}";
    static const char *const parts[] = {"field 0 \"doc\"",     "record key \"d\"", "U+4E2D",
                                        "character 3, byte 2", "Code 128",         NULL};
    assert_render_fails(json, "AB中C", parts);
}

static void test_fixed_text_error_names_text(void **state)
{
    static const char json[] = CARD "\"fields\": [{\"type\": \"barcode\", \"name\": \"fixed\", "
                                    "\"box_mm\": [10, 10, 60, 10], \"symbology\": \"code128\", "
                                    "\"text\": \"Ürümqi\"}]}";
    static const char *const parts[] = {"field 0 \"fixed\"", "\"text\"", "U+00DC",
                                        "character 1, byte 0", NULL};
    assert_render_fails(json, "unused", parts);
}

static void assert_load_fails(const char *json, const char *const *parts)
{
    cr_error err;
    cr_template *tpl = load(json, &err);
    assert_null(tpl);
    for (size_t i = 0; parts[i]; i++)
        if (!strstr(err.message, parts[i]))
            fail_msg("\"%s\" is not in: %s", parts[i], err.message);
}

static void test_load_errors(void **state)
{
    static const char unknown[] =
        "{\"version\": 1, \"fields\": [{\"type\": \"barcode\", \"name\": \"b\",\n"
        " \"box_mm\": [1, 1, 9, 9], \"symbology\": \"ean13\", \"text\": \"1\"}]}";
    static const char *const unknown_parts[] = {"barcode.json:2:39:", "field 0 \"b\"",
                                                "code128, pdf417, qrcode, datamatrix or aztec",
                                                NULL};
    assert_load_fails(unknown, unknown_parts);
    static const char no_ec[] =
        "{\"version\": 1, \"fields\": [{\"type\": \"barcode\", \"name\": \"b\",\n"
        " \"box_mm\": [1, 1, 9, 9], \"symbology\": \"datamatrix\", \"text\": \"1\", "
        "\"error_correction\": 3}]}";
    static const char *const no_ec_parts[] = {"barcode.json:2:", "\"error_correction\"",
                                              "Data Matrix", NULL};
    assert_load_fails(no_ec, no_ec_parts);
    static const char qr_level[] =
        "{\"version\": 1, \"fields\": [{\"type\": \"barcode\", \"name\": \"b\",\n"
        " \"box_mm\": [1, 1, 9, 9], \"symbology\": \"qrcode\", \"text\": \"1\", "
        "\"error_correction\": \"X\"}]}";
    static const char *const qr_parts[] = {"L, M, Q or H", "(got X)", NULL};
    assert_load_fails(qr_level, qr_parts);
    static const char font[] =
        "{\"version\": 1, \"fields\": [{\"type\": \"barcode\", \"name\": \"b\",\n"
        " \"box_mm\": [1, 1, 9, 9], \"symbology\": \"qrcode\", \"text\": \"1\", "
        "\"font\": \"Noto Sans\"}]}";
    static const char *const font_parts[] = {"unknown key \"font\"", NULL};
    assert_load_fails(font, font_parts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qr_fitted_whole_pixels_300),
        cmocka_unit_test(test_qr_fitted_whole_pixels_600),
        cmocka_unit_test(test_qr_centred_in_box),
        cmocka_unit_test(test_module_mm_rounds_to_whole_pixels),
        cmocka_unit_test(test_quiet_zone_key),
        cmocka_unit_test(test_code128_quiet_zone_and_height),
        cmocka_unit_test(test_symbol_too_big_for_box),
        cmocka_unit_test(test_module_mm_too_big_for_box),
        cmocka_unit_test(test_code128_refuses_chinese),
        cmocka_unit_test(test_fixed_text_error_names_text),
        cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, engine_setup, engine_teardown);
}
