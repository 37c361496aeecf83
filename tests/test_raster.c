/* Canvas blending, clipping and rounded rectangles. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "raster.h"

static const cr_color RED = {255, 0, 0, 255};
static const cr_color WHITE = {255, 255, 255, 255};
static const cr_color GREY = {100, 100, 100, 255};

static uint8_t *pixel(const cr_canvas *c, int x, int y)
{
    return c->pixels + (size_t)y * (size_t)c->stride + (size_t)x * 3;
}

static void assert_pixel(const cr_canvas *c, int x, int y, int r, int g, int b)
{
    const uint8_t *p = pixel(c, x, y);
    if (p[0] != r || p[1] != g || p[2] != b)
        fail_msg("pixel (%d, %d) is %d,%d,%d, expected %d,%d,%d", x, y, p[0], p[1], p[2], r, g, b);
}

static int round_div255(int x)
{
    return (x + 127) / 255;
}

static void test_init_checks_size(void **state)
{
    cr_canvas c;
    cr_error err;
    assert_int_equal(cr_canvas_init(&c, 0, 10, &err), CR_ERR_ARGUMENT);
    assert_int_equal(cr_canvas_init(&c, 10, -1, &err), CR_ERR_ARGUMENT);
    assert_int_equal(cr_canvas_init(&c, 20001, 10, &err), CR_ERR_ARGUMENT);
    assert_null(c.pixels);
    assert_int_equal(cr_canvas_init(&c, 7, 5, &err), CR_OK);
    assert_int_equal(c.width, 7);
    assert_int_equal(c.height, 5);
    assert_int_equal(c.stride, 21);
    cr_canvas_free(&c);
    assert_null(c.pixels);
}

static void test_fill_blends(void **state)
{
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, 4, 3, NULL), CR_OK);
    cr_canvas_fill(&c, WHITE);
    assert_pixel(&c, 3, 2, 255, 255, 255);
    cr_canvas_fill(&c, (cr_color){0, 0, 0, 128});
    int v = round_div255(255 * 127);
    assert_pixel(&c, 0, 0, v, v, v);
    cr_canvas_free(&c);
}

static void test_blend_exact(void **state)
{
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, 3, 1, NULL), CR_OK);
    cr_canvas_fill(&c, (cr_color){10, 200, 77, 255});
    const uint8_t mask[3] = {0, 255, 128};
    cr_color color = {250, 3, 128, 255};
    cr_canvas_blend_mask(&c, mask, 3, 1, 3, 0, 0, color);
    assert_pixel(&c, 0, 0, 10, 200, 77); /* coverage 0 leaves dst */
    assert_pixel(&c, 1, 0, 250, 3, 128); /* coverage 255 writes the colour */
    int a = 128;                         /* coverage 128 at alpha 255 */
    assert_pixel(&c, 2, 0, round_div255(250 * a + 10 * (255 - a)),
                 round_div255(3 * a + 200 * (255 - a)), round_div255(128 * a + 77 * (255 - a)));

    /* Coverage and colour alpha combine with rounding: 128 * 200 / 255. */
    cr_canvas_fill(&c, (cr_color){0, 0, 0, 255});
    cr_canvas_blend_mask(&c, mask, 3, 1, 3, 0, 0, (cr_color){255, 255, 255, 200});
    int a2 = round_div255(128 * 200);
    assert_pixel(&c, 1, 0, 200, 200, 200);
    assert_pixel(&c, 2, 0, round_div255(255 * a2), round_div255(255 * a2), round_div255(255 * a2));
    cr_canvas_free(&c);
}

/* Glyph rows of every length from 1 to 40 (whole runs of eight, the
 * vector path, and tails), with empty stretches, full and partial
 * coverage, against the rounding of blend_channel, pixel by pixel. */
