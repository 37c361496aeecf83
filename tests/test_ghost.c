/* Ghost images (an image field's "ghost"): the line screen's coverage and
 * the ghost's ink against values worked out here from the definitions, a
 * flat grey photo through a 3-pixel screen whose rows are known exactly,
 * the ghost of the example photo against the same photo shown plainly, and
 * the photo decoded once for both of its images. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "ghost.h"
#include "image.h"
#include "image_fixtures.h"
#include "support.h"

#define EXAMPLE_PHOTO_DIR "examples/records"

static cr_engine *engine;

static int group_setup(void **state)
{
    if (engine_setup(state) != 0)
        return -1;
    engine = fixture_engine;
    return image_temp_setup(state);
}

static int group_teardown(void **state)
{
    image_temp_teardown(state);
    return engine_teardown(state);
}

/* ------------------------------------------------- the line screen */

/* A pixel much narrower than the period: inside the line it is all ink,
 * outside none. */
static void test_screen_sharp_pixels(void **state)
{
    (void)state;
    assert_float_equal(cr_line_screen_coverage(0.0, 0.01, 0.4), 1, 1e-12);
    assert_float_equal(cr_line_screen_coverage(0.19, 0.01, 0.4), 1, 1e-12);
    assert_float_equal(cr_line_screen_coverage(0.21, 0.01, 0.4), 0, 1e-12);
    assert_float_equal(cr_line_screen_coverage(0.5, 0.01, 0.4), 0, 1e-12);
    assert_float_equal(cr_line_screen_coverage(-0.19, 0.01, 0.4), 1, 1e-12);
    assert_float_equal(cr_line_screen_coverage(7.95, 0.01, 0.4), 1, 1e-12);
}

/* A pixel straddling the line's edge at 0.2 periods, half in: half ink. */
static void test_screen_edge_pixel(void **state)
{
    (void)state;
    assert_float_equal(cr_line_screen_coverage(0.2, 0.1, 0.4), 0.5, 1e-12);
    /* A pixel one whole period wide always holds exactly the tone. */
    for (double u = -1; u < 1; u += 0.037)
        assert_float_equal(cr_line_screen_coverage(u, 1.0, 0.3), 0.3, 1e-12);
}

/* Averaged over a period, the screen gives back the tone it was asked for:
 * the ghost keeps the photo's greys, only gathered into lines. */
static void test_screen_keeps_the_tone(void **state)
{
    (void)state;
    for (double tone = 0; tone <= 1.0001; tone += 0.125) {
        double sum = 0;
        int steps = 240;
        for (int i = 0; i < steps; i++)
            sum += cr_line_screen_coverage((i + 0.5) / steps, 1.0 / 7, tone);
        assert_float_equal(sum / steps, fmin(tone, 1), 1e-9);
    }
}

/* ------------------------------------------------------ the ink */

static cr_layer one_pixel_layer(uint8_t r, uint8_t g, uint8_t b, uint8_t a)
{
    cr_layer layer = {{0, 0, 1, 1}, 1, 1, malloc(4), 255};
    assert_non_null(layer.rgba);
    layer.rgba[0] = r;
    layer.rgba[1] = g;
    layer.rgba[2] = b;
    layer.rgba[3] = a;
    return layer;
}

static void expect_ghost_of(const uint8_t in[4], const cr_ghost_paint *ghost, const int out[4])
{
    cr_layer layer = one_pixel_layer(in[0], in[1], in[2], in[3]);
    cr_layer_make_ghost(&layer, ghost);
    for (int c = 0; c < 4; c++)
        if (layer.rgba[c] != out[c])
            fail_msg("ghost of %d,%d,%d,%d: channel %d is %d, expected %d", in[0], in[1], in[2],
                     in[3], c, layer.rgba[c], out[c]);
    free(layer.rgba);
}

/* Premultiplied in, premultiplied out. Luma is Rec. 601:
 * Y = 0.299 R + 0.587 G + 0.114 B; the ink is (alpha - Y), faded. */
static void test_ghost_ink(void **state)
{
    (void)state;
    cr_ghost_paint black_half = {.fade = 0.5, .color = {0, 0, 0, 255}};
    /* White paper in the photo: no ink at all. */
    expect_ghost_of((const uint8_t[]){255, 255, 255, 255}, &black_half, (const int[]){0, 0, 0, 0});
    /* Black: half the ink, 255 * 0.5 = 127.5 -> 128. */
    expect_ghost_of((const uint8_t[]){0, 0, 0, 255}, &black_half, (const int[]){0, 0, 0, 128});
    /* Pure red: Y = 76.245, ink (255 - 76.245) * 0.5 = 89.38 -> 89. */
    expect_ghost_of((const uint8_t[]){255, 0, 0, 255}, &black_half, (const int[]){0, 0, 0, 89});
    /* Half-covered black (a rounded corner's edge): half the ink again. */
    expect_ghost_of((const uint8_t[]){0, 0, 0, 128}, &black_half, (const int[]){0, 0, 0, 64});
    /* A brown ink, no fade, on black: alpha 255, colour the ink's. */
    cr_ghost_paint brown = {.fade = 0, .color = {0x40, 0x20, 0x10, 255}};
    expect_ghost_of((const uint8_t[]){0, 0, 0, 255}, &brown, (const int[]){0x40, 0x20, 0x10, 255});
    /* Mid grey 128 in brown at fade 0.25: alpha (255-128)*0.75 = 95.25 ->
     * 95; colour premultiplied: 64*95/255 = 23.8 -> 24, 32*95/255 = 11.9
     * -> 12, 16*95/255 = 5.96 -> 6. */
    cr_ghost_paint brown_quarter = {.fade = 0.25, .color = {0x40, 0x20, 0x10, 255}};
    expect_ghost_of((const uint8_t[]){128, 128, 128, 255}, &brown_quarter,
                    (const int[]){24, 12, 6, 95});
}

