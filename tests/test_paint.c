/* Painting pictures and shapes: fit geometry (every mode, focus, turns),
 * rect and line coverage, opacity and alpha compositing, each against values
 * worked out here from the definitions, not taken from the code. The
 * portrait-alpha.png case reads ../shared/data/photos (skipped when absent). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "support.h"
#include "image.h"
#include "paint.h"
#include "raster.h"
#include "resample.h"

#define PHOTO_DIR "../shared/data/photos"

static const cr_color WHITE = {255, 255, 255, 255};
static const cr_color BLACK = {0, 0, 0, 255};
static const cr_color RED = {255, 0, 0, 255};
static const cr_color BLUE = {0, 0, 255, 255};

/* ------------------------------------------------------------ helpers */

static cr_canvas white_canvas(int width, int height)
{
    cr_canvas canvas;
    assert_int_equal(cr_canvas_init(&canvas, width, height, NULL), CR_OK);
    cr_canvas_fill(&canvas, WHITE);
    return canvas;
}

static const uint8_t *pixel(const cr_canvas *c, int x, int y)
{
    return c->pixels + (size_t)y * (size_t)c->stride + (size_t)x * 3;
}

static void expect_pixel(const cr_canvas *c, int x, int y, int r, int g, int b)
{
    const uint8_t *p = pixel(c, x, y);
    if (p[0] != r || p[1] != g || p[2] != b)
        fail_msg("pixel (%d, %d) is %d,%d,%d, expected %d,%d,%d", x, y, p[0], p[1], p[2], r, g, b);
}

/* Ink on a white canvas painted black, in pixels' worth of full coverage. */
static double ink(const cr_canvas *c)
{
    double sum = 0;
    for (int y = 0; y < c->height; y++)
        for (int x = 0; x < c->width; x++)
            sum += (255 - pixel(c, x, y)[0]) / 255.0;
    return sum;
}

/* A pixmap whose every pixel is distinct: R = x, G = y, B = 7 x + 3 y. */
static cr_pixmap numbered_pixmap(int width, int height)
{
    cr_pixmap p;
    assert_int_equal(cr_pixmap_init(&p, width, height, NULL), CR_OK);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            uint8_t *px = cr_pixmap_at(&p, x, y);
            px[0] = (uint8_t)(x * 10), px[1] = (uint8_t)(y * 10), px[2] = (uint8_t)(7 * x + 3 * y);
            px[3] = 255;
        }
    return p;
}

static cr_pixmap solid_pixmap(int width, int height, cr_color color)
{
    cr_pixmap p;
    assert_int_equal(cr_pixmap_init(&p, width, height, NULL), CR_OK);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            uint8_t *px = cr_pixmap_at(&p, x, y);
            px[0] = color.r, px[1] = color.g, px[2] = color.b, px[3] = color.a;
        }
    return p;
}

static void expect_rect(cr_rectd r, double x, double y, double w, double h)
{
    if (fabs(r.x - x) > 1e-9 || fabs(r.y - y) > 1e-9 || fabs(r.width - w) > 1e-9 ||
        fabs(r.height - h) > 1e-9)
        fail_msg("source (%.6f, %.6f, %.6f x %.6f), expected (%.6f, %.6f, %.6f x %.6f)", r.x, r.y,
                 r.width, r.height, x, y, w, h);
}

static void expect_box(cr_pixel_box b, int x0, int y0, int x1, int y1)
{
    if (b.x0 != x0 || b.y0 != y0 || b.x1 != x1 || b.y1 != y1)
        fail_msg("target (%d, %d)-(%d, %d), expected (%d, %d)-(%d, %d)", b.x0, b.y0, b.x1, b.y1, x0,
                 y0, x1, y1);
}

static cr_image_paint paint_in(cr_pixel_box box, cr_image_fit fit)
{
    return (cr_image_paint){
        .box = box, .fit = fit, .focus_x = 0.5, .focus_y = 0.5, .none_scale = 1, .opacity = 1};
}

/* ----------------------------------------------------- fit geometry */

/* A 358 x 441 portrait in a 100 x 100 box at (10, 20). */
static const cr_pixel_box square_box = {10, 20, 110, 120};

