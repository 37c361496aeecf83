/* Print outputs: the K panel, the overlay mask, printer canvases, mirroring,
 * 1-bit PNG files, sheets, and the static-layer cache (byte-identical to
 * painting every field). */
#include <glob.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <png.h>

#include "cardrender.h"
#include "panels.h"
#include "static_cache.h"

#define PHOTO_TEMPLATE "templates/resident-id-zh-photo.json"
#define PHOTO_RECORD "examples/records/zh-zhang-wei.json"
#define ID_RECORD "{\"id_number\": \"110101199003074573\"}"

static cr_engine *engine;

static int setup(void **state)
{
    cr_error err;
    engine = cr_engine_create(NULL, &err);
    if (!engine)
        fail_msg("%s", err.message);
    return 0;
}

static int teardown(void **state)
{
    cr_engine_destroy(engine);
    return 0;
}

/* ----------------------------------------------------------- helpers */

static cr_template *template_from(const char *json, const char *dir)
{
    cr_error err;
    cr_template *tpl =
        cr_template_load_memory(engine, json, strlen(json), "print-test.json", dir, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    return tpl;
}

static cr_record *record_from(const char *json)
{
    cr_error err;
    cr_record *record = cr_record_load_memory(json, strlen(json), "record.json", &err);
    if (!record)
        fail_msg("%s", err.message);
    return record;
}

static cr_image *render_with(const cr_template *tpl, const cr_record *record,
                             const cr_render_options *options)
{
    cr_error err;
    cr_image *image = cr_render(engine, tpl, record, options, &err);
    if (!image)
        fail_msg("%s", err.message);
    return image;
}

static const uint8_t *rgb_at(const cr_image *image, int x, int y)
{
    return cr_image_pixels(image) + (size_t)y * (size_t)cr_image_stride(image) + (size_t)x * 3;
}

static int bit_at(const cr_image *panel, int x, int y)
{
    const uint8_t *row = cr_image_pixels(panel) + (size_t)y * (size_t)cr_image_stride(panel);
    return (row[x >> 3] >> (7 - (x & 7))) & 1;
}

static long bits_set(const cr_image *panel)
{
    long count = 0;
    for (int y = 0; y < cr_image_height(panel); y++)
        for (int x = 0; x < cr_image_width(panel); x++)
            count += bit_at(panel, x, y);
    return count;
}

static bool same_pixels(const cr_image *a, const cr_image *b)
{
    if (cr_image_width(a) != cr_image_width(b) || cr_image_height(a) != cr_image_height(b) ||
        cr_image_format_of(a) != cr_image_format_of(b))
        return false;
    size_t bytes = (size_t)cr_image_stride(a) * (size_t)cr_image_height(a);
    return memcmp(cr_image_pixels(a), cr_image_pixels(b), bytes) == 0;
}

/* Every panel of a and b has the same size and bytes. */
static void assert_same_card(const cr_image *a, const cr_image *b, const char *what)
{
    for (int p = 0; p < CR_PANEL_COUNT; p++) {
        const cr_image *pa = cr_image_panel(a, (cr_panel)p), *pb = cr_image_panel(b, (cr_panel)p);
        if (!pa != !pb)
            fail_msg("%s: panel %s exists in only one render", what, cr_panel_name((cr_panel)p));
        if (pa && !same_pixels(pa, pb))
            fail_msg("%s: panel %s differs", what, cr_panel_name((cr_panel)p));
    }
    uint8_t *png_a = NULL, *png_b = NULL; /* and so do their files, byte for byte */
    size_t size_a = 0, size_b = 0;
    assert_int_equal(cr_image_write_png_memory(a, &png_a, &size_a, NULL), CR_OK);
    assert_int_equal(cr_image_write_png_memory(b, &png_b, &size_b, NULL), CR_OK);
    if (size_a != size_b || memcmp(png_a, png_b, size_a) != 0)
        fail_msg("%s: the same pixels written to different PNG files", what);
    free(png_a);
    free(png_b);
}

/* -------------------------------------------------------------- K panel */

static const char k_card[] =
    "{\"version\": 1, \"card\": {\"background\": \"#f4f7fb\", \"k_panel\": {\"mode\": "
    "\"threshold\", \"threshold\": 128}},"
    " \"fields\": ["
    "  {\"type\": \"text\", \"name\": \"label\", \"box_mm\": [6, 45.2, 20, 3], \"text\": "
    "\"公民身份号码\", \"font\": \"Noto Sans CJK SC\", \"size_pt\": 7.5, \"color\": \"#1f5fa8\"}"
    "  %s"
    "]}";
static const char k_field[] =
    ", {\"type\": \"text\", \"name\": \"id\", \"box_mm\": [27, 44.2, 55, 4.6], \"bind\": "
    "\"id_number\", \"font\": \"OCR B\", \"size_pt\": 11, \"panel\": \"k\"}";

static cr_template *k_template(const char *extra_field)
{
    char json[2048];
    snprintf(json, sizeof json, k_card, extra_field);
    return template_from(json, ".");
}

/* The K field is on the K panel and only there: the colour image is the
 * card without it, and the K panel is exactly that field alone, painted in
 * colour on white and thresholded here. */
static void test_k_panel_holds_exactly_the_k_field(void **state)
{
    cr_record *record = record_from(ID_RECORD);
    cr_template *with_k = k_template(k_field);
    cr_template *without = k_template("");
    char alone_json[1024];
    snprintf(alone_json, sizeof alone_json,
             "{\"version\": 1, \"card\": {\"background\": \"#ffffff\"}, \"fields\": [%s]}",
             strstr(k_field, "{"));
    /* the same field, but on the colour panel */
    char *panel_key = strstr(alone_json, ", \"panel\": \"k\"");
    assert_non_null(panel_key);
    memmove(panel_key, panel_key + strlen(", \"panel\": \"k\""),
            strlen(panel_key + strlen(", \"panel\": \"k\"")) + 1);
    cr_template *alone = template_from(alone_json, ".");

    cr_image *card = render_with(with_k, record, NULL);
    cr_image *plain = render_with(without, record, NULL);
    cr_image *reference = render_with(alone, record, NULL);
    const cr_image *k = cr_image_panel(card, CR_PANEL_K);
    assert_non_null(k);
    assert_null(cr_image_panel(card, CR_PANEL_OVERLAY));
    /* card.k_panel alone gives an empty K panel */
    assert_int_equal(bits_set(cr_image_panel(plain, CR_PANEL_K)), 0);
    assert_int_equal(cr_image_format_of(k), CR_FORMAT_GRAY1);
    assert_int_equal(cr_image_width(k), cr_image_width(card));
    assert_int_equal(cr_image_height(k), cr_image_height(card));
    assert_int_equal(cr_image_dpi(k), 300);
    assert_true(same_pixels(card, plain)); /* no K ink in the colour image */
    long mismatches = 0, ink = 0;
    for (int y = 0; y < cr_image_height(k); y++)
        for (int x = 0; x < cr_image_width(k); x++) {
            const uint8_t *p = rgb_at(reference, x, y);
            int expected = (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) / 256 < 128;
            mismatches += bit_at(k, x, y) != expected;
            ink += expected;
        }
    assert_int_equal(mismatches, 0);
    assert_true(ink > 500); /* 18 OCR-B digits */
    cr_image_destroy(reference);
    cr_image_destroy(plain);
    cr_image_destroy(card);
    cr_template_destroy(alone);
    cr_template_destroy(without);
    cr_template_destroy(with_k);
    cr_record_destroy(record);
}

/* A 50% grey block on the K panel: thresholding at 128 prints none of it,
 * both dithers about half, the same dots on every render. */
static const cr_image *grey_block_k(const char *mode, cr_image **card)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"version\": 1, \"card\": {\"k_panel\": {\"mode\": \"%s\"}}, \"fields\": ["
             "{\"type\": \"rect\", \"box_mm\": [10, 10, 40, 20], \"fill\": \"#808080\", "
             "\"panel\": \"k\"}]}",
             mode);
    cr_template *tpl = template_from(json, ".");
    *card = render_with(tpl, NULL, NULL);
    cr_image *again = render_with(tpl, NULL, NULL);
    assert_same_card(*card, again, mode);
    cr_image_destroy(again);
    cr_template_destroy(tpl);
    return cr_image_panel(*card, CR_PANEL_K);
}

