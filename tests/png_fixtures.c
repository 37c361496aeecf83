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
