/* Glyph cache: reuse, distinct keys, plausible bitmaps. Run from the project
 * root (it reads fonts/manifest.json). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>

#include <cmocka.h>

#include "glyph_cache.h"
#include "raster.h"

enum { PX = 64, NO_SCALE = 65536 };

typedef struct fixture {
    cr_font_manifest *manifest;
    cr_font_library *library;
    cr_face *cjk;
    uint32_t zhong; /* glyph of 中 */
} fixture;

static int setup_fonts(void **state)
{
    static fixture f;
    cr_error err;
    f.manifest = cr_font_manifest_load("fonts/manifest.json", &err);
    f.library = f.manifest ? cr_font_library_create(f.manifest, &err) : NULL;
    f.cjk = f.library ? cr_font_library_get(f.library, "Noto Sans CJK SC", NULL, &err) : NULL;
    if (!f.cjk || !hb_font_get_nominal_glyph(f.cjk->hb_font, 0x4E2D, &f.zhong))
        return -1;
    *state = &f;
    return 0;
}

static int teardown_fonts(void **state)
{
    fixture *f = *state;
    cr_font_library_destroy(f->library);
    cr_font_manifest_destroy(f->manifest);
    return 0;
}

static unsigned max_coverage(const cr_glyph_bitmap *bm)
{
    unsigned most = 0;
    for (int y = 0; y < bm->rows; y++)
        for (int x = 0; x < bm->width; x++)
            if (bm->coverage[y * bm->pitch + x] > most)
                most = bm->coverage[y * bm->pitch + x];
    return most;
}

static void test_reuse_and_distinct_keys(void **state)
{
    fixture *f = *state;
    cr_error err;
    cr_glyph_cache *cache = cr_glyph_cache_create();
    assert_non_null(cache);
    const cr_glyph_bitmap *a =
        cr_glyph_cache_get(cache, f->cjk, f->zhong, 40 * PX, NO_SCALE, 0, 0, &err);
    const cr_glyph_bitmap *b =
        cr_glyph_cache_get(cache, f->cjk, f->zhong, 40 * PX, NO_SCALE, 0, 0, &err);
    assert_non_null(a);
    assert_ptr_equal(a, b);
    assert_int_equal(cr_glyph_cache_rasterised(cache), 1);

    const cr_glyph_bitmap *bigger =
        cr_glyph_cache_get(cache, f->cjk, f->zhong, 41 * PX, NO_SCALE, 0, 0, &err);
    const cr_glyph_bitmap *shifted =
        cr_glyph_cache_get(cache, f->cjk, f->zhong, 40 * PX, NO_SCALE, 0, 2, &err);
    const cr_glyph_bitmap *condensed =
        cr_glyph_cache_get(cache, f->cjk, f->zhong, 40 * PX, NO_SCALE * 3 / 4, 0, 0, &err);
    assert_non_null(bigger);
    assert_non_null(shifted);
    assert_non_null(condensed);
    assert_ptr_not_equal(bigger, a);
    assert_ptr_not_equal(shifted, a);
    assert_int_equal(cr_glyph_cache_rasterised(cache), 4);
    assert_true(condensed->width < a->width);
    assert_int_equal(condensed->rows, a->rows);
    cr_glyph_cache_destroy(cache);
}

static void test_bitmap_is_plausible(void **state)
{
    fixture *f = *state;
    cr_error err;
    cr_glyph_cache *cache = cr_glyph_cache_create();
    const cr_glyph_bitmap *bm =
        cr_glyph_cache_get(cache, f->cjk, f->zhong, 40 * PX, NO_SCALE, 0, 0, &err);
    assert_non_null(bm);
    assert_in_range(bm->width, 30, 45);
    assert_in_range(bm->rows, 30, 45);
    assert_true(bm->pitch >= bm->width);
    /* rows padded with zeros to whole blocks (cr_canvas_blend_mask_padded) */
    assert_int_equal(bm->pitch % CR_MASK_PAD_PIXELS, 0);
    assert_true(bm->pitch < bm->width + CR_MASK_PAD_PIXELS);
    for (int y = 0; y < bm->rows; y++)
        for (int x = bm->width; x < bm->pitch; x++)
            assert_int_equal(bm->coverage[y * bm->pitch + x], 0);
    assert_in_range(bm->top, 28, 40); /* 中 sits on the baseline, ~0.8 em tall */
    assert_in_range(bm->left, 0, 8);
    assert_int_equal(max_coverage(bm), 255); /* the vertical stroke is solid */
    cr_glyph_cache_destroy(cache);
}

