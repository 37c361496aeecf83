/* Font fallback: a face for every grapheme cluster of a field's text. */
#ifndef CR_FONT_SELECT_H
#define CR_FONT_SELECT_H

#include "cardrender.h"
#include "error.h"
#include "template.h"
#include "text_analysis.h"

/* Fills a->faces (one per byte of a->text) with the face chosen for each
 * grapheme cluster (ICU character breaks over a->t16; a cluster is never
 * split): the first face that maps every code point of the cluster
 * (default-ignorables and controls excepted), or of its NFC form (HarfBuzz
 * composes what the face has composed), among the field's faces, then
 * the manifest's fallback chain for the cluster's script (a->scripts, from
 * cr_itemize_scripts), then the "default" chain. A cluster of white space
 * keeps the face before it when that face covers it. A Mongolian run (which
 * holds NNBSP, MVS and FVS) takes one face for all its Mongolian clusters,
 * since shaping across them needs a single font. A cluster of ignorables
 * only takes a neighbour's face. Line terminators get the face before them.
 * A cluster no face covers is CR_ERR_FONT naming the code point, the field
 * and the fonts tried; with "missing_glyph": "notdef" it takes the field's
 * first face instead (shaping draws .notdef, glyph 0, for what the face
 * lacks) and adds a warning with the same facts to a->warnings. */
cr_status cr_select_fonts(cr_text_analysis *a, cr_error *err);

#endif
