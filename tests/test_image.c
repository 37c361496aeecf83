/* Photo decoding: the shared test photos, every PNG and JPEG flavour made
 * here with libpng/libjpeg, EXIF orientation, and hostile files written to a
 * temporary folder. Run from the project root (photos: ../shared/data/photos).
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
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include "support.h"
#include "error.h"
#include "image.h"
#include "resample.h"

#define PHOTO_DIR "../shared/data/photos"

static char temp_dir[64];

/* ------------------------------------------------------------ helpers */

typedef struct buffer {
    uint8_t *data;
    size_t size;
} buffer;

static void buffer_append(buffer *b, const void *data, size_t size)
{
    b->data = realloc(b->data, b->size + size);
    assert_non_null(b->data);
    memcpy(b->data + b->size, data, size);
    b->size += size;
}

static void buffer_free(buffer *b)
{
    free(b->data);
    b->data = NULL;
    b->size = 0;
}

/* A copy of exactly `size` bytes, so ASan sees any read past the end. */
static uint8_t *exact_copy(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    assert_non_null(copy);
    memcpy(copy, data, size);
    return copy;
}

static const char *temp_path(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", temp_dir, name);
    return path;
}

static const char *write_temp(const char *name, const void *data, size_t size)
{
    const char *path = temp_path(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
    return path;
}

static buffer read_whole(const char *path)
{
    buffer b = {0};
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buffer_append(&b, chunk, n);
    fclose(f);
    return b;
}

static bool have_photos(void)
{
    return test_data_present(PHOTO_DIR,
                             "run from the project root with ../shared beside the checkout");
}

static cr_pixmap decode_photo(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", PHOTO_DIR, name);
    cr_pixmap pixmap;
    cr_error err;
    cr_status status = cr_image_decode_file(path, NULL, &pixmap, &err);
    if (status != CR_OK)
        print_message("%s\n", err.message);
    assert_int_equal(status, CR_OK);
    assert_int_equal(pixmap.stride, pixmap.width * 4);
    return pixmap;
}

/* Mean absolute difference of channel c over the pixels where both are
 * opaque (alpha 255); *compared counts them. */
static double mad_opaque(const cr_pixmap *a, const cr_pixmap *b, int c, long *compared)
{
    assert_int_equal(a->width, b->width);
    assert_int_equal(a->height, b->height);
    double sum = 0;
    long count = 0;
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width; x++) {
            const uint8_t *p = cr_pixmap_at(a, x, y), *q = cr_pixmap_at(b, x, y);
            if (p[3] != 255 || q[3] != 255)
                continue;
            sum += abs(p[c] - q[c]);
            count++;
        }
    if (compared)
        *compared = count;
    return count ? sum / count : 0;
}

static void assert_close_to(const cr_pixmap *a, const cr_pixmap *reference, const char *label,
                            double threshold)
{
    double mad[3];
    long compared = 0;
    for (int c = 0; c < 3; c++)
        mad[c] = mad_opaque(a, reference, c, &compared);
    print_message("%-32s MAD R %.3f G %.3f B %.3f over %ld px (threshold %.1f)\n", label, mad[0],
                  mad[1], mad[2], compared, threshold);
    assert_true(compared > 0);
    for (int c = 0; c < 3; c++)
        assert_true(mad[c] < threshold);
}

static void expect_pixel(const cr_pixmap *p, int x, int y, int r, int g, int b, int a, int slack)
{
    const uint8_t *px = cr_pixmap_at(p, x, y);
    int want[4] = {r, g, b, a};
    for (int c = 0; c < 4; c++) {
        if (abs(px[c] - want[c]) > slack)
            print_message("pixel (%d, %d) is %d,%d,%d,%d, want %d,%d,%d,%d (+-%d)\n", x, y, px[0],
                          px[1], px[2], px[3], r, g, b, a, slack);
        assert_true(abs(px[c] - want[c]) <= slack);
    }
}

/* Decodes from a file and expects a failure with exactly this code and
 * message ("PATH: " is put in front of text). */