static void test_k_panel_threshold_and_dithers(void **state)
{
    cr_image *card;
    const cr_image *k = grey_block_k("threshold", &card);
    assert_int_equal(bits_set(k), 0);
    cr_image_destroy(card);
    const char *dithers[] = {"dither", "ordered"};
    for (int i = 0; i < 2; i++) {
        k = grey_block_k(dithers[i], &card);
        long block = 0, printed = 0;
        for (int y = 130; y < 340; y++)
            for (int x = 130; x < 580; x++, block++)
                printed += bit_at(k, x, y);
        double share = (double)printed / block;
        if (share < 0.45 || share > 0.55)
            fail_msg("%s prints %.3f of a 50%% grey", dithers[i], share);
        for (int x = 0; x < cr_image_width(k); x++) /* nothing outside the block */
            assert_int_equal(bit_at(k, x, 50), 0);
        cr_image_destroy(card);
    }
}

/* Grey blocks of luminance 0, 1, 126, 127, 128, 129, 254 and 255 on a K
 * panel thresholded at each threshold that matters: a block prints exactly
 * when its luminance is below the configured threshold (grey g has
 * luminance g, panels.h). */
static void test_k_threshold_values(void **state)
{
    static const int levels[] = {0, 1, 126, 127, 128, 129, 254, 255};
    static const int thresholds[] = {1, 127, 128, 129, 255};
    enum { LEVELS = sizeof levels / sizeof levels[0] };
    for (size_t t = 0; t < sizeof thresholds / sizeof thresholds[0]; t++) {
        char json[4096];
        int n = snprintf(json, sizeof json,
                         "{\"version\": 1, \"card\": {\"k_panel\": {\"mode\": \"threshold\", "
                         "\"threshold\": %d}}, \"fields\": [",
                         thresholds[t]);
        for (int i = 0; i < LEVELS; i++)
            n += snprintf(json + n, sizeof json - (size_t)n,
                          "%s{\"type\": \"rect\", \"box_mm\": [%d, 10, 8, 8], \"fill\": "
                          "\"#%02x%02x%02x\", \"panel\": \"k\"}",
                          i ? ", " : "", 2 + 10 * i, levels[i], levels[i], levels[i]);
        snprintf(json + n, sizeof json - (size_t)n, "]}");
        cr_template *tpl = template_from(json, ".");
        cr_image *card = render_with(tpl, NULL, NULL);
        const cr_image *k = cr_image_panel(card, CR_PANEL_K);
        assert_non_null(k);
        for (int i = 0; i < LEVELS; i++) {
            int x = (int)lround((6 + 10 * i) / 25.4 * 300), y = (int)lround(14 / 25.4 * 300);
            if (bit_at(k, x, y) != (levels[i] < thresholds[t]))
                fail_msg("threshold %d, grey %d: printed %d", thresholds[t], levels[i],
                         bit_at(k, x, y));
        }
        cr_image_destroy(card);
        cr_template_destroy(tpl);
    }
}

/* Floyd-Steinberg as documented (panels.c): left to right, top to bottom;
 * a pixel prints when its luminance plus the error diffused to it is below
 * 128; its error (value - 0 or - 255) goes 7/16 right, 3/16 down-left, 5/16
 * down, 1/16 down-right, each pixel's error sum kept in 1/16 and divided
 * (rounded half away from zero) when it is read. A second, plainer
 * implementation of that rule, on a whole-image array. */
static void reference_dither(const uint8_t *grey, int width, int height, bool *printed)
{
    int *error16 = calloc((size_t)width * (size_t)height, sizeof *error16);
    assert_non_null(error16);
    const int dx[4] = {1, -1, 0, 1}, dy[4] = {0, 1, 1, 1}, share[4] = {7, 3, 5, 1};
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            int e = error16[y * width + x];
            int value = grey[y * width + x] + (e >= 0 ? (e + 8) / 16 : -((-e + 8) / 16));
            printed[y * width + x] = value < 128;
            int error = value - (value < 128 ? 0 : 255);
            for (int k = 0; k < 4; k++) {
                int nx = x + dx[k], ny = y + dy[k];
                if (nx >= 0 && nx < width && ny < height)
                    error16[ny * width + nx] += error * share[k];
            }
        }
    free(error16);
}