static void test_blend_mask_rows_match_formula(void **state)
{
    enum { W = 40, H = 40 };
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, W, H, NULL), CR_OK);
    uint8_t before[W * H * 3], mask[W * H];
    unsigned seed = 12345;
    for (size_t i = 0; i < sizeof before; i++)
        before[i] = c.pixels[i] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 16);
    for (int i = 0; i < W * H; i++) {
        unsigned r = (seed = seed * 1103515245u + 12345u) >> 16;
        mask[i] = (i / 8) % 3 == 0 ? 0 : r % 4 == 0 ? 255 : r % 4 == 1 ? 0 : (uint8_t)(r >> 4);
    }
    const cr_color colors[2] = {{250, 3, 128, 255}, {17, 99, 201, 170}};
    for (int k = 0; k < 2; k++) {
        for (int y = 0; y < H; y++) /* row y covers y + 1 pixels */
            cr_canvas_blend_mask(&c, mask + y * W, y + 1, 1, W, 0, y, colors[k]);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                uint8_t *px = before + (y * W + x) * 3;
                unsigned a = x <= y ? round_div255(mask[y * W + x] * colors[k].a) : 0;
                const uint8_t want[3] = {
                    (uint8_t)round_div255(colors[k].r * a + px[0] * (255 - a)),
                    (uint8_t)round_div255(colors[k].g * a + px[1] * (255 - a)),
                    (uint8_t)round_div255(colors[k].b * a + px[2] * (255 - a))};
                assert_memory_equal(c.pixels + (y * W + x) * 3, want, 3);
                memcpy(px, want, 3);
            }
    }
    cr_canvas_free(&c);
}

/* Glyph-cache masks (rows padded with zeros to a multiple of 8), every
 * width from 1 to 24, placed inside the canvas, against its left and right
 * edges and cut by them: each canvas byte is the blend formula's for the
 * mask pixel over it, and bytes no mask pixel covers are as they were. */
static void test_blend_mask_padded_matches_formula(void **state)
{
    enum { W = 40, H = 6 };
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, W, H, NULL), CR_OK);
    uint8_t before[W * H * 3], mask[24 * H];
    unsigned seed = 777;
    const cr_color colors[2] = {{9, 200, 140, 255}, {240, 20, 60, 130}};
    for (int width = 1; width <= 24; width++) {
        int pitch = (width + CR_MASK_PAD_PIXELS - 1) / CR_MASK_PAD_PIXELS * CR_MASK_PAD_PIXELS;
        const int places[] = {-5, -1, 0, 3, W - width - 1, W - width, W - width + 3, W - 1};
        for (size_t p = 0; p < sizeof places / sizeof *places; p++)
            for (int k = 0; k < 2; k++) {
                for (size_t i = 0; i < sizeof before; i++)
                    before[i] = c.pixels[i] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 16);
                for (int i = 0; i < pitch * H; i++) {
                    unsigned r = (seed = seed * 1103515245u + 12345u) >> 16;
                    mask[i] = i % pitch >= width ? 0 : r % 3 == 0 ? 255 : (uint8_t)(r >> 5);
                }
                int at = places[p];
                cr_canvas_blend_mask_padded(&c, mask, width, H - 1, pitch, at, 1, colors[k]);
                for (int y = 0; y < H; y++)
                    for (int x = 0; x < W; x++) {
                        const uint8_t *px = before + (y * W + x) * 3;
                        bool covered = y >= 1 && y < H && x >= at && x < at + width;
                        unsigned cover = covered ? mask[(y - 1) * pitch + (x - at)] : 0;
                        unsigned a = round_div255(cover * colors[k].a);
                        const uint8_t want[3] = {
                            (uint8_t)round_div255(colors[k].r * a + px[0] * (255 - a)),
                            (uint8_t)round_div255(colors[k].g * a + px[1] * (255 - a)),
                            (uint8_t)round_div255(colors[k].b * a + px[2] * (255 - a))};
                        assert_memory_equal(c.pixels + (y * W + x) * 3, want, 3);
                    }
            }
    }
    cr_canvas_free(&c);
}