static void expect_file_error(const char *path, cr_status code, const char *text)
{
    char expected[1024];
    snprintf(expected, sizeof expected, "%s: %s", path, text);
    cr_pixmap pixmap = {(int)0xdead, 1, 1, (uint8_t *)&pixmap};
    cr_error err;
    cr_status status = cr_image_decode_file(path, NULL, &pixmap, &err);
    if (status != code || strcmp(err.message, expected) != 0)
        print_message("got [%s] %s\nwant [%s] %s\n", cr_status_name(status), err.message,
                      cr_status_name(code), expected);
    assert_int_equal(status, code);
    assert_int_equal(err.code, code);
    assert_string_equal(err.message, expected);
    assert_string_equal(err.file, path);
    assert_null(pixmap.rgba);
    assert_int_equal(pixmap.width, 0);
}

/* Same, but only the message's start is fixed (libjpeg wording after it). */
static void expect_file_error_prefix(const char *path, cr_status code, const char *text)
{
    char expected[1024];
    snprintf(expected, sizeof expected, "%s: %s", path, text);
    cr_pixmap pixmap;
    cr_error err;
    cr_status status = cr_image_decode_file(path, NULL, &pixmap, &err);
    print_message("    %s\n", err.message);
    assert_int_equal(status, code);
    assert_true(strncmp(err.message, expected, strlen(expected)) == 0);
    assert_null(pixmap.rgba);
}

/* ------------------------------------------------------ PNG encoding */

static void png_write_to_buffer(png_structp png, png_bytep data, size_t length)
{
    buffer_append(png_get_io_ptr(png), data, length);
}

static void png_flush_nothing(png_structp png) {}

typedef struct png_spec {
    int width, height, color_type, bit_depth, interlace;
    const png_color *palette;
    int palette_count;
    const png_byte *trans_alpha; /* palette tRNS */
    int trans_count;
    const png_color_16 *trans_color; /* gray / RGB colour key */
} png_spec;

/* rows: height rows of packed PNG samples (big-endian for 16 bits). */
static buffer encode_png(const png_spec *spec, const uint8_t *rows, size_t row_bytes)
{
    buffer out = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    assert_non_null(info);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng could not write the test PNG");
    png_set_write_fn(png, &out, png_write_to_buffer, png_flush_nothing);
    png_set_IHDR(png, info, (png_uint_32)spec->width, (png_uint_32)spec->height, spec->bit_depth,
                 spec->color_type, spec->interlace, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (spec->palette)
        png_set_PLTE(png, info, spec->palette, spec->palette_count);
    if (spec->trans_alpha || spec->trans_color)
        png_set_tRNS(png, info, spec->trans_alpha, spec->trans_count, spec->trans_color);
    png_write_info(png, info);
    int passes = png_set_interlace_handling(png);
    for (int pass = 0; pass < passes; pass++)
        for (int y = 0; y < spec->height; y++)
            png_write_row(png, rows + (size_t)y * row_bytes);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return out;
}

static cr_pixmap decode_buffer_ok(const buffer *b, const char *name)
{
    uint8_t *copy = exact_copy(b->data, b->size);
    cr_pixmap pixmap;
    cr_error err;
    cr_status status = cr_image_decode_memory(copy, b->size, name, NULL, &pixmap, &err);
    free(copy);
    if (status != CR_OK)
        print_message("%s\n", err.message);
    assert_int_equal(status, CR_OK);
    return pixmap;
}

/* Packs 4 samples of `depth` bits (1, 2, 4) MSB first into one or two bytes. */
static void pack_row(const int *values, int count, int depth, uint8_t *out)
{
    memset(out, 0, (size_t)(count * depth + 7) / 8);
    for (int i = 0; i < count; i++) {
        int bit = i * depth;
        out[bit / 8] |= (uint8_t)(values[i] << (8 - depth - bit % 8));
    }
}

/* A 4x1 gray PNG of `depth` bits holding samples[] decodes to levels[]. */
static void check_gray_png(int depth, const int samples[4], const int levels[4])
{
    uint8_t row[8];
    if (depth < 8) {
        pack_row(samples, 4, depth, row);
    } else {
        for (int i = 0; i < 4; i++) {
            if (depth == 8)
                row[i] = (uint8_t)samples[i];
            else
                row[2 * i] = (uint8_t)(samples[i] >> 8), row[2 * i + 1] = (uint8_t)samples[i];
        }
    }
    png_spec spec = {
        .width = 4, .height = 1, .color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = depth};
    buffer png = encode_png(&spec, row, sizeof row);
    cr_pixmap p = decode_buffer_ok(&png, "gray.png");
    assert_int_equal(p.width, 4);
    for (int i = 0; i < 4; i++)
        expect_pixel(&p, i, 0, levels[i], levels[i], levels[i], 255, 0);
    cr_pixmap_free(&p);
    buffer_free(&png);
}

/* ----------------------------------------------------- JPEG encoding */

typedef struct jpeg_spec {
    int width, height, components;
    J_COLOR_SPACE in_space;
    int quality;
    bool progressive;
    bool adobe_marker; /* for CMYK: write APP14 "Adobe" */
    const uint8_t *app1;
    size_t app1_size;
} jpeg_spec;

static buffer encode_jpeg(const jpeg_spec *spec, const uint8_t *samples)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    unsigned char *data = NULL;
    unsigned long size = 0;
    jpeg_mem_dest(&c, &data, &size);
    c.image_width = (JDIMENSION)spec->width;
    c.image_height = (JDIMENSION)spec->height;
    c.input_components = spec->components;
    c.in_color_space = spec->in_space;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, spec->quality, TRUE);
    if (spec->in_space == JCS_CMYK) {
        jpeg_set_colorspace(&c, JCS_CMYK);
        c.write_Adobe_marker = spec->adobe_marker;
        c.write_JFIF_header = FALSE;
    }
    if (spec->progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    if (spec->app1)
        jpeg_write_marker(&c, JPEG_APP0 + 1, spec->app1, (unsigned)spec->app1_size);
    size_t row_bytes = (size_t)spec->width * (size_t)spec->components;
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(samples + c.next_scanline * row_bytes);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    buffer out = {0};
    buffer_append(&out, data, size);
    free(data);
    return out;
}

