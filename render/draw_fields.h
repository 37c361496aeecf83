/* The card's layers that are not text: the background artwork, image fields
 * (a record's photo or the template's artwork) and shapes. Converts the
 * template's millimetres to pixels and hands them to paint.c. */
#ifndef CR_DRAW_FIELDS_H
#define CR_DRAW_FIELDS_H

#include "cardrender.h"
#include "raster.h"
#include "template.h"

/* card.background_image over the whole card, cover-fitted, clipped to the
 * card's rounded corners. Nothing when the template has none. */
cr_status cr_draw_background_image(const cr_template *tpl, int dpi, cr_canvas *canvas,
                                   cr_error *err);

/* An image field. A bound photo is read from the asset folder (options, else
 * the record file's folder, else the working folder) and decoded now; every
 * failure names the field, the record key and the path. */
cr_status cr_draw_image_field(const cr_template *tpl, const cr_field *field,
                              const cr_record *record, int dpi, const cr_render_options *options,
                              cr_canvas *canvas, cr_error *err);

cr_status cr_draw_rect_field(const cr_field *field, int dpi, cr_canvas *canvas, cr_error *err);

cr_status cr_draw_line_field(const cr_field *field, int dpi, cr_canvas *canvas, cr_error *err);

#endif
