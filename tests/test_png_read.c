/* The PNG reader: a truncated file, one that is no PNG and an absent one
 * refused with their errors, and PNGs that plain libpng wrote in formats
 * our writer never makes (16-bit gray with alpha, interlaced; a 2-bit
 * palette with transparency) read as RGB, transparency over white. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <png.h>
#include <unistd.h>

#include "png_fixtures.h"
#include "png_io.h"

static void test_truncated_and_foreign_files(void **state)
{
    cr_canvas c;
    png_fix_make_canvas(&c, 120, 90);
    uint8_t *png = NULL;
    size_t size = 0;
    assert_int_equal(cr_png_write_memory(&c, 300, &png, &size, NULL), CR_OK);
    cr_canvas_free(&c);

    char path[128];
    png_fix_work_path(path, sizeof path, "truncated.png");
    png_fix_write_bytes(path, png, size / 2);
    cr_canvas out;
    int dpi = 123;
    cr_error err;
    assert_int_equal(cr_png_read_rgb(path, &out, &dpi, &err), CR_ERR_IMAGE);
    assert_null(out.pixels);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.message, path));
    assert_non_null(strstr(err.message, "truncated"));

    png_fix_write_bytes(path, (const uint8_t *)"GIF89a not a png", 16);
    assert_int_equal(cr_png_read_rgb(path, &out, &dpi, &err), CR_ERR_IMAGE);
    assert_non_null(strstr(err.message, "not a PNG file"));
    unlink(path);

    png_fix_work_path(path, sizeof path, "absent.png");
    assert_int_equal(cr_png_read_rgb(path, &out, &dpi, &err), CR_ERR_IO);
    assert_non_null(strstr(err.message, path));
    free(png);
}

/* Writes a PNG with plain libpng in any format, for the reader. */
typedef struct foreign_png {
    int width, height, bit_depth, color_type, interlace;
    png_color palette[4];
    png_byte trans[4];
    int palette_size, trans_size;
    const uint8_t *rows; /* packed rows of the given format */
    size_t row_bytes;
} foreign_png;

static void write_foreign(const char *path, const foreign_png *spec)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng could not write %s", path);
    png_init_io(png, f);
    png_set_IHDR(png, info, spec->width, spec->height, spec->bit_depth, spec->color_type,
                 spec->interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (spec->palette_size)
        png_set_PLTE(png, info, spec->palette, spec->palette_size);
    if (spec->trans_size)
        png_set_tRNS(png, info, spec->trans, spec->trans_size, NULL);
    png_write_info(png, info);
    png_bytep rows[8];
    for (int y = 0; y < spec->height; y++)
        rows[y] = (png_bytep)spec->rows + spec->row_bytes * (size_t)y;
    png_write_image(png, rows);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    fclose(f);
}

static void assert_rgb(const cr_canvas *c, int x, int y, int r, int g, int b)
{
    const uint8_t *p = c->pixels + (size_t)y * c->stride + (size_t)x * 3;
    if (p[0] != r || p[1] != g || p[2] != b)
        fail_msg("pixel (%d, %d) is %d,%d,%d, expected %d,%d,%d", x, y, p[0], p[1], p[2], r, g, b);
}

static void test_reads_gray16_alpha_interlaced(void **state)
{
    /* 2 x 2, gray + alpha, 16 bits, Adam7: big-endian samples. */
    const uint8_t rows[] = {
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0xFF, /* white opaque, black opaque */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, /* transparent, black half */
    };
    foreign_png spec = {.width = 2,
                        .height = 2,
                        .bit_depth = 16,
                        .color_type = PNG_COLOR_TYPE_GRAY_ALPHA,
                        .interlace = PNG_INTERLACE_ADAM7,
                        .rows = rows,
                        .row_bytes = 8};
    char path[128];
    png_fix_work_path(path, sizeof path, "gray16.png");
    write_foreign(path, &spec);
    cr_canvas c;
    int dpi = -1;
    assert_int_equal(cr_png_read_rgb(path, &c, &dpi, NULL), CR_OK);
    assert_int_equal(dpi, 0); /* no pHYs */
    assert_rgb(&c, 0, 0, 255, 255, 255);
    assert_rgb(&c, 1, 0, 0, 0, 0);
    assert_rgb(&c, 0, 1, 255, 255, 255);        /* transparent over white */
    int half = (255 * (255 - 128) + 127) / 255; /* 0x8000 scales to 128 */
    assert_rgb(&c, 1, 1, half, half, half);
    cr_canvas_free(&c);
    unlink(path);
}

static void test_reads_palette_with_transparency(void **state)
{
    /* 3 x 1, 2-bit palette; entry 2 is fully transparent. */
    const uint8_t rows[] = {0x18}; /* indices 0, 1, 2 packed high bits first */
    foreign_png spec = {.width = 3,
                        .height = 1,
                        .bit_depth = 2,
                        .color_type = PNG_COLOR_TYPE_PALETTE,
                        .palette = {{200, 10, 20}, {0, 90, 180}, {1, 2, 3}},
                        .palette_size = 3,
                        .trans = {255, 255, 0},
                        .trans_size = 3,
                        .rows = rows,
                        .row_bytes = 1};
    char path[128];
    png_fix_work_path(path, sizeof path, "palette.png");
    write_foreign(path, &spec);
    cr_canvas c;
    assert_int_equal(cr_png_read_rgb(path, &c, NULL, NULL), CR_OK);
    assert_int_equal(c.width, 3);
    assert_rgb(&c, 0, 0, 200, 10, 20);
    assert_rgb(&c, 1, 0, 0, 90, 180);
    assert_rgb(&c, 2, 0, 255, 255, 255);
    cr_canvas_free(&c);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated_and_foreign_files),
        cmocka_unit_test(test_reads_gray16_alpha_interlaced),
        cmocka_unit_test(test_reads_palette_with_transparency),
    };
    return cmocka_run_group_tests_name("png reading", tests, png_fix_make_work_dir,
                                       png_fix_remove_work_dir);
}