/* A 64x32 RGB picture in four flat 32x16 quadrants (whole MCUs, so JPEG
 * keeps them flat): red, green / blue, white. */
static const uint8_t quadrant_colour[4][3] = {
    {220, 30, 30}, {30, 200, 40}, {30, 40, 210}, {240, 240, 240}};
enum { RED, GREEN, BLUE, WHITE };

static uint8_t *quadrant_samples(void)
{
    uint8_t *samples = malloc(64 * 32 * 3);
    assert_non_null(samples);
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 64; x++)
            memcpy(samples + (y * 64 + x) * 3, quadrant_colour[(y >= 16) * 2 + (x >= 32)], 3);
    return samples;
}

/* An EXIF APP1 payload holding only IFD0 with one Orientation entry. */
static size_t make_exif(int orientation, bool little, uint8_t out[32])
{
    static const uint8_t header[6] = {'E', 'x', 'i', 'f', 0, 0};
    memset(out, 0, 32);
    memcpy(out, header, 6);
    uint8_t *t = out + 6;
#define PUT16(p, v)                                                                                \
    (little ? ((p)[0] = (uint8_t)(v), (p)[1] = (uint8_t)((v) >> 8))                                \
            : ((p)[0] = (uint8_t)((v) >> 8), (p)[1] = (uint8_t)(v)))
    t[0] = t[1] = little ? 'I' : 'M';
    PUT16(t + 2, 42);
    PUT16(little ? t + 4 : t + 6, 8);   /* IFD0 at offset 8 (32-bit field) */
    PUT16(t + 8, 1);                    /* one entry */
    PUT16(t + 10, 0x0112);              /* Orientation */
    PUT16(t + 12, 3);                   /* SHORT */
    PUT16(little ? t + 14 : t + 16, 1); /* count 1 (32-bit field) */
    PUT16(t + 18, orientation);
#undef PUT16
    return 32;
}

/* Photo-like content: smooth gradients plus deterministic noise, so the
 * entropy-coded data is long and varied. */
