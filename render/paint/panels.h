/* Print panels and print geometry: 1-bit bitmaps (the K and overlay
 * panels), how the K panel's grey becomes 1 bit, the overlay mask, placing
 * a card on a printer canvas and mirroring. Integer arithmetic throughout:
 * every machine prints the same dots. */
#ifndef CR_PANELS_H
#define CR_PANELS_H

#include <stdbool.h>

#include "raster.h"
#include "template.h"

/* A zeroed (nothing printed) bitmap; width and height as cr_canvas_init. */
cr_status cr_bitmap_init(cr_bitmap *bitmap, int width, int height, cr_error *err);
void cr_bitmap_free(cr_bitmap *bitmap);

static inline bool cr_bitmap_get(const cr_bitmap *b, int x, int y)
{
    return (b->bits[(size_t)y * (size_t)b->stride + (size_t)(x >> 3)] >> (7 - (x & 7))) & 1;
}

static inline void cr_bitmap_set(cr_bitmap *b, int x, int y)
{
    b->bits[(size_t)y * (size_t)b->stride + (size_t)(x >> 3)] |= (uint8_t)(0x80u >> (x & 7));
}

static inline void cr_bitmap_put(cr_bitmap *b, int x, int y, bool on)
{
    uint8_t *byte = &b->bits[(size_t)y * (size_t)b->stride + (size_t)(x >> 3)];
    uint8_t bit = (uint8_t)(0x80u >> (x & 7));
    *byte = on ? (uint8_t)(*byte | bit) : (uint8_t)(*byte & ~bit);
}

/* The luminance (0 black .. 255 white) the K panel thresholds: BT.601
 * weights in 1/256, exact for grey. */
static inline unsigned cr_luminance(const uint8_t rgb[3])
{
    return (77u * rgb[0] + 150u * rgb[1] + 29u * rgb[2] + 128u) >> 8;
}

/* The K panel from its grey canvas (the K fields painted in their colours
 * on white): printed where dark, as mode says (threshold: luminance below
 * threshold). */
cr_status cr_bitmap_from_canvas(const cr_canvas *canvas, cr_k_mode mode, int threshold,
                                cr_bitmap *out, cr_error *err);

/* The overlay mask of a card at dpi (width x height pixels): printed inside
 * the card's rounded outline (pixels at least half inside) except in the
 * template's holes. */
cr_status cr_overlay_mask(const cr_template *tpl, int dpi, int width, int height, cr_bitmap *out,
                          cr_error *err);

/* A width x height copy of src's pixels. */
cr_status cr_canvas_copy(const cr_canvas *src, cr_canvas *out, cr_error *err);
cr_status cr_bitmap_copy(const cr_bitmap *src, cr_bitmap *out, cr_error *err);

/* card copied with its top-left pixel at (x, y) onto a new width x height
 * canvas that is white (a bitmap: empty) elsewhere. The card must lie
 * wholly on it. */
cr_status cr_canvas_place(const cr_canvas *card, int width, int height, int x, int y,
                          cr_canvas *out, cr_error *err);
cr_status cr_bitmap_place(const cr_bitmap *card, int width, int height, int x, int y,
                          cr_bitmap *out, cr_error *err);

/* src copied over dst with its top-left pixel at (x, y); it must fit. */
void cr_canvas_blit(cr_canvas *dst, const cr_canvas *src, int x, int y);
void cr_bitmap_blit(cr_bitmap *dst, const cr_bitmap *src, int x, int y);

/* Flips left to right, in place. */
void cr_canvas_mirror(cr_canvas *canvas);
void cr_bitmap_mirror(cr_bitmap *bitmap);

#endif