/* ------------------------------------------------ through a render */

static cr_template *load(const char *json)
{
    cr_error err;
    cr_template *tpl =
        cr_template_load_memory(engine, json, strlen(json), "ghost.json", NULL, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    return tpl;
}

static cr_image *render_with(cr_template *tpl, cr_record *record)
{
    cr_render_options options = {.struct_size = sizeof options, .asset_dir = EXAMPLE_PHOTO_DIR};
    cr_error err;
    cr_image *image = cr_render(engine, tpl, record, &options, &err);
    if (!image)
        fail_msg("%s", err.message);
    return image;
}

static cr_record *record_of(const char *json)
{
    cr_error err;
    cr_record *record = cr_record_load_memory(json, strlen(json), "rec.json", &err);
    if (!record)
        fail_msg("%s", err.message);
    return record;
}

static const uint8_t *pixel(const cr_image *image, int x, int y)
{
    return cr_image_pixels(image) + (size_t)y * (size_t)cr_image_stride(image) + (size_t)x * 3;
}

/* A white 60 x 40 mm card: the photo at 26 x 32 mm, a second image of it
 * at 13 x 16 mm, at (30, 2) mm, with `second_keys`, and a small ghost of it
 * at (48, 22) mm, so that all three share one decode whatever the second
 * field is (a photo without a ghost beside it is decoded per field). */
static cr_template *photo_and_second(const char *second_keys)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"version\": 1, \"card\": {\"width_mm\": 60, \"height_mm\": 40, "
             "\"corner_radius_mm\": 0, \"dpi\": 300, \"background\": \"#ffffff\"}, "
             "\"fields\": [{\"type\": \"image\", \"name\": \"photo\", "
             "\"box_mm\": [2, 2, 26, 32], \"bind\": \"photo\"}, "
             "{\"type\": \"image\", \"name\": \"second\", \"box_mm\": [30, 2, 13, 16], "
             "\"bind\": \"photo\"%s}, {\"type\": \"image\", \"name\": \"small\", "
             "\"box_mm\": [48, 22, 6, 7], \"bind\": \"photo\", \"ghost\": {}}]}",
             second_keys);
    return load(json);
}

/* Each pixel of the ghost on white is the plain picture's luma, its ink
 * faded: 255 - (255 - Y) * (1 - fade), within the rounding of the plain
 * picture's 8-bit channels. */
static void test_ghost_of_the_photo(void **state)
{
    (void)state;
    cr_record *record = record_of("{\"photo\": \"photos/portrait-358x441.jpg\"}");
    cr_template *plain = photo_and_second("");
    cr_template *ghost = photo_and_second(", \"ghost\": {\"fade\": 0.6}");
    cr_image *a = render_with(plain, record), *b = render_with(ghost, record);
    int x0 = (int)lround(30 / 25.4 * 300), y0 = (int)lround(2 / 25.4 * 300);
    int x1 = (int)lround(43 / 25.4 * 300), y1 = (int)lround(18 / 25.4 * 300);
    double worst = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = pixel(a, x, y), *q = pixel(b, x, y);
            double luma = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            double expected = 255 - (255 - luma) * 0.4;
            for (int c = 0; c < 3; c++)
                worst = fmax(worst, fabs(q[c] - expected));
        }
    print_message("ghost against the faded luma of the plain picture: worst %.2f\n", worst);
    assert_true(worst <= 1.0);
    /* Outside the ghost's box the two cards are the same. */
    assert_memory_equal(pixel(a, 0, 0), pixel(b, 0, 0), 3 * (size_t)x0);
    cr_image_destroy(a);
    cr_image_destroy(b);
    cr_template_destroy(plain);
    cr_template_destroy(ghost);
    cr_record_destroy(record);
}

/* How many pictures rendering tpl (and freeing it) decodes. */
static uint64_t decodes_rendering(cr_template *tpl, cr_record *record)
{
    uint64_t before = cr_image_decodes_started();
    cr_image_destroy(render_with(tpl, record));
    cr_template_destroy(tpl);
    return cr_image_decodes_started() - before;
}