static buffer photo_like_jpeg(bool progressive)
{
    enum { W = 96, H = 80 };
    uint8_t *samples = malloc(W * H * 3);
    assert_non_null(samples);
    uint32_t seed = 12345;
    for (int i = 0; i < W * H * 3; i++) {
        seed = seed * 1103515245u + 12345u;
        int x = (i / 3) % W, y = (i / 3) / W;
        int value = (x * 2 + y * (i % 3 + 1)) % 200 + (int)((seed >> 16) % 48);
        samples[i] = (uint8_t)value;
    }
    jpeg_spec spec = {W, H, 3, JCS_RGB, 85, progressive, false, NULL, 0};
    buffer out = encode_jpeg(&spec, samples);
    free(samples);
    return out;
}

static buffer photo_like_png(void)
{
    enum { W = 96, H = 80 };
    uint8_t *rows = malloc(W * H * 3);
    assert_non_null(rows);
    uint32_t seed = 777;
    for (int i = 0; i < W * H * 3; i++) {
        seed = seed * 1103515245u + 12345u;
        rows[i] = (uint8_t)(seed >> 16);
    }
    png_spec spec = {.width = W, .height = H, .color_type = PNG_COLOR_TYPE_RGB, .bit_depth = 8};
    buffer out = encode_png(&spec, rows, W * 3);
    free(rows);
    return out;
}

/* Offset of the first segment with this marker (at its 0xFF), walking the
 * segment lengths from the start; the scan data is never entered. */
static size_t find_segment(const buffer *jpeg, int marker)
{
    size_t at = 2;
    while (at + 4 <= jpeg->size && jpeg->data[at] == 0xff) {
        if (jpeg->data[at + 1] == marker)
            return at;
        if (jpeg->data[at + 1] == 0xda)
            break;
        at += 2 + (size_t)(jpeg->data[at + 2] << 8 | jpeg->data[at + 3]);
    }
    fail_msg("marker 0x%02x not found", marker);
    return 0;
}

/* Where the entropy-coded data of the first scan starts. */
static size_t scan_data_start(const buffer *jpeg)
{
    size_t sos = find_segment(jpeg, 0xda);
    return sos + 2 + (size_t)(jpeg->data[sos + 2] << 8 | jpeg->data[sos + 3]);
}

/* ---------------------------------------------------- PNG crafting */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void append_chunk(buffer *png, const char type[4], const uint8_t *data, uint32_t length)
{
    uint8_t head[8];
    put_be32(head, length);
    memcpy(head + 4, type, 4);
    buffer_append(png, head, 8);
    if (length)
        buffer_append(png, data, length);
    uLong crc = crc32(0L, (const Bytef *)type, 4);
    if (length) /* zlib returns its initial value for a NULL buffer */
        crc = crc32(crc, data, length);
    uint8_t tail[4];
    put_be32(tail, (uint32_t)crc);
    buffer_append(png, tail, 4);
}

/* An RGB8 PNG whose IHDR claims width x height, followed by a small valid
 * IDAT and IEND, all with correct CRCs. */