static void test_place_cover(void **state)
{
    /* Scale 100 / 358 fills the width; 358 of the 441 rows show. */
    cr_image_placement p = cr_image_place(358, 441, square_box, CR_IMAGE_COVER, 0.5, 0.5, 1);
    expect_box(p.target, 10, 20, 110, 120);
    expect_rect(p.source, 0, (441 - 358) / 2.0, 358, 358);
    p = cr_image_place(358, 441, square_box, CR_IMAGE_COVER, 0.5, 0, 1);
    expect_rect(p.source, 0, 0, 358, 358);
    p = cr_image_place(358, 441, square_box, CR_IMAGE_COVER, 0.5, 1, 1);
    expect_rect(p.source, 0, 441 - 358, 358, 358);
    p = cr_image_place(358, 441, square_box, CR_IMAGE_COVER, 0.5, 0.25, 1);
    expect_rect(p.source, 0, (441 - 358) * 0.25, 358, 358);
    /* A wide picture loses its sides instead. */
    p = cr_image_place(400, 100, square_box, CR_IMAGE_COVER, 0.5, 0.5, 1);
    expect_rect(p.source, 150, 0, 100, 100);
}

static void test_place_contain(void **state)
{
    /* Scale 100 / 441: 81.18 px wide, centred at x = 19.41 -> pixels 19..101. */
    cr_image_placement p = cr_image_place(358, 441, square_box, CR_IMAGE_CONTAIN, 0.5, 0.5, 1);
    expect_box(p.target, 19, 20, 101, 120);
    expect_rect(p.source, 0, 0, 358, 441); /* the rounding is absorbed by the edges */
    /* Focus 0 keeps the left edges together: 10 + 81.18 -> 91. */
    p = cr_image_place(358, 441, square_box, CR_IMAGE_CONTAIN, 0, 0.5, 1);
    expect_box(p.target, 10, 20, 91, 120);
    expect_rect(p.source, 0, 0, 81 * 4.41, 441);
    p = cr_image_place(358, 441, square_box, CR_IMAGE_CONTAIN, 1, 0.5, 1);
    expect_box(p.target, 29, 20, 110, 120);
}

static void test_place_stretch(void **state)
{
    cr_image_placement p = cr_image_place(358, 441, square_box, CR_IMAGE_STRETCH, 0, 1, 1);
    expect_box(p.target, 10, 20, 110, 120);
    expect_rect(p.source, 0, 0, 358, 441);
}

static void test_place_none(void **state)
{
    /* One picture pixel per canvas pixel: the middle 100 x 100 shows. */
    cr_image_placement p = cr_image_place(358, 441, square_box, CR_IMAGE_NONE, 0.5, 0.5, 1);
    expect_box(p.target, 10, 20, 110, 120);
    expect_rect(p.source, 129, 170.5, 100, 100);
    /* Two canvas pixels per picture pixel: half as much shows. */
    p = cr_image_place(358, 441, square_box, CR_IMAGE_NONE, 0.5, 0.5, 2);
    expect_rect(p.source, 154, 195.5, 50, 50);
    p = cr_image_place(358, 441, square_box, CR_IMAGE_NONE, 1, 0, 1);
    expect_rect(p.source, 258, 0, 100, 100);
    /* A small picture sits in the box at its own size. */
    p = cr_image_place(10, 20, square_box, CR_IMAGE_NONE, 0, 1, 1);
    expect_box(p.target, 10, 100, 20, 120);
    expect_rect(p.source, 0, 0, 10, 20);
    p = cr_image_place(10, 20, square_box, CR_IMAGE_NONE, 0.5, 0.5, 1);
    expect_box(p.target, 55, 60, 65, 80);
}

static void test_place_degenerate(void **state)
{
    const cr_pixel_box empty = {5, 5, 5, 10};
    assert_true(
        cr_pixel_box_empty(cr_image_place(10, 10, empty, CR_IMAGE_COVER, 0.5, 0.5, 1).target));
    assert_true(
        cr_pixel_box_empty(cr_image_place(0, 10, square_box, CR_IMAGE_COVER, 0.5, 0.5, 1).target));
    cr_pixel_box b = cr_pixel_box_round(1.5, 2.49, 10.2, 3.0);
    expect_box(b, 2, 2, 12, 5);
}

/* ------------------------------------------------------- picture paint */

/* At one picture pixel per canvas pixel every pixel arrives unchanged,
 * turned as asked: clockwise, (x, y) -> (h - 1 - y, x) for one quarter. */
