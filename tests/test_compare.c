/* The perceptual comparison: what it forgives (sub-pixel shifts) and what it
 * catches (missing strokes, specks, whole-pixel moves, size changes). The
 * pictures are drawn here with the canvas's anti-aliased rectangles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"

enum { WIDTH = 120, HEIGHT = 60 };

static const cr_color white = {255, 255, 255, 255};
static const cr_color ink = {20, 30, 40, 255};

/* Text-like strokes at fractional positions: an "E", an "H", a thin "l" and
 * a dot, roughly what 7 pt text looks like at 300 dpi. */
typedef struct stroke {
    double x, y, width, height, radius;
} stroke;

static const stroke strokes[] = {
    {10.3, 8.4, 2.6, 30.0, 0},      {10.3, 8.4, 16.0, 2.6, 0},   {10.3, 22.1, 13.0, 2.6, 0},
    {10.3, 35.8, 16.0, 2.6, 0},     {34.7, 8.4, 2.6, 30.0, 0},   {49.1, 8.4, 2.6, 30.0, 0},
    {34.7, 22.3, 17.0, 2.4, 0},     {62.2, 6.6, 1.3, 32.0, 0.6}, {72.45, 30.2, 8.0, 8.0, 4.0},
    {88.6, 12.9, 20.0, 20.0, 10.0},
};
enum { STROKE_COUNT = sizeof strokes / sizeof strokes[0], MIDDLE_BAR_OF_E = 2, NONE = -1 };

/* Draws the strokes moved by (dx, dy), leaving out stroke number `skip`. */
static void draw_card(cr_canvas *canvas, int width, int height, double dx, double dy, int skip)
{
    cr_error err;
    if (cr_canvas_init(canvas, width, height, &err) != CR_OK)
        fail_msg("%s", err.message);
    cr_canvas_fill(canvas, white);
    for (int i = 0; i < STROKE_COUNT; i++) {
        const stroke *s = &strokes[i];
        if (i != skip)
            cr_canvas_fill_rounded_rect(canvas, s->x + dx, s->y + dy, s->width, s->height,
                                        s->radius, ink);
    }
}

static uint8_t *pixel(const cr_canvas *canvas, int x, int y)
{
    return canvas->pixels + (size_t)y * (size_t)canvas->stride + (size_t)x * 3;
}

/* Compares two cards drawn with the given differences and frees them. */
static cr_compare_result compare_cards(double dx, double dy, int skip)
{
    cr_canvas expected, actual;
    draw_card(&expected, WIDTH, HEIGHT, 0, 0, NONE);
    draw_card(&actual, WIDTH, HEIGHT, dx, dy, skip);
    cr_compare_result result;
    cr_error err;
    if (cr_compare_images(&expected, &actual, CR_COMPARE_DEFAULT_TOLERANCE, &result, NULL, &err) !=
        CR_OK)
        fail_msg("%s", err.message);
    cr_canvas_free(&expected);
    cr_canvas_free(&actual);
    return result;
}

static void identical_images_score_zero(void **state)
{
    cr_compare_result r = compare_cards(0, 0, NONE);
    assert_true(r.same_size);
    assert_true(r.score == 0.0);
    assert_int_equal(r.differing_pixels, 0);
    assert_true(r.ok);
}

/* The tolerance is the highest score that passes: a score equal to it
 * passes (identical images at tolerance 0, a missing stroke at exactly its
 * own score), one a hair above fails. */
static void score_equal_to_tolerance_passes(void **state)
{
    cr_canvas expected, actual;
    draw_card(&expected, WIDTH, HEIGHT, 0, 0, NONE);
    draw_card(&actual, WIDTH, HEIGHT, 0, 0, MIDDLE_BAR_OF_E);
    cr_compare_result r;
    assert_int_equal(cr_compare_images(&expected, &expected, 0.0, &r, NULL, NULL), CR_OK);
    assert_true(r.ok && r.score == 0.0);
    assert_int_equal(cr_compare_images(&expected, &actual, 0.0, &r, NULL, NULL), CR_OK);
    double score = r.score;
    assert_true(!r.ok && score > 10);
    assert_int_equal(cr_compare_images(&expected, &actual, score, &r, NULL, NULL), CR_OK);
    assert_true(r.ok);
    assert_int_equal(cr_compare_images(&expected, &actual, score * 0.999, &r, NULL, NULL), CR_OK);
    assert_false(r.ok);
    cr_canvas_free(&expected);
    cr_canvas_free(&actual);
}