static buffer crafted_png(uint32_t width, uint32_t height)
{
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    buffer png = {0};
    buffer_append(&png, signature, 8);
    uint8_t ihdr[13] = {0};
    put_be32(ihdr, width);
    put_be32(ihdr + 4, height);
    ihdr[8] = 8; /* bit depth */
    ihdr[9] = 2; /* RGB */
    append_chunk(&png, "IHDR", ihdr, sizeof ihdr);
    uint8_t raw[64] = {0}, packed[128];
    uLongf packed_size = sizeof packed;
    assert_int_equal(compress2(packed, &packed_size, raw, sizeof raw, 9), Z_OK);
    append_chunk(&png, "IDAT", packed, (uint32_t)packed_size);
    append_chunk(&png, "IEND", NULL, 0);
    return png;
}

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
    cr_pixmap p = decode_buffer_ok(&png, "adam7.png");
    assert_int_equal(p.width, W);
    assert_int_equal(p.height, H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            expect_pixel(&p, x, y, x * 19 % 256, y * 23 % 256, x * y % 256, 255, 0);
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
    cr_decode_limits limits = {0, 0, width, height};
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

/* ====================================================== hostile files */

static void test_hostile_truncated_jpeg(void **state)
{
    buffer jpeg = photo_like_jpeg(false);
    const char *path = write_temp("half.jpg", jpeg.data, jpeg.size / 2);
    expect_file_error(path, CR_ERR_IMAGE, "JPEG data is truncated (premature end of data)");
    path = write_temp("soi-only.jpg", "\xff\xd8\xff", 3);
    expect_file_error(path, CR_ERR_IMAGE, "JPEG data is truncated (premature end of data)");
    buffer_free(&jpeg);
}

static void test_hostile_corrupt_entropy(void **state)
{
    for (int progressive = 0; progressive <= 1; progressive++) {
        buffer jpeg = photo_like_jpeg(progressive);
        size_t start = scan_data_start(&jpeg);
        size_t middle = start + (jpeg.size - start) / 3;
        uint32_t seed = 99;
        for (size_t i = middle; i < middle + 48; i++) {
            seed = seed * 1103515245u + 12345u;
            uint8_t value = (uint8_t)(seed >> 16);
            jpeg.data[i] = value == 0xff ? 0x5a : value; /* no accidental markers */
        }
        const char *path = write_temp("entropy.jpg", jpeg.data, jpeg.size);
        expect_file_error_prefix(path, CR_ERR_IMAGE, "JPEG data is corrupt (");
        buffer_free(&jpeg);
    }
}

static void test_hostile_png_bad_crc(void **state)
{
    buffer png = photo_like_png();
    size_t idat = 8 + 25; /* signature, IHDR chunk; IDAT follows */
    assert_memory_equal(png.data + idat + 4, "IDAT", 4);
    png.data[idat + 8 + 10] ^= 0x01;
    const char *path = write_temp("crc.png", png.data, png.size);
    expect_file_error(path, CR_ERR_IMAGE, "PNG data is corrupt (IDAT: CRC error)");
    buffer_free(&png);
}

static void test_hostile_png_truncated(void **state)
{
    buffer png = photo_like_png();
    const char *path = write_temp("half.png", png.data, png.size / 2);
    expect_file_error(path, CR_ERR_IMAGE, "PNG data is truncated (premature end of data)");
    path = write_temp("signature.png", png.data, 6);
    expect_file_error(path, CR_ERR_IMAGE, "PNG data is truncated (premature end of data)");
    path = write_temp("no-iend.png", png.data, png.size - 12);
    expect_file_error(path, CR_ERR_IMAGE, "PNG data is truncated (premature end of data)");
    buffer_free(&png);
}

static void test_hostile_png_huge_header(void **state)
{
    buffer png = crafted_png(100000, 100000);
    const char *path = write_temp("huge.png", png.data, png.size);
    expect_file_error(path, CR_ERR_IMAGE,
                      "image is 100000x100000 pixels (10000000000), more than the limit of "
                      "40000000");
    buffer_free(&png);
}

/* Within the pixel limit, but a few hundred bytes cannot hold 6000x6000
 * pixels (deflate: at most 1032:1): refused before 108 MB are allocated. */
static void test_hostile_png_implausibly_small(void **state)
{
    buffer png = crafted_png(6000, 6000);
    const char *path = write_temp("bomb.png", png.data, png.size);
    char text[128];
    snprintf(text, sizeof text, "PNG data is truncated (%zu bytes cannot hold a 6000x6000 image)",
             png.size);
    expect_file_error(path, CR_ERR_IMAGE, text);
    buffer_free(&png);
}

/* SOF holds 16-bit sizes, so 100000 cannot be written: 65000 x 65000. */
static void test_hostile_jpeg_huge_sof(void **state)
{
    buffer jpeg = photo_like_jpeg(false);
    size_t sof = find_segment(&jpeg, 0xc0);
    uint8_t size[4] = {0xfd, 0xe8, 0xfd, 0xe8}; /* height, width = 65000 */
    memcpy(jpeg.data + sof + 5, size, 4);
    const char *path = write_temp("huge.jpg", jpeg.data, jpeg.size);
    expect_file_error(path, CR_ERR_IMAGE,
                      "image is 65000x65000 pixels (4225000000), more than the limit of 40000000");
    buffer_free(&jpeg);
}

static void test_hostile_zero_byte_file(void **state)
{
    const char *path = write_temp("empty.jpg", "", 0);
    expect_file_error(path, CR_ERR_IMAGE, "file is empty (0 bytes)");
}

static void test_hostile_text_named_jpg(void **state)
{
    static const char text[] = "name,birth\n张三,1990-05-12\n";
    const char *path = write_temp("notes.jpg", text, sizeof text - 1);
    expect_file_error(path, CR_ERR_IMAGE, "not a JPEG or PNG image (looks like text)");
}

static void test_hostile_gif(void **state)
{
    static const uint8_t gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
                                 "!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01"
                                 "\x00\x00\x02\x02D\x01\x00;";
    const char *path = write_temp("photo.png", gif, sizeof gif - 1);
    expect_file_error(path, CR_ERR_IMAGE, "not a JPEG or PNG image (looks like GIF)");
}

static void test_hostile_directory(void **state)
{
    const char *path = temp_path("folder.jpg");
    assert_int_equal(mkdir(path, 0700), 0);
    expect_file_error(path, CR_ERR_IO, "is a directory, not an image file");
    assert_int_equal(rmdir(path), 0);
}

static void test_hostile_missing_file(void **state)
{
    expect_file_error(temp_path("nobody.jpg"), CR_ERR_IO, "cannot open: No such file or directory");
}

static void test_hostile_png_zero_width(void **state)
{
    buffer png = crafted_png(0, 10);
    const char *path = write_temp("zero-width.png", png.data, png.size);
    expect_file_error(path, CR_ERR_IMAGE, "PNG header is invalid (Image width is zero in IHDR)");
    buffer_free(&png);
}

/* APP1 claiming 65535 bytes in a file much shorter than that. */
static void test_hostile_exif_length_too_long(void **state)
{
    uint8_t *samples = quadrant_samples();
    uint8_t exif[32];
    jpeg_spec spec = {64, 32, 3, JCS_RGB, 90, false, false, exif, make_exif(6, true, exif)};
    buffer jpeg = encode_jpeg(&spec, samples);
    assert_true(jpeg.size < 60000);
    size_t app1 = find_segment(&jpeg, 0xe1);
    jpeg.data[app1 + 2] = 0xff;
    jpeg.data[app1 + 3] = 0xff;
    const char *path = write_temp("exif-long.jpg", jpeg.data, jpeg.size);
    expect_file_error(path, CR_ERR_IMAGE, "JPEG data is truncated (premature end of data)");
    buffer_free(&jpeg);
    free(samples);
}

/* APP1 claiming 8 bytes (or 1): the rest of it sits where a marker must be. */
static void test_hostile_exif_length_too_short(void **state)
{
    uint8_t *samples = quadrant_samples();
    uint8_t exif[32];
    jpeg_spec spec = {64, 32, 3, JCS_RGB, 90, false, false, exif, make_exif(6, true, exif)};
    buffer jpeg = encode_jpeg(&spec, samples);
    size_t app1 = find_segment(&jpeg, 0xe1);
    jpeg.data[app1 + 3] = 8;
    const char *path = write_temp("exif-short.jpg", jpeg.data, jpeg.size);
    expect_file_error(path, CR_ERR_IMAGE,
                      "JPEG data is corrupt (26 extraneous bytes before marker 0xdb)");
    jpeg.data[app1 + 3] = 1; /* below the minimum of 2: libjpeg reads it as empty */
    path = write_temp("exif-bogus.jpg", jpeg.data, jpeg.size);
    expect_file_error(path, CR_ERR_IMAGE,
                      "JPEG data is corrupt (32 extraneous bytes before marker 0xdb)");
    buffer_free(&jpeg);
    free(samples);
}

static void test_hostile_other_formats(void **state)
{
    static const struct {
        const char *name;
        const char *bytes;
        size_t size;
        const char *looks_like;
    } cases[] = {
#define BYTES(literal) literal, sizeof literal - 1
        {"a.webp", BYTES("RIFF\x24\x00\x00\x00WEBPVP8 "), "WebP"},
        {"a.bmp", BYTES("BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0"), "BMP"},
        {"a.tif", BYTES("II*\0\x08\0\0\0"), "TIFF"},
        {"b.tif", BYTES("MM\0*\0\0\0\x08"), "TIFF"},
        {"a.pdf", BYTES("%PDF-1.7\n"), "PDF"},
        {"a.heic",
         BYTES("\0\0\0\x18"
               "ftypheic\0\0\0\0"),
         "HEIF/AVIF"},
        {"a.jp2", BYTES("\0\0\0\x0cjP  \r\n\x87\n"), "JPEG 2000"},
        {"a.svg", BYTES("<?xml version=\"1.0\"?>\n<svg xmlns=\"x\"/>"), "SVG"},
        {"a.bin", BYTES("\x01\x02\x03\x04\x05\x06"), "unknown"},
#undef BYTES
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "not a JPEG or PNG image (looks like %s)", cases[i].looks_like);
        expect_file_error(write_temp(cases[i].name, cases[i].bytes, cases[i].size), CR_ERR_IMAGE,
                          text);
    }
}