static void test_rotation_swaps_axes(void **state)
{
    fixture *f = *state;
    cr_error err;
    cr_glyph_cache *cache = cr_glyph_cache_create();
    /* A condensed glyph is narrow; turned clockwise it is short instead. */
    const cr_glyph_bitmap *upright =
        cr_glyph_cache_get(cache, f->cjk, f->zhong, 40 * PX, NO_SCALE / 2, 0, 0, &err);
    const cr_glyph_bitmap *turned =
        cr_glyph_cache_get(cache, f->cjk, f->zhong, 40 * PX, NO_SCALE / 2, 90, 0, &err);
    assert_non_null(upright);
    assert_non_null(turned);
    assert_true(upright->width < upright->rows);
    assert_in_range(turned->width, upright->rows - 2, upright->rows + 2);
    assert_in_range(turned->rows, upright->width - 2, upright->width + 2);
    /* The glyph's up now points right: its ink starts near the baseline
     * (x ~ 0) and lies below it (top ~ 0). */
    assert_true(turned->left >= -6 && turned->left <= 2);
    assert_true(turned->top >= -3 && turned->top <= 2);
    cr_glyph_cache_destroy(cache);
}

static unsigned ink_in_row(const cr_glyph_bitmap *bm, int y)
{
    unsigned sum = 0;
    for (int x = 0; x < bm->width; x++)
        sum += bm->coverage[y * bm->pitch + x];
    return sum;
}

static unsigned ink_in_column(const cr_glyph_bitmap *bm, int x)
{
    unsigned sum = 0;
    for (int y = 0; y < bm->rows; y++)
        sum += bm->coverage[y * bm->pitch + x];
    return sum;
}

/* "L" turned clockwise: the stem (left) goes to the top, the foot (bottom)
 * to the left. Counter-clockwise would put them bottom and right. */
static void test_rotation_is_clockwise(void **state)
{
    fixture *f = *state;
    cr_error err;
    hb_codepoint_t ell = 0;
    assert_true(hb_font_get_nominal_glyph(f->cjk->hb_font, 'L', &ell));
    cr_glyph_cache *cache = cr_glyph_cache_create();
    const cr_glyph_bitmap *bm =
        cr_glyph_cache_get(cache, f->cjk, ell, 40 * PX, NO_SCALE, 90, 0, &err);
    assert_non_null(bm);
    assert_true(ink_in_row(bm, 1) > 2 * ink_in_row(bm, bm->rows - 2));
    assert_true(ink_in_column(bm, 1) > 2 * ink_in_column(bm, bm->width - 2));
    cr_glyph_cache_destroy(cache);
}

/* Ink-weighted centre and total of a bitmap, in the glyph's own pixel
 * coordinates (left is where column 0 sits). */
typedef struct ink_moments {
    double total, x, y;
} ink_moments;

static ink_moments moments_of(const cr_glyph_bitmap *bm)
{
    ink_moments m = {0, 0, 0};
    for (int y = 0; y < bm->rows; y++)
        for (int x = 0; x < bm->width; x++) {
            double ink = bm->coverage[(size_t)y * (size_t)bm->pitch + (size_t)x];
            m.total += ink;
            m.x += ink * (bm->left + x + 0.5);
            m.y += ink * (y - bm->top + 0.5);
        }
    m.x /= m.total, m.y /= m.total;
    return m;
}

/* Phase p shifts the outline right by p/4 px before rasterising: the ink's
 * centre moves right by that much (within 0.05 px: coverage is 8-bit), not
 * up or down, and the ink's total stays (within 1%). */
static void test_subpixel_shift(void **state)
{
    fixture *f = *state;
    cr_error err;
    cr_glyph_cache *cache = cr_glyph_cache_create();
    const cr_glyph_bitmap *p0 =
        cr_glyph_cache_get(cache, f->cjk, f->zhong, 40 * PX, NO_SCALE, 0, 0, &err);
    assert_non_null(p0);
    ink_moments m0 = moments_of(p0);
    for (int phase = 1; phase < CR_GLYPH_SUBPIXELS; phase++) {
        const cr_glyph_bitmap *p =
            cr_glyph_cache_get(cache, f->cjk, f->zhong, 40 * PX, NO_SCALE, 0, phase, &err);
        assert_non_null(p);
        ink_moments m = moments_of(p);
        double moved = m.x - m0.x, want = (double)phase / CR_GLYPH_SUBPIXELS;
        print_message("phase %d: ink centre moved %.3f px (want %.2f), %.4f down, total %.4f\n",
                      phase, moved, want, m.y - m0.y, m.total / m0.total);
        assert_true(fabs(moved - want) < 0.05);
        assert_true(fabs(m.y - m0.y) < 0.01);
        assert_true(fabs(m.total / m0.total - 1) < 0.01);
    }
    cr_glyph_cache_destroy(cache);
}

static void test_space_is_empty(void **state)
{
    fixture *f = *state;
    cr_error err;
    hb_codepoint_t space = 0;
    assert_true(hb_font_get_nominal_glyph(f->cjk->hb_font, ' ', &space));
    cr_glyph_cache *cache = cr_glyph_cache_create();
    const cr_glyph_bitmap *bm =
        cr_glyph_cache_get(cache, f->cjk, space, 40 * PX, NO_SCALE, 0, 1, &err);
    assert_non_null(bm);
    assert_int_equal(bm->width, 0);
    assert_int_equal(bm->rows, 0);
    cr_glyph_cache_destroy(cache);
}

