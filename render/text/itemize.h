/* Itemisation: a field's text split into items that can each be shaped with
 * one HarfBuzz call: same paragraph, bidi level (ICU ubidi), script (UAX #24)
 * and font. Line terminators belong to no item. */
#ifndef CR_ITEMIZE_H
#define CR_ITEMIZE_H

#include <stddef.h>
#include <stdint.h>

#include <unicode/ubidi.h>
#include <unicode/uscript.h>

#include "cardrender.h"
#include "fonts.h"
#include "template.h"
#include "text.h"

typedef struct cr_item {
    uint32_t start, end;           /* bytes of the text */
    uint32_t para_start, para_end; /* its paragraph without the terminator */
    uint8_t level;                 /* bidi embedding level, even = LTR */
    UScriptCode script;            /* never Common/Inherited unless all text is */
    cr_face *face;
} cr_item;

/* Runs the bidi algorithm over the whole text (one ICU paragraph per
 * paragraph separator). The base level follows `direction`: auto takes it
 * from each paragraph's first strong character (LTR when there is none).
 * levels (one per byte) receive each character's resolved level, also in
 * text ICU finds of one direction (where its own levels read the paragraph
 * level: an Arabic-Indic digit in a left-to-right paragraph is 2). The
 * returned UBiDi
 * refers to t->units and is kept for per-line reordering (ubidi_setLine);
 * close it with ubidi_close. NULL with err set on an ICU failure. */
UBiDi *cr_itemize_bidi(const cr_text16 *t, size_t length, cr_direction direction, uint8_t *levels,
                       cr_error *err);

/* The script of every byte's character (UAX #24 with script extensions):
 * Common and Inherited characters (and unassigned or private-use ones) take
 * the script of the run before them, or of the run after them at the start
 * of the text; a closing bracket takes the script of its opening bracket. */
void cr_itemize_scripts(const char *text, size_t length, UScriptCode *scripts);

/* Splits the text into items wherever the paragraph, level, script or face
 * changes. faces: one per byte. *items is malloc'ed. */
cr_status cr_itemize_runs(const char *text, size_t length, const cr_text16 *t, UBiDi *bidi,
                          const uint8_t *levels, const UScriptCode *scripts, cr_face *const *faces,
                          cr_item **items, size_t *count, cr_error *err);

#endif