static void test_hostile_unsupported_precision(void **state)
{
    buffer jpeg = photo_like_jpeg(false);
    size_t sof = find_segment(&jpeg, 0xc0);
    jpeg.data[sof + 4] = 12;
    const char *path = write_temp("precision.jpg", jpeg.data, jpeg.size);
    expect_file_error(path, CR_ERR_IMAGE, "invalid JPEG (Unsupported JPEG data precision 12)");
    buffer_free(&jpeg);
}

/* Thousands of damaged variants: never a crash, leak or stray read (under
 * ASan), always CR_OK or CR_ERR_IMAGE. */
static void test_hostile_damage_sweep(void **state)
{
    buffer samples[3] = {photo_like_jpeg(false), photo_like_jpeg(true), photo_like_png()};
    int failures = 0, successes = 0;
    for (int s = 0; s < 3; s++) {
        const buffer *b = &samples[s];
        for (size_t cut = 0; cut < b->size; cut += b->size / 97 + 1) {
            uint8_t *copy = exact_copy(b->data, cut);
            cr_pixmap p;
            cr_error err;
            cr_status status = cr_image_decode_memory(copy, cut, "cut", NULL, &p, &err);
            assert_true(status == CR_ERR_IMAGE);
            free(copy);
        }
        for (size_t at = 0; at < b->size; at += b->size / 211 + 1) {
            uint8_t *copy = exact_copy(b->data, b->size);
            copy[at] ^= (uint8_t)(0x5a + at);
            cr_pixmap p;
            cr_error err;
            cr_status status = cr_image_decode_memory(copy, b->size, "flip", NULL, &p, &err);
            assert_true(status == CR_OK || status == CR_ERR_IMAGE);
            if (status == CR_OK)
                successes++;
            else
                failures++;
            cr_pixmap_free(&p);
            free(copy);
        }
    }
    print_message("damage sweep: %d refused, %d decoded (a flip in a comment or in "
                  "entropy data that still decodes)\n",
                  failures, successes);
    for (int s = 0; s < 3; s++)
        buffer_free(&samples[s]);
}

