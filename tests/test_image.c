/* Photo decoding, the files that decode: the shared test photos, every PNG
 * and JPEG flavour made here with libpng/libjpeg (image_fixtures.h), EXIF
 * orientation and JPEG decoding reduced to a box. Hostile files, limits and
 * arguments are in test_image_hostile.c. Run from the project root (photos:
 * ../shared/data/photos).
 *
 * Thresholds below are mean absolute differences (MAD) per channel, in 8-bit
 * levels, against portrait-358x441.jpg; the values measured when they were
 * set are in the comments and printed on every run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <jpeglib.h>
#include <png.h>

#include "image.h"
#include "image_fixtures.h"
#include "resample.h"
#include "resample_opaque.h"

/* ==================================================== shared photos */

static void test_every_shared_photo_decodes(void **state)
{
    if (!have_photos())
        skip();
    DIR *dir = opendir(PHOTO_DIR);
    assert_non_null(dir);
    int decoded = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        const char *dot = strrchr(entry->d_name, '.');
        if (!dot || (strcmp(dot, ".jpg") != 0 && strcmp(dot, ".png") != 0))
            continue;
        cr_pixmap p = decode_photo(entry->d_name);
        /* Upright sizes: the EXIF-turned file is stored 441x358. */
        bool square = strcmp(entry->d_name, "astronaut-512.jpg") == 0;
        assert_int_equal(p.width, square ? 512 : 358);
        assert_int_equal(p.height, square ? 512 : 441);
        print_message("decoded %-34s %dx%d\n", entry->d_name, p.width, p.height);
        cr_pixmap_free(&p);
        decoded++;
    }
    closedir(dir);
    assert_int_equal(decoded, 8); /* a new photo gets its size above */
}

static void test_reference_portrait(void **state)
{
    if (!have_photos())
        skip();
    cr_pixmap p = decode_photo("portrait-358x441.jpg");
    assert_int_equal(p.width, 358);
    assert_int_equal(p.height, 441);
    for (int y = 0; y < p.height; y++)
        for (int x = 0; x < p.width; x++)
            assert_int_equal(cr_pixmap_at(&p, x, y)[3], 255);
    cr_pixmap_free(&p);
}

/* Each variant against the baseline JPEG (same pixels, other encodings). */
static void compare_to_reference(const char *name, double threshold)
{
    cr_pixmap reference = decode_photo("portrait-358x441.jpg");
    cr_pixmap p = decode_photo(name);
    assert_int_equal(p.width, 358);
    assert_int_equal(p.height, 441);
    assert_close_to(&p, &reference, name, threshold);
    cr_pixmap_free(&p);
    cr_pixmap_free(&reference);
}

static void test_progressive_matches(void **state)
{
    if (!have_photos())
        skip();
    compare_to_reference("portrait-progressive.jpg", 2.0); /* measured 0.59 0.51 0.71 */
}

static void test_16bit_png_matches(void **state)
{
    if (!have_photos())
        skip();
    compare_to_reference("portrait-16bit.png", 1.0); /* measured 0.000 (same pixels) */
}

/* CMYK (here YCCK with an Adobe marker, stored inverted) converted without
 * a colour profile: close to the RGB original, never inverted garbage. */
static void test_cmyk_matches(void **state)
{
    if (!have_photos())
        skip();
    compare_to_reference("portrait-cmyk.jpg", 3.0); /* measured 0.71 0.63 0.92 */
}

static void test_exif_orientation_6_is_upright(void **state)
{
    if (!have_photos())
        skip();
    compare_to_reference("portrait-exif-orientation-6.jpg", 2.0); /* measured 0.92 0.82 1.15 */
}

