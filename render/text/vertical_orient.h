/* Characters in vertical text: which stand upright, which turn sideways
 * and which short digit runs are set across (tate-chu-yoko); shaping top to
 * bottom; and the metrics that centre sideways text and digit groups on a
 * column's axis. The vertical layout (layout_vertical.c) uses them. */
#ifndef CR_VERTICAL_ORIENT_H
#define CR_VERTICAL_ORIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/uscript.h>

#include "cardrender.h"
#include "fonts.h"
#include "shape.h"
#include "text.h"

/* How a piece of text is set in a column. */
typedef enum cr_orientation {
    CR_ORIENT_SIDEWAYS, /* shaped horizontally, turned 90 degrees clockwise */
    CR_ORIENT_UPRIGHT,  /* shaped top to bottom (vert, vmtx), standing */
    CR_ORIENT_ACROSS    /* tate-chu-yoko: a short number set horizontally in one em */
} cr_orientation;

/* The orientation of every byte's character, decided per grapheme cluster
 * from its first code point: Vertical_Orientation U and Tu stand upright; Tr
 * stands upright when its face has vertical metrics and a vertical form for
 * it (vert/vrt2), else turns; R turns. A run of European digits (Nd, script Common) no longer than
 * tcy_digits (0: never) and not touching other digits is set across.
 * faces: one per byte (cr_select_fonts); pool: where the grapheme iterator
 * comes from (NULL: a new one). false when out of memory. */
bool cr_orient_text(struct cr_break_pool *pool, const char *text, size_t length, const cr_text16 *t,
                    cr_face *const *faces, int tcy_digits, cr_orientation *orientation);

/* Shapes in->start..end top to bottom (HarfBuzz TTB: vert, vertical
 * advances from vmtx). In each glyph x_advance is the advance DOWN the
 * column, x_offset/y_offset place the glyph's horizontal origin from the pen
 * (y up), the pen standing on the column's axis at the top of the glyph's
 * cell: a CJK ideograph gets x_offset = -advance/2, so it is centred on the
 * axis. A face without real vertical metrics (no vhea, or a dummy one like
 * Noto Sans Mongolian's) is shaped horizontally instead (its vert forms
 * are not made for this) and each glyph stands in a cell as long as its
 * horizontal advance, its ink centred in the cell. */
cr_status cr_shape_upright(const cr_shape_input *in, cr_shaped_glyph **glyphs, size_t *count,
                           cr_error *err);

/* How far above its baseline sideways text of `script` in `face` is centred
 * on the column's axis. Mongolian: the middle of the stem, measured on the
 * face's U+180A NIRUGU (a piece of stem), since Mongolian letters hang on
 * the stem (mlreq: the baseline runs down the middle of the column). Other
 * scripts: half the cap height (Latin and digits are centred at half their
 * height), else the middle of ascender and descender. */
int32_t cr_sideways_axis_height(const cr_face *face, UScriptCode script);

/* The height of the face's digits (cap height, else 0.7 em), for centring a
 * tate-chu-yoko group in its em cell. */
int32_t cr_digit_height(const cr_face *face);

#endif
