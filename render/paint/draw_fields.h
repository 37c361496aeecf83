/* The card's layers that are not text: the background artwork, image fields
 * (a record's photo or the template's artwork) and shapes. Converts the
 * template's millimetres to pixels and hands them to paint.c. */
#ifndef CR_DRAW_FIELDS_H
#define CR_DRAW_FIELDS_H

#include "cardrender.h"
#include "paint.h"
#include "raster.h"
#include "template.h"

/* Paper white over the canvas, card.background inside the card's rounded
 * outline, then card.background_image: everything under the fields. */
cr_status cr_draw_card_background(const cr_template *tpl, int dpi, cr_canvas *canvas,
                                  cr_error *err);

/* Reads and decodes a bound photo exactly as cr_compose_image_field does, then
 * drops it: CR_OK, or the error the render would stop with, its message also
 * naming the record ("the record people.jsonl:3: record key ..."). A full
 * decode, not just the header: a truncated file is what a check must find. */
cr_status cr_check_photo(const cr_template *tpl, const cr_field *field, const cr_record *record,
                         const cr_render_options *options, cr_error *err);

/* The photos a card has decoded, by record key: a key that a ghost image
 * and another image field bind is decoded once a card, at the size the
 * largest of them needs, and kept until the card is painted. Start
 * from {0}; free with cr_photo_memo_free, which gives the photos' memory
 * back to the engine's budget. */
typedef struct cr_photo_memo {
    struct memo_photo *photos;
    size_t count, capacity;
} cr_photo_memo;

void cr_photo_memo_free(cr_photo_memo *memo);

/* Image, rect and line fields composed into a layer for a canvas whose
 * pixels are clip, not yet blended (paint.h); the caller blends and frees
 * it. A bound photo is read from the asset folder (options, else the record
 * file's folder, else the working folder) and decoded now; every failure
 * names the field, the record key and the path. memo (may be NULL: every
 * photo decoded for its field alone) shares photos between fields. A
 * field with "ghost" composes its picture's ghost image. */
cr_status cr_compose_image_field(const cr_template *tpl, const cr_field *field,
                                 const cr_record *record, int dpi, const cr_render_options *options,
                                 cr_photo_memo *memo, cr_pixel_box clip, cr_layer *out,
                                 cr_error *err);

/* Any field but text: the three above by the field's type. */
cr_status cr_compose_shape_field(const cr_template *tpl, const cr_field *field,
                                 const cr_record *record, int dpi, const cr_render_options *options,
                                 cr_photo_memo *memo, cr_pixel_box clip, cr_layer *out,
                                 cr_error *err);

/* The pixels an image field's layer can cover, before clipping. */
cr_pixel_box cr_image_field_box(const cr_field *field, int dpi);

#endif
