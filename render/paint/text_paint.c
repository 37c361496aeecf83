/* Glyphs onto the canvas (text_paint.h). */
#include "text_paint.h"

#include "engine.h"
#include "glyph_cache.h"

/* Splits a 26.6 coordinate into a whole pixel and a subpixel phase, rounding
 * to the nearest phase so glyphs never drift by more than 1/8 px. */
static void split_subpixel(int32_t x, int *pixel, int *phase)
{
    int32_t whole = x >= 0 ? x / 64 : -((-x + 63) / 64);
    int32_t frac = x - whole * 64;
    int32_t p = (frac * CR_GLYPH_SUBPIXELS + 32) / 64;
    if (p == CR_GLYPH_SUBPIXELS) {
        whole++;
        p = 0;
    }
    *pixel = (int)whole;
    *phase = (int)p;
}

/* A glyph's bitmap and where its top-left pixel lands. */
typedef struct placed_glyph {
    const cr_glyph_bitmap *bitmap;
    int x, y;
} placed_glyph;

static cr_status place_glyph(cr_engine *engine, const cr_glyph_pos *g, placed_glyph *out,
                             cr_error *err)
{
    int px, phase;
    split_subpixel(g->x, &px, &phase);
    int py = (int)((g->y + 32) >> 6);
    out->bitmap = cr_glyph_cache_get_hinted(engine->glyphs, g->face, g->glyph_id, g->ppem,
                                            g->x_scale, g->rotation, phase, g->hinting, err);
    if (!out->bitmap)
        return err ? err->code : CR_ERR_INTERNAL;
    out->x = px + out->bitmap->left;
    out->y = py - out->bitmap->top;
    return CR_OK;
}

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

/* The part of a w x h bitmap at (x, y) inside clip, in 64 bits against far-off
 * positions. */
static cr_pixel_box clipped(int x, int y, int w, int h, cr_pixel_box clip)
{
    long long x1 = (long long)x + w, y1 = (long long)y + h;
    return (cr_pixel_box){max_int(x, clip.x0), max_int(y, clip.y0),
                          x1 < clip.x1 ? (int)x1 : clip.x1, y1 < clip.y1 ? (int)y1 : clip.y1};
}

/* box grown to hold b; an empty box is the union's identity. */
static cr_pixel_box joined(cr_pixel_box box, cr_pixel_box b)
{
    if (cr_pixel_box_empty(b))
        return box;
    return cr_pixel_box_empty(box) ? b
                                   : (cr_pixel_box){min_int(box.x0, b.x0), min_int(box.y0, b.y0),
                                                    max_int(box.x1, b.x1), max_int(box.y1, b.y1)};
}

cr_status cr_text_draw_inked(cr_engine *engine, cr_canvas *canvas, const cr_text_layout *layout,
                             cr_color color, cr_pixel_box *ink, cr_glyph_drawn_fn *drawn_fn,
                             void *drawn_data, cr_error *err)
{
    cr_pixel_box drawn = {0, 0, 0, 0}, whole = {0, 0, canvas->width, canvas->height};
    for (size_t i = 0; i < layout->glyph_count; i++) {
        placed_glyph p;
        cr_status status = place_glyph(engine, &layout->glyphs[i], &p, err);
        if (status != CR_OK)
            return status;
        const cr_glyph_bitmap *bm = p.bitmap;
        if (bm->width <= 0 || bm->rows <= 0)
            continue;
        cr_canvas_blend_mask_padded(canvas, bm->coverage, bm->width, bm->rows, bm->pitch, p.x, p.y,
                                    color);
        if (!ink && !drawn_fn)
            continue;
        cr_pixel_box box = clipped(p.x, p.y, bm->width, bm->rows, whole);
        drawn = joined(drawn, box);
        if (drawn_fn && !cr_pixel_box_empty(box))
            drawn_fn(drawn_data, box);
    }
    if (ink)
        *ink = drawn;
    return CR_OK;
}

cr_status cr_text_draw(cr_engine *engine, cr_canvas *canvas, const cr_text_layout *layout,
                       cr_color color, cr_error *err)
{
    return cr_text_draw_inked(engine, canvas, layout, color, NULL, NULL, NULL, err);
}

cr_status cr_text_ink_box(cr_engine *engine, const cr_text_layout *layout, cr_pixel_box clip,
                          cr_pixel_box *out, cr_error *err)
{
    cr_pixel_box ink = {0, 0, 0, 0};
    for (size_t i = 0; i < layout->glyph_count; i++) {
        placed_glyph p;
        cr_status status = place_glyph(engine, &layout->glyphs[i], &p, err);
        if (status != CR_OK)
            return status;
        if (p.bitmap->width <= 0 || p.bitmap->rows <= 0)
            continue;
        ink = joined(ink, clipped(p.x, p.y, p.bitmap->width, p.bitmap->rows, clip));
    }
    *out = ink;
    return CR_OK;
}