/* Gray comes out as R = G = B, compared with the reference's Rec. 601 luma. */
static void test_gray_matches_luma(void **state)
{
    if (!have_photos())
        skip();
    cr_pixmap reference = decode_photo("portrait-358x441.jpg");
    cr_pixmap gray = decode_photo("portrait-gray.jpg");
    assert_int_equal(gray.width, 358);
    assert_int_equal(gray.height, 441);
    double sum = 0;
    for (int y = 0; y < gray.height; y++)
        for (int x = 0; x < gray.width; x++) {
            const uint8_t *g = cr_pixmap_at(&gray, x, y), *r = cr_pixmap_at(&reference, x, y);
            assert_int_equal(g[0], g[1]);
            assert_int_equal(g[1], g[2]);
            assert_int_equal(g[3], 255);
            int luma = (int)lround(0.299 * r[0] + 0.587 * r[1] + 0.114 * r[2]);
            sum += abs(g[0] - luma);
        }
    double mad = sum / (gray.width * gray.height);
    print_message("%-32s MAD vs luma %.3f (threshold 3.0)\n", "portrait-gray.jpg", mad);
    assert_true(mad < 3.0); /* measured 1.22 */
    cr_pixmap_free(&gray);
    cr_pixmap_free(&reference);
}

static void test_alpha_png(void **state)
{
    if (!have_photos())
        skip();
    cr_pixmap p = decode_photo("portrait-alpha.png");
    assert_int_equal(p.width, 358);
    assert_int_equal(p.height, 441);
    const int corners[4][2] = {{0, 0}, {357, 0}, {0, 440}, {357, 440}};
    for (int i = 0; i < 4; i++)
        expect_pixel(&p, corners[i][0], corners[i][1], 0, 0, 0, 0, 0);
    assert_int_equal(cr_pixmap_at(&p, 179, 220)[3], 255);
    long transparent = 0, opaque = 0;
    for (int y = 0; y < p.height; y++)
        for (int x = 0; x < p.width; x++) {
            const uint8_t *px = cr_pixmap_at(&p, x, y);
            transparent += px[3] == 0;
            opaque += px[3] == 255;
            if (px[3] == 0) /* documented: no colour under full transparency */
                assert_true(px[0] == 0 && px[1] == 0 && px[2] == 0);
        }
    print_message("portrait-alpha.png: %ld transparent, %ld opaque of %d px\n", transparent, opaque,
                  p.width * p.height);
    assert_true(transparent > 1000 && opaque > 10000);
    cr_pixmap reference = decode_photo("portrait-358x441.jpg");
    assert_close_to(&p, &reference, "portrait-alpha.png (opaque)", 2.0); /* measured 0.000 */
    cr_pixmap_free(&reference);
    cr_pixmap_free(&p);
}

/* Half of each shared photo: always the same exact message. */
static void test_truncated_shared_photos(void **state)
{
    if (!have_photos())
        skip();
    static const char *const names[] = {"portrait-358x441.jpg", "portrait-progressive.jpg",
                                        "portrait-cmyk.jpg", "portrait-16bit.png",
                                        "portrait-alpha.png"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char source[256];
        snprintf(source, sizeof source, "%s/%s", PHOTO_DIR, names[i]);
        buffer whole = read_whole(source);
        const char *path = write_temp(names[i], whole.data, whole.size / 2);
        bool jpeg = strstr(names[i], ".jpg") != NULL;
        expect_file_error(path, CR_ERR_IMAGE,
                          jpeg ? "JPEG data is truncated (premature end of data)"
                               : "PNG data is truncated (premature end of data)");
        buffer_free(&whole);
    }
}

/* ====================================================== PNG flavours */

static void test_png_gray_depths(void **state)
{
    check_gray_png(1, (const int[]){0, 1, 1, 0}, (const int[]){0, 255, 255, 0});
    check_gray_png(2, (const int[]){0, 1, 2, 3}, (const int[]){0, 85, 170, 255});
    check_gray_png(4, (const int[]){0, 5, 10, 15}, (const int[]){0, 85, 170, 255});
    check_gray_png(8, (const int[]){0, 100, 200, 255}, (const int[]){0, 100, 200, 255});
    check_gray_png(16, (const int[]){0, 100 * 257, 200 * 257, 65535},
                   (const int[]){0, 100, 200, 255});
}