static void test_turns_move_pixels(void **state)
{
    cr_pixmap picture = numbered_pixmap(3, 2);
    for (int turns = 0; turns < 4; turns++) {
        int w = turns % 2 ? 2 : 3, h = turns % 2 ? 3 : 2;
        cr_canvas canvas = white_canvas(6, 6);
        cr_image_paint paint = paint_in((cr_pixel_box){1, 2, 1 + w, 2 + h}, CR_IMAGE_STRETCH);
        paint.quarter_turns = turns;
        assert_int_equal(cr_paint_image(&canvas, &picture, &paint, NULL), CR_OK);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++) {
                int cx, cy;
                switch (turns) {
                case 1:
                    cx = 1 - y, cy = x;
                    break;
                case 2:
                    cx = 2 - x, cy = 1 - y;
                    break;
                case 3:
                    cx = y, cy = 2 - x;
                    break;
                default:
                    cx = x, cy = y;
                }
                const uint8_t *src = cr_pixmap_at(&picture, x, y);
                expect_pixel(&canvas, 1 + cx, 2 + cy, src[0], src[1], src[2]);
            }
        expect_pixel(&canvas, 0, 0, 255, 255, 255);
        cr_canvas_free(&canvas);
    }
    cr_pixmap_free(&picture);
}

/* Turning while fitting gives what turning first and then fitting gives
 * (the engine turns only the small scaled result). */
static void test_turn_then_cover_matches(void **state)
{
    cr_pixmap picture;
    assert_int_equal(cr_pixmap_init(&picture, 90, 60, NULL), CR_OK);
    for (int y = 0; y < 60; y++)
        for (int x = 0; x < 90; x++) {
            uint8_t *px = cr_pixmap_at(&picture, x, y);
            px[0] = (uint8_t)(x * 255 / 89), px[1] = (uint8_t)(y * 255 / 59);
            px[2] = (uint8_t)((x / 10 + y / 10) % 2 ? 200 : 40), px[3] = 255;
        }
    for (int turns = 1; turns < 4; turns++) {
        cr_pixmap turned;
        assert_int_equal(cr_pixmap_rotate90(&picture, turns, &turned, NULL), CR_OK);
        cr_canvas a = white_canvas(50, 50), b = white_canvas(50, 50);
        cr_image_paint paint = paint_in((cr_pixel_box){3, 4, 40, 47}, CR_IMAGE_COVER);
        paint.focus_x = 0.2, paint.focus_y = 0.7;
        paint.quarter_turns = turns;
        assert_int_equal(cr_paint_image(&a, &picture, &paint, NULL), CR_OK);
        paint.quarter_turns = 0;
        assert_int_equal(cr_paint_image(&b, &turned, &paint, NULL), CR_OK);
        int worst = 0;
        for (int i = 0; i < 50 * 50 * 3; i++)
            worst = abs(a.pixels[i] - b.pixels[i]) > worst ? abs(a.pixels[i] - b.pixels[i]) : worst;
        print_message("turns %d: largest difference %d (limit 1)\n", turns, worst);
        assert_true(worst <= 1); /* measured 0 */
        cr_canvas_free(&a);
        cr_canvas_free(&b);
        cr_pixmap_free(&turned);
    }
    cr_pixmap_free(&picture);
}

/* Contain pads the rest of the box; the picture sits in the middle. */
static void test_contain_pads(void **state)
{
    cr_pixmap picture = solid_pixmap(10, 20, RED);
    cr_canvas canvas = white_canvas(24, 24);
    cr_image_paint paint = paint_in((cr_pixel_box){2, 2, 22, 22}, CR_IMAGE_CONTAIN);
    paint.pad = BLUE;
    assert_int_equal(cr_paint_image(&canvas, &picture, &paint, NULL), CR_OK);
    expect_pixel(&canvas, 1, 10, 255, 255, 255); /* outside the box */
    expect_pixel(&canvas, 2, 10, 0, 0, 255);     /* pad */
    expect_pixel(&canvas, 6, 10, 0, 0, 255);
    expect_pixel(&canvas, 7, 2, 255, 0, 0); /* picture: x 7..16 */
    expect_pixel(&canvas, 16, 21, 255, 0, 0);
    expect_pixel(&canvas, 17, 10, 0, 0, 255);
    expect_pixel(&canvas, 21, 21, 0, 0, 255);
    expect_pixel(&canvas, 22, 22, 255, 255, 255);
    cr_canvas_free(&canvas);
    cr_pixmap_free(&picture);
}

/* Opacity fades pad and picture together; the values follow from the
 * definition: alpha = round(0.25 * 255) = 64, out = round(in * 191 / 255 +
 * colour * 64 / 255). */
