/* Placing a horizontal layout's lines in the field's box: along each line
 * (letter spacing, justification, distribution, alignment, condensing) and
 * down the box (baselines, line pitch, ink clearance, valign). */
#ifndef CR_LAYOUT_PLACE_H
#define CR_LAYOUT_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/uscript.h>

#include "cardrender.h"
#include "fonts.h"
#include "layout_result.h"
#include "layout_common.h"
#include "layout_fit.h"
#include "template.h"

/* What placement needs beside the layout it places. */
typedef struct cr_placement {
    const cr_field *field; /* align, valign, line_height_pt */
    const char *text;
    uint32_t length;
    const cr_attempt *at;
    cr_box bx;
    const UScriptCode *run_scripts; /* the script of each run of the layout */
    const cr_face *empty_face;      /* measures a first line with no runs; may be NULL */
} cr_placement;

/* Places line (its runs and glyphs the last ones of out, glyphs from
 * first_glyph, their x and y still the shaped offsets): sets the glyphs' x
 * and advance and the line's x and width. Letter spacing opens between
 * clusters not joined in a cursive script; justify (all but a paragraph's
 * last line) widens word spaces, or the gaps between clusters when the line
 * has none; distribute spreads clusters over the box. start and end follow
 * the paragraph direction (rtl). A condensed attempt (x_scale) scales
 * positions and advances instead. */
cr_status cr_place_line(const cr_placement *p, cr_text_layout *out, cr_text_line *line,
                        size_t first_glyph, bool rtl, bool paragraph_end, cr_error *err);

/* Sets every line's baseline and its glyphs' y (see cr_layout_text for the
 * rules); *fitting: how many lines fit in the box's height. */
cr_status cr_place_lines_down(const cr_placement *p, cr_text_layout *out, size_t *fitting,
                              cr_error *err);

#endif