static void test_png_gray_alpha(void **state)
{
    const uint8_t row8[8] = {10, 0, 20, 128, 30, 255, 40, 64};
    png_spec spec = {
        .width = 4, .height = 1, .color_type = PNG_COLOR_TYPE_GRAY_ALPHA, .bit_depth = 8};
    buffer png = encode_png(&spec, row8, sizeof row8);
    cr_pixmap p = decode_buffer_ok(&png, "ga8.png");
    expect_pixel(&p, 0, 0, 0, 0, 0, 0, 0); /* transparent: colour cleared */
    expect_pixel(&p, 1, 0, 20, 20, 20, 128, 0);
    expect_pixel(&p, 2, 0, 30, 30, 30, 255, 0);
    expect_pixel(&p, 3, 0, 40, 40, 40, 64, 0);
    cr_pixmap_free(&p);
    buffer_free(&png);

    uint8_t row16[16];
    for (int i = 0; i < 8; i++)
        row16[2 * i] = row16[2 * i + 1] = row8[i]; /* v * 257 */
    spec.bit_depth = 16;
    png = encode_png(&spec, row16, sizeof row16);
    p = decode_buffer_ok(&png, "ga16.png");
    expect_pixel(&p, 1, 0, 20, 20, 20, 128, 0);
    expect_pixel(&p, 3, 0, 40, 40, 40, 64, 0);
    cr_pixmap_free(&p);
    buffer_free(&png);
}

static void test_png_rgb_and_rgba(void **state)
{
    const uint8_t rgb[6] = {1, 2, 3, 250, 128, 7};
    const uint8_t rgba[8] = {1, 2, 3, 77, 250, 128, 7, 255};
    uint8_t rgb16[12], rgba16[16];
    for (int i = 0; i < 6; i++)
        rgb16[2 * i] = rgb16[2 * i + 1] = rgb[i];
    for (int i = 0; i < 8; i++)
        rgba16[2 * i] = rgba16[2 * i + 1] = rgba[i];
    struct {
        int type, depth;
        const uint8_t *row;
        size_t size;
        int alpha0;
    } cases[] = {{PNG_COLOR_TYPE_RGB, 8, rgb, sizeof rgb, 255},
                 {PNG_COLOR_TYPE_RGB, 16, rgb16, sizeof rgb16, 255},
                 {PNG_COLOR_TYPE_RGBA, 8, rgba, sizeof rgba, 77},
                 {PNG_COLOR_TYPE_RGBA, 16, rgba16, sizeof rgba16, 77}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        png_spec spec = {
            .width = 2, .height = 1, .color_type = cases[i].type, .bit_depth = cases[i].depth};
        buffer png = encode_png(&spec, cases[i].row, cases[i].size);
        cr_pixmap p = decode_buffer_ok(&png, "rgb.png");
        expect_pixel(&p, 0, 0, 1, 2, 3, cases[i].alpha0, 0);
        expect_pixel(&p, 1, 0, 250, 128, 7, 255, 0);
        cr_pixmap_free(&p);
        buffer_free(&png);
    }
}

static void test_png_palette_with_trns(void **state)
{
    static const png_color palette[4] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {9, 8, 7}};
    static const png_byte alpha[2] = {0, 100}; /* entries 2 and 3 stay opaque */
    const int indices[4] = {3, 2, 1, 0};
    for (int depth = 2; depth <= 8; depth *= 2) {
        uint8_t row[4];
        if (depth == 8)
            for (int i = 0; i < 4; i++)
                row[i] = (uint8_t)indices[i];
        else
            pack_row(indices, 4, depth, row);
        png_spec spec = {
            4, 1, PNG_COLOR_TYPE_PALETTE, depth, PNG_INTERLACE_NONE, palette, 4, alpha, 2, NULL};
        buffer png = encode_png(&spec, row, sizeof row);
        cr_pixmap p = decode_buffer_ok(&png, "palette.png");
        expect_pixel(&p, 0, 0, 9, 8, 7, 255, 0);
        expect_pixel(&p, 1, 0, 0, 0, 255, 255, 0);
        expect_pixel(&p, 2, 0, 0, 255, 0, 100, 0);
        expect_pixel(&p, 3, 0, 0, 0, 0, 0, 0);
        cr_pixmap_free(&p);
        buffer_free(&png);
    }
    /* 1-bit palette without tRNS: opaque. */
    const int bits[4] = {1, 0, 0, 1};
    uint8_t row[1];
    pack_row(bits, 4, 1, row);
    png_spec spec = {4, 1,   PNG_COLOR_TYPE_PALETTE, 1, PNG_INTERLACE_NONE, palette, 2, NULL,
                     0, NULL};
    buffer png = encode_png(&spec, row, sizeof row);
    cr_pixmap p = decode_buffer_ok(&png, "palette1.png");
    expect_pixel(&p, 0, 0, 0, 255, 0, 255, 0);
    expect_pixel(&p, 1, 0, 255, 0, 0, 255, 0);
    cr_pixmap_free(&p);
    buffer_free(&png);
}