static void test_image_opacity(void **state)
{
    cr_pixmap picture = solid_pixmap(4, 4, BLACK);
    cr_canvas canvas = white_canvas(8, 8);
    cr_image_paint paint = paint_in((cr_pixel_box){2, 2, 6, 6}, CR_IMAGE_STRETCH);
    paint.opacity = 0.25;
    assert_int_equal(cr_paint_image(&canvas, &picture, &paint, NULL), CR_OK);
    int v = (int)lround(255 * 191 / 255.0);
    expect_pixel(&canvas, 3, 3, v, v, v);
    expect_pixel(&canvas, 1, 1, 255, 255, 255);
    paint.opacity = 0;
    cr_canvas_free(&canvas);
    canvas = white_canvas(8, 8);
    assert_int_equal(cr_paint_image(&canvas, &picture, &paint, NULL), CR_OK);
    expect_pixel(&canvas, 3, 3, 255, 255, 255);
    cr_canvas_free(&canvas);
    cr_pixmap_free(&picture);
}

/* The rounded clip takes the corners off and leaves the middle alone. */
static void test_image_rounded_clip(void **state)
{
    cr_pixmap picture = solid_pixmap(8, 8, BLACK);
    cr_canvas canvas = white_canvas(40, 40);
    cr_image_paint paint = paint_in((cr_pixel_box){0, 0, 40, 40}, CR_IMAGE_COVER);
    paint.corner_radius = 10;
    assert_int_equal(cr_paint_image(&canvas, &picture, &paint, NULL), CR_OK);
    expect_pixel(&canvas, 0, 0, 255, 255, 255);
    expect_pixel(&canvas, 39, 39, 255, 255, 255);
    expect_pixel(&canvas, 20, 0, 0, 0, 0);
    expect_pixel(&canvas, 20, 20, 0, 0, 0);
    double expected = 40 * 40 - (4 - M_PI) * 100;
    print_message("rounded clip ink %.2f, exact %.2f\n", ink(&canvas), expected);
    assert_true(fabs(ink(&canvas) - expected) < 2.0); /* 8-bit coverage rounding */
    cr_canvas_free(&canvas);
    cr_pixmap_free(&picture);
}

static void test_image_adjust(void **state)
{
    cr_pixmap picture = solid_pixmap(4, 4, RED);
    cr_canvas canvas = white_canvas(4, 4);
    cr_image_paint paint = paint_in((cr_pixel_box){0, 0, 4, 4}, CR_IMAGE_STRETCH);
    paint.adjust.grayscale = true;
    assert_int_equal(cr_paint_image(&canvas, &picture, &paint, NULL), CR_OK);
    int luma = (int)lround(0.299 * 255);
    expect_pixel(&canvas, 2, 2, luma, luma, luma);
    paint.adjust = (cr_adjustments){.brightness = 0.2};
    assert_int_equal(cr_paint_image(&canvas, &picture, &paint, NULL), CR_OK);
    expect_pixel(&canvas, 2, 2, 255, 51, 51);
    cr_canvas_free(&canvas);
    cr_pixmap_free(&picture);
}

/* Opaque noise, every pixel different: a row or column out of place shows. */
static cr_pixmap noise_pixmap(int width, int height)
{
    cr_pixmap p;
    assert_int_equal(cr_pixmap_init(&p, width, height, NULL), CR_OK);
    uint32_t state = 12345;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            uint8_t *px = cr_pixmap_at(&p, x, y);
            for (int c = 0; c < 3; c++) {
                state = state * 1664525u + 1013904223u;
                px[c] = (uint8_t)(state >> 24);
            }
            px[3] = 255;
        }
    return p;
}

/* Artwork at the card's dpi lands pixel for pixel. Between the rounded
 * corners each canvas pixel is the picture's own (an opaque pixel over
 * anything is itself); outside the box nothing changes; and the whole
 * canvas equals the general path (one layer composed for the whole clip,
 * then blended), at full opacity and at half. */
