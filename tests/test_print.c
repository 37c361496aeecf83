/* Print outputs of one card: the K panel (threshold, Floyd-Steinberg and
 * ordered dither), the overlay mask, 1-bit PNG files at the card's
 * resolution, and the template keys of the K panel and the overlay.
 * Placement (mirroring, printer canvases, sheets) is in test_print_sheet.c,
 * the static-layer cache in test_static_cache.c. */
#include <math.h>
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
#include "print_fixtures.h"

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
        cmocka_unit_test(test_panels_written_at_600_dpi),
        cmocka_unit_test(test_panel_paths),
        cmocka_unit_test(test_print_keys_are_checked),
    };
    return cmocka_run_group_tests_name("print panels", tests, print_setup, print_teardown);
}
