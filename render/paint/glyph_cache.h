/* Rasterised glyphs, keyed by face, glyph, size, horizontal scale, rotation,
 * subpixel phase and hinting mode (layout_result.h: CR_HINT_*): a glyph
 * used again is never rasterised again. Thread-safe; entries are immutable
 * and live as long as the cache. */
#ifndef CR_GLYPH_CACHE_H
#define CR_GLYPH_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "cardrender.h"
#include "fonts.h"
#include "layout_result.h"

/* 8-bit coverage. left/top: position of the bitmap's top-left pixel relative
 * to the pen origin, in pixels (top is up from the baseline, as FreeType).
 * Rows are pitch bytes apart, pitch a multiple of CR_MASK_PAD_PIXELS, with
 * zeros past width (cr_canvas_blend_mask_padded). */
typedef struct cr_glyph_bitmap {
    int width, rows, pitch;
    int left, top;
    const uint8_t *coverage;
} cr_glyph_bitmap;

/* Subpixel positions are quantised to 1/CR_GLYPH_SUBPIXELS px. */
#define CR_GLYPH_SUBPIXELS 4

typedef struct cr_glyph_cache cr_glyph_cache;

cr_glyph_cache *cr_glyph_cache_create(void);
void cr_glyph_cache_destroy(cr_glyph_cache *cache);

/* The bitmap of glyph_id at ppem (26.6 px per em), x_scale (16.16, 65536 =
 * none; < 65536 condenses), rotation (0, or 90 = clockwise) and subpixel
 * phase 0 .. CR_GLYPH_SUBPIXELS-1 (shift right by phase/CR_GLYPH_SUBPIXELS px
 * before rasterising). NULL with err set on a FreeType failure. */
const cr_glyph_bitmap *cr_glyph_cache_get(cr_glyph_cache *cache, cr_face *face, uint32_t glyph_id,
                                          int32_t ppem_26_6, int32_t x_scale_16_16, int rotation,
                                          int subpixel, cr_error *err);

/* cr_glyph_cache_get with a hinting mode: CR_HINT_MICROTEXT grid-fits the
 * outline (cr_glyph_load_flags), CR_HINT_NONE is cr_glyph_cache_get. */
const cr_glyph_bitmap *cr_glyph_cache_get_hinted(cr_glyph_cache *cache, cr_face *face,
                                                 uint32_t glyph_id, int32_t ppem_26_6,
                                                 int32_t x_scale_16_16, int rotation, int subpixel,
                                                 int hinting, cr_error *err);

/* How many glyphs were rasterised so far (tests check reuse with it). */
size_t cr_glyph_cache_rasterised(cr_glyph_cache *cache);

#endif
