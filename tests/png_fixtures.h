/* Fixtures of the PNG tests (test_png.c, test_png_files.c,
 * test_png_read.c; linked into every test program): a work folder under
 * /tmp made and removed by the cmocka group setup and teardown, paths in it
 * and a count of the files there, canvases with a pattern that exercises
 * every byte value, random or like a card, whole files read and written,
 * what plain libpng says about a PNG file and whether it decodes to a
 * canvas. Everything fails the running cmocka test on error.
 * The only state kept is the work folder's name, set by
 * png_fix_make_work_dir. */
#ifndef CR_TEST_PNG_FIXTURES_H
#define CR_TEST_PNG_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <png.h>

#include "raster.h"

/* cmocka group setup and teardown: a new folder under /tmp, and its
 * removal with the files in it. */
int png_fix_make_work_dir(void **state);
int png_fix_remove_work_dir(void **state);

/* name in the work folder, into out; the number of files there (not
 * counting those whose names start with a dot). */
void png_fix_work_path(char *out, size_t size, const char *name);
size_t png_fix_files_in_work_dir(void);

/* A card-sized canvas with a pattern that exercises every byte value. */
void png_fix_make_canvas(cr_canvas *c, int width, int height);

/* A whole file read into a malloc'ed buffer, and one written. */
uint8_t *png_fix_read_bytes(const char *path, size_t *size);
void png_fix_write_bytes(const char *path, const uint8_t *data, size_t size);

/* A small deterministic generator (xorshift32), so failures repeat. */
uint32_t png_fix_next_random(uint32_t *state);

/* Random bytes from seed; or like a card: smooth colour, fine lines, flat
 * text-like blocks, and noise where a photo would be (pixels that
 * compress, as rendered cards do). */
void png_fix_fill_random(cr_canvas *c, uint32_t seed);
void png_fix_fill_card_like(cr_canvas *c);

/* Fails unless plain libpng decodes the PNG file at path, or the PNG in
 * memory, to exactly c's pixels (8-bit RGB, c's size). */
void png_fix_assert_decodes_to(const cr_canvas *c, const char *path);
void png_fix_assert_memory_decodes_to(const cr_canvas *c, const uint8_t *png, size_t size);

/* What plain libpng says about a file. */
typedef struct png_facts {
    png_uint_32 width, height;
    int bit_depth, color_type, interlace;
    png_uint_32 ppm_x, ppm_y;
    int phys_unit;
    bool has_phys, has_srgb, has_time;
    int srgb_intent;
    uint8_t *rgb; /* width * height * 3 */
} png_facts;

/* Fills facts from the file at path, read with plain libpng; the caller
 * frees facts->rgb. */
void png_fix_libpng_inspect(const char *path, png_facts *facts);

#endif
