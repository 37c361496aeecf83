/* Fixtures of the photo-decoding tests (test_image.c, test_image_hostile.c;
 * linked into every test program): byte buffers, files written to a
 * temporary folder, the shared test photos, pixel and error checks, and
 * PNG and JPEG files made in memory with libpng and libjpeg, in every
 * flavour and with crafted or damaged parts. Everything fails the running
 * cmocka test on error. The only state kept is the temporary folder's name,
 * set by image_temp_setup. */
#ifndef CR_TEST_IMAGE_FIXTURES_H
#define CR_TEST_IMAGE_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h> /* jpeglib.h needs FILE */

#include <jpeglib.h>
#include <png.h>

#include "image.h"

#define PHOTO_DIR "../shared/data/photos"

/* ------------------------------------------------------------ helpers */

typedef struct buffer {
    uint8_t *data;
    size_t size;
} buffer;

void buffer_append(buffer *b, const void *data, size_t size);
void buffer_free(buffer *b);

/* A copy of exactly `size` bytes, so ASan sees any read past the end. */
uint8_t *exact_copy(const uint8_t *data, size_t size);

/* cmocka group setup and teardown: a new folder under /tmp, and its
 * removal with the files in it. */
int image_temp_setup(void **state);
int image_temp_teardown(void **state);

/* name in the temporary folder (valid until the next call), and a file
 * written there with these bytes. */
const char *temp_path(const char *name);
const char *write_temp(const char *name, const void *data, size_t size);
buffer read_whole(const char *path);

/* The shared photos are there (else the test is to skip); one decoded. */
bool have_photos(void);
cr_pixmap decode_photo(const char *name);

/* Mean absolute difference of channel c over the pixels opaque in both;
 * assert_close_to asserts each of R, G, B is below threshold. */
double mad_opaque(const cr_pixmap *a, const cr_pixmap *b, int c, long *compared);
void assert_close_to(const cr_pixmap *a, const cr_pixmap *reference, const char *label,
                     double threshold);
void expect_pixel(const cr_pixmap *p, int x, int y, int r, int g, int b, int a, int slack);

/* Decoding path fails with this code and message ("PATH: " + text); the
 * _prefix one fixes only the message's start. */
void expect_file_error(const char *path, cr_status code, const char *text);
void expect_file_error_prefix(const char *path, cr_status code, const char *text);

/* ------------------------------------------------------ PNG encoding */

typedef struct png_spec {
    int width, height, color_type, bit_depth, interlace;
    const png_color *palette;
    int palette_count;
    const png_byte *trans_alpha; /* palette tRNS */
    int trans_count;
    const png_color_16 *trans_color; /* gray / RGB colour key */
} png_spec;

/* rows: height rows of packed PNG samples (big-endian for 16 bits). */
buffer encode_png(const png_spec *spec, const uint8_t *rows, size_t row_bytes);
cr_pixmap decode_buffer_ok(const buffer *b, const char *name);
void pack_row(const int *values, int count, int depth, uint8_t *out);
void check_gray_png(int depth, const int samples[4], const int levels[4]);

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

buffer encode_jpeg(const jpeg_spec *spec, const uint8_t *samples);

/* A 64x32 RGB picture in four flat 32x16 quadrants of these colours. */
extern const uint8_t quadrant_colour[4][3];
enum { RED, GREEN, BLUE, WHITE };
uint8_t *quadrant_samples(void);

/* An EXIF APP1 payload (32 bytes) with one Orientation entry. */
size_t make_exif(int orientation, bool little, uint8_t out[32]);

/* Photo-like 96x80 files: gradients and noise. */
buffer photo_like_jpeg(bool progressive);
buffer photo_like_png(void);

/* Where a JPEG's first segment with this marker, and its first scan's
 * entropy-coded data, start. */
size_t find_segment(const buffer *jpeg, int marker);
size_t scan_data_start(const buffer *jpeg);

/* ---------------------------------------------------- PNG crafting */

/* An RGB8 PNG whose IHDR claims width x height, with a small valid IDAT. */
buffer crafted_png(uint32_t width, uint32_t height);

#endif
