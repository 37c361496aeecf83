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
#include "template.h"

typedef struct cr_glyph_pos {
    cr_face *face;
    uint32_t glyph_id;
    uint32_t cluster;   /* byte offset of its cluster in the field's text */
    int32_t x, y;       /* pen origin on the canvas, 26.6 px, y down */
    int32_t advance;    /* 26.6 px, along the line */
    int32_t ppem;       /* 26.6 px per em */
    int32_t x_scale;    /* 16.16; 65536 = not condensed */
    uint8_t rotation;   /* 0, or 90 = clockwise */
} cr_glyph_pos;

typedef struct cr_text_run {
    uint32_t start, end; /* bytes of the field's text */
    char script[5];      /* ISO 15924, e.g. "Hani" */
    char lang[16];       /* BCP 47 used for shaping */
    uint8_t bidi_level;  /* even = LTR */
    cr_face *face;
    size_t first_glyph, glyph_count;
} cr_text_run;

typedef struct cr_text_line {
    uint32_t start, end;  /* bytes of the field's text */
    size_t first_run, run_count; /* runs in visual order */
    int32_t baseline;     /* canvas y, 26.6 */
    int32_t x;            /* canvas x of the line's left edge, 26.6 */
    int32_t width;        /* 26.6 */
} cr_text_line;

typedef struct cr_text_layout {
    cr_glyph_pos *glyphs;
    size_t glyph_count;
    cr_text_run *runs;
    size_t run_count;
    cr_text_line *lines;
    size_t line_count;
    uint32_t *breaks;     /* byte offsets where lines were broken */
    size_t break_count;
    double size_pt;       /* size used, after shrinking */
    double scale_x;       /* horizontal scale used, after condensing */
    bool overflow;        /* still does not fit after the fit policy */
    char overflow_reason[256];
} cr_text_layout;

/* Lays out text (UTF-8, logical order) for field at dpi. */
cr_status cr_layout_text(cr_engine *engine, const cr_template *tpl, const cr_field *field,
                         const char *text, int dpi, cr_text_layout *out, cr_error *err);

void cr_text_layout_free(cr_text_layout *layout);

#endif
