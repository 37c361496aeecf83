/* The canvas: 8-bit RGB pixels and the compositing primitives every layer
 * paints with. Blending is source-over with exact rounding, so results are
 * deterministic across machines. */
#ifndef CR_RASTER_H
#define CR_RASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardrender.h"
#include "template.h"

typedef struct cr_canvas {
    int width, height, stride; /* stride = bytes per row */
    uint8_t *pixels;           /* RGB, 3 bytes a pixel */
} cr_canvas;

/* A 1-bit print panel (K, overlay): rows of stride bytes, 8 pixels a byte,
 * the leftmost in the high bit; a set bit is where the panel prints. */
typedef struct cr_bitmap {
    int width, height, stride;
    uint8_t *bits;
} cr_bitmap;

struct cr_image {
    cr_canvas canvas; /* the colour image; empty in a 1-bit panel */
    int dpi;
    cr_bitmap bitmap; /* a 1-bit panel; empty in a colour image */
    /* The card's other panels, owned by its colour image, or NULL. */
    struct cr_image *panels[CR_PANEL_COUNT];
    /* How the PNG writer codes it (png_plan.h), a reference; NULL: no plan. */
    struct cr_png_plan *png_plan;
    /* Where the colour image may differ from the plan's reference: the
     * boxes its record-dependent fields painted, when it was painted from
     * the static cache (changes_known); else anywhere. */
    struct cr_png_box *changes;
    size_t change_count;
    bool changes_known;
    /* Where the colour canvas goes when the image is destroyed with its
     * changes known (canvas_pool.h), a reference; NULL: freed. */
    struct cr_canvas_pool *canvas_pool;
};

cr_status cr_canvas_init(cr_canvas *canvas, int width, int height, cr_error *err);
void cr_canvas_free(cr_canvas *canvas);

/* Fills every pixel with color (alpha blends over what is there). */
void cr_canvas_fill(cr_canvas *canvas, cr_color color);

/* Blends color through an 8-bit coverage mask whose top-left pixel lands at
 * (x, y); the effective alpha is coverage * color.a. Clips to the canvas. */
void cr_canvas_blend_mask(cr_canvas *canvas, const uint8_t *mask, int width, int rows, int pitch,
                          int x, int y, cr_color color);

/* The same for a mask whose pitch is a multiple of CR_MASK_PAD_PIXELS and
 * whose rows are 0 from width to pitch (the glyph cache's): rows are then
 * blended in whole blocks where the canvas has room, with no shorter block
 * at their end (a glyph's rows are short: 15 pixels on average on a card,
 * so the end was half of every row). The same bytes as cr_canvas_blend_mask. */
enum { CR_MASK_PAD_PIXELS = 8 };
void cr_canvas_blend_mask_padded(cr_canvas *canvas, const uint8_t *mask, int width, int rows,
                                 int pitch, int x, int y, cr_color color);

/* An anti-aliased rectangle with rounded corners (radius 0 = square), in
 * pixel coordinates that need not be whole. */
void cr_canvas_fill_rounded_rect(cr_canvas *canvas, double x, double y, double width, double height,
                                 double radius, cr_color color);

/* The fraction (0..1) of pixel (px, py) inside the rounded rectangle, the
 * same exact area cr_canvas_fill_rounded_rect paints with. The radius is
 * clamped to half the shorter side. */
double cr_rounded_rect_coverage(double x, double y, double width, double height, double radius,
                                int px, int py);

/* How many of the `count` RGBA8 pixels from rgba on are opaque (alpha
 * 255) before the first that is not. */
int cr_rgba_opaque_run(const uint8_t *rgba, int count);

/* Blends a PREMULTIPLIED RGBA8 buffer (4 bytes a pixel, `pitch` bytes a
 * row) whose top-left pixel lands at (x, y), scaled by opacity (0..255) as
 * a whole. Clips to the canvas. */
void cr_canvas_blend_premultiplied(cr_canvas *canvas, const uint8_t *rgba, int width, int rows,
                                   int pitch, int x, int y, unsigned opacity);

/* Rounds x / 255 to nearest for 0 <= x <= 255 * 255 + 127 (255 is odd,
 * so there is never a tie to break): a product of two 8-bit values back to
 * 8 bits, as every blend here does it. */
static inline unsigned cr_div255(unsigned x)
{
    return (x + 127) / 255;
}

#endif