#define TWO_FIELDS                                                                                 \
    "{\"version\": 1, \"card\": {\"width_mm\": 60, \"height_mm\": 40, \"dpi\": 300}, "             \
    "\"fields\": [{\"type\": \"image\", \"box_mm\": [2, 2, 26, 32], \"bind\": \"photo\"}, "        \
    "{\"type\": \"image\", \"box_mm\": [30, 2, 13, 16], \"bind\": "

/* One decode for the photo and its ghosts; two keys, two decodes. The
 * same key twice without a ghost: each field decodes at its own size, as
 * before ghosts existed (the golden images hold those pixels). */
static void test_photo_decoded_once(void **state)
{
    (void)state;
    cr_record *record = record_of("{\"photo\": \"photos/portrait-358x441.jpg\", "
                                  "\"other\": \"photos/portrait-358x441.jpg\"}");
    assert_int_equal(decodes_rendering(photo_and_second(", \"ghost\": {}"), record), 1);
    assert_int_equal(decodes_rendering(load(TWO_FIELDS "\"other\", \"ghost\": {}}]}"), record), 2);
    assert_int_equal(decodes_rendering(load(TWO_FIELDS "\"photo\"}]}"), record), 2);
    cr_record_destroy(record);
}

/* A flat grey photo (Y = 170: a third of full ink) through a horizontal
 * screen of 0.254 mm, 3 px at 300 dpi: the line of each period is exactly
 * one row wide, centred on the box's first row, so rows 0, 3, 6, ... of the
 * box carry all the (faded) ink and the rows between none. */
static void test_screen_rows_are_exact(void **state)
{
    (void)state;
    enum { W = 40, H = 40 };
    static uint8_t rows[W * H * 3];
    memset(rows, 170, sizeof rows);
    png_spec spec = {.width = W, .height = H, .color_type = PNG_COLOR_TYPE_RGB, .bit_depth = 8};
    buffer png = encode_png(&spec, rows, W * 3);
    cr_record *record = cr_record_create("grey", NULL);
    assert_non_null(record);
    assert_int_equal(cr_record_set_image(record, "photo", png.data, png.size, NULL), CR_OK);
    /* The box starts on a whole pixel: 2.54 mm = 30 px. */
    cr_template *tpl =
        load("{\"version\": 1, \"card\": {\"width_mm\": 20, \"height_mm\": 20, \"dpi\": 300, "
             "\"corner_radius_mm\": 0, \"background\": \"#ffffff\"}, \"fields\": [{\"type\": "
             "\"image\", \"box_mm\": [2.54, 2.54, 10.16, 10.16], \"bind\": \"photo\", "
             "\"ghost\": {\"fade\": 0.2, \"line_screen\": {\"period_mm\": 0.254}}}]}");
    cr_image *image = render_with(tpl, record);
    /* Ink on a line row: alpha 255 * 0.8 = 204 of black on white -> 51. */
    for (int y = 30; y < 150; y++)
        for (int x = 30; x < 150; x++) {
            int expected = (y - 30) % 3 == 0 ? 51 : 255;
            const uint8_t *p = pixel(image, x, y);
            if (p[0] != expected || p[1] != expected || p[2] != expected)
                fail_msg("pixel (%d, %d) is %d,%d,%d, expected grey %d", x, y, p[0], p[1], p[2],
                         expected);
        }
    cr_image_destroy(image);
    cr_template_destroy(tpl);
    cr_record_destroy(record);
    buffer_free(&png);
}

/* ------------------------------------------------------- the keys */

static void expect_load_error(const char *ghost, const char *message)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"version\": 1, \"card\": {\"width_mm\": 60, \"height_mm\": 40, \"dpi\": 300}, "
             "\"fields\": [{\"type\": \"image\", \"box_mm\": [2, 2, 26, 32], \"bind\": "
             "\"photo\", \"ghost\": %s}]}",
             ghost);
    cr_error err;
    cr_template *tpl =
        cr_template_load_memory(engine, json, strlen(json), "ghost.json", NULL, &err);
    if (tpl)
        fail_msg("ghost %s loaded", ghost);
    if (!strstr(err.message, message))
        fail_msg("ghost %s: message \"%s\" lacks \"%s\"", ghost, err.message, message);
}

static void test_bad_keys(void **state)
{
    (void)state;
    expect_load_error("true", "\"ghost\" must be an object, not a boolean");
    expect_load_error("{\"fade\": 1.5}", "\"fade\"");
    expect_load_error("{\"colour\": \"#000000\"}", "colour");
    expect_load_error("{\"line_screen\": {}}", "\"period_mm\"");
    expect_load_error("{\"line_screen\": {\"period_mm\": 0.01}}", "\"period_mm\"");
    expect_load_error("{\"color\": \"grey\"}", "\"color\" must be \"#rrggbb\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screen_sharp_pixels),   cmocka_unit_test(test_screen_edge_pixel),
        cmocka_unit_test(test_screen_keeps_the_tone), cmocka_unit_test(test_ghost_ink),
        cmocka_unit_test(test_ghost_of_the_photo),    cmocka_unit_test(test_photo_decoded_once),
        cmocka_unit_test(test_screen_rows_are_exact), cmocka_unit_test(test_bad_keys),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