/* ================================================= limits, arguments */

static void test_limits_are_honoured(void **state)
{
    buffer jpeg = photo_like_jpeg(false);
    cr_decode_limits limits = {.max_pixels = 96 * 80 - 1};
    cr_pixmap p;
    cr_error err;
    assert_int_equal(cr_image_decode_memory(jpeg.data, jpeg.size, "x.jpg", &limits, &p, &err),
                     CR_ERR_IMAGE);
    assert_string_equal(err.message,
                        "x.jpg: image is 96x80 pixels (7680), more than the limit of 7679");
    limits.max_pixels = 96 * 80;
    assert_int_equal(cr_image_decode_memory(jpeg.data, jpeg.size, "x.jpg", &limits, &p, &err),
                     CR_OK);
    cr_pixmap_free(&p);

    const char *path = write_temp("limit.jpg", jpeg.data, jpeg.size);
    limits = (cr_decode_limits){.max_file_bytes = 100};
    char expected[512];
    snprintf(expected, sizeof expected, "%s: file is %zu bytes, more than the limit of 100", path,
             jpeg.size);
    assert_int_equal(cr_image_decode_file(path, &limits, &p, &err), CR_ERR_IMAGE);
    assert_string_equal(err.message, expected);
    buffer_free(&jpeg);
}

