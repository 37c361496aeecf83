/* The resampler against its definition: Lanczos-3 weights against the
 * formula (resample.h) computed here, a known signal resampled by every path
 * and version against the formula's sums, and the versions of each path
 * forced in turn and compared byte for byte (exact: C, SSE2, AVX2; opaque:
 * C, SSSE3, AVX2), with the opaque path's constant pictures, clamp and
 * choice of pixels it reads. Versions this processor lacks are left out,
 * and the comparisons print which. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "image.h"
#include "resample.h"
#include "resample_fixtures.h"
#include "resample_opaque.h"
#include "resample_plan.h"

static cr_pixmap resample_area_with(cr_resample_path path, const cr_pixmap *src, cr_rectd area,
                                    int width, int height, const cr_resample_options *options);

/* ------------------------------------------- the Lanczos-3 formula */

/* The kernel as written down (resample.h): sinc(x) sinc(x / 3) for |x| < 3,
 * computed here, not taken from the code under test. */
static double oracle_sinc(double x)
{
    return x == 0.0 ? 1.0 : sin(M_PI * x) / (M_PI * x);
}

static double oracle_lanczos3(double x)
{
    return fabs(x) < 3.0 ? oracle_sinc(x) * oracle_sinc(x / 3.0) : 0.0;
}

/* Output i of out_size over [start, start + span) of in_size samples: the
 * real weight of every source sample (0 outside the kernel), normalised
 * over the samples that exist. The filter widens by the reduction factor. */
static void oracle_weights(int in_size, double start, double span, int out_size, int i,
                           double *weight)
{
    double scale = span / out_size, widen = scale > 1.0 ? scale : 1.0;
    double center = start + (i + 0.5) * scale, sum = 0.0;
    for (int j = 0; j < in_size; j++)
        sum += weight[j] = oracle_lanczos3((j + 0.5 - center) / widen);
    for (int j = 0; j < in_size; j++)
        weight[j] /= sum;
}

static cr_axis_plan plan_or_fail(int in_size, double start, double span, int out_size)
{
    cr_axis_plan plan;
    cr_error err;
    if (cr_axis_plan_get(in_size, start, span, out_size, CR_RESAMPLE_LANCZOS3, &plan, &err) !=
        CR_OK)
        fail_msg("%s", err.message);
    return plan;
}

/* The integer weight of source sample j for output i (0 outside its taps). */
static int32_t plan_weight(const cr_axis_plan *plan, int i, int j)
{
    int t = j - plan->first[i];
    return t >= 0 && t < plan->taps[i] ? plan->weight[(size_t)i * (size_t)plan->max_taps + t] : 0;
}

/* Every weight of the plan is the formula's, rounded to 2^-20 (the rounding
 * remainder, at most half a unit per tap, goes to one weight), and the
 * weights of each output sum to exactly 2^20. */
static void check_plan_against_formula(int in_size, double start, double span, int out_size)
{
    cr_axis_plan plan = plan_or_fail(in_size, start, span, out_size);
    double *real = malloc(sizeof *real * (size_t)in_size);
    assert_non_null(real);
    for (int i = 0; i < out_size; i++) {
        oracle_weights(in_size, start, span, out_size, i, real);
        int64_t total = 0;
        for (int j = 0; j < in_size; j++) {
            int32_t w = plan_weight(&plan, i, j);
            double want = real[j] * CR_WEIGHT_ONE;
            total += w;
            if (fabs(w - want) > plan.taps[i] / 2.0 + 1.0)
                fail_msg("%d -> %d over [%g, +%g), output %d, source %d: weight %d, formula %.1f",
                         in_size, out_size, start, span, i, j, w, want);
        }
        assert_int_equal(total, CR_WEIGHT_ONE);
    }
    free(real);
    cr_axis_plan_free(&plan);
}

static void test_lanczos3_weights_are_the_formula(void **state)
{
    check_plan_against_formula(16, 0, 16, 40);      /* enlarging 2.5x */
    check_plan_against_formula(40, 0, 40, 16);      /* reducing 2.5x: kernel 2.5x wider */
    check_plan_against_formula(97, 3.25, 80.5, 29); /* part of the source, reduced */
    check_plan_against_formula(7, 0, 7, 7);         /* same size */
}

/* Enlarging 2x from 20 samples is symmetric about the middle: output i
 * weighs source j as output 39 - i weighs source 19 - j. */