static void test_picture_shown_pixel_for_pixel(void **state)
{
    const int width = 101, height = 67, left = 3, top = 2, radius = 9;
    cr_pixmap picture = noise_pixmap(width, height);
    cr_image_paint paint =
        paint_in((cr_pixel_box){left, top, left + width, top + height}, CR_IMAGE_COVER);
    paint.corner_radius = radius;
    for (int half = 0; half < 2; half++) {
        paint.opacity = half ? 0.5 : 1;
        cr_canvas painted = white_canvas(110, 75), general = white_canvas(110, 75);
        assert_int_equal(cr_paint_image(&painted, &picture, &paint, NULL), CR_OK);
        cr_layer layer;
        assert_int_equal(
            cr_compose_image((cr_pixel_box){0, 0, 110, 75}, &picture, &paint, &layer, NULL), CR_OK);
        cr_layer_blend(&layer, &general);
        cr_layer_free(&layer);
        assert_memory_equal(painted.pixels, general.pixels, (size_t)painted.stride * 75);
        for (int y = top + radius + 1; !half && y < top + height - radius - 1; y++)
            for (int x = 0; x < width; x++) {
                const uint8_t *want = cr_pixmap_at(&picture, x, y - top);
                expect_pixel(&painted, left + x, y, want[0], want[1], want[2]);
            }
        expect_pixel(&painted, left - 1, 30, 255, 255, 255);
        expect_pixel(&painted, left + width, 30, 255, 255, 255);
        expect_pixel(&painted, 50, top + height, 255, 255, 255);
        cr_canvas_free(&painted);
        cr_canvas_free(&general);
    }
    cr_pixmap_free(&picture);
}

/* A box that runs off the canvas is clipped, not refused. */
static void test_image_off_canvas(void **state)
{
    cr_pixmap picture = solid_pixmap(4, 4, BLACK);
    cr_canvas canvas = white_canvas(10, 10);
    cr_image_paint paint = paint_in((cr_pixel_box){-5, 6, 5, 16}, CR_IMAGE_STRETCH);
    assert_int_equal(cr_paint_image(&canvas, &picture, &paint, NULL), CR_OK);
    expect_pixel(&canvas, 0, 9, 0, 0, 0);
    expect_pixel(&canvas, 4, 6, 0, 0, 0);
    expect_pixel(&canvas, 5, 6, 255, 255, 255);
    paint.box = (cr_pixel_box){20, 20, 30, 30};
    assert_int_equal(cr_paint_image(&canvas, &picture, &paint, NULL), CR_OK);
    cr_canvas_free(&canvas);
    cr_pixmap_free(&picture);
}

/* A box far larger than the canvas scales only what lands on the canvas,
 * and samples it where the whole would have been sampled. */
static void test_huge_box_scales_only_the_canvas(void **state)
{
    cr_pixmap picture = numbered_pixmap(20, 20);
    cr_canvas small = white_canvas(10, 10), big = white_canvas(200, 200);
    /* On the big canvas the whole 200 x 200 box shows; crop its middle. */
    cr_image_paint paint = paint_in((cr_pixel_box){-95, -95, 105, 105}, CR_IMAGE_COVER);
    assert_int_equal(cr_paint_image(&small, &picture, &paint, NULL), CR_OK);
    paint.box = (cr_pixel_box){0, 0, 200, 200};
    assert_int_equal(cr_paint_image(&big, &picture, &paint, NULL), CR_OK);
    for (int y = 0; y < 10; y++)
        for (int x = 0; x < 10; x++) {
            const uint8_t *want = pixel(&big, 95 + x, 95 + y);
            expect_pixel(&small, x, y, want[0], want[1], want[2]);
        }
    paint.box = cr_pixel_box_round(-1e12, -1e300, 2e12, INFINITY);
    assert_int_equal(cr_paint_image(&small, &picture, &paint, NULL), CR_OK);
    cr_canvas_free(&small);
    cr_canvas_free(&big);
    cr_pixmap_free(&picture);
}

/* ------------------------------------------------- alpha compositing */

/* Straight-alpha "over" in real numbers: the reference. */
static double over_reference(double colour, double alpha, double background)
{
    return colour * alpha / 255.0 + background * (1 - alpha / 255.0);
}

/* Artwork under the picture: a diagonal ramp in every channel. */
static cr_canvas artwork_canvas(int width, int height)
{
    cr_canvas canvas;
    assert_int_equal(cr_canvas_init(&canvas, width, height, NULL), CR_OK);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            uint8_t *px = canvas.pixels + (size_t)y * (size_t)canvas.stride + (size_t)x * 3;
            px[0] = (uint8_t)((x + y) % 256), px[1] = (uint8_t)(255 - x % 256);
            px[2] = (uint8_t)((3 * y) % 256);
        }
    return canvas;
}

/* Paints picture 1:1 over artwork and compares every channel of every pixel
 * with the real-number reference: largest difference and mean. */