static void test_png_colour_key_trns(void **state)
{
    const uint8_t rgb[6] = {1, 2, 3, 4, 5, 6};
    png_color_16 key = {0, 1, 2, 3, 0};
    png_spec spec = {2, 1, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, NULL, 0, NULL, 0, &key};
    buffer png = encode_png(&spec, rgb, sizeof rgb);
    cr_pixmap p = decode_buffer_ok(&png, "key.png");
    expect_pixel(&p, 0, 0, 0, 0, 0, 0, 0);
    expect_pixel(&p, 1, 0, 4, 5, 6, 255, 0);
    cr_pixmap_free(&p);
    buffer_free(&png);

    const uint8_t gray[2] = {50, 60};
    png_color_16 gray_key = {0, 0, 0, 0, 60};
    png_spec gray_spec = {2, 1,        PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, NULL, 0, NULL,
                          0, &gray_key};
    png = encode_png(&gray_spec, gray, sizeof gray);
    p = decode_buffer_ok(&png, "graykey.png");
    expect_pixel(&p, 0, 0, 50, 50, 50, 255, 0);
    expect_pixel(&p, 1, 0, 0, 0, 0, 0, 0);
    cr_pixmap_free(&p);
    buffer_free(&png);
}

/* Leaves freed heap memory of about `size` bytes full of 0xA5, so that a
 * picture the decoder does not fill (it is no longer zeroed first) shows. */
static void dirty_freed_memory(size_t size)
{
    for (size_t extra = 0; extra <= 128; extra += 16) {
        void *block = malloc(size + extra);
        assert_non_null(block);
        memset(block, 0xA5, size + extra);
        free(block);
    }
}

/* Adam7: every pixel comes from one of the seven passes, each written into
 * the picture as it is read. */
static void test_png_interlaced(void **state)
{
    enum { W = 13, H = 11 };
    uint8_t rows[W * H * 3];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *px = rows + (y * W + x) * 3;
            px[0] = (uint8_t)(x * 19), px[1] = (uint8_t)(y * 23), px[2] = (uint8_t)(x * y);
        }
    png_spec spec = {.width = W,
                     .height = H,
                     .color_type = PNG_COLOR_TYPE_RGB,
                     .bit_depth = 8,
                     .interlace = PNG_INTERLACE_ADAM7};
    buffer png = encode_png(&spec, rows, W * 3);
    dirty_freed_memory(W * H * 4 + 64);
    cr_pixmap p = decode_buffer_ok(&png, "adam7.png");
    assert_int_equal(p.width, W);
    assert_int_equal(p.height, H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            expect_pixel(&p, x, y, x * 19 % 256, y * 23 % 256, x * y % 256, 255, 0);
    cr_pixmap_free(&p);
    buffer_free(&png);
}

/* The IDAT chunk of a PNG written by encode_png (one IDAT): offset of its
 * data and its length. */
static size_t idat_data(const buffer *png, uint32_t *length)
{
    for (size_t at = 8; at + 12 <= png->size;) {
        const uint8_t *p = png->data + at;
        uint32_t n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        if (memcmp(p + 4, "IDAT", 4) == 0) {
            *length = n;
            return at + 8;
        }
        at += 12 + (size_t)n;
    }
    fail_msg("no IDAT");
    return 0;
}

static void put_crc(uint8_t *chunk_type, uint32_t length)
{
    uint32_t crc = (uint32_t)crc32(crc32(0L, chunk_type, 4), chunk_type + 4, length);
    uint8_t *p = chunk_type + 4 + length;
    p[0] = (uint8_t)(crc >> 24), p[1] = (uint8_t)(crc >> 16), p[2] = (uint8_t)(crc >> 8),
    p[3] = (uint8_t)crc;
}

/* A damaged IDAT is refused by its chunk's CRC-32. The zlib stream's
 * Adler-32 is not checked (it would only catch a broken encoder; decoding
 * the artwork, it was a tenth of the time): a wrong one whose chunk CRC
 * was made to match decodes to the pixels. */