static void test_lanczos3_weights_are_symmetric(void **state)
{
    cr_axis_plan plan = plan_or_fail(20, 0, 20, 40);
    for (int i = 0; i < 40; i++)
        for (int j = 0; j < 20; j++) {
            int32_t a = plan_weight(&plan, i, j), b = plan_weight(&plan, 39 - i, 19 - j);
            if (abs(a - b) > plan.taps[i])
                fail_msg("output %d source %d: %d, mirrored %d", i, j, a, b);
        }
    cr_axis_plan_free(&plan);
}

/* Lanczos-3 is zero at every non-zero integer and beyond 3. Reducing
 * exactly 3x puts source samples at integer multiples of 1/3 from each
 * output's centre: those at distance 1 and 2 (3 and 6 samples away) weigh
 * exactly 0, and none 9 or more away is read. Same size and 3x enlarging put
 * an output (every third one) exactly on a sample: that sample alone weighs. */
static void test_lanczos3_zero_crossings(void **state)
{
    cr_axis_plan plan = plan_or_fail(60, 0, 60, 20);
    for (int i = 2; i < 18; i++) { /* away from the edges */
        int centre = 3 * i + 1;    /* the sample under output i's centre */
        assert_true(plan_weight(&plan, i, centre) > 0);
        for (int k = -6; k <= 6; k += 3)
            if (k != 0)
                assert_int_equal(plan_weight(&plan, i, centre + k), 0);
        assert_true(plan_weight(&plan, i, centre + 1) > 0);
        assert_true(plan.first[i] > centre - 9 && plan.first[i] + plan.taps[i] <= centre + 9);
    }
    cr_axis_plan_free(&plan);
    const int sizes[][2] = {{9, 9}, {9, 27}};
    for (int s = 0; s < 2; s++) {
        plan = plan_or_fail(sizes[s][0], 0, sizes[s][0], sizes[s][1]);
        int step = sizes[s][1] / sizes[s][0];
        for (int i = step / 2; i < sizes[s][1]; i += step) {
            for (int j = 0; j < sizes[s][0]; j++) /* sin(pi k) in doubles: ~1e-16, weight 0 */
                assert_int_equal(plan_weight(&plan, i, j), j == i / step ? CR_WEIGHT_ONE : 0);
        }
        cr_axis_plan_free(&plan);
    }
}

/* A smooth 1-D signal (68..188, so nothing is clamped) resampled by each
 * path and version: every output is within half a level (exact path) or a
 * level (opaque path, rounded at 1/128 between the passes) of the sum the
 * formula gives, computed here in doubles. */
static double signal_at(int j)
{
    return 128.0 + 60.0 * sin(j * 0.7);
}

static void check_signal(cr_resample_path path, int in_size, int out_size, double allowed)
{
    cr_pixmap src;
    assert_int_equal(cr_pixmap_init(&src, in_size, 1, NULL), CR_OK);
    for (int j = 0; j < in_size; j++)
        set_gray(cr_pixmap_at(&src, j, 0), (int)lround(signal_at(j)));
    if (!cr_resample_force_path(path)) { /* a version this processor lacks */
        cr_pixmap_free(&src);
        return;
    }
    cr_resample_options options = both(CR_RESAMPLE_LANCZOS3, true);
    cr_pixmap out = resample_ok(&src, out_size, 1, &options);
    double *real = malloc(sizeof *real * (size_t)in_size);
    assert_non_null(real);
    for (int i = 0; i < out_size; i++) {
        oracle_weights(in_size, 0, in_size, out_size, i, real);
        double want = 0.0;
        for (int j = 0; j < in_size; j++)
            want += real[j] * cr_pixmap_at(&src, j, 0)[0];
        int got = cr_pixmap_at(&out, i, 0)[0];
        if (fabs(got - want) > allowed)
            fail_msg("path %d, %d -> %d, output %d: %d, formula %.3f", (int)path, in_size, out_size,
                     i, got, want);
    }
    free(real);
    cr_pixmap_free(&out);
    cr_pixmap_free(&src);
}

static void test_known_signal_resampled_to_formula(void **state)
{
    const int sizes[][2] = {{12, 30}, {30, 11}, {25, 25}, {16, 64}};
    for (int s = 0; s < 4; s++) {
        for (int p = CR_RESAMPLE_PATH_EXACT_C; p <= CR_RESAMPLE_PATH_EXACT_AVX2; p++)
            check_signal((cr_resample_path)p, sizes[s][0], sizes[s][1], 0.51);
        check_signal(CR_RESAMPLE_PATH_OPAQUE_C, sizes[s][0], sizes[s][1], 1.01);
        check_signal(CR_RESAMPLE_PATH_AUTO, sizes[s][0], sizes[s][1], 1.01);
    }
}