/* The K panel of a grey canvas dithered (panels.h). */
static void dither_canvas(const uint8_t *grey, int width, int height, cr_bitmap *out)
{
    cr_canvas canvas;
    assert_int_equal(cr_canvas_init(&canvas, width, height, NULL), CR_OK);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            memset(canvas.pixels + (size_t)y * (size_t)canvas.stride + (size_t)x * 3,
                   grey[y * width + x], 3);
    assert_int_equal(cr_bitmap_from_canvas(&canvas, CR_K_DITHER, 128, out, NULL), CR_OK);
    cr_canvas_free(&canvas);
}

/* Worked by hand, a 3x2 grey of 100 (errors in 1/16 in brackets):
 *   (0,0) 100 prints, error 100: (1,0) +700, (0,1) +500, (1,1) +100.
 *   (1,0) 100 + 700/16 (43.75 -> 44) = 144: white, error -111:
 *         (2,0) -777, (0,1) -333, (1,1) -555, (2,1) -111.
 *   (2,0) 100 - 777/16 (48.6 -> 49) = 51 prints, error 51: (1,1) +153, (2,1) +255.
 *   (0,1) 100 + 167/16 (10.4 -> 10) = 110 prints, error 110: (1,1) -302 + 770 = 468.
 *   (1,1) 100 + 468/16 (29.25 -> 29) = 129: white (not below 128), error -126:
 *         (2,1) 144 - 882 = -738.
 *   (2,1) 100 - 738/16 (46.1 -> 46) = 54 prints.
 * With the right and down-left shares swapped (3 right, 7 down-left),
 * (1,0) would be 100 + 19 = 119 and print. */
static void test_floyd_steinberg_by_hand(void **state)
{
    const uint8_t grey[6] = {100, 100, 100, 100, 100, 100};
    const bool expected[6] = {true, false, true, true, false, true};
    cr_bitmap bits;
    dither_canvas(grey, 3, 2, &bits);
    for (int i = 0; i < 6; i++)
        if (cr_bitmap_get(&bits, i % 3, i / 3) != expected[i])
            fail_msg("pixel (%d, %d): printed %d, by hand %d", i % 3, i / 3,
                     cr_bitmap_get(&bits, i % 3, i / 3), expected[i]);
    cr_bitmap_free(&bits);
}

/* A 24x16 ramp with a bump: every dot where the reference puts it. */
static void test_floyd_steinberg_matches_reference(void **state)
{
    enum { W = 24, H = 16 };
    uint8_t grey[W * H];
    bool printed[W * H];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            grey[y * W + x] = (uint8_t)(x * 10 + (x * y) % 7 + (y == 5 ? 40 : 0));
    reference_dither(grey, W, H, printed);
    cr_bitmap bits;
    dither_canvas(grey, W, H, &bits);
    long ink = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            if (cr_bitmap_get(&bits, x, y) != printed[y * W + x])
                fail_msg("pixel (%d, %d) grey %d: printed %d, reference %d", x, y, grey[y * W + x],
                         cr_bitmap_get(&bits, x, y), printed[y * W + x]);
            ink += printed[y * W + x];
        }
    assert_true(ink > W * H / 4 && ink < W * H * 3 / 4); /* a real mix of dots */
    cr_bitmap_free(&bits);
}

/* The classic Bayer matrix built here by its recursion, M(2n) = [4M, 4M+2;
 * 4M+3, 4M+1] from M(1) = [0]: each quadrant is 4M plus an offset, so the
 * finest 2x2 step gives the most significant base-4 digit. The level at
 * (x, y) of the 8x8 one. */
static int bayer_level(int x, int y)
{
    int level = 0;
    for (int bit = 1; bit <= 4; bit <<= 1) { /* the finest 2x2 step weighs most */
        int qx = (x & bit) != 0, qy = (y & bit) != 0;
        level = level * 4 + (qy ? (qx ? 1 : 3) : (qx ? 2 : 0));
    }
    return level;
}

/* Ordered dither as documented (panels.c): a pixel of luminance g prints
 * where g < 4 * level + 2, mid-way in its 1/64 step; so black always prints
 * and white never. Checked on 16x16 greys at every level that matters. */
static void test_ordered_dither_thresholds(void **state)
{
    assert_int_equal(bayer_level(1, 0), 32); /* the matrix panels.c writes out */
    assert_int_equal(bayer_level(7, 7), 21);
    const int greys[] = {0, 1, 2, 3, 64, 127, 128, 129, 250, 252, 253, 254, 255};
    for (size_t i = 0; i < sizeof greys / sizeof greys[0]; i++) {
        cr_canvas canvas;
        assert_int_equal(cr_canvas_init(&canvas, 16, 16, NULL), CR_OK);
        memset(canvas.pixels, greys[i], (size_t)canvas.stride * 16);
        cr_bitmap bits;
        assert_int_equal(cr_bitmap_from_canvas(&canvas, CR_K_ORDERED, 128, &bits, NULL), CR_OK);
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++)
                if (cr_bitmap_get(&bits, x, y) != (greys[i] < 4 * bayer_level(x % 8, y % 8) + 2))
                    fail_msg("grey %d at (%d, %d): printed %d", greys[i], x, y,
                             cr_bitmap_get(&bits, x, y));
        cr_bitmap_free(&bits);
        cr_canvas_free(&canvas);
    }
}

/* -------------------------------------------------------------- overlay */

static const char overlay_card[] =
    "{\"version\": 1, \"card\": {\"overlay\": {\"holes_mm\": [[10, 15, 12, 9], [60, 40, 20, "
    "10]]}, \"k_panel\": {\"mode\": \"dither\"}},"
    " \"fields\": ["
    "  {\"type\": \"rect\", \"box_mm\": [0, 0, 85.6, 54], \"fill\": \"#d8e8f8\"},"
    "  {\"type\": \"text\", \"name\": \"id\", \"box_mm\": [27, 44.2, 55, 4.6], \"bind\": "
    "\"id_number\", \"font\": \"OCR B\", \"size_pt\": 11, \"panel\": \"k\"},"
    "  {\"type\": \"line\", \"from_mm\": [5, 30], \"to_mm\": [50, 30], \"width_mm\": 0.5, "
    "\"panel\": \"k\"}"
    "]}";