static void expect_composite(const cr_pixmap *picture, double opacity, int max_allowed,
                             double mean_allowed)
{
    cr_canvas canvas = artwork_canvas(picture->width, picture->height);
    cr_canvas background = artwork_canvas(picture->width, picture->height);
    cr_image_paint paint =
        paint_in((cr_pixel_box){0, 0, picture->width, picture->height}, CR_IMAGE_STRETCH);
    paint.opacity = opacity;
    assert_int_equal(cr_paint_image(&canvas, picture, &paint, NULL), CR_OK);
    int worst = 0;
    double sum = 0;
    for (int y = 0; y < picture->height; y++)
        for (int x = 0; x < picture->width; x++) {
            const uint8_t *src = cr_pixmap_at(picture, x, y);
            for (int c = 0; c < 3; c++) {
                double want = over_reference(src[c], src[3] * opacity, pixel(&background, x, y)[c]);
                double diff = fabs(pixel(&canvas, x, y)[c] - want);
                worst = diff > worst ? (int)ceil(diff - 0.5) : worst;
                sum += diff;
            }
        }
    double mean = sum / (3.0 * picture->width * picture->height);
    print_message("opacity %.2f: largest difference %d (limit %d), mean %.3f (limit %.2f)\n",
                  opacity, worst, max_allowed, mean, mean_allowed);
    assert_true(worst <= max_allowed);
    assert_true(mean <= mean_allowed);
    cr_canvas_free(&canvas);
    cr_canvas_free(&background);
}

/* Every alpha value over every colour channel value, no shared files. */
static void test_alpha_ramp_over_artwork(void **state)
{
    cr_pixmap picture;
    assert_int_equal(cr_pixmap_init(&picture, 256, 64, NULL), CR_OK);
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 256; x++) {
            uint8_t *px = cr_pixmap_at(&picture, x, y);
            px[3] = (uint8_t)x;
            px[0] = x ? (uint8_t)(y * 4) : 0, px[1] = x ? (uint8_t)(255 - y * 4) : 0;
            px[2] = x ? 128 : 0;
        }
    /* The resampler premultiplies and back: one step of rounding at most.
     * Rounding exact values to whole numbers alone averages 0.25; measured
     * means 0.33 and 0.30. */
    expect_composite(&picture, 1.0, 1, 0.4);
    expect_composite(&picture, 0.6, 1, 0.4);
    cr_pixmap_free(&picture);
}

static void test_portrait_alpha_over_artwork(void **state)
{
    if (!test_data_present(PHOTO_DIR,
                           "run from the project root with ../shared beside the checkout"))
        skip();
    cr_pixmap picture;
    cr_error err;
    if (cr_image_decode_file(PHOTO_DIR "/portrait-alpha.png", NULL, &picture, &err) != CR_OK)
        fail_msg("%s", err.message);
    expect_composite(&picture, 1.0, 1, 0.05); /* measured 0.002: mostly opaque or clear */
    expect_composite(&picture, 0.5, 1, 0.3);  /* measured 0.151 */
    cr_pixmap_free(&picture);
}

/* -------------------------------------------------------------- rects */

static void test_rect_exact_area(void **state)
{
    cr_canvas canvas = white_canvas(10, 6);
    cr_rect_paint rect = {
        .x = 2.5, .y = 1.25, .width = 3, .height = 2, .fill = BLACK, .opacity = 1};
    assert_int_equal(cr_paint_rect(&canvas, &rect, NULL), CR_OK);
    /* Column 2 is half covered, rows 1 and 3 three quarters and a quarter:
     * coverage c paints 255 - round(255 c) (to 8 bits, then over white). */
    expect_pixel(&canvas, 3, 2, 0, 0, 0);
    expect_pixel(&canvas, 2, 2, 127, 127, 127);
    expect_pixel(&canvas, 3, 1, 64, 64, 64);
    expect_pixel(&canvas, 3, 3, 191, 191, 191);
    expect_pixel(&canvas, 2, 1, 159, 159, 159); /* 0.5 * 0.75 = 0.375 */
    expect_pixel(&canvas, 6, 2, 255, 255, 255);
    assert_true(fabs(ink(&canvas) - 6.0) < 0.02);
    cr_canvas_free(&canvas);
}