/* Every destination value under every coverage, for colour channels at
 * both ends of the range and in between. */
static void test_blend_mask_every_coverage(void **state)
{
    enum { N = 256 };
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, N, N, NULL), CR_OK);
    static uint8_t mask[N * N];
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++)
            mask[y * N + x] = (uint8_t)y;
    const cr_color colors[3] = {{0, 128, 255, 255}, {1, 254, 77, 255}, {200, 31, 143, 255}};
    for (int k = 0; k < 3; k++) {
        for (int y = 0; y < N; y++)
            for (int x = 0; x < N; x++)
                memset(c.pixels + (y * N + x) * 3, x, 3);
        cr_canvas_blend_mask(&c, mask, N, N, N, 0, 0, colors[k]);
        for (int a = 0; a < N; a++)
            for (int d = 0; d < N; d++) {
                const uint8_t want[3] = {(uint8_t)round_div255(colors[k].r * a + d * (255 - a)),
                                         (uint8_t)round_div255(colors[k].g * a + d * (255 - a)),
                                         (uint8_t)round_div255(colors[k].b * a + d * (255 - a))};
                assert_memory_equal(c.pixels + (a * N + d) * 3, want, 3);
            }
    }
    cr_canvas_free(&c);
}

/* A canvas inside a larger buffer whose border must stay untouched. */
enum { GUARD = 4, INNER_W = 10, INNER_H = 8 };

typedef struct guarded {
    uint8_t buffer[(INNER_H + 2 * GUARD) * (INNER_W + 2 * GUARD) * 3];
    cr_canvas canvas;
} guarded;

static void guarded_init(guarded *g)
{
    memset(g->buffer, 0xAB, sizeof g->buffer);
    int stride = (INNER_W + 2 * GUARD) * 3;
    g->canvas.width = INNER_W;
    g->canvas.height = INNER_H;
    g->canvas.stride = stride;
    g->canvas.pixels = g->buffer + GUARD * stride + GUARD * 3;
    for (int y = 0; y < INNER_H; y++)
        memset(g->canvas.pixels + y * stride, 0, INNER_W * 3);
}

static void assert_guard_intact(const guarded *g)
{
    int stride = g->canvas.stride;
    for (int y = 0; y < INNER_H + 2 * GUARD; y++)
        for (int x = 0; x < (INNER_W + 2 * GUARD) * 3; x++) {
            bool inside =
                y >= GUARD && y < GUARD + INNER_H && x >= GUARD * 3 && x < (GUARD + INNER_W) * 3;
            if (!inside && g->buffer[y * stride + x] != 0xAB)
                fail_msg("guard byte at row %d, byte %d was written", y, x);
        }
}

static void test_blend_clips_every_edge(void **state)
{
    guarded g;
    guarded_init(&g);
    uint8_t mask[6 * 6];
    memset(mask, 255, sizeof mask);
    const int positions[][2] = {{-3, 2},   {7, 2},   {3, -4},  {3, 5},       {-3, -3},    {7, 5},
                                {-100, 0}, {0, 100}, {-5, -5}, {INNER_W, 0}, {0, INNER_H}};
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++)
        cr_canvas_blend_mask(&g.canvas, mask, 6, 6, 6, positions[i][0], positions[i][1], RED);
    assert_guard_intact(&g);
    /* Visible parts were drawn: left edge, right edge, top, bottom. */
    assert_pixel(&g.canvas, 0, 2, 255, 0, 0);
    assert_pixel(&g.canvas, INNER_W - 1, 2, 255, 0, 0);
    assert_pixel(&g.canvas, 3, 0, 255, 0, 0);
    assert_pixel(&g.canvas, 3, INNER_H - 1, 255, 0, 0);
    /* A huge offset must not overflow into a visible position. */
    cr_canvas_blend_mask(&g.canvas, mask, 6, 6, 6, 2147483647 - 2, 2147483647 - 2, RED);
    cr_canvas_blend_mask(&g.canvas, mask, 6, 6, 6, -2147483647, -2147483647, RED);
    assert_guard_intact(&g);
}

