/* Text layout: a field's text becomes positioned glyphs on the canvas.
 * Stages (each its own module): itemise (script, bidi level) -> choose fonts
 * per grapheme cluster -> shape (HarfBuzz) -> break lines (ICU) -> place. */
#ifndef CR_LAYOUT_H
#define CR_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardrender.h"
#include "fonts.h"
#include "layout_result.h"
#include "template.h"

/* Lays out text (UTF-8, logical order) for field at dpi. Placement rules:
 * all scripts on a line share the fonts' alphabetic baseline; the first
 * baseline is the line's tallest ascent below the box top, each next one
 * line_height_pt (else the fonts' descent + gap + ascent) lower, or more
 * when the two lines' ink would come closer than 1/20 em; with
 * punctuation_trim line-end, a full-width mark with its ink in the left half
 * that ends a line of an LTR paragraph loses its blank half (the font's halt
 * feature, else half the advance), and lines are filled trimmed; a final
 * newline opens no empty line. */
cr_status cr_layout_text(cr_engine *engine, const cr_template *tpl, const cr_field *field,
                         const char *text, int dpi, cr_text_layout *out, cr_error *err);

/* What a laid-out field tells the caller (options->warning and
 * options->field_report, either may be unset): each of its warnings, the
 * overflow as a warning too when warn_overflow, then its report. The same
 * for a render and a check. */
void cr_layout_announce(const cr_template *tpl, const cr_field *field, const cr_text_layout *layout,
                        const cr_render_options *options, bool warn_overflow);

/* Vertical writing modes (field->writing_mode vertical-mongolian or
 * vertical-cjk; cr_layout_text hands them to layout_vertical.c). Characters
 * run top to bottom in columns; columns go left to right (Mongolian) or
 * right to left (CJK). The same structures then read:
 *   cr_text_line: one column, in reading order (first column first).
 *     x        canvas x of the column's axis, its centre line: sideways text
 *              is centred on it (Mongolian by its stem), upright text by
 *              its advance;
 *     baseline canvas y of the column's top, where its first glyph starts;
 *     width    the column's length downward from there (26.6).
 *   A column is line_height_pt wide, else as wide as its fonts' ascender
 *   minus descender plus line gap; the first column touches the box's left
 *   (right) edge. Along the column, align start/left = top, center,
 *   end/right = bottom, justify (spaces widened), distribute; across, valign
 *   top/center/bottom places the block of columns at the box's block-start
 *   edge (left for Mongolian, right for CJK), centre or block-end edge.
 *   max_lines limits columns; overflow_reason names columns; fit wrap,
 *   shrink and error work on columns, condense wraps (upright glyphs cannot
 *   be squeezed along a column).
 *   cr_text_run: runs in top-to-bottom order, one orientation each.
 *   cr_glyph_pos: x, y the pen origin handed to the renderer, advance the
 *     advance DOWN the column. rotation 90: a sideways glyph (Mongolian,
 *     Latin, long digit runs) shaped left to right, turned clockwise; its
 *     baseline runs down the canvas left of the axis. rotation 0: an upright
 *     glyph (Han, VerticalOrientation U/Tu) shaped top to bottom, centred on
 *     the axis, or a glyph of a short digit run set across the column in one
 *     em (tate-chu-yoko: the group's first glyph carries the em, the others
 *     advance 0; x_scale < 65536 when condensed to the column's width). */

#endif
