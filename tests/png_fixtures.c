/* Fixtures of the PNG tests (png_fixtures.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <png.h>
#include <unistd.h>

#include "png_fixtures.h"

static char work_dir[64];

int png_fix_make_work_dir(void **state)
{
    snprintf(work_dir, sizeof work_dir, "/tmp/cardrender-test-png-XXXXXX");
    return mkdtemp(work_dir) ? 0 : -1;
}

int png_fix_remove_work_dir(void **state)
{
    DIR *dir = opendir(work_dir);
    if (!dir)
        return -1;
    struct dirent *entry;
    char path[512];
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", work_dir, entry->d_name);
        unlink(path);
    }
    closedir(dir);
    return rmdir(work_dir);
}

void png_fix_work_path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", work_dir, name);
}

size_t png_fix_files_in_work_dir(void)
{
    DIR *dir = opendir(work_dir);
    size_t count = 0;
    for (struct dirent *entry; dir && (entry = readdir(dir)) != NULL;)
        count += entry->d_name[0] != '.';
    if (dir)
        closedir(dir);
    return count;
}

/* A card-sized canvas with a pattern that exercises every byte value. */
void png_fix_make_canvas(cr_canvas *c, int width, int height)
{
    assert_int_equal(cr_canvas_init(c, width, height, NULL), CR_OK);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            uint8_t *p = c->pixels + (size_t)y * c->stride + (size_t)x * 3;
            p[0] = (uint8_t)(x * 7 + y);
            p[1] = (uint8_t)(y * 13 ^ x);
            p[2] = (uint8_t)((x / 16 + y / 16) % 2 ? 255 : x + y);
        }
}

uint8_t *png_fix_read_bytes(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)length);
    assert_int_equal(fread(data, 1, (size_t)length, f), (size_t)length);
    fclose(f);
    *size = (size_t)length;
    return data;
}

void png_fix_write_bytes(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
}

static void read_rows(png_structp png, png_facts *facts)
{
    size_t row_bytes = (size_t)facts->width * 3;
    facts->rgb = malloc(row_bytes * facts->height);
    for (png_uint_32 y = 0; y < facts->height; y++)
        png_read_row(png, facts->rgb + row_bytes * y, NULL);
}

void png_fix_libpng_inspect(const char *path, png_facts *facts)
{
    memset(facts, 0, sizeof *facts);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng could not read %s", path);
    png_init_io(png, f);
    png_read_info(png, info);
    png_get_IHDR(png, info, &facts->width, &facts->height, &facts->bit_depth, &facts->color_type,
                 &facts->interlace, NULL, NULL);
    facts->has_phys = png_get_pHYs(png, info, &facts->ppm_x, &facts->ppm_y, &facts->phys_unit) != 0;
    facts->has_srgb = png_get_sRGB(png, info, &facts->srgb_intent) != 0;
    read_rows(png, facts);
    png_read_end(png, info);
    facts->has_time = png_get_valid(png, info, PNG_INFO_tIME) != 0;
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
}

/* ------------------------------------------------------------- images */

uint32_t png_fix_next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

void png_fix_fill_random(cr_canvas *c, uint32_t seed)
{
    for (int y = 0; y < c->height; y++)
        for (int i = 0; i < c->width * 3; i++)
            c->pixels[(size_t)y * c->stride + (size_t)i] =
                (uint8_t)(png_fix_next_random(&seed) >> 24);
}

void png_fix_fill_card_like(cr_canvas *c)
{
    uint32_t seed = 12345;
    for (int y = 0; y < c->height; y++)
        for (int x = 0; x < c->width; x++) {
            uint8_t *p = c->pixels + (size_t)y * c->stride + (size_t)x * 3;
            bool line = (x * 3 + y * 5) % 37 < 2, glyph = (x / 9 + y / 13) % 11 == 0;
            bool photo = x > c->width * 2 / 3 && y < c->height / 2;
            p[0] = (uint8_t)(200 + x * 40 / c->width);
            p[1] = (uint8_t)(220 - y * 30 / c->height);
            p[2] = line ? 150 : 240;
            if (glyph)
                p[0] = p[1] = p[2] = 20;
            if (photo)
                for (int k = 0; k < 3; k++)
                    p[k] = (uint8_t)(png_fix_next_random(&seed) >> 24);
        }
}

static void assert_rows_equal(const uint8_t *rgb, const cr_canvas *c)
{
    size_t row = (size_t)c->width * 3;
    for (int y = 0; y < c->height; y++)
        if (memcmp(rgb + row * (size_t)y, c->pixels + (size_t)y * c->stride, row) != 0)
            fail_msg("%dx%d: row %d differs after libpng decoding", c->width, c->height, y);
}

void png_fix_assert_decodes_to(const cr_canvas *c, const char *path)
{
    png_facts facts;
    png_fix_libpng_inspect(path, &facts);
    assert_int_equal(facts.width, (png_uint_32)c->width);
    assert_int_equal(facts.height, (png_uint_32)c->height);
    assert_int_equal(facts.bit_depth, 8);
    assert_int_equal(facts.color_type, PNG_COLOR_TYPE_RGB);
    assert_rows_equal(facts.rgb, c);
    free(facts.rgb);
}

void png_fix_assert_memory_decodes_to(const cr_canvas *c, const uint8_t *png, size_t size)
{
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, png, size))
        fail_msg("libpng refuses the PNG: %s", image.message);
    assert_int_equal(image.width, (png_uint_32)c->width);
    assert_int_equal(image.height, (png_uint_32)c->height);
    image.format = PNG_FORMAT_RGB;
    uint8_t *rgb = malloc(PNG_IMAGE_SIZE(image));
    assert_non_null(rgb);
    if (!png_image_finish_read(&image, NULL, rgb, 0, NULL))
        fail_msg("libpng cannot decode the PNG: %s", image.message);
    assert_rows_equal(rgb, c);
    free(rgb);
}
