/* Laid-out text onto a canvas through the engine's glyph cache, and the
 * pixels it will touch, known before it is drawn. */
#ifndef CR_TEXT_PAINT_H
#define CR_TEXT_PAINT_H

#include "cardrender.h"
#include "layout.h"
#include "paint.h"
#include "raster.h"

/* Blends every glyph of layout in color, in layout order. */
cr_status cr_text_draw(cr_engine *engine, cr_canvas *canvas, const cr_text_layout *layout,
                       cr_color color, cr_error *err);

/* Told the canvas pixels one glyph touched (its bitmap's box, clipped to
 * the canvas; never empty), as it is drawn. */
typedef void cr_glyph_drawn_fn(void *data, cr_pixel_box box);

/* The same, and *ink (ink NULL: not wanted) the canvas pixels it touched,
 * as cr_text_ink_box gives them for the canvas's pixels: found on the way
 * instead of by placing every glyph again; with drawn (NULL: not wanted),
 * each glyph's own pixels told as well, a finer account of the same. */
cr_status cr_text_draw_inked(cr_engine *engine, cr_canvas *canvas, const cr_text_layout *layout,
                             cr_color color, cr_pixel_box *ink, cr_glyph_drawn_fn *drawn,
                             void *drawn_data, cr_error *err);

/* The canvas pixels cr_text_draw would touch: the union of the glyph bitmaps
 * inside clip (the canvas's pixels); empty when none. */
cr_status cr_text_ink_box(cr_engine *engine, const cr_text_layout *layout, cr_pixel_box clip,
                          cr_pixel_box *out, cr_error *err);

#endif
