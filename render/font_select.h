/* Font fallback: a face for every grapheme cluster of a field's text. */
#ifndef CR_FONT_SELECT_H
#define CR_FONT_SELECT_H

#include <stddef.h>

#include <unicode/uscript.h>

#include "cardrender.h"
#include "error.h"
#include "fonts.h"
#include "layout.h"
#include "template.h"
#include "text.h"

/* Where a field is, for error messages (template file, line, column, index
 * and name). tpl may be NULL. */
cr_location cr_field_location(const cr_template *tpl, const cr_field *field);

/* Fills faces (one per byte) with the face chosen for each grapheme cluster
 * (ICU character breaks; a cluster is never split): the first face that maps
 * every code point of the cluster (default-ignorables and controls excepted)
 * among the field's faces, then the manifest's fallback chain for the
 * cluster's script, then the "default" chain. A cluster of white space keeps
 * the face before it when that face covers it. A Mongolian run (which holds
 * NNBSP, MVS and FVS) takes one face for all its Mongolian clusters, since
 * shaping across them needs a single font. A cluster of ignorables only
 * takes a neighbour's face. Line terminators get the face before them.
 * A cluster no face covers is CR_ERR_FONT naming the code point, the field
 * and the fonts tried; with "missing_glyph": "notdef" it takes the field's
 * first face instead (shaping draws .notdef, glyph 0, for what the face
 * lacks) and adds a warning with the same facts to *warnings (malloc'ed,
 * *warning_count of them, NULL when none). scripts: one per byte
 * (cr_itemize_scripts). */
cr_status cr_select_fonts(cr_engine *engine, const cr_template *tpl, const cr_field *field,
                          const char *text, size_t length, const cr_text16 *t,
                          const UScriptCode *scripts, cr_face **faces, cr_text_warning **warnings,
                          size_t *warning_count, cr_error *err);

#endif
