/* What a text layout hands back: positioned glyphs, the runs and lines
 * they form, the breaks taken, the size and scale used, overflow and
 * warnings; and its free. Its own unit so the layout stages (layout_common,
 * layout_fit, layout_place, layout_vertical) and the painters that read a
 * result need not include the driver (layout.h) that calls them. Positions
 * are 26.6 fixed point on the canvas, y down; vertical text reads the same
 * structures as layout.h describes. */
#ifndef CR_LAYOUT_RESULT_H
#define CR_LAYOUT_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardrender.h"
#include "fonts.h"

/* How a glyph is rasterised. CR_HINT_NONE: the outline as designed, at a
 * quarter-pixel phase. CR_HINT_MICROTEXT: grid-fitted by FreeType's
 * autohinter (normal target: stems snapped across and along the line, the
 * same for TrueType and CFF fonts) with its origin on a whole pixel, for
 * microtext (README, Microtext). */
enum { CR_HINT_NONE = 0, CR_HINT_MICROTEXT = 1 };

/* FT_Load_Glyph's flags for a hinting mode: the painter's and the layout's
 * ink measure use the same, so what the layout keeps in a box is what is
 * drawn. */
static inline FT_Int32 cr_glyph_load_flags(int hinting)
{
    return FT_LOAD_NO_BITMAP |
           (hinting == CR_HINT_MICROTEXT ? FT_LOAD_FORCE_AUTOHINT : FT_LOAD_NO_HINTING);
}

typedef struct cr_glyph_pos {
    cr_face *face;
    uint32_t glyph_id;
    uint32_t cluster; /* byte offset of its cluster in the field's text */
    int32_t x, y;     /* pen origin on the canvas, 26.6 px, y down */
    int32_t advance;  /* 26.6 px, along the line */
    int32_t ppem;     /* 26.6 px per em */
    int32_t x_scale;  /* 16.16; 65536 = not condensed */
    uint8_t rotation; /* 0, or 90 = clockwise */
    uint8_t hinting;  /* CR_HINT_NONE or CR_HINT_MICROTEXT (then x is whole pixels) */
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
    uint32_t start, end;         /* bytes of the field's text */
    size_t first_run, run_count; /* runs in visual order */
    int32_t baseline;            /* canvas y, 26.6 */
    int32_t x;                   /* canvas x of the line's left edge, 26.6 */
    int32_t width;               /* 26.6 */
} cr_text_line;

/* Something drawn other than asked: a character no font covers, drawn as
 * .notdef (CR_ERR_FONT: the message names the code point and the fonts
 * tried), or text already shaped into Arabic presentation forms
 * (CR_ERR_TEXT). Not the field: the caller adds where. */
typedef struct cr_text_warning {
    cr_status code;
    char message[768]; /* room for the whole list of fonts tried */
} cr_text_warning;

typedef struct cr_text_layout {
    cr_glyph_pos *glyphs;
    size_t glyph_count;
    cr_text_run *runs;
    size_t run_count;
    cr_text_line *lines;
    size_t line_count;
    uint32_t *breaks; /* byte offsets where lines were broken */
    size_t break_count;
    double size_pt; /* size used, after shrinking */
    double scale_x; /* horizontal scale used, after condensing */
    bool overflow;  /* still does not fit after the fit policy */
    char overflow_reason[256];
    cr_text_warning *warnings; /* in text order */
    size_t warning_count;
    /* The text laid out, when it is not the field's: "presentation_forms":
     * "normalize" turned presentation forms into letters. Byte offsets in
     * glyphs, runs and lines are into this text then. Owned; NULL when the
     * field's own text was laid out. */
    char *text;
} cr_text_layout;

/* Frees what the layout holds and zeroes it; NULL is allowed. */
void cr_text_layout_free(cr_text_layout *layout);

#endif