static void test_overlay_mask_has_holes_and_rounded_outline(void **state)
{
    cr_template *tpl = template_from(overlay_card, ".");
    cr_record *record = record_from(ID_RECORD);
    cr_image *card = render_with(tpl, record, NULL);
    const cr_image *overlay = cr_image_panel(card, CR_PANEL_OVERLAY);
    assert_non_null(overlay);
    assert_int_equal(cr_image_format_of(overlay), CR_FORMAT_GRAY1);
    int w = cr_image_width(overlay), h = cr_image_height(overlay);
    assert_int_equal(bit_at(overlay, w / 2, h / 2), 1); /* the card */
    assert_int_equal(bit_at(overlay, 0, 0), 0);         /* punched corner */
    assert_int_equal(bit_at(overlay, w - 1, h - 1), 0);
    assert_int_equal(bit_at(overlay, w / 2, 0), 1); /* straight edge */
    assert_int_equal(bit_at(overlay, 0, h / 2), 1);
    /* hole 1: 10..22 x 15..24 mm = 118..260 x 177..283 px */
    assert_int_equal(bit_at(overlay, 120, 180), 0);
    assert_int_equal(bit_at(overlay, 258, 281), 0);
    assert_int_equal(bit_at(overlay, 116, 180), 1);
    assert_int_equal(bit_at(overlay, 262, 180), 1);
    assert_int_equal(bit_at(overlay, 120, 285), 1);
    /* hole 2: 60..80 x 40..50 mm */
    assert_int_equal(bit_at(overlay, 800, 520), 0);
    long holes = 142L * 106 + 236L * 119;
    double radius = 3.18 * 300 / 25.4;
    double corners = 4 * radius * radius * (1 - M_PI / 4);
    long expected = (long)lround((double)w * h - holes - corners);
    if (labs(bits_set(overlay) - expected) > 40)
        fail_msg("the overlay covers %ld px, not about %ld", bits_set(overlay), expected);
    cr_image_destroy(card);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* --------------------------------------------------------------- mirror */

static void assert_mirrored(const cr_image *plain, const cr_image *mirrored)
{
    int w = cr_image_width(plain), h = cr_image_height(plain);
    assert_int_equal(cr_image_width(mirrored), w);
    assert_int_equal(cr_image_height(mirrored), h);
    long differing = 0;
    bool bits = cr_image_format_of(plain) == CR_FORMAT_GRAY1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            differing += bits ? bit_at(plain, x, y) != bit_at(mirrored, w - 1 - x, y)
                              : memcmp(rgb_at(plain, x, y), rgb_at(mirrored, w - 1 - x, y), 3) != 0;
    assert_int_equal(differing, 0);
}

static void test_mirror_equals_a_flipped_render(void **state)
{
    cr_error err;
    cr_template *photo = cr_template_load_file(engine, PHOTO_TEMPLATE, &err);
    cr_record *photo_record = cr_record_load_file(PHOTO_RECORD, &err);
    assert_non_null(photo);
    assert_non_null(photo_record);
    cr_render_options mirror = {.struct_size = sizeof mirror, .mirror = 1};
    cr_image *plain = render_with(photo, photo_record, NULL);
    cr_image *mirrored = render_with(photo, photo_record, &mirror);
    assert_false(same_pixels(plain, mirrored));
    assert_mirrored(plain, mirrored);
    cr_image_destroy(mirrored);
    cr_image_destroy(plain);

    cr_template *panels = template_from(overlay_card, ".");
    cr_record *id = record_from(ID_RECORD);
    cr_render_options canvas = {.struct_size = sizeof canvas,
                                .canvas_width = 1016,
                                .canvas_height = 648,
                                .canvas_offset_x = 2};
    cr_render_options canvas_mirror = canvas;
    canvas_mirror.mirror = 1;
    plain = render_with(panels, id, &canvas);
    mirrored = render_with(panels, id, &canvas_mirror);
    for (int p = 0; p < CR_PANEL_COUNT; p++)
        assert_mirrored(cr_image_panel(plain, (cr_panel)p), cr_image_panel(mirrored, (cr_panel)p));
    cr_image_destroy(mirrored);
    cr_image_destroy(plain);
    cr_record_destroy(id);
    cr_template_destroy(panels);
    cr_record_destroy(photo_record);
    cr_template_destroy(photo);
}

/* --------------------------------------------------------------- canvas */

/* card lies at (x0, y0) on placed, which is white elsewhere. */
static void assert_placed(const cr_image *card, const cr_image *placed, int x0, int y0)
{
    int cw = cr_image_width(card), ch = cr_image_height(card);
    for (int y = 0; y < cr_image_height(placed); y++)
        for (int x = 0; x < cr_image_width(placed); x++) {
            bool on_card = x >= x0 && x < x0 + cw && y >= y0 && y < y0 + ch;
            static const uint8_t white[3] = {255, 255, 255};
            const uint8_t *want = on_card ? rgb_at(card, x - x0, y - y0) : white;
            if (memcmp(rgb_at(placed, x, y), want, 3) != 0)
                fail_msg("pixel (%d, %d) of the canvas is wrong", x, y);
        }
}

static void test_printer_canvas_centres_the_card(void **state)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, PHOTO_TEMPLATE, &err);
    cr_record *record = cr_record_load_file(PHOTO_RECORD, &err);
    cr_image *card = render_with(tpl, record, NULL);
    assert_int_equal(cr_image_width(card), 1011);
    assert_int_equal(cr_image_height(card), 638);

    cr_render_options evolis = {
        .struct_size = sizeof evolis, .canvas_width = 1016, .canvas_height = 648};
    cr_image *placed = render_with(tpl, record, &evolis);
    assert_int_equal(cr_image_width(placed), 1016);
    assert_int_equal(cr_image_height(placed), 648);
    assert_placed(card, placed, 2, 5); /* (1016 - 1011) / 2, (648 - 638) / 2 */
    cr_image_destroy(placed);

    evolis.canvas_offset_x = -2;
    evolis.canvas_offset_y = 3;
    placed = render_with(tpl, record, &evolis);
    assert_placed(card, placed, 0, 8);
    cr_image_destroy(placed);

    evolis.canvas_offset_x = -3; /* one pixel off the canvas */
    assert_null(cr_render(engine, tpl, record, &evolis, &err));
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "does not lie wholly on the 1016x648 printer canvas"));
    cr_render_options fargo = {
        .struct_size = sizeof fargo, .canvas_width = 661, .canvas_height = 1035};
    assert_null(cr_render(engine, tpl, record, &fargo, &err)); /* a landscape card */
    assert_non_null(strstr(err.message, "1011x638 px card"));
    cr_image_destroy(card);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* ------------------------------------------------------------ PNG files */

