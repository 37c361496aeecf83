/* Barcode fields painted: the field's data encoded by libzint (never by
 * hand: zint implements the symbologies' standards), its module matrix read
 * back and painted as exact pixel rectangles. Each module is a whole number
 * of device pixels at the render's dpi, so no module is ever fractional or
 * anti-aliased, which is what lets the symbol scan when printed at 300 dpi.
 *
 * Geometry. The box is rounded to whole pixels (as an image field's is).
 * "module_mm" is rounded to the nearest whole pixel, at least 1; without it
 * the module is the largest whole pixel count for which the symbol and its
 * quiet zones fit the box. The symbol with its quiet zones is centred in
 * the box (left and top rounded down). A linear symbology (Code 128) has
 * quiet zones only left and right, and its bars fill the box's height. The
 * quiet zones and light modules take the field's background (white unless
 * the template says otherwise), the dark modules its colour. */
#ifndef CR_BARCODE_H
#define CR_BARCODE_H

#include <stdint.h>

#include "cardrender.h"
#include "paint.h"
#include "template.h"

/* A symbol encoded and placed at one dpi. */
typedef struct cr_barcode_layout {
    int columns, rows;    /* modules of the symbol, without its quiet zones */
    int row_modules;      /* modules tall each row is painted (PDF417: 3; else 1) */
    uint8_t *dark;        /* rows x columns, 1 for a dark module */
    int module_px;        /* pixels a module is wide (and tall, but for linear bars) */
    cr_pixel_box box;     /* the field's box in whole pixels */
    cr_pixel_box symbol;  /* the symbol with its quiet zones, inside box */
    int quiet_x, quiet_y; /* the quiet zones, in modules */
} cr_barcode_layout;

/* Encodes text (UTF-8, the field's or the record's value) for the field
 * and places it at dpi. Errors name the field: data the symbology cannot
 * encode (the character as U+XXXX and its position, at the "bind" for a
 * record's value), or a symbol that does not fit the box (the sizes). */
cr_status cr_barcode_lay_out(const cr_template *tpl, const cr_field *field, const char *text,
                             int dpi, cr_barcode_layout *out, cr_error *err);

void cr_barcode_layout_free(cr_barcode_layout *layout);

/* The field's symbol for the record (its fixed text, or the bound value)
 * composed into a layer covering the symbol and its quiet zones (paint.h);
 * an absent optional value composes an empty layer. */
cr_status cr_compose_barcode_field(const cr_template *tpl, const cr_field *field,
                                   const cr_record *record, int dpi, cr_pixel_box clip,
                                   cr_layer *out, cr_error *err);

#endif
