/* Microtext (README, Microtext): text below 1 pt, or a field with
 * "microtext": true or "repeat", set so that it reads exactly under a loupe.
 * Every glyph's origin is on a whole device pixel and every advance is
 * rounded to whole pixels (a repeated run then has an exact period in
 * pixels: the sum of its rounded advances), and the glyphs are grid-fitted
 * when painted (cr_glyph_pos.hinting, CR_HINT_MICROTEXT).
 *
 * "repeat": "line" repeats the text, joined by "repeat_separator" (one
 * space by default), along the box's first line from its left edge until
 * the box is full; "fill" does so on every line the box holds at the
 * field's line pitch, each line going on with the glyph the previous one
 * could not hold, so the run never forms columns. A glyph whose advance or
 * ink would cross the box's right edge is dropped, never cut: half a glyph
 * reads as another letter under a loupe.
 *
 * Microtext smaller than CR_MICROTEXT_MIN_EM_PX pixels of em at the
 * render's dpi draws with a warning naming the size and the dpi (a render's
 * warning, a check's and a proof's finding): it would print as a grey line. */
#ifndef CR_LAYOUT_MICROTEXT_H
#define CR_LAYOUT_MICROTEXT_H

#include "cardrender.h"
#include "layout_result.h"
#include "template.h"

/* Below 6 px of em (0.72 pt at 600 dpi, 1.44 pt at 300 dpi) the autohinter
 * has no room for a cap height, a bowl and a counter: at 5 px OCR B's
 * digits 0, 8 and 9 and letters H and N ran together in the crops read
 * while choosing the hinting (commit "microtext: grid-fitted glyphs"). */
#define CR_MICROTEXT_MIN_EM_PX 6

/* cr_layout_text's signature: the repeat lays its period out through it,
 * handed in so this module does not include the driver that calls it. */
typedef cr_status (*cr_text_layout_fn)(cr_engine *engine, const cr_template *tpl,
                                       const cr_field *field, const char *text, int dpi,
                                       cr_text_layout *out, cr_error *err);

/* Lays out a field with "repeat" (field->repeat != CR_REPEAT_NONE), its
 * period through lay_out. The layout's text (out->text) is one period, the
 * text and its separator; glyph clusters are offsets into it. */
cr_status cr_layout_repeat(cr_text_layout_fn lay_out, cr_engine *engine, const cr_template *tpl,
                           const cr_field *field, const char *text, int dpi, cr_text_layout *out,
                           cr_error *err);

/* A microtext field laid out by the ordinary layout (no "repeat"): its
 * glyphs moved onto whole pixels with rounded advances, line by line from
 * the line's left edge, marked for grid fitting, and the size warning
 * added. */
cr_status cr_microtext_snap(const cr_field *field, int dpi, cr_text_layout *layout, cr_error *err);

#endif