typedef struct png_file {
    png_uint_32 width, height, x_ppm, y_ppm;
    int bit_depth, color_type, unit;
    uint8_t *pixels; /* rows as stored, rowbytes each */
    size_t rowbytes;
} png_file;

static void read_png_file(const char *path, png_file *out)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng could not read %s", path);
    png_init_io(png, file);
    png_read_info(png, info);
    png_get_IHDR(png, info, &out->width, &out->height, &out->bit_depth, &out->color_type, NULL,
                 NULL, NULL);
    assert_true(png_get_pHYs(png, info, &out->x_ppm, &out->y_ppm, &out->unit));
    out->rowbytes = png_get_rowbytes(png, info);
    out->pixels = malloc(out->rowbytes * out->height);
    for (png_uint_32 y = 0; y < out->height; y++)
        png_read_row(png, out->pixels + y * out->rowbytes, NULL);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(file);
}

static void test_panels_written_at_600_dpi(void **state)
{
    cr_template *tpl = template_from(overlay_card, ".");
    cr_record *record = record_from(ID_RECORD);
    cr_render_options options = {.struct_size = sizeof options, .dpi = 600};
    cr_image *card = render_with(tpl, record, &options);
    char dir[] = "/tmp/cr-print-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/card.png", dir);
    cr_error err;
    assert_int_equal(cr_image_write_panels(card, path, &err), CR_OK);
    static const char *const suffixes[CR_PANEL_COUNT] = {".png", ".k.png", ".overlay.png"};
    for (int p = 0; p < CR_PANEL_COUNT; p++) {
        const cr_image *panel = cr_image_panel(card, (cr_panel)p);
        char file[300];
        snprintf(file, sizeof file, "%s/card%s", dir, suffixes[p]);
        png_file png;
        read_png_file(file, &png);
        assert_int_equal(png.x_ppm, 23622);
        assert_int_equal(png.y_ppm, 23622);
        assert_int_equal(png.unit, PNG_RESOLUTION_METER);
        assert_int_equal(png.width, 2022);
        assert_int_equal(png.height, 1276);
        bool bits = p != CR_PANEL_COLOR;
        assert_int_equal(png.bit_depth, bits ? 1 : 8);
        assert_int_equal(png.color_type, bits ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB);
        for (png_uint_32 y = 0; y < png.height; y++) {
            const uint8_t *row = png.pixels + y * png.rowbytes;
            const uint8_t *own = cr_image_pixels(panel) + y * (size_t)cr_image_stride(panel);
            for (size_t i = 0; i < png.rowbytes; i++) { /* PNG gray: 0 is black, where it prints */
                uint8_t want = bits ? (uint8_t)~own[i] : own[i];
                if (bits && i == png.rowbytes - 1 && png.width % 8) /* padding bits */
                    want &= (uint8_t)(0xFF << (8 - png.width % 8));
                uint8_t got = row[i];
                if (bits && i == png.rowbytes - 1 && png.width % 8)
                    got &= (uint8_t)(0xFF << (8 - png.width % 8));
                if (got != want)
                    fail_msg("%s: row %u byte %zu differs", file, y, i);
            }
        }
        free(png.pixels);
        unlink(file);
    }
    rmdir(dir);
    cr_image_destroy(card);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

static void test_panel_paths(void **state)
{
    char buf[64];
    cr_error err;
    assert_int_equal(cr_panel_path("out/a.png", CR_PANEL_K, buf, sizeof buf, &err), CR_OK);
    assert_string_equal(buf, "out/a.k.png");
    assert_int_equal(cr_panel_path("out/a.PNG", CR_PANEL_OVERLAY, buf, sizeof buf, &err), CR_OK);
    assert_string_equal(buf, "out/a.overlay.png");
    assert_int_equal(cr_panel_path("card", CR_PANEL_K, buf, sizeof buf, &err), CR_OK);
    assert_string_equal(buf, "card.k.png");
    assert_int_equal(cr_panel_path("x.png", CR_PANEL_COLOR, buf, sizeof buf, &err), CR_OK);
    assert_string_equal(buf, "x.png");
    assert_int_equal(cr_panel_path("a-long-name.png", CR_PANEL_K, buf, 8, &err), CR_ERR_ARGUMENT);
}

/* ---------------------------------------------------------------- sheet */

static const char *const slot_colors[] = {"#ff0000", "#00ff00", "#0000ff", "#ffff00",
                                          "#ff00ff", "#00ffff", "#804000", "#408000"};

static cr_image *solid_card(const char *color)
{
    char json[256];
    snprintf(json, sizeof json,
             "{\"version\": 1, \"card\": {\"background\": \"%s\"}, \"fields\": []}", color);
    cr_template *tpl = template_from(json, ".");
    cr_image *card = render_with(tpl, NULL, NULL);
    cr_template_destroy(tpl);
    return card;
}

static void assert_color(const cr_image *image, int x, int y, const char *hex)
{
    unsigned r, g, b;
    sscanf(hex, "#%02x%02x%02x", &r, &g, &b);
    const uint8_t *p = rgb_at(image, x, y);
    if (p[0] != r || p[1] != g || p[2] != b)
        fail_msg("pixel (%d, %d) is %02x%02x%02x, not %s", x, y, p[0], p[1], p[2], hex);
}

static bool dark(const cr_image *image, int x, int y)
{
    const uint8_t *p = rgb_at(image, x, y);
    return p[0] < 128 && p[1] < 128 && p[2] < 128;
}