static void test_deterministic(void **state)
{
    fixture *f = *state;
    cr_error err;
    cr_glyph_cache *one = cr_glyph_cache_create();
    cr_glyph_cache *two = cr_glyph_cache_create();
    const cr_glyph_bitmap *a = cr_glyph_cache_get(one, f->cjk, f->zhong, 2567, 60000, 90, 3, &err);
    const cr_glyph_bitmap *b = cr_glyph_cache_get(two, f->cjk, f->zhong, 2567, 60000, 90, 3, &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->width, b->width);
    assert_int_equal(a->rows, b->rows);
    assert_int_equal(a->left, b->left);
    assert_int_equal(a->top, b->top);
    assert_memory_equal(a->coverage, b->coverage, (size_t)a->pitch * a->rows);
    cr_glyph_cache_destroy(one);
    cr_glyph_cache_destroy(two);
}

static void test_bad_arguments(void **state)
{
    fixture *f = *state;
    cr_error err;
    cr_glyph_cache *cache = cr_glyph_cache_create();
    assert_null(cr_glyph_cache_get(cache, f->cjk, f->zhong, 40 * PX, NO_SCALE, 45, 0, &err));
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
    assert_null(cr_glyph_cache_get(cache, f->cjk, f->zhong, 40 * PX, NO_SCALE, 0, 4, &err));
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
    assert_null(cr_glyph_cache_get(cache, f->cjk, f->zhong, 0, NO_SCALE, 0, 0, &err));
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
    /* A glyph the font does not have is a font error naming the file. */
    assert_null(cr_glyph_cache_get(cache, f->cjk, 0xFFFFFF, 40 * PX, NO_SCALE, 0, 0, &err));
    assert_int_equal(err.code, CR_ERR_FONT);
    assert_non_null(strstr(err.message, "NotoSansCJK-Regular.ttc"));
    assert_int_equal(cr_glyph_cache_rasterised(cache), 0);
    cr_glyph_cache_destroy(cache);
}

/* Enough glyphs to make the table grow; earlier pointers stay valid. */
static void test_growth_keeps_entries(void **state)
{
    fixture *f = *state;
    cr_error err;
    cr_glyph_cache *cache = cr_glyph_cache_create();
    const cr_glyph_bitmap *first =
        cr_glyph_cache_get(cache, f->cjk, f->zhong, 12 * PX, NO_SCALE, 0, 0, &err);
    for (uint32_t glyph = 1; glyph <= 1500; glyph++)
        assert_non_null(cr_glyph_cache_get(cache, f->cjk, glyph, 12 * PX, NO_SCALE, 0, 0, &err));
    assert_ptr_equal(first,
                     cr_glyph_cache_get(cache, f->cjk, f->zhong, 12 * PX, NO_SCALE, 0, 0, &err));
    size_t expected = f->zhong <= 1500 ? 1500 : 1501;
    assert_int_equal(cr_glyph_cache_rasterised(cache), expected);
    cr_glyph_cache_destroy(cache);
}

enum { THREADS = 4, SHARED_GLYPHS = 200 };

typedef struct worker {
    cr_glyph_cache *cache;
    cr_face *face;
    const cr_glyph_bitmap *seen[SHARED_GLYPHS];
    bool failed;
} worker;

static void *request_glyphs(void *arg)
{
    worker *w = arg;
    for (uint32_t glyph = 0; glyph < SHARED_GLYPHS; glyph++) {
        w->seen[glyph] =
            cr_glyph_cache_get(w->cache, w->face, glyph + 1, 16 * PX, NO_SCALE, 0, 1, NULL);
        w->failed |= w->seen[glyph] == NULL;
    }
    return NULL;
}

/* Threads asking for the same glyphs at once all get the same entries. */
static void test_threads_share_entries(void **state)
{
    fixture *f = *state;
    cr_glyph_cache *cache = cr_glyph_cache_create();
    worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){.cache = cache, .face = f->cjk};
        assert_int_equal(pthread_create(&threads[i], NULL, request_glyphs, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < THREADS; i++) {
        assert_false(workers[i].failed);
        assert_memory_equal(workers[i].seen, workers[0].seen, sizeof workers[0].seen);
    }
    assert_int_equal(cr_glyph_cache_rasterised(cache), SHARED_GLYPHS);
    cr_glyph_cache_destroy(cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reuse_and_distinct_keys),
        cmocka_unit_test(test_bitmap_is_plausible),
        cmocka_unit_test(test_rotation_swaps_axes),
        cmocka_unit_test(test_rotation_is_clockwise),
        cmocka_unit_test(test_subpixel_shift),
        cmocka_unit_test(test_space_is_empty),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_growth_keeps_entries),
        cmocka_unit_test(test_threads_share_entries),
    };
    return cmocka_run_group_tests_name("glyph_cache", tests, setup_fonts, teardown_fonts);
}
