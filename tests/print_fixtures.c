/* Fixtures of the print-output tests (print_fixtures.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "png_fixtures.h"
#include "print_fixtures.h"
#include "raster.h"

/* Made by print_setup, destroyed by print_teardown. */
cr_engine *engine;

int print_setup(void **state)
{
    cr_error err;
    engine = cr_engine_create(NULL, &err);
    if (!engine)
        fail_msg("%s", err.message);
    return 0;
}

int print_teardown(void **state)
{
    cr_engine_destroy(engine);
    return 0;
}

/* ----------------------------------------------------------- helpers */

cr_template *template_from(const char *json, const char *dir)
{
    cr_error err;
    cr_template *tpl =
        cr_template_load_memory(engine, json, strlen(json), "print-test.json", dir, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    return tpl;
}

cr_record *record_from(const char *json)
{
    cr_error err;
    cr_record *record = cr_record_load_memory(json, strlen(json), "record.json", &err);
    if (!record)
        fail_msg("%s", err.message);
    return record;
}

cr_image *render_with(const cr_template *tpl, const cr_record *record,
                      const cr_render_options *options)
{
    cr_error err;
    cr_image *image = cr_render(engine, tpl, record, options, &err);
    if (!image)
        fail_msg("%s", err.message);
    return image;
}

const uint8_t *rgb_at(const cr_image *image, int x, int y)
{
    return cr_image_pixels(image) + (size_t)y * (size_t)cr_image_stride(image) + (size_t)x * 3;
}

int bit_at(const cr_image *panel, int x, int y)
{
    const uint8_t *row = cr_image_pixels(panel) + (size_t)y * (size_t)cr_image_stride(panel);
    return (row[x >> 3] >> (7 - (x & 7))) & 1;
}

long bits_set(const cr_image *panel)
{
    long count = 0;
    for (int y = 0; y < cr_image_height(panel); y++)
        for (int x = 0; x < cr_image_width(panel); x++)
            count += bit_at(panel, x, y);
    return count;
}

bool same_pixels(const cr_image *a, const cr_image *b)
{
    if (cr_image_width(a) != cr_image_width(b) || cr_image_height(a) != cr_image_height(b) ||
        cr_image_format_of(a) != cr_image_format_of(b))
        return false;
    size_t bytes = (size_t)cr_image_stride(a) * (size_t)cr_image_height(a);
    return memcmp(cr_image_pixels(a), cr_image_pixels(b), bytes) == 0;
}

/* Every panel of a and b has the same size and bytes. */
void assert_same_card(const cr_image *a, const cr_image *b, const char *what)
{
    for (int p = 0; p < CR_PANEL_COUNT; p++) {
        const cr_image *pa = cr_image_panel(a, (cr_panel)p), *pb = cr_image_panel(b, (cr_panel)p);
        if (!pa != !pb)
            fail_msg("%s: panel %s exists in only one render", what, cr_panel_name((cr_panel)p));
        if (pa && !same_pixels(pa, pb))
            fail_msg("%s: panel %s differs", what, cr_panel_name((cr_panel)p));
    }
    uint8_t *png_a = NULL, *png_b = NULL; /* and so do their files, byte for byte */
    size_t size_a = 0, size_b = 0;
    assert_int_equal(cr_image_write_png_memory(a, &png_a, &size_a, NULL), CR_OK);
    assert_int_equal(cr_image_write_png_memory(b, &png_b, &size_b, NULL), CR_OK);
    if (size_a != size_b || memcmp(png_a, png_b, size_a) != 0)
        fail_msg("%s: the same pixels written to different PNG files", what);
    if (a->canvas.pixels) /* which plain libpng decodes to the pixels */
        png_fix_assert_memory_decodes_to(&a->canvas, png_a, size_a);
    free(png_a);
    free(png_b);
}

/* ------------------------------------------------------- overlay card */

const char overlay_card[] =
    "{\"version\": 1, \"card\": {\"overlay\": {\"holes_mm\": [[10, 15, 12, 9], [60, 40, 20, "
    "10]]}, \"k_panel\": {\"mode\": \"dither\"}},"
    " \"fields\": ["
    "  {\"type\": \"rect\", \"box_mm\": [0, 0, 85.6, 54], \"fill\": \"#d8e8f8\"},"
    "  {\"type\": \"text\", \"name\": \"id\", \"box_mm\": [27, 44.2, 55, 4.6], \"bind\": "
    "\"id_number\", \"font\": \"OCR B\", \"size_pt\": 11, \"panel\": \"k\"},"
    "  {\"type\": \"line\", \"from_mm\": [5, 30], \"to_mm\": [50, 30], \"width_mm\": 0.5, "
    "\"panel\": \"k\"}"
    "]}";