static void test_png_idat_crc_checked_adler_not(void **state)
{
    enum { W = 16, H = 8 };
    uint8_t rows[W * H * 3];
    for (int i = 0; i < W * H * 3; i++)
        rows[i] = (uint8_t)(i * 37 + 11);
    png_spec spec = {.width = W, .height = H, .color_type = PNG_COLOR_TYPE_RGB, .bit_depth = 8};
    buffer png = encode_png(&spec, rows, W * 3);
    uint32_t length = 0;
    size_t data = idat_data(&png, &length);
    uint8_t *adler_last = png.data + data + length - 1;
    *adler_last ^= 0x40; /* the chunk's CRC now disagrees */
    cr_pixmap p;
    cr_error err;
    assert_int_equal(cr_image_decode_memory(png.data, png.size, "damaged.png", NULL, &p, &err),
                     CR_ERR_IMAGE);
    assert_non_null(strstr(err.message, "damaged.png"));
    put_crc(png.data + data - 4, length); /* CRC right, Adler-32 wrong */
    p = decode_buffer_ok(&png, "adler.png");
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const uint8_t *want = rows + (y * W + x) * 3;
            expect_pixel(&p, x, y, want[0], want[1], want[2], 255, 0);
        }
    cr_pixmap_free(&p);
    buffer_free(&png);
}

/* ===================================================== JPEG flavours */

/* For each EXIF orientation: the stored quadrant that must appear at the
 * displayed top-left, top-right, bottom-left and bottom-right (EXIF 2.3). */
static const int displayed_corners[9][4] = {
    [1] = {RED, GREEN, BLUE, WHITE}, [2] = {GREEN, RED, WHITE, BLUE},
    [3] = {WHITE, BLUE, GREEN, RED}, [4] = {BLUE, WHITE, RED, GREEN},
    [5] = {RED, BLUE, GREEN, WHITE}, [6] = {BLUE, RED, WHITE, GREEN},
    [7] = {WHITE, GREEN, BLUE, RED}, [8] = {GREEN, WHITE, RED, BLUE},
};

static void expect_corners(const cr_pixmap *p, const int corners[4], int slack)
{
    int xs[2] = {p->width / 4, p->width * 3 / 4}, ys[2] = {p->height / 4, p->height * 3 / 4};
    for (int i = 0; i < 4; i++) {
        const uint8_t *c = quadrant_colour[corners[i]];
        expect_pixel(p, xs[i % 2], ys[i / 2], c[0], c[1], c[2], 255, slack);
    }
}

static void test_jpeg_exif_orientations(void **state)
{
    uint8_t *samples = quadrant_samples();
    for (int orientation = 1; orientation <= 8; orientation++) {
        uint8_t exif[32];
        bool little = orientation % 2 == 0; /* both byte orders */
        jpeg_spec spec = {
            64, 32, 3, JCS_RGB, 95, false, false, exif, make_exif(orientation, little, exif)};
        buffer jpeg = encode_jpeg(&spec, samples);
        cr_pixmap p = decode_buffer_ok(&jpeg, "orientation.jpg");
        bool swapped = orientation >= 5;
        assert_int_equal(p.width, swapped ? 32 : 64);
        assert_int_equal(p.height, swapped ? 64 : 32);
        expect_corners(&p, displayed_corners[orientation], 6);
        cr_pixmap_free(&p);
        buffer_free(&jpeg);
    }
    free(samples);
}

/* A large smooth photo-like picture (gradients, no detail finer than the
 * reductions average away), as a camera would hand over. */
static uint8_t *gradient_samples(int width, int height)
{
    uint8_t *samples = malloc((size_t)width * (size_t)height * 3);
    assert_non_null(samples);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            uint8_t *p = samples + ((size_t)y * (size_t)width + (size_t)x) * 3;
            p[0] = (uint8_t)(x * 255 / width);
            p[1] = (uint8_t)(y * 255 / height);
            p[2] = (uint8_t)(128 + 100 * sin(x / 90.0) * cos(y / 70.0));
        }
    return samples;
}

static cr_pixmap decode_reduced(const buffer *jpeg, int width, int height)
{
    cr_decode_limits limits = {.reduce_to_width = width, .reduce_to_height = height};
    cr_pixmap p;
    assert_int_equal(cr_image_decode_memory(jpeg->data, jpeg->size, "big.jpg", &limits, &p, NULL),
                     CR_OK);
    return p;
}