static void test_sheet_positions_marks_and_back(void **state)
{
    cr_image *cards[8];
    for (int i = 0; i < 8; i++)
        cards[i] = solid_card(slot_colors[i]);
    cr_error err;
    cr_sheet_options options;
    cr_sheet_options_init(&options);
    cr_image *front = cr_sheet_impose((const cr_image *const *)cards, 8, &options, &err);
    assert_non_null(front);
    options.back = 1;
    cr_image *back = cr_sheet_impose((const cr_image *const *)cards, 8, &options, &err);
    options.back = 0;
    options.mirror = 1;
    cr_image *mirrored = cr_sheet_impose((const cr_image *const *)cards, 8, &options, &err);
    assert_non_null(back);
    assert_non_null(mirrored);
    /* 6 mm margins = 71 px, 3 mm gaps = 35 px at 300 dpi */
    int margin = 71, gap = 35, cw = 1011, ch = 638;
    assert_int_equal(cr_image_width(front), 2 * margin + 2 * cw + gap);
    assert_int_equal(cr_image_height(front), 2 * margin + 4 * ch + 3 * gap);
    assert_int_equal(cr_image_dpi(front), 300);
    for (int i = 0; i < 8; i++) {
        int column = i % 2, row = i / 2;
        int x = margin + column * (cw + gap), y = margin + row * (ch + gap);
        int back_x = margin + (1 - column) * (cw + gap);
        assert_color(front, x + cw / 2, y + ch / 2, slot_colors[i]);
        assert_color(front, x + cw / 2, y + 1, slot_colors[i]);
        assert_color(front, x + cw - 1, y + ch / 2, slot_colors[i]);
        assert_color(front, x + cw, y + ch / 2, "#ffffff");
        assert_color(front, x, y, "#ffffff"); /* the punched corner */
        assert_color(back, back_x + cw / 2, y + ch / 2, slot_colors[i]);
        /* crop marks along the slot's cuts, in the margins */
        assert_true(dark(front, x, 10));
        assert_true(dark(front, x + cw, 10));
        assert_true(dark(front, x, cr_image_height(front) - 10));
        assert_true(dark(front, 10, y));
        assert_true(dark(front, cr_image_width(front) - 10, y + ch));
        assert_false(dark(front, x + cw / 2, 10)); /* no mark away from a cut */
        assert_false(dark(front, x, margin - 10)); /* marks stay 1.5 mm clear */
    }
    assert_color(front, margin + cw + gap / 2, 1000, "#ffffff"); /* the gap */
    assert_mirrored(front, mirrored);
    /* the back sheet is the front's slots mirrored: same size, marks at the same cuts */
    assert_int_equal(cr_image_width(back), cr_image_width(front));
    assert_true(dark(back, margin, 10));

    cr_image *too_many[9];
    memcpy(too_many, cards, sizeof cards);
    too_many[8] = cards[0];
    cr_sheet_options_init(&options);
    assert_null(cr_sheet_impose((const cr_image *const *)too_many, 9, &options, &err));
    assert_non_null(strstr(err.message, "9 cards do not fit a 2x4 sheet"));
    cr_image_destroy(mirrored);
    cr_image_destroy(back);
    cr_image_destroy(front);
    for (int i = 0; i < 8; i++)
        cr_image_destroy(cards[i]);
}

static void test_sheet_imposes_k_panels(void **state)
{
    cr_template *tpl = template_from(overlay_card, ".");
    cr_record *record = record_from(ID_RECORD);
    cr_image *card = render_with(tpl, record, NULL);
    const cr_image *cards[3] = {card, NULL, card};
    cr_error err;
    cr_image *sheet = cr_sheet_impose(cards, 3, NULL, &err);
    assert_non_null(sheet);
    const cr_image *k = cr_image_panel(sheet, CR_PANEL_K);
    assert_non_null(k);
    assert_non_null(cr_image_panel(sheet, CR_PANEL_OVERLAY));
    assert_int_equal(bits_set(k), 2 * bits_set(cr_image_panel(card, CR_PANEL_K)));
    /* slot 2 (column 0, row 1) holds the card's K panel bit for bit */
    const cr_image *card_k = cr_image_panel(card, CR_PANEL_K);
    int x0 = 71, y0 = 71 + 638 + 35;
    for (int y = 0; y < 638; y += 3)
        for (int x = 0; x < 1011; x += 3)
            assert_int_equal(bit_at(k, x0 + x, y0 + y), bit_at(card_k, x, y));
    cr_image_destroy(sheet);
    cr_image_destroy(card);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* --------------------------------------------------------- static cache */

static void set_cache(bool on)
{
    if (on)
        unsetenv("CARDRENDER_NO_STATIC_CACHE");
    else
        setenv("CARDRENDER_NO_STATIC_CACHE", "1", 1);
}

static int case_dpi(const char *case_dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/case.json", case_dir);
    FILE *file = fopen(path, "r");
    if (!file)
        return 0;
    char text[256] = "";
    size_t n = fread(text, 1, sizeof text - 1, file);
    text[n] = '\0';
    fclose(file);
    const char *key = strstr(text, "\"dpi\"");
    int dpi = 0;
    return key && sscanf(key, "\"dpi\" : %d", &dpi) == 1 ? dpi : 0;
}

/* Painted field by field, then from a fresh cache (built), then again from
 * it (reused): the same bytes every time. Returns false when the template
 * does not render with this record at all. */
static bool check_cache_identical(const char *template_path, const char *record_path, int dpi)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, template_path, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    cr_record *record = record_path ? cr_record_load_file(record_path, &err) : NULL;
    cr_render_options options = {.struct_size = sizeof options, .dpi = dpi};
    set_cache(false);
    cr_image *whole = cr_render(engine, tpl, record, &options, &err);
    set_cache(true);
    if (!whole) {
        cr_record_destroy(record);
        cr_template_destroy(tpl);
        return false;
    }
    for (int round = 0; round < 2; round++) {
        cr_image *cached = render_with(tpl, record, &options);
        char what[600];
        snprintf(what, sizeof what, "%s at %d dpi, round %d", template_path, dpi, round);
        assert_same_card(whole, cached, what);
        cr_image_destroy(cached);
    }
    assert_non_null(cr_static_layers_get(engine, tpl, dpi ? dpi : cr_template_dpi(tpl)));
    cr_image_destroy(whole);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    return true;
}

