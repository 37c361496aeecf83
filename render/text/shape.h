/* Shaping one item with HarfBuzz, in font units, plus the script facts the
 * layout needs (default language, cursive joining). */
#ifndef CR_SHAPE_H
#define CR_SHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/uscript.h>

#include "cardrender.h"
#include "fonts.h"

typedef struct cr_shaped_glyph {
    uint32_t glyph_id;
    uint32_t cluster;  /* byte offset in the whole text */
    int32_t x_advance; /* font units */
    int32_t x_offset;  /* font units */
    int32_t y_offset;  /* font units, up */
} cr_shaped_glyph;

typedef struct cr_shape_input {
    const char *text;
    uint32_t context_start, context_end; /* what HarfBuzz may look at around the run */
    uint32_t start, end;                 /* the run, inside the context */
    cr_face *face;
    UScriptCode script;
    const char *lang; /* BCP 47, or NULL / "" for none */
    bool rtl;
    const hb_feature_t *features; /* extra OpenType features (e.g. halt), or NULL */
    unsigned feature_count;
    /* Top to bottom (HarfBuzz TTB: vert, vmtx) instead of by rtl: each
     * glyph's x_advance is then its advance down the column. */
    bool top_to_bottom;
} cr_shape_input;

/* Shapes in->start..end; *glyphs (malloc'ed) come in visual order, left to
 * right (top to bottom). An empty run gives no glyphs. */
cr_status cr_shape(const cr_shape_input *in, cr_shaped_glyph **glyphs, size_t *count,
                   cr_error *err);

/* Font units to 26.6 px at ppem (26.6), rounded to nearest, halves away from
 * zero, in 64-bit integers. */
int32_t cr_font_units_to_26_6(int64_t value, int32_t ppem_26_6, int upem);

/* The language a script is shaped in when the field names none: Hani
 * zh-Hans, Arab ug, Tibt bo, Mong mn, Hang ko, Yiii ii; "" otherwise. */
const char *cr_script_default_lang(UScriptCode script);

/* Whether letters of the script join (Arabic, Mongolian, ...): letter
 * spacing and inter-character justification must not pull them apart. */
bool cr_script_is_cursive(UScriptCode script);

#endif