static void test_arguments(void **state)
{
    cr_pixmap p;
    cr_error err;
    assert_int_equal(cr_image_decode_file(NULL, NULL, &p, &err), CR_ERR_ARGUMENT);
    assert_int_equal(cr_image_decode_file("x.jpg", NULL, NULL, &err), CR_ERR_ARGUMENT);
    assert_int_equal(cr_image_decode_memory(NULL, 3, NULL, NULL, &p, &err), CR_ERR_ARGUMENT);
    assert_int_equal(cr_image_decode_memory((const uint8_t *)"", 0, NULL, NULL, &p, &err),
                     CR_ERR_IMAGE);
    assert_string_equal(err.message, "<memory>: image data is empty (0 bytes)");
    assert_int_equal(cr_image_decode_memory((const uint8_t *)"hello", 5, NULL, NULL, &p, NULL),
                     CR_ERR_IMAGE); /* err may be NULL */
    cr_pixmap_free(NULL);
    cr_pixmap_free(&(cr_pixmap){0});
    assert_int_equal(cr_pixmap_init(&p, 0, 5, &err), CR_ERR_ARGUMENT);
}

static void test_sniff(void **state)
{
    assert_string_equal(cr_image_sniff_format(NULL, 0), "empty");
    assert_string_equal(cr_image_sniff_format((const uint8_t *)"\xff\xd8", 2), "JPEG");
    assert_string_equal(cr_image_sniff_format((const uint8_t *)"\x89PNG", 4), "PNG");
    assert_string_equal(cr_image_sniff_format((const uint8_t *)"GIF87a", 6), "GIF");
    assert_string_equal(cr_image_sniff_format((const uint8_t *)"BMW is a car", 12), "text");
    assert_string_equal(cr_image_sniff_format((const uint8_t *)"\xc3\x28 bad", 6), "unknown");
}

/* ============================================================ fixture */

static int make_temp_dir(void **state)
{
    snprintf(temp_dir, sizeof temp_dir, "/tmp/cr-test-image-XXXXXX");
    return mkdtemp(temp_dir) ? 0 : -1;
}

static int remove_temp_dir(void **state)
{
    DIR *dir = opendir(temp_dir);
    if (!dir)
        return -1;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            unlink(temp_path(entry->d_name));
    closedir(dir);
    return rmdir(temp_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
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
        cmocka_unit_test(test_jpeg_exif_orientations),
        cmocka_unit_test(test_jpeg_decodes_reduced_to_the_box),
        cmocka_unit_test(test_apply_orientation_exact),
        cmocka_unit_test(test_jpeg_gray_and_progressive),
        cmocka_unit_test(test_jpeg_cmyk_conventions),
        cmocka_unit_test(test_jpeg_exif_with_lying_offsets),
        cmocka_unit_test(test_exif_parser_bounds),
        cmocka_unit_test(test_hostile_truncated_jpeg),
        cmocka_unit_test(test_hostile_corrupt_entropy),
        cmocka_unit_test(test_hostile_png_bad_crc),
        cmocka_unit_test(test_hostile_png_truncated),
        cmocka_unit_test(test_hostile_png_huge_header),
        cmocka_unit_test(test_hostile_png_implausibly_small),
        cmocka_unit_test(test_hostile_jpeg_huge_sof),
        cmocka_unit_test(test_hostile_zero_byte_file),
        cmocka_unit_test(test_hostile_text_named_jpg),
        cmocka_unit_test(test_hostile_gif),
        cmocka_unit_test(test_hostile_directory),
        cmocka_unit_test(test_hostile_missing_file),
        cmocka_unit_test(test_hostile_png_zero_width),
        cmocka_unit_test(test_hostile_exif_length_too_long),
        cmocka_unit_test(test_hostile_exif_length_too_short),
        cmocka_unit_test(test_hostile_other_formats),
        cmocka_unit_test(test_hostile_unsupported_precision),
        cmocka_unit_test(test_hostile_damage_sweep),
        cmocka_unit_test(test_limits_are_honoured),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_sniff),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