static void test_static_cache_is_byte_identical(void **state)
{
    glob_t cases;
    assert_int_equal(glob("tests/golden/*/template.json", 0, NULL, &cases), 0);
    size_t checked = 0;
    for (size_t i = 0; i < cases.gl_pathc; i++) {
        char dir[512], record[1024];
        snprintf(dir, sizeof dir, "%s", cases.gl_pathv[i]);
        *strrchr(dir, '/') = '\0';
        snprintf(record, sizeof record, "%s/record.json", dir);
        const char *record_path = access(record, R_OK) == 0 ? record : NULL;
        if (!check_cache_identical(cases.gl_pathv[i], record_path, case_dpi(dir)))
            fail_msg("golden case %s does not render", dir);
        checked++;
    }
    globfree(&cases);
    assert_true(checked >= 15);
    /* each template with the first example record it renders with */
    glob_t templates, records;
    assert_int_equal(glob("templates/*.json", 0, NULL, &templates), 0);
    assert_int_equal(glob("examples/records/*.json", 0, NULL, &records), 0);
    size_t rendered = 0;
    for (size_t i = 0; i < templates.gl_pathc; i++)
        for (size_t r = 0; r < records.gl_pathc; r++)
            if (check_cache_identical(templates.gl_pathv[i], records.gl_pathv[r], 300)) {
                assert_true(check_cache_identical(templates.gl_pathv[i], records.gl_pathv[r], 600));
                rendered++;
                break;
            }
    globfree(&records);
    globfree(&templates);
    assert_true(rendered >= 2);
    assert_true(check_cache_identical(PHOTO_TEMPLATE, "examples/records/zh-chen-xiaoling.json", 0));
}

/* K and overlay panels come out of the cache byte for byte too. */
static void test_static_cache_is_byte_identical_with_panels(void **state)
{
    char dir[] = "/tmp/cr-print-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char tpl_path[64], record_path[64];
    snprintf(tpl_path, sizeof tpl_path, "%s/panels.json", dir);
    snprintf(record_path, sizeof record_path, "%s/record.json", dir);
    FILE *file = fopen(tpl_path, "w");
    fputs(overlay_card, file);
    fclose(file);
    file = fopen(record_path, "w");
    fputs(ID_RECORD, file);
    fclose(file);
    assert_true(check_cache_identical(tpl_path, record_path, 0));
    assert_true(check_cache_identical(tpl_path, record_path, 600));
    unlink(tpl_path);
    unlink(record_path);
    rmdir(dir);
}

static void test_static_cache_plans_fields(void **state)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, PHOTO_TEMPLATE, &err);
    const cr_static_layers *layers = cr_static_layers_get(engine, tpl, 300);
    assert_non_null(layers);
    size_t base = 0, live = 0;
    for (size_t i = 0; i < cr_template_field_count(tpl); i++) {
        cr_field_info info;
        cr_template_field(tpl, i, &info);
        cr_field_plan plan = layers->fields[i].plan;
        assert_int_equal(plan == CR_PLAN_LIVE, info.bind != NULL);
        base += plan == CR_PLAN_BASE;
        live += plan == CR_PLAN_LIVE;
    }
    assert_int_equal(layers->fields[0].plan, CR_PLAN_BASE); /* 姓名 comes first */
    assert_true(base >= 6);                                 /* most labels */
    assert_int_equal(live, 9);
    assert_ptr_equal(cr_static_layers_get(engine, tpl, 300), layers); /* once per key */
    cr_template_destroy(tpl);
}

typedef struct report_log {
    int indices[64];
    int count;
} report_log;

static void log_report(void *data, const cr_field_report *report)
{
    report_log *log = data;
    if (log->count < 64)
        log->indices[log->count++] = report->field_index;
}

/* A name that wraps onto a label the cache painted into the base: the card
 * is painted again whole, with the same bytes and each report given once. */
static void test_static_cache_conflict_repaints(void **state)
{
    static const char json[] =
        "{\"version\": 1, \"fields\": ["
        " {\"type\": \"text\", \"name\": \"title\", \"box_mm\": [5, 2, 40, 4], \"text\": \"标题\","
        "  \"font\": \"Noto Sans CJK SC\", \"size_pt\": 9},"
        " {\"type\": \"text\", \"name\": \"name\", \"box_mm\": [5, 8, 30, 4], \"bind\": \"name\","
        "  \"font\": \"Noto Sans CJK SC\", \"size_pt\": 9},"
        " {\"type\": \"text\", \"name\": \"label\", \"box_mm\": [5, 16, 30, 4], \"text\": \"住址\","
        "  \"font\": \"Noto Sans CJK SC\", \"size_pt\": 9, \"color\": \"#1f5fa8\"},"
        " {\"type\": \"rect\", \"name\": \"box\", \"box_mm\": [4, 7.5, 32, 5], \"stroke\": "
        "\"#c0392b\"}"
        "]}";
    cr_template *tpl = template_from(json, ".");
    const cr_static_layers *layers = cr_static_layers_get(engine, tpl, 300);
    assert_non_null(layers);
    assert_int_equal(layers->fields[2].plan, CR_PLAN_BASE);     /* clear of the name's box */
    assert_int_equal(layers->fields[3].plan, CR_PLAN_PREPARED); /* over the name */
    const char *records[] = {
        "{\"name\": \"张伟\"}",
        "{\"name\": \"阿卜杜热西提·买买提明阿卜杜热西提·买买提明阿卜杜热西提·买买提明\"}"};
    for (int r = 0; r < 2; r++) {
        cr_record *record = record_from(records[r]);
        report_log whole_log = {.count = 0}, cached_log = {.count = 0};
        cr_render_options options = {.struct_size = sizeof options,
                                     .field_report = log_report,
                                     .field_report_data = &whole_log};
        set_cache(false);
        cr_image *whole = render_with(tpl, record, &options);
        set_cache(true);
        options.field_report_data = &cached_log;
        cr_image *cached = render_with(tpl, record, &options);
        assert_same_card(whole, cached, records[r]);
        assert_int_equal(cached_log.count, 3);
        assert_int_equal(whole_log.count, 3);
        for (int i = 0; i < 3; i++)
            assert_int_equal(cached_log.indices[i], whole_log.indices[i]);
        cr_image_destroy(cached);
        cr_image_destroy(whole);
        cr_record_destroy(record);
    }
    cr_template_destroy(tpl);
}

/* Artwork over a photo cannot go into the base: it is kept composed (scaled
 * once) and blended per card. */