/* How many bytes a shift changes: a sub-pixel shift must change many. */
static long changed_bytes(double dx, double dy)
{
    cr_canvas a, b;
    draw_card(&a, WIDTH, HEIGHT, 0, 0, NONE);
    draw_card(&b, WIDTH, HEIGHT, dx, dy, NONE);
    long changed = 0;
    for (size_t i = 0; i < (size_t)a.stride * HEIGHT; i++)
        changed += a.pixels[i] != b.pixels[i];
    cr_canvas_free(&a);
    cr_canvas_free(&b);
    return changed;
}

static void quarter_pixel_shift_passes(void **state)
{
    const double shifts[][2] = {{0.25, 0}, {0, 0.25}, {-0.25, 0}, {0.25, 0.25}};
    for (size_t i = 0; i < sizeof shifts / sizeof shifts[0]; i++) {
        cr_compare_result r = compare_cards(shifts[i][0], shifts[i][1], NONE);
        print_message("shift %.2f,%.2f: score %.2f\n", shifts[i][0], shifts[i][1], r.score);
        assert_true(changed_bytes(shifts[i][0], shifts[i][1]) > 100);
        assert_true(r.ok);
    }
}

static void whole_pixel_shift_fails(void **state)
{
    cr_compare_result r = compare_cards(1, 0, NONE);
    print_message("shift 1 px: score %.2f\n", r.score);
    assert_true(r.same_size);
    assert_false(r.ok);
}

static void missing_stroke_fails(void **state)
{
    cr_compare_result r = compare_cards(0, 0, MIDDLE_BAR_OF_E);
    print_message("missing stroke: score %.2f\n", r.score);
    assert_true(r.score > 50);
    assert_true(r.differing_pixels > 13 * 2);
    assert_false(r.ok);
}

static void extra_stroke_fails(void **state)
{
    cr_canvas expected, actual;
    draw_card(&expected, WIDTH, HEIGHT, 0, 0, MIDDLE_BAR_OF_E);
    draw_card(&actual, WIDTH, HEIGHT, 0, 0, NONE);
    cr_compare_result r;
    assert_int_equal(cr_compare_images(&expected, &actual, 15, &r, NULL, NULL), CR_OK);
    assert_true(r.score > 50);
    assert_false(r.ok);
    cr_canvas_free(&expected);
    cr_canvas_free(&actual);
}

/* Puts a gray dot of the given depth on the white background at (x, y). */
static double speck_score(int width, int height, int x, int y, int depth)
{
    cr_canvas expected, actual;
    draw_card(&expected, width, height, 0, 0, NONE);
    draw_card(&actual, width, height, 0, 0, NONE);
    memset(pixel(&actual, x, y), 255 - depth, 3);
    cr_compare_result r;
    assert_int_equal(cr_compare_images(&expected, &actual, 15, &r, NULL, NULL), CR_OK);
    assert_int_equal(r.differing_pixels, 1);
    cr_canvas_free(&expected);
    cr_canvas_free(&actual);
    return r.score;
}

static void speck_scores_above_antialiasing_shift(void **state)
{
    double shift = compare_cards(0.25, 0.25, NONE).score;
    double speck = speck_score(WIDTH, HEIGHT, 115, 55, 48);
    print_message("speck of 48 levels: %.2f, quarter-pixel shift: %.2f\n", speck, shift);
    assert_true(speck > shift);
}

static void score_does_not_depend_on_image_size(void **state)
{
    double small = speck_score(WIDTH, HEIGHT, 115, 55, 48);
    double large = speck_score(8 * WIDTH, 8 * HEIGHT, 700, 400, 48);
    assert_true(small == large);
}