static void test_rect_rounded_area(void **state)
{
    cr_canvas canvas = white_canvas(40, 30);
    cr_rect_paint rect = {
        .x = 5, .y = 5, .width = 30, .height = 20, .corner_radius = 6, .fill = BLACK, .opacity = 1};
    assert_int_equal(cr_paint_rect(&canvas, &rect, NULL), CR_OK);
    double expected = 30 * 20 - (4 - M_PI) * 36;
    print_message("rounded rect ink %.3f, exact %.3f\n", ink(&canvas), expected);
    assert_true(fabs(ink(&canvas) - expected) < 0.5);
    expect_pixel(&canvas, 5, 5, 255, 255, 255);
    expect_pixel(&canvas, 20, 5, 0, 0, 0);
    cr_canvas_free(&canvas);
}

/* The stroke lies inside the box; the fill keeps to the rest. */
static void test_rect_stroke_inside(void **state)
{
    cr_canvas canvas = white_canvas(24, 14);
    cr_rect_paint rect = {.x = 2,
                          .y = 2,
                          .width = 20,
                          .height = 10,
                          .stroke = BLACK,
                          .stroke_width = 2,
                          .opacity = 1};
    assert_int_equal(cr_paint_rect(&canvas, &rect, NULL), CR_OK);
    expect_pixel(&canvas, 1, 6, 255, 255, 255);
    expect_pixel(&canvas, 2, 6, 0, 0, 0);
    expect_pixel(&canvas, 3, 6, 0, 0, 0);
    expect_pixel(&canvas, 4, 6, 255, 255, 255);
    expect_pixel(&canvas, 12, 3, 0, 0, 0);
    expect_pixel(&canvas, 12, 4, 255, 255, 255);
    assert_true(fabs(ink(&canvas) - (20 * 10 - 16 * 6)) < 0.02);
    cr_canvas_free(&canvas);
}

/* Opacity applies to fill and stroke as one layer: the stroke does not let
 * the red fill through, the fill does not double up under it. */
static void test_rect_group_opacity(void **state)
{
    cr_canvas canvas = white_canvas(24, 14);
    cr_rect_paint rect = {.x = 2,
                          .y = 2,
                          .width = 20,
                          .height = 10,
                          .fill = RED,
                          .stroke = BLUE,
                          .stroke_width = 2,
                          .opacity = 128 / 255.0};
    assert_int_equal(cr_paint_rect(&canvas, &rect, NULL), CR_OK);
    /* alpha 128 over white: round(255 * 127 / 255) = 127 for the absent channels */
    expect_pixel(&canvas, 2, 6, 127, 127, 255);
    expect_pixel(&canvas, 12, 6, 255, 127, 127);
    cr_canvas_free(&canvas);
}

static void test_rect_translucent_colour(void **state)
{
    cr_canvas canvas = white_canvas(4, 4);
    cr_rect_paint rect = {.width = 4, .height = 4, .fill = {0, 0, 0, 64}, .opacity = 0.5};
    assert_int_equal(cr_paint_rect(&canvas, &rect, NULL), CR_OK);
    /* alpha = round(64 * round(0.5 * 255) / 255) = round(64 * 128 / 255) = 32 */
    int v = (int)lround(255 * (255 - 32) / 255.0);
    expect_pixel(&canvas, 1, 1, v, v, v);
    cr_canvas_free(&canvas);
}

/* -------------------------------------------------------------- lines */

static void test_line_horizontal_exact(void **state)
{
    cr_canvas canvas = white_canvas(16, 10);
    cr_line_paint line = {
        .x0 = 2, .y0 = 5, .x1 = 12, .y1 = 5, .width = 2, .color = BLACK, .opacity = 1};
    assert_int_equal(cr_paint_line(&canvas, &line, NULL), CR_OK);
    for (int x = 2; x < 12; x++) {
        expect_pixel(&canvas, x, 4, 0, 0, 0);
        expect_pixel(&canvas, x, 5, 0, 0, 0);
        expect_pixel(&canvas, x, 3, 255, 255, 255);
        expect_pixel(&canvas, x, 6, 255, 255, 255);
    }
    expect_pixel(&canvas, 1, 4, 255, 255, 255); /* square ends exactly at the points */
    expect_pixel(&canvas, 12, 4, 255, 255, 255);
    assert_true(fabs(ink(&canvas) - 20) < 0.01);
    cr_canvas_free(&canvas);
}