/* A JPEG comes out reduced by the largest of 8, 4, 2 that keeps it at least
 * the size asked (in the upright picture's axes, EXIF turns included), and
 * scaled on to the box it looks like the full decode scaled there. */
static void test_jpeg_decodes_reduced_to_the_box(void **state)
{
    uint8_t *samples = gradient_samples(1600, 2000);
    jpeg_spec spec = {1600, 2000, 3, JCS_RGB, 90, false, false, NULL, 0};
    buffer jpeg = encode_jpeg(&spec, samples);
    const int asks[][4] = {/* width, height asked -> width, height decoded */
                           {0, 0, 1600, 2000},    {283, 354, 400, 500}, {400, 500, 400, 500},
                           {401, 500, 800, 1000}, {100, 100, 200, 250}, {1601, 10, 1600, 2000},
                           {283, 0, 1600, 2000}};
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        cr_pixmap p = decode_reduced(&jpeg, asks[i][0], asks[i][1]);
        assert_int_equal(p.width, asks[i][2]);
        assert_int_equal(p.height, asks[i][3]);
        cr_pixmap_free(&p);
    }
    cr_pixmap full = decode_reduced(&jpeg, 0, 0), reduced = decode_reduced(&jpeg, 283, 354);
    cr_pixmap a, b;
    assert_int_equal(cr_pixmap_resample(&full, 283, 354, NULL, &a, NULL), CR_OK);
    assert_int_equal(cr_pixmap_resample(&reduced, 283, 354, NULL, &b, NULL), CR_OK);
    double total = 0;
    for (size_t k = 0; k < (size_t)283 * 354 * 4; k++)
        total += abs(a.rgba[k] - b.rgba[k]);
    double mean = total / (283.0 * 354 * 3); /* alpha is 255 in both */
    print_message("full decode vs reduced by 4, both scaled to 283x354: mean |diff| %.3f\n", mean);
    assert_true(mean < 1.0);
    cr_pixmap_free(&a);
    cr_pixmap_free(&b);
    cr_pixmap_free(&full);
    cr_pixmap_free(&reduced);
    buffer_free(&jpeg);

    uint8_t exif[32]; /* orientation 6: the file is 1600 x 2000, the picture 2000 x 1600 */
    jpeg_spec turned = {1600, 2000, 3, JCS_RGB, 90, false, false, exif, make_exif(6, false, exif)};
    jpeg = encode_jpeg(&turned, samples);
    cr_pixmap p = decode_reduced(&jpeg, 500, 400);
    assert_int_equal(p.width, 500);
    assert_int_equal(p.height, 400);
    cr_pixmap_free(&p);
    buffer_free(&jpeg);
    free(samples);
}

/* Orientation on a tiny pixmap, exactly, without JPEG in the way. */
static void test_apply_orientation_exact(void **state)
{
    cr_pixmap src;
    assert_int_equal(cr_pixmap_init(&src, 2, 2, NULL), CR_OK);
    for (int q = 0; q < 4; q++)
        memcpy(
            cr_pixmap_at(&src, q % 2, q / 2),
            (uint8_t[4]){quadrant_colour[q][0], quadrant_colour[q][1], quadrant_colour[q][2], 255},
            4);
    for (int orientation = 0; orientation <= 9; orientation++) {
        cr_pixmap out;
        assert_int_equal(cr_pixmap_apply_orientation(&src, orientation, &out, NULL), CR_OK);
        int expected = orientation >= 1 && orientation <= 8 ? orientation : 1;
        for (int i = 0; i < 4; i++) {
            const uint8_t *c = quadrant_colour[displayed_corners[expected][i]];
            expect_pixel(&out, i % 2, i / 2, c[0], c[1], c[2], 255, 0);
        }
        cr_pixmap_free(&out);
    }
    cr_pixmap_free(&src);
}