static void test_static_artwork_is_scaled_once(void **state)
{
    static const char json[] =
        "{\"version\": 1, \"fields\": ["
        " {\"type\": \"image\", \"name\": \"photo\", \"box_mm\": [50, 5, 26, 32], \"bind\": "
        "\"photo\"},"
        " {\"type\": \"image\", \"name\": \"logo\", \"box_mm\": [60, 25, 15, 15], \"src\": "
        "\"art/logo.png\", \"fit\": \"contain\", \"opacity\": 0.6}"
        "]}";
    cr_template *tpl = template_from(json, "tests/golden/artwork-shapes");
    const cr_static_layers *layers = cr_static_layers_get(engine, tpl, 300);
    assert_int_equal(layers->fields[1].plan, CR_PLAN_PREPARED);
    assert_non_null(layers->fields[1].layer.rgba);
    cr_record *record = record_from("{\"photo\": \"photos/portrait-358x441.jpg\"}");
    cr_render_options options = {.struct_size = sizeof options, .asset_dir = "examples/records"};
    set_cache(false);
    cr_image *whole = render_with(tpl, record, &options);
    set_cache(true);
    cr_image *cached = render_with(tpl, record, &options);
    assert_same_card(whole, cached, "emblem over a photo");
    cr_image_destroy(cached);
    cr_image_destroy(whole);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

typedef struct thread_job {
    const cr_template *tpl;
    const cr_record *record;
    cr_image *image;
} thread_job;

static void *render_thread(void *data)
{
    thread_job *job = data;
    cr_error err;
    cr_render_options options = {.struct_size = sizeof options,
                                 .dpi = 200}; /* a resolution no other test built */
    job->image = cr_render(engine, job->tpl, job->record, &options, &err);
    return NULL;
}

static void test_static_cache_threads_share_a_template(void **state)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, PHOTO_TEMPLATE, &err);
    cr_record *record = cr_record_load_file(PHOTO_RECORD, &err);
    set_cache(false);
    cr_render_options options = {.struct_size = sizeof options, .dpi = 200};
    cr_image *whole = render_with(tpl, record, &options);
    set_cache(true);
    enum { THREADS = 4 };
    pthread_t threads[THREADS];
    thread_job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (thread_job){tpl, record, NULL};
        assert_int_equal(pthread_create(&threads[i], NULL, render_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        assert_non_null(jobs[i].image);
        assert_same_card(whole, jobs[i].image, "a thread's card");
        cr_image_destroy(jobs[i].image);
    }
    cr_image_destroy(whole);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* ------------------------------------------------------- template keys */

static void assert_template_error(const char *json, const char *message)
{
    cr_error err;
    cr_template *tpl = cr_template_load_memory(engine, json, strlen(json), "bad.json", ".", &err);
    if (tpl)
        fail_msg("loaded, but should fail with: %s", message);
    if (!strstr(err.message, message))
        fail_msg("\"%s\" lacks \"%s\"", err.message, message);
    assert_int_equal(err.code, CR_ERR_TEMPLATE);
}

static void test_print_keys_are_checked(void **state)
{
    assert_template_error("{\"version\": 1, \"fields\": [{\"type\": \"rect\", \"box_mm\": [1, 1, "
                          "2, 2], \"fill\": \"#000000\", \"panel\": \"K\"}]}",
                          "bad.json:1:96: field 0: \"panel\" must be color or k (got \"K\")");
    assert_template_error("{\"version\": 1, \"card\": {\"k_panel\": {\"mode\": \"dither\", "
                          "\"threshold\": 100}}, \"fields\": []}",
                          "\"threshold\" has no effect with \"mode\": \"dither\"");
    assert_template_error("{\"version\": 1, \"card\": {\"k_panel\": {\"threshold\": 0}}, "
                          "\"fields\": []}",
                          "\"threshold\" must be between 1 and 255 (got 0)");
    assert_template_error("{\"version\": 1, \"card\": {\"k_panel\": {\"mode\": \"halftone\"}}, "
                          "\"fields\": []}",
                          "\"mode\" must be threshold, dither or ordered (got \"halftone\")");
    assert_template_error("{\"version\": 1, \"card\": {\"overlay\": {\"holes_mm\": [[80, 10, 10, "
                          "5]]}}, \"fields\": []}",
                          "hole 0 reaches past the card's right edge");
    assert_template_error("{\"version\": 1, \"card\": {\"overlay\": {\"holes_mm\": [[1, 2, 3]]}}, "
                          "\"fields\": []}",
                          "bad.json:1:50: hole 0 must hold 4 numbers [x, y, width, height], not 3");
    assert_template_error("{\"version\": 1, \"card\": {\"overlay\": {\"holes_mm\": [[1, 2, 3, "
                          "-1]]}}, \"fields\": []}",
                          "bad.json:1:60: hole 0 height must be greater than 0 and at most");
    assert_template_error("{\"version\": 1, \"card\": {\"overlay\": {\"holes\": []}}, "
                          "\"fields\": []}",
                          "bad.json:1:37: unknown key \"holes\" (allowed keys: holes_mm)");
    assert_template_error("{\"version\": 1, \"card\": {\"overlay\": true}, \"fields\": []}",
                          "\"overlay\" must be an object, not a boolean");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_k_panel_holds_exactly_the_k_field),
        cmocka_unit_test(test_k_panel_threshold_and_dithers),
        cmocka_unit_test(test_k_threshold_values),
        cmocka_unit_test(test_floyd_steinberg_by_hand),
        cmocka_unit_test(test_floyd_steinberg_matches_reference),
        cmocka_unit_test(test_ordered_dither_thresholds),
        cmocka_unit_test(test_overlay_mask_has_holes_and_rounded_outline),
        cmocka_unit_test(test_mirror_equals_a_flipped_render),
        cmocka_unit_test(test_printer_canvas_centres_the_card),
        cmocka_unit_test(test_panels_written_at_600_dpi),
        cmocka_unit_test(test_panel_paths),
        cmocka_unit_test(test_sheet_positions_marks_and_back),
        cmocka_unit_test(test_sheet_imposes_k_panels),
        cmocka_unit_test(test_static_cache_is_byte_identical),
        cmocka_unit_test(test_static_cache_is_byte_identical_with_panels),
        cmocka_unit_test(test_static_cache_plans_fields),
        cmocka_unit_test(test_static_cache_conflict_repaints),
        cmocka_unit_test(test_static_artwork_is_scaled_once),
        cmocka_unit_test(test_static_cache_threads_share_a_template),
        cmocka_unit_test(test_print_keys_are_checked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