/* The exact path's SSE2 and AVX2 versions give the bytes of its portable C
 * one, each forced in turn (on an AVX2 machine SSE2 would otherwise never
 * run): pictures with partial alpha, reduced and enlarged, with and without
 * the clamp, every filter. */
static void paint_noisy_alpha(int x, int y, uint8_t rgba[4])
{
    uint32_t h = ((uint32_t)x * 73856093u) ^ ((uint32_t)y * 19349663u);
    h = h * 2654435761u ^ h >> 13;
    rgba[0] = (uint8_t)h, rgba[1] = (uint8_t)(h >> 8), rgba[2] = (uint8_t)(h >> 16);
    rgba[3] = (uint8_t)((x + y) % 5 == 0 ? 0 : h >> 24 | 0x20);
}

static void test_exact_versions_agree(void **state)
{
    const int sizes[][2] = {{13, 9}, {41, 29}, {64, 61}, {2, 3}};
    cr_pixmap src = painted(37, 23, paint_noisy_alpha);
    int compared = 0;
    for (int f = CR_RESAMPLE_DEFAULT; f <= CR_RESAMPLE_BOX; f++)
        for (int ringing = 0; ringing < 2; ringing++)
            for (int s = 0; s < 4; s++) {
                cr_resample_options options = both((cr_resample_filter)f, ringing);
                cr_rectd area = {0.5, 1.25, 33.5, 20};
                cr_pixmap c = resample_area_with(CR_RESAMPLE_PATH_EXACT_C, &src, area, sizes[s][0],
                                                 sizes[s][1], &options);
                for (int p = CR_RESAMPLE_PATH_EXACT_SSE2; p <= CR_RESAMPLE_PATH_EXACT_AVX2; p++) {
                    if (!cr_resample_force_path((cr_resample_path)p))
                        continue;
                    cr_pixmap simd = resample_area_with((cr_resample_path)p, &src, area,
                                                        sizes[s][0], sizes[s][1], &options);
                    assert_memory_equal(simd.rgba, c.rgba, (size_t)c.stride * (size_t)c.height);
                    cr_pixmap_free(&simd);
                    compared++;
                }
                cr_pixmap_free(&c);
            }
    print_message("exact path: %d comparisons of SSE2%s and AVX2%s with C\n", compared,
                  cr_resample_force_path(CR_RESAMPLE_PATH_EXACT_SSE2) ? "" : " (absent)",
                  cr_resample_force_path(CR_RESAMPLE_PATH_EXACT_AVX2) ? "" : " (absent)");
    cr_pixmap_free(&src);
}

/* ---------------------------------------------------- opaque fast path */

static int reset_path(void **state)
{
    assert_true(cr_resample_force_path(CR_RESAMPLE_PATH_AUTO));
    return 0;
}

static const char *const path_names[] = {
    [CR_RESAMPLE_PATH_OPAQUE_C] = "C",
    [CR_RESAMPLE_PATH_OPAQUE_SSSE3] = "SSSE3",
    [CR_RESAMPLE_PATH_OPAQUE_AVX2] = "AVX2",
};

static cr_pixmap resample_area_with(cr_resample_path path, const cr_pixmap *src, cr_rectd area,
                                    int width, int height, const cr_resample_options *options)
{
    assert_true(cr_resample_force_path(path));
    cr_pixmap out;
    cr_error err;
    cr_status status = cr_pixmap_resample_area(src, area, width, height, options, &out, &err);
    if (status != CR_OK)
        print_message("%s\n", err.message);
    assert_int_equal(status, CR_OK);
    return out;
}

/* Opaque blocks of 5 x 3 pixels, each its own colour plus a little noise:
 * hard edges (the clamp at work) and texture. */
static uint32_t blocky_seed;

static void paint_blocky(int x, int y, uint8_t rgba[4])
{
    uint32_t block = ((uint32_t)(x / 5) * 2654435761u) ^ ((uint32_t)(y / 3) * 40503u) ^ blocky_seed;
    uint32_t pixel = ((uint32_t)x * 73856093u) ^ ((uint32_t)y * 19349663u) ^ blocky_seed;
    block = block * 2246822519u ^ block >> 13;
    pixel = pixel * 3266489917u ^ pixel >> 15;
    for (int c = 0; c < 3; c++) {
        int level = (int)((block >> (8 * c)) & 0xff) + (int)((pixel >> (4 * c)) & 15) - 8;
        rgba[c] = (uint8_t)(level < 0 ? 0 : level > 255 ? 255 : level);
    }
    rgba[3] = 255;
}