static void test_jpeg_gray_and_progressive(void **state)
{
    uint8_t gray[64 * 32];
    for (int i = 0; i < 64 * 32; i++)
        gray[i] = (i % 64) < 32 ? 60 : 190;
    jpeg_spec spec = {64, 32, 1, JCS_GRAYSCALE, 95, false, false, NULL, 0};
    buffer jpeg = encode_jpeg(&spec, gray);
    cr_pixmap p = decode_buffer_ok(&jpeg, "gray.jpg");
    expect_pixel(&p, 10, 10, 60, 60, 60, 255, 2);
    expect_pixel(&p, 50, 20, 190, 190, 190, 255, 2);
    cr_pixmap_free(&p);
    buffer_free(&jpeg);

    uint8_t *samples = quadrant_samples();
    jpeg_spec progressive = {64, 32, 3, JCS_RGB, 95, true, false, NULL, 0};
    jpeg = encode_jpeg(&progressive, samples);
    p = decode_buffer_ok(&jpeg, "progressive.jpg");
    expect_corners(&p, displayed_corners[1], 6);
    cr_pixmap_free(&p);
    buffer_free(&jpeg);
    free(samples);
}

/* Plain CMYK (0 = no ink) and Adobe's inverted CMYK (0 = full ink) both
 * come out as the colour they mean. */
static void test_jpeg_cmyk_conventions(void **state)
{
    uint8_t plain[16 * 16 * 4], inverted[16 * 16 * 4];
    const uint8_t red_plain[4] = {0, 255, 255, 0};
    for (int i = 0; i < 16 * 16; i++)
        for (int c = 0; c < 4; c++) {
            plain[i * 4 + c] = red_plain[c];
            inverted[i * 4 + c] = (uint8_t)(255 - red_plain[c]);
        }
    jpeg_spec spec = {16, 16, 4, JCS_CMYK, 95, false, false, NULL, 0};
    buffer jpeg = encode_jpeg(&spec, plain);
    cr_pixmap p = decode_buffer_ok(&jpeg, "cmyk-plain.jpg");
    expect_pixel(&p, 8, 8, 255, 0, 0, 255, 3);
    cr_pixmap_free(&p);
    buffer_free(&jpeg);

    spec.adobe_marker = true;
    jpeg = encode_jpeg(&spec, inverted);
    p = decode_buffer_ok(&jpeg, "cmyk-adobe.jpg");
    expect_pixel(&p, 8, 8, 255, 0, 0, 255, 3);
    cr_pixmap_free(&p);
    buffer_free(&jpeg);
}

/* An EXIF block whose IFD offset and entry count point far outside it:
 * ignored (orientation 1), and nothing is read out of bounds. */
static void test_jpeg_exif_with_lying_offsets(void **state)
{
    uint8_t *samples = quadrant_samples();
    uint8_t exif[32];
    make_exif(6, true, exif);
    exif[6 + 8] = 0xff;  /* entry count 0x00ff: 255 entries in a 32-byte block */
    exif[6 + 10] = 0x00; /* and the one real entry is no longer Orientation */
    jpeg_spec spec = {64, 32, 3, JCS_RGB, 95, false, false, exif, sizeof exif};
    buffer jpeg = encode_jpeg(&spec, samples);
    cr_pixmap p = decode_buffer_ok(&jpeg, "exif-count.jpg");
    assert_int_equal(p.width, 64);
    cr_pixmap_free(&p);
    buffer_free(&jpeg);

    make_exif(6, false, exif);
    exif[6 + 4] = 0x7f; /* IFD0 offset 0x7f000008 */
    jpeg = encode_jpeg(&spec, samples);
    p = decode_buffer_ok(&jpeg, "exif-offset.jpg");
    assert_int_equal(p.width, 64);
    cr_pixmap_free(&p);
    buffer_free(&jpeg);
    free(samples);
}

/* Every prefix of a valid EXIF block: 0 until the value is complete. */
static void test_exif_parser_bounds(void **state)
{
    uint8_t exif[32];
    make_exif(8, false, exif);
    for (size_t size = 0; size <= sizeof exif; size++) {
        uint8_t *copy = exact_copy(exif, size);
        int orientation = cr_exif_orientation(copy, size);
        free(copy);
        assert_int_equal(orientation, size >= 28 ? 8 : 0);
    }
    assert_int_equal(cr_exif_orientation(NULL, 0), 0);
    make_exif(9, true, exif); /* out of range */
    assert_int_equal(cr_exif_orientation(exif, sizeof exif), 0);
}

