/* Photo decoding, the files that must not decode: truncated, corrupt,
 * oversized and mislabelled files written to a temporary folder (made with
 * image_fixtures.h), each refused with its exact message; a sweep of damaged
 * variants (never a crash, under ASan); decoding limits, arguments and
 * format sniffing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>

#include "image.h"
#include "image_fixtures.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
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
    return cmocka_run_group_tests_name("image hostile", tests, image_temp_setup,
                                       image_temp_teardown);
}