static void different_sizes_never_pass(void **state)
{
    cr_canvas expected, actual, diff;
    draw_card(&expected, WIDTH, HEIGHT, 0, 0, NONE);
    draw_card(&actual, WIDTH + 1, HEIGHT, 0, 0, NONE);
    cr_compare_result r;
    assert_int_equal(cr_compare_images(&expected, &actual, 1000, &r, &diff, NULL), CR_OK);
    assert_false(r.same_size);
    assert_false(r.ok);
    assert_int_equal(diff.width, WIDTH + 1);
    assert_int_equal(diff.height, HEIGHT);
    assert_int_equal(pixel(&diff, WIDTH, 0)[0], 255); /* the extra column is red */
    assert_int_equal(pixel(&diff, WIDTH, 0)[1], 0);
    cr_canvas_free(&diff);
    cr_canvas_free(&expected);
    cr_canvas_free(&actual);
}

static bool is_red(const uint8_t *rgb)
{
    return rgb[0] > 200 && rgb[1] < 100 && rgb[2] < 100;
}

static void diff_shows_missing_stroke_in_red(void **state)
{
    cr_canvas expected, actual, diff;
    draw_card(&expected, WIDTH, HEIGHT, 0, 0, NONE);
    draw_card(&actual, WIDTH, HEIGHT, 0, 0, MIDDLE_BAR_OF_E);
    cr_compare_result r;
    assert_int_equal(cr_compare_images(&expected, &actual, 15, &r, &diff, NULL), CR_OK);
    assert_int_equal(diff.width, WIDTH);
    assert_int_equal(diff.height, HEIGHT);
    const stroke *bar = &strokes[MIDDLE_BAR_OF_E];
    assert_true(is_red(pixel(&diff, (int)(bar->x + bar->width / 2), (int)(bar->y + 1))));
    /* Unchanged ink is faded to gray, background stays near white. */
    const uint8_t *stem = pixel(&diff, 11, 15), *background = pixel(&diff, 5, 5);
    assert_true(stem[0] == stem[1] && stem[1] == stem[2] && stem[0] >= 185 && stem[0] < 255);
    assert_true(background[0] == 255 && background[1] == 255);
    cr_canvas_free(&diff);
    cr_canvas_free(&expected);
    cr_canvas_free(&actual);
}

static void colour_channels_count_separately(void **state)
{
    cr_canvas expected, actual;
    draw_card(&expected, WIDTH, HEIGHT, 0, 0, NONE);
    draw_card(&actual, WIDTH, HEIGHT, 0, 0, NONE);
    /* The same gray level in red and blue swapped: only a colour change. */
    cr_canvas_fill_rounded_rect(&expected, 30, 45, 20, 10, 0, (cr_color){200, 40, 40, 255});
    cr_canvas_fill_rounded_rect(&actual, 30, 45, 20, 10, 0, (cr_color){40, 40, 200, 255});
    cr_compare_result r;
    assert_int_equal(cr_compare_images(&expected, &actual, 15, &r, NULL, NULL), CR_OK);
    assert_false(r.ok);
    cr_canvas_free(&expected);
    cr_canvas_free(&actual);
}

static void bad_arguments_are_refused(void **state)
{
    cr_canvas image, empty = {0}, diff;
    draw_card(&image, WIDTH, HEIGHT, 0, 0, NONE);
    cr_compare_result r;
    cr_error err;
    assert_int_equal(cr_compare_images(&image, &image, -1, &r, &diff, &err), CR_ERR_ARGUMENT);
    assert_null(diff.pixels);
    assert_int_equal(cr_compare_images(&image, &empty, 15, &r, NULL, &err), CR_ERR_ARGUMENT);
    assert_int_equal(cr_compare_images(&image, &image, 15, NULL, NULL, &err), CR_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "compare"));
    cr_canvas_free(&image);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identical_images_score_zero),
        cmocka_unit_test(score_equal_to_tolerance_passes),
        cmocka_unit_test(quarter_pixel_shift_passes),
        cmocka_unit_test(whole_pixel_shift_fails),
        cmocka_unit_test(missing_stroke_fails),
        cmocka_unit_test(extra_stroke_fails),
        cmocka_unit_test(speck_scores_above_antialiasing_shift),
        cmocka_unit_test(score_does_not_depend_on_image_size),
        cmocka_unit_test(different_sizes_never_pass),
        cmocka_unit_test(diff_shows_missing_stroke_in_red),
        cmocka_unit_test(colour_channels_count_separately),
        cmocka_unit_test(bad_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