static void test_line_half_pixel(void **state)
{
    /* Centred on a pixel row, 1 px wide but half a pixel off: two rows of half ink. */
    cr_canvas canvas = white_canvas(10, 6);
    cr_line_paint line = {
        .x0 = 0, .y0 = 3, .x1 = 10, .y1 = 3, .width = 1, .color = BLACK, .opacity = 1};
    assert_int_equal(cr_paint_line(&canvas, &line, NULL), CR_OK);
    expect_pixel(&canvas, 4, 2, 127, 127, 127);
    expect_pixel(&canvas, 4, 3, 127, 127, 127);
    cr_canvas_free(&canvas);
}

/* A slanted line's ink is its area; a hairline's too. */
static void test_line_slanted_ink(void **state)
{
    const double widths[] = {3, 0.5};
    for (size_t i = 0; i < 2; i++) {
        cr_canvas canvas = white_canvas(60, 60);
        cr_line_paint line = {
            .x0 = 5, .y0 = 5, .x1 = 35, .y1 = 45, .width = widths[i], .color = BLACK, .opacity = 1};
        assert_int_equal(cr_paint_line(&canvas, &line, NULL), CR_OK);
        double expected = 50 * widths[i];
        print_message("width %.1f: ink %.3f, area %.3f\n", widths[i], ink(&canvas), expected);
        assert_true(fabs(ink(&canvas) - expected) < expected * 0.01 + 0.2);
        expect_pixel(&canvas, 40, 10, 255, 255, 255); /* far from the line */
        cr_canvas_free(&canvas);
    }
}

static void test_line_coverage_symmetric(void **state)
{
    cr_line_paint a = {.x0 = 3.3, .y0 = 1.7, .x1 = 20.1, .y1 = 12.9, .width = 1.5};
    cr_line_paint b = {.x0 = a.x1, .y0 = a.y1, .x1 = a.x0, .y1 = a.y0, .width = 1.5};
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 24; x++)
            assert_true(fabs(cr_line_coverage(&a, x, y) - cr_line_coverage(&b, x, y)) < 1e-12);
}

/* ------------------------------------------------------------- misc */

static void test_same_bytes_twice(void **state)
{
    cr_canvas a = artwork_canvas(50, 40), b = artwork_canvas(50, 40);
    cr_rect_paint rect = {.x = 3.3,
                          .y = 4.1,
                          .width = 30.7,
                          .height = 20.2,
                          .corner_radius = 5.5,
                          .fill = {10, 200, 30, 180},
                          .stroke = {200, 10, 30, 255},
                          .stroke_width = 1.3,
                          .opacity = 0.8};
    cr_line_paint line = {
        .x0 = 1, .y0 = 39, .x1 = 49, .y1 = 2, .width = 2.2, .color = BLUE, .opacity = 0.7};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(cr_paint_rect(i ? &b : &a, &rect, NULL), CR_OK);
        assert_int_equal(cr_paint_line(i ? &b : &a, &line, NULL), CR_OK);
    }
    assert_memory_equal(a.pixels, b.pixels, (size_t)a.stride * (size_t)a.height);
    cr_canvas_free(&a);
    cr_canvas_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place_cover),
        cmocka_unit_test(test_place_contain),
        cmocka_unit_test(test_place_stretch),
        cmocka_unit_test(test_place_none),
        cmocka_unit_test(test_place_degenerate),
        cmocka_unit_test(test_turns_move_pixels),
        cmocka_unit_test(test_turn_then_cover_matches),
        cmocka_unit_test(test_contain_pads),
        cmocka_unit_test(test_image_opacity),
        cmocka_unit_test(test_image_rounded_clip),
        cmocka_unit_test(test_image_adjust),
        cmocka_unit_test(test_image_off_canvas),
        cmocka_unit_test(test_picture_shown_pixel_for_pixel),
        cmocka_unit_test(test_huge_box_scales_only_the_canvas),
        cmocka_unit_test(test_alpha_ramp_over_artwork),
        cmocka_unit_test(test_portrait_alpha_over_artwork),
        cmocka_unit_test(test_rect_exact_area),
        cmocka_unit_test(test_rect_rounded_area),
        cmocka_unit_test(test_rect_stroke_inside),
        cmocka_unit_test(test_rect_group_opacity),
        cmocka_unit_test(test_rect_translucent_colour),
        cmocka_unit_test(test_line_horizontal_exact),
        cmocka_unit_test(test_line_half_pixel),
        cmocka_unit_test(test_line_slanted_ink),
        cmocka_unit_test(test_line_coverage_symmetric),
        cmocka_unit_test(test_same_bytes_twice),
    };
    return cmocka_run_group_tests_name("paint", tests, NULL, NULL);
}
