/* Fixtures of the photo-decoding tests (image_fixtures.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include "support.h"
#include "error.h"
#include "image.h"
#include "image_fixtures.h"

/* The folder the tests write into: set by image_temp_setup, read by
 * temp_path; nothing else is kept between calls. */
static char temp_dir[64];

/* ------------------------------------------------------------ helpers */

void buffer_append(buffer *b, const void *data, size_t size)
{
    b->data = realloc(b->data, b->size + size);
    assert_non_null(b->data);
    memcpy(b->data + b->size, data, size);
    b->size += size;
}

void buffer_free(buffer *b)
{
    free(b->data);
    b->data = NULL;
    b->size = 0;
}

/* A copy of exactly `size` bytes, so ASan sees any read past the end. */
uint8_t *exact_copy(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    assert_non_null(copy);
    memcpy(copy, data, size);
    return copy;
}

const char *temp_path(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", temp_dir, name);
    return path;
}

const char *write_temp(const char *name, const void *data, size_t size)
{
    const char *path = temp_path(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
    return path;
}

buffer read_whole(const char *path)
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

bool have_photos(void)
{
    return test_data_present(PHOTO_DIR,
                             "run from the project root with ../shared beside the checkout");
}

cr_pixmap decode_photo(const char *name)
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
double mad_opaque(const cr_pixmap *a, const cr_pixmap *b, int c, long *compared)
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

void assert_close_to(const cr_pixmap *a, const cr_pixmap *reference, const char *label,
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

void expect_pixel(const cr_pixmap *p, int x, int y, int r, int g, int b, int a, int slack)
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
void expect_file_error(const char *path, cr_status code, const char *text)
{
    char expected[1024];
    snprintf(expected, sizeof expected, "%s: %s", path, text);
    cr_pixmap pixmap = {(int)0xdead, 1, 1, (uint8_t *)&pixmap, true};
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
void expect_file_error_prefix(const char *path, cr_status code, const char *text)
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

/* rows: height rows of packed PNG samples (big-endian for 16 bits). */
buffer encode_png(const png_spec *spec, const uint8_t *rows, size_t row_bytes)
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

cr_pixmap decode_buffer_ok(const buffer *b, const char *name)
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
void pack_row(const int *values, int count, int depth, uint8_t *out)
{
    memset(out, 0, (size_t)(count * depth + 7) / 8);
    for (int i = 0; i < count; i++) {
        int bit = i * depth;
        out[bit / 8] |= (uint8_t)(values[i] << (8 - depth - bit % 8));
    }
}

/* A 4x1 gray PNG of `depth` bits holding samples[] decodes to levels[]. */
void check_gray_png(int depth, const int samples[4], const int levels[4])
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

buffer encode_jpeg(const jpeg_spec *spec, const uint8_t *samples)
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
const uint8_t quadrant_colour[4][3] = {
    {220, 30, 30}, {30, 200, 40}, {30, 40, 210}, {240, 240, 240}};

uint8_t *quadrant_samples(void)
{
    uint8_t *samples = malloc(64 * 32 * 3);
    assert_non_null(samples);
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 64; x++)
            memcpy(samples + (y * 64 + x) * 3, quadrant_colour[(y >= 16) * 2 + (x >= 32)], 3);
    return samples;
}

/* An EXIF APP1 payload holding only IFD0 with one Orientation entry. */
size_t make_exif(int orientation, bool little, uint8_t out[32])
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
buffer photo_like_jpeg(bool progressive)
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

buffer photo_like_png(void)
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
size_t find_segment(const buffer *jpeg, int marker)
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
size_t scan_data_start(const buffer *jpeg)
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
buffer crafted_png(uint32_t width, uint32_t height)
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

/* ------------------------------------------------------ temporary folder */

int image_temp_setup(void **state)
{
    snprintf(temp_dir, sizeof temp_dir, "/tmp/cr-test-image-XXXXXX");
    return mkdtemp(temp_dir) ? 0 : -1;
}

int image_temp_teardown(void **state)
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