/* Every version of the opaque path gives the bytes of the C one: sources
 * from 1x1 up, reduced and enlarged, whole and by fractional areas, every
 * filter, with and without the clamp. Against the exact path, which rounds
 * differently, the bytes differ by a level at most. */
static void test_opaque_versions_agree(void **state)
{
    const int sources[][2] = {{1, 1}, {2, 3}, {3, 2}, {4, 4}, {5, 7}, {17, 13}, {64, 48}, {97, 61}};
    const double scales[][2] = {{1, 1},     {0.5, 0.34}, {0.41, 0.77},
                                {2.0, 3.0}, {1.75, 1.3}, {0.2, 0.25}};
    long cases = 0, compared = 0, differing = 0;
    int worst = 0;
    for (size_t s = 0; s < sizeof sources / sizeof sources[0]; s++) {
        blocky_seed = (uint32_t)s * 7919u;
        int width = sources[s][0], height = sources[s][1];
        cr_pixmap src = painted(width, height, paint_blocky);
        const cr_rectd areas[2] = {{0, 0, width, height},
                                   {width * 0.13, height * 0.07, width * 0.71, height * 0.8}};
        for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++)
            for (int a = 0; a < 2; a++)
                for (int f = CR_RESAMPLE_DEFAULT; f <= CR_RESAMPLE_BOX; f++)
                    for (int ring = 0; ring <= 1; ring++) {
                        int w = (int)ceil(areas[a].width * scales[k][0]);
                        int h = (int)ceil(areas[a].height * scales[k][1]);
                        cr_resample_options options = both(f, ring);
                        cr_pixmap reference = resample_area_with(CR_RESAMPLE_PATH_OPAQUE_C, &src,
                                                                 areas[a], w, h, &options);
                        for (int p = CR_RESAMPLE_PATH_OPAQUE_SSSE3;
                             p <= CR_RESAMPLE_PATH_OPAQUE_AVX2; p++) {
                            if (!cr_resample_force_path((cr_resample_path)p))
                                continue;
                            cr_pixmap out = resample_area_with((cr_resample_path)p, &src, areas[a],
                                                               w, h, &options);
                            assert_memory_equal(out.rgba, reference.rgba,
                                                (size_t)out.stride * (size_t)h);
                            cr_pixmap_free(&out);
                            compared++;
                        }
                        cr_pixmap exact = resample_area_with(CR_RESAMPLE_PATH_EXACT, &src, areas[a],
                                                             w, h, &options);
                        for (size_t b = 0; b < (size_t)exact.stride * (size_t)h; b++) {
                            int d = abs(exact.rgba[b] - reference.rgba[b]);
                            differing += d != 0;
                            worst = d > worst ? d : worst;
                        }
                        cr_pixmap_free(&exact);
                        cr_pixmap_free(&reference);
                        cases++;
                    }
        cr_pixmap_free(&src);
    }
    print_message(
        "opaque path: %ld cases, %ld SIMD results equal to C (SSSE3%s, AVX2%s); "
        "against the exact path %ld bytes differ, by %d at most\n",
        cases, compared, cr_resample_force_path(CR_RESAMPLE_PATH_OPAQUE_SSSE3) ? "" : " absent",
        cr_resample_force_path(CR_RESAMPLE_PATH_OPAQUE_AVX2) ? "" : " absent", differing, worst);
    assert_true(differing > 0); /* the opaque path did run */
    assert_true(worst <= 1);    /* measured 1 (the same clamp ranges, other rounding) */
}

/* The opaque path runs when every pixel the call reads is opaque, however
 * many others are not: with one half-transparent pixel just outside the
 * filters' reach the result differs (by rounding) from the exact path's,
 * with it just inside the result is the exact path's. */
static void test_opaque_only_where_read(void **state)
{
    blocky_seed = 4242;
    cr_pixmap src = painted(64, 48, paint_blocky);
    const cr_rectd area = {0, 0, 40, 30}; /* enlarged 2.5x: Lanczos-3 reads 3 px around */
    const int spots[2][2] = {{43, 33}, {42, 32}};
    for (int i = 0; i < 2; i++) {
        uint8_t *spot = cr_pixmap_at(&src, spots[i][0], spots[i][1]);
        spot[3] = 254;
        cr_pixmap automatic = resample_area_with(CR_RESAMPLE_PATH_AUTO, &src, area, 100, 75, NULL);
        cr_pixmap exact = resample_area_with(CR_RESAMPLE_PATH_EXACT, &src, area, 100, 75, NULL);
        bool same = memcmp(automatic.rgba, exact.rgba, (size_t)exact.stride * 75) == 0;
        assert_true(same == (i == 1));
        cr_pixmap_free(&automatic);
        cr_pixmap_free(&exact);
        spot[3] = 255;
    }
    cr_pixmap_free(&src);
}