static void test_rounded_rect_clips(void **state)
{
    guarded g;
    guarded_init(&g);
    cr_canvas_fill_rounded_rect(&g.canvas, -5.5, -3.25, 30.0, 20.0, 4.0, RED);
    cr_canvas_fill_rounded_rect(&g.canvas, 6.5, 4.5, 1e9, 1e9, 3.0, GREY);
    cr_canvas_fill_rounded_rect(&g.canvas, -1e12, -1e12, 2e12, 2e12, 1e6, GREY);
    assert_guard_intact(&g);
    assert_pixel(&g.canvas, 0, 0, 100, 100, 100);
}

static void test_rounded_rect_shape(void **state)
{
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, 40, 30, NULL), CR_OK);
    cr_canvas_fill(&c, WHITE);
    /* 30 x 20 at (5, 5), radius 6: the rectangle spans pixels 5..34, 5..24. */
    cr_canvas_fill_rounded_rect(&c, 5, 5, 30, 20, 6, (cr_color){0, 0, 0, 255});
    /* Interior, away from the corners, is exactly the colour. */
    for (int y = 5; y < 25; y++)
        for (int x = 11; x < 29; x++)
            assert_pixel(&c, x, y, 0, 0, 0);
    for (int y = 11; y < 19; y++)
        for (int x = 5; x < 35; x++)
            assert_pixel(&c, x, y, 0, 0, 0);
    /* Outside the rectangle and in the corner cut-outs: untouched. */
    for (int x = 0; x < 40; x++) {
        assert_pixel(&c, x, 4, 255, 255, 255);
        assert_pixel(&c, x, 25, 255, 255, 255);
    }
    assert_pixel(&c, 5, 5, 255, 255, 255);
    assert_pixel(&c, 34, 5, 255, 255, 255);
    assert_pixel(&c, 5, 24, 255, 255, 255);
    assert_pixel(&c, 34, 24, 255, 255, 255);
    /* Along the arc: partly covered. */
    int arc = pixel(&c, 6, 7)[0];
    assert_true(arc > 0 && arc < 255);
    /* Symmetric both ways. */
    for (int y = 0; y < 30; y++)
        for (int x = 0; x < 40; x++) {
            assert_memory_equal(pixel(&c, x, y), pixel(&c, 39 - x, y), 3);
            assert_memory_equal(pixel(&c, x, y), pixel(&c, x, 29 - y), 3);
        }
    cr_canvas_free(&c);
}

static void test_rounded_rect_fractional_edges(void **state)
{
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, 20, 10, NULL), CR_OK);
    cr_canvas_fill(&c, WHITE);
    /* Edges at x = 2.25 and 17.75, y = 1.5 and 8.5; no radius. */
    cr_canvas_fill_rounded_rect(&c, 2.25, 1.5, 15.5, 7.0, 0, (cr_color){0, 0, 0, 255});
    int three_quarters = 255 - 191; /* coverage 0.75 -> 191 */
    int half = 255 - 128;
    int three_eighths = 255 - 96; /* 0.75 * 0.5 = 0.375 -> 96 */
    assert_pixel(&c, 2, 4, three_quarters, three_quarters, three_quarters);
    assert_pixel(&c, 17, 4, three_quarters, three_quarters, three_quarters);
    assert_pixel(&c, 10, 1, half, half, half);
    assert_pixel(&c, 10, 8, half, half, half);
    assert_pixel(&c, 2, 1, three_eighths, three_eighths, three_eighths);
    assert_pixel(&c, 10, 4, 0, 0, 0);
    assert_pixel(&c, 1, 4, 255, 255, 255);
    assert_pixel(&c, 18, 4, 255, 255, 255);
    cr_canvas_free(&c);
}

