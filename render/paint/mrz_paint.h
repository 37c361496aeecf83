/* Where an MRZ's characters go (ICAO 9303 Part 3): each in a cell of
 * exactly the character pitch (2.54 mm, 10 to the inch), its glyph centred
 * in the cell, lines at the 9303 line pitch, in OCR-B at the size whose
 * advance is the pitch (the size OCR-B size I is drawn for). Cells start at
 * whole pixels, so at 300 dpi every character is 30 px from the last and
 * all copies of a character have the same pixels, whatever the font's own
 * rounding. The result is an ordinary text layout (one line per MRZ line,
 * the text the lines joined by newlines), drawn by text_paint and dumped
 * by `cardrender layout` like any text. */
#ifndef CR_MRZ_PAINT_H
#define CR_MRZ_PAINT_H

#include "cardrender.h"
#include "layout_result.h"
#include "template.h"

/* The zone of field (CR_FIELD_MRZ) for record, laid out at dpi; a record
 * that cannot make a valid zone is CR_ERR_RECORD naming the key (mrz.h). */
cr_status cr_mrz_layout(const cr_template *tpl, const cr_field *field, const cr_record *record,
                        int dpi, cr_text_layout *out, cr_error *err);

#endif