/* cr_pixmap.opaque says "every alpha is 255" only where that is so by
 * construction: a JPEG's decode and the resampler's opaque path. A PNG's
 * decode, even one whose pixels happen all to be opaque, leaves it unknown
 * (false), and so does a resample of a picture with transparency. Each
 * claim is checked against the pixels. */
static void test_opaque_flag_only_where_known(void **state)
{
    (void)state;
    enum { W = 16, H = 8 };
    uint8_t rgb[W * H * 3];
    for (size_t i = 0; i < sizeof rgb; i++)
        rgb[i] = (uint8_t)(i * 7);
    jpeg_spec js = {.width = W, .height = H, .components = 3, .in_space = JCS_RGB, .quality = 90};
    buffer jpeg = encode_jpeg(&js, rgb);
    cr_pixmap from_jpeg = decode_buffer_ok(&jpeg, "opaque.jpg");
    assert_true(from_jpeg.opaque);
    assert_true(cr_opaque_region(&from_jpeg, 0, W, 0, H));
    cr_pixmap scaled;
    assert_int_equal(cr_pixmap_resample(&from_jpeg, 5, 3, NULL, &scaled, NULL), CR_OK);
    assert_true(scaled.opaque);
    assert_true(cr_opaque_region(&scaled, 0, 5, 0, 3));
    cr_pixmap_free(&scaled);

    uint8_t rgba[W * 4];
    for (int x = 0; x < W; x++)
        rgba[4 * x] = (uint8_t)x, rgba[4 * x + 1] = 9, rgba[4 * x + 2] = 200,
                 rgba[4 * x + 3] = (uint8_t)(x == 3 ? 0 : 255);
    png_spec ps = {.width = W, .height = 1, .color_type = PNG_COLOR_TYPE_RGB_ALPHA, .bit_depth = 8};
    buffer png = encode_png(&ps, rgba, sizeof rgba);
    cr_pixmap from_png = decode_buffer_ok(&png, "alpha.png");
    assert_false(from_png.opaque);
    assert_int_equal(cr_pixmap_resample(&from_png, 8, 1, NULL, &scaled, NULL), CR_OK);
    assert_false(scaled.opaque);
    cr_pixmap_free(&scaled);
    for (int x = 0; x < W; x++)
        rgba[4 * x + 3] = 255; /* all opaque, still a PNG: not claimed */
    buffer png_opaque = encode_png(&ps, rgba, sizeof rgba);
    cr_pixmap opaque_png = decode_buffer_ok(&png_opaque, "opaque.png");
    assert_false(opaque_png.opaque);
    cr_pixmap_free(&opaque_png);
    cr_pixmap_free(&from_png);
    cr_pixmap_free(&from_jpeg);
    buffer_free(&png_opaque);
    buffer_free(&png);
    buffer_free(&jpeg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opaque_flag_only_where_known),
        cmocka_unit_test(test_every_shared_photo_decodes),
        cmocka_unit_test(test_reference_portrait),
        cmocka_unit_test(test_progressive_matches),
        cmocka_unit_test(test_16bit_png_matches),
        cmocka_unit_test(test_cmyk_matches),
        cmocka_unit_test(test_exif_orientation_6_is_upright),
        cmocka_unit_test(test_gray_matches_luma),
        cmocka_unit_test(test_alpha_png),
        cmocka_unit_test(test_truncated_shared_photos),
        cmocka_unit_test(test_png_gray_depths),
        cmocka_unit_test(test_png_gray_alpha),
        cmocka_unit_test(test_png_rgb_and_rgba),
        cmocka_unit_test(test_png_palette_with_trns),
        cmocka_unit_test(test_png_colour_key_trns),
        cmocka_unit_test(test_png_interlaced),
        cmocka_unit_test(test_png_idat_crc_checked_adler_not),
        cmocka_unit_test(test_jpeg_exif_orientations),
        cmocka_unit_test(test_jpeg_decodes_reduced_to_the_box),
        cmocka_unit_test(test_apply_orientation_exact),
        cmocka_unit_test(test_jpeg_gray_and_progressive),
        cmocka_unit_test(test_jpeg_cmyk_conventions),
        cmocka_unit_test(test_jpeg_exif_with_lying_offsets),
        cmocka_unit_test(test_exif_parser_bounds),
    };
    return cmocka_run_group_tests_name("image decoding", tests, image_temp_setup,
                                       image_temp_teardown);
}