/* The whole shape's coverage adds up to its area: w * h - (4 - pi) r². */
static void test_rounded_rect_area(void **state)
{
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, 64, 64, NULL), CR_OK);
    cr_canvas_fill_rounded_rect(&c, 3.3, 4.7, 50.2, 40.9, 100.0, WHITE); /* radius clamped */
    double sum = 0;
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++)
            sum += pixel(&c, x, y)[0] / 255.0;
    double r = 40.9 / 2;
    double expected = 50.2 * 40.9 - (4 - 3.14159265358979) * r * r;
    assert_true(sum > expected - 2.0 && sum < expected + 2.0);
    /* Clamped radius: the short sides are half circles, so the middle of the
     * left edge is covered and its top is not. */
    assert_true(pixel(&c, 4, 25)[0] > 200);
    assert_int_equal(pixel(&c, 4, 6)[0], 0);
    cr_canvas_free(&c);
}

/* Premultiplied layers: clipped at the canvas edge, scaled by opacity. */
static void test_blend_premultiplied(void **state)
{
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, 3, 3, NULL), CR_OK);
    cr_canvas_fill(&c, WHITE);
    /* Half-transparent red, premultiplied: (128, 0, 0, 128). */
    static const uint8_t layer[2 * 2 * 4] = {128, 0, 0, 128, 0, 0, 0, 255,
                                             0,   0, 0, 0,   0, 0, 0, 255};
    cr_canvas_blend_premultiplied(&c, layer, 2, 2, 8, 2, 0, 255); /* right column cut off */
    assert_pixel(&c, 2, 0, 255, round_div255(255 * 127), round_div255(255 * 127));
    assert_pixel(&c, 2, 1, 255, 255, 255);
    assert_pixel(&c, 1, 0, 255, 255, 255);
    cr_canvas_blend_premultiplied(&c, layer, 2, 2, 8, 0, -1, 255); /* top row cut off */
    assert_pixel(&c, 0, 0, 255, 255, 255);
    assert_pixel(&c, 1, 0, 0, 0, 0);
    cr_canvas_blend_premultiplied(&c, layer, 2, 2, 8, 0, 1, 0);
    assert_pixel(&c, 0, 1, 255, 255, 255);
    /* opacity 128: red's alpha becomes round(128 * 128 / 255) = 64 */
    cr_canvas_blend_premultiplied(&c, layer, 2, 2, 8, 0, 1, 128);
    assert_pixel(&c, 0, 1, 255, round_div255(255 * 191), round_div255(255 * 191));
    assert_pixel(&c, 1, 2, 127, 127, 127); /* black at 128: round(255 * 127 / 255) */
    cr_canvas_free(&c);
}

/* Rows of 1 to 40 premultiplied pixels, opaque runs of every length among
 * pixels that are not (where opaque runs are copied, four at a time with
 * SSSE3), over random colours at opacity 255 and 200: every byte is the
 * formula's, (src * opacity + dst * (255 - alpha)) / 255 rounded, with
 * alpha = src alpha * opacity / 255 rounded. */
static void test_blend_premultiplied_rows_match_formula(void **state)
{
    uint32_t seed = 12345;
    uint8_t layer[40 * 4], before[40 * 3];
    const unsigned opacities[] = {255, 200};
    for (int count = 1; count <= 40; count++)
        for (int round = 0; round < 30; round++) {
            for (int i = 0; i < count; i++) {
                seed = seed * 1103515245u + 12345u;
                bool opaque = (seed >> 16) % 8 != 0 || round % 3 == 0;
                unsigned alpha = opaque ? 255 : (seed >> 8) % 256;
                for (int c = 0; c < 3; c++) {
                    seed = seed * 1103515245u + 12345u;
                    layer[4 * i + c] = (uint8_t)((seed >> 16) % (alpha + 1));
                    before[3 * i + c] = (uint8_t)(seed >> 8);
                }
                layer[4 * i + 3] = (uint8_t)alpha;
            }
            for (size_t k = 0; k < 2; k++) {
                unsigned opacity = opacities[k];
                cr_canvas c;
                assert_int_equal(cr_canvas_init(&c, count, 1, NULL), CR_OK);
                memcpy(c.pixels, before, (size_t)count * 3);
                cr_canvas_blend_premultiplied(&c, layer, count, 1, count * 4, 0, 0, opacity);
                for (int i = 0; i < count; i++) {
                    unsigned alpha = round_div255(layer[4 * i + 3] * opacity);
                    for (int ch = 0; ch < 3; ch++) {
                        unsigned v = round_div255(layer[4 * i + ch] * opacity +
                                                  before[3 * i + ch] * (255 - alpha));
                        unsigned want = alpha == 0 ? before[3 * i + ch] : v > 255 ? 255 : v;
                        if (c.pixels[3 * i + ch] != want)
                            fail_msg("%d pixels, round %d, opacity %u: pixel %d channel %d is "
                                     "%u, not %u",
                                     count, round, opacity, i, ch, c.pixels[3 * i + ch], want);
                    }
                }
                cr_canvas_free(&c);
            }
        }
}

