/* Vertical text: cr_layout_vertical (layout_vertical.c), and the parts it
 * builds on (vertical_orient.c): which way each character stands in a
 * column (UTR #50 Vertical_Orientation through ICU, tate-chu-yoko digit
 * groups), top-to-bottom shaping of upright runs and where text sits across
 * the column. All lengths are font units unless named otherwise. */
#ifndef CR_LAYOUT_VERTICAL_H
#define CR_LAYOUT_VERTICAL_H

#include <stddef.h>
#include <stdint.h>

#include <unicode/uscript.h>

#include "cardrender.h"
#include "fonts.h"
#include "layout_result.h"
#include "layout_common.h"
#include "shape.h"
#include "text.h"

/* Lays out analysed text of a vertical writing mode (see layout.h for what
 * the layout's structures then hold) under the field's fit policy. */
cr_status cr_layout_vertical(const cr_text_analysis *a, int dpi, cr_text_layout *out,
                             cr_error *err);
#endif