/* A constant picture stays exactly constant, and the clamp removes the
 * ringing at a step edge, in every version of the opaque path. */
static void paint_gray_edge_down(int x, int y, uint8_t rgba[4])
{
    set_gray(rgba, y < 16 ? 50 : 200);
}

static void test_opaque_constant_and_clamp(void **state)
{
    const uint8_t colours[3][4] = {{37, 201, 99, 255}, {0, 0, 0, 255}, {255, 255, 255, 255}};
    const int sizes[][2] = {{1, 1}, {7, 3}, {101, 79}, {13, 610}};
    cr_pixmap across = painted(32, 8, paint_gray_edge), down = painted(8, 32, paint_gray_edge_down);
    for (int p = CR_RESAMPLE_PATH_OPAQUE_C; p <= CR_RESAMPLE_PATH_OPAQUE_AVX2; p++) {
        if (!cr_resample_force_path((cr_resample_path)p))
            continue;
        for (int c = 0; c < 3; c++) {
            cr_pixmap src;
            assert_int_equal(cr_pixmap_init(&src, 100, 80, NULL), CR_OK);
            for (int y = 0; y < 80; y++)
                for (int x = 0; x < 100; x++)
                    memcpy(cr_pixmap_at(&src, x, y), colours[c], 4);
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
                for (int f = CR_RESAMPLE_DEFAULT; f <= CR_RESAMPLE_BOX; f++)
                    for (int ring = 0; ring <= 1; ring++) {
                        cr_resample_options options = both(f, ring);
                        cr_pixmap out = resample_area_with((cr_resample_path)p, &src,
                                                           (cr_rectd){0.3, 0.6, 99.1, 78.7},
                                                           sizes[s][0], sizes[s][1], &options);
                        for (int y = 0; y < out.height; y++)
                            for (int x = 0; x < out.width; x++)
                                assert_memory_equal(cr_pixmap_at(&out, x, y), colours[c], 4);
                        cr_pixmap_free(&out);
                    }
            cr_pixmap_free(&src);
        }
        /* the step 50 -> 200 across and down, enlarged 4x and reduced 2.5x */
        const cr_pixmap *edges[2] = {&across, &down};
        const double factors[2] = {4.0, 0.4};
        int ringing = 0;
        for (int e = 0; e < 2; e++)
            for (int k = 0; k < 2; k++)
                for (int ring = 0; ring <= 1; ring++) {
                    const cr_pixmap *src = edges[e];
                    cr_resample_options options = both(CR_RESAMPLE_LANCZOS3, ring);
                    cr_pixmap out = resample_area_with(
                        (cr_resample_path)p, src, (cr_rectd){0, 0, src->width, src->height},
                        (int)(src->width * factors[k]), (int)(src->height * factors[k]), &options);
                    for (int y = 0; y < out.height; y++)
                        for (int x = 0; x < out.width; x++) {
                            int v = cr_pixmap_at(&out, x, y)[0];
                            if (!ring)
                                assert_in_range(v, 50, 200);
                            else if (v < 50 || v > 200)
                                ringing++;
                        }
                    cr_pixmap_free(&out);
                }
        print_message("opaque %-5s: constant stays constant; step edge clamped to 50..200 "
                      "(%d outputs outside it unclamped)\n",
                      path_names[p], ringing);
        assert_true(ringing > 0); /* the edge does ring without the clamp */
    }
    cr_pixmap_free(&across);
    cr_pixmap_free(&down);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lanczos3_weights_are_the_formula),
        cmocka_unit_test(test_lanczos3_weights_are_symmetric),
        cmocka_unit_test(test_lanczos3_zero_crossings),
        cmocka_unit_test_teardown(test_known_signal_resampled_to_formula, reset_path),
        cmocka_unit_test_teardown(test_exact_versions_agree, reset_path),
        cmocka_unit_test_teardown(test_opaque_versions_agree, reset_path),
        cmocka_unit_test_teardown(test_opaque_constant_and_clamp, reset_path),
        cmocka_unit_test_teardown(test_opaque_only_where_read, reset_path),
    };
    return cmocka_run_group_tests_name("resample paths", tests, NULL, NULL);
}