/* The coverage function is the area fill_rounded_rect paints with. */
static void test_rounded_rect_coverage(void **state)
{
    double sum = 0;
    for (int y = 0; y < 30; y++)
        for (int x = 0; x < 40; x++)
            sum += cr_rounded_rect_coverage(3.3, 2.6, 30.5, 20.25, 7, x, y);
    assert_true(fabs(sum - (30.5 * 20.25 - (4 - M_PI) * 49)) < 1e-9);
    assert_true(cr_rounded_rect_coverage(0, 0, 10, 10, 2, 5, 5) == 1.0);
    assert_true(cr_rounded_rect_coverage(0, 0, 10, 10, 2, 10, 5) == 0.0);
    assert_true(cr_rounded_rect_coverage(0, 0, -1, 10, 0, 0, 0) == 0.0);
}

/* cr_rgba_opaque_run: the pixels before the first whose alpha is not 255,
 * for rows of 0 to 40 pixels with that pixel at every place (or none), its
 * alpha 0, 254 or 1 and the colour bytes around it 255. */
static void test_opaque_run_stops_at_first_translucent(void **state)
{
    (void)state;
    uint8_t row[40 * 4];
    static const uint8_t alphas[] = {0, 254, 1};
    for (int count = 0; count <= 40; count++)
        for (int stop = 0; stop <= count; stop++)
            for (size_t a = 0; a < sizeof alphas; a++) {
                memset(row, 255, sizeof row);
                if (stop < count)
                    row[4 * stop + 3] = alphas[a];
                if (stop + 1 < count)
                    row[4 * (stop + 1) + 3] = 7; /* later ones do not matter */
                int want = stop;                 /* stop == count: every pixel opaque */
                if (cr_rgba_opaque_run(row, count) != want)
                    fail_msg("%d pixels, alpha %u at %d: run %d, not %d", count, alphas[a], stop,
                             cr_rgba_opaque_run(row, count), want);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_checks_size),
        cmocka_unit_test(test_fill_blends),
        cmocka_unit_test(test_blend_exact),
        cmocka_unit_test(test_blend_mask_rows_match_formula),
        cmocka_unit_test(test_blend_mask_padded_matches_formula),
        cmocka_unit_test(test_opaque_run_stops_at_first_translucent),
        cmocka_unit_test(test_blend_mask_every_coverage),
        cmocka_unit_test(test_blend_clips_every_edge),
        cmocka_unit_test(test_rounded_rect_clips),
        cmocka_unit_test(test_rounded_rect_shape),
        cmocka_unit_test(test_rounded_rect_fractional_edges),
        cmocka_unit_test(test_rounded_rect_area),
        cmocka_unit_test(test_blend_premultiplied),
        cmocka_unit_test(test_blend_premultiplied_rows_match_formula),
        cmocka_unit_test(test_rounded_rect_coverage),
    };
    return cmocka_run_group_tests_name("raster", tests, NULL, NULL);
}
