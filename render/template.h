/* Template format v1 (JSON through jansson) and records: parsed, validated,
 * immutable. Every value keeps its source position for error messages. */
#ifndef CR_TEMPLATE_H
#define CR_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardrender.h"
#include "error.h"

struct cr_face;

typedef struct cr_color {
    uint8_t r, g, b, a;
} cr_color;

typedef enum cr_field_type { CR_FIELD_TEXT } cr_field_type;

/* start/end follow the paragraph direction; left/right are absolute. */
typedef enum cr_halign {
    CR_ALIGN_START,
    CR_ALIGN_CENTER,
    CR_ALIGN_END,
    CR_ALIGN_LEFT,
    CR_ALIGN_RIGHT,
    CR_ALIGN_JUSTIFY,
    CR_ALIGN_DISTRIBUTE
} cr_halign;

typedef enum cr_valign { CR_VALIGN_TOP, CR_VALIGN_CENTER, CR_VALIGN_BOTTOM } cr_valign;

typedef enum cr_direction { CR_DIR_AUTO, CR_DIR_LTR, CR_DIR_RTL } cr_direction;

/* What to do when text does not fit its box. */
typedef enum cr_fit { CR_FIT_WRAP, CR_FIT_SHRINK, CR_FIT_CONDENSE, CR_FIT_ERROR } cr_fit;

/* Chinese line-start/line-end prohibitions (clreq): basic is the default. */
typedef enum cr_kinsoku { CR_KINSOKU_BASIC, CR_KINSOKU_NONE, CR_KINSOKU_GB, CR_KINSOKU_STRICT } cr_kinsoku;

/* Korean lines break between words (어절) or between any two syllables. */
typedef enum cr_hangul_break { CR_HANGUL_BREAK_WORD, CR_HANGUL_BREAK_CHARACTER } cr_hangul_break;

/* Full-width punctuation at a line's end may be trimmed to half width. */
typedef enum cr_punctuation_trim { CR_TRIM_NONE, CR_TRIM_LINE_END } cr_punctuation_trim;

/* horizontal; vertical-mongolian: top to bottom, columns left to right;
 * vertical-cjk: top to bottom, columns right to left. */
typedef enum cr_writing_mode {
    CR_WRITING_HORIZONTAL,
    CR_WRITING_VERTICAL_MONGOLIAN,
    CR_WRITING_VERTICAL_CJK
} cr_writing_mode;

/* A character no font covers: an error, or a warning that draws .notdef. */
typedef enum cr_missing_glyph { CR_MISSING_ERROR, CR_MISSING_NOTDEF } cr_missing_glyph;

typedef struct cr_field {
    cr_field_type type;
    int index;         /* 0-based position in "fields" */
    char *name;        /* "name" key, or "" */
    int line, column;  /* the field object in the template */
    double x_mm, y_mm, w_mm, h_mm;
    char *text;        /* fixed text, or NULL */
    char *bind;        /* record key, or NULL */
    int bind_line, bind_column;
    char **fonts;      /* family names, first choice first */
    size_t font_count;
    struct cr_face **faces; /* the same, resolved through the engine's manifest */
    double size_pt;
    cr_color color;
    cr_halign align;
    cr_valign valign;
    double letter_spacing_em;
    double line_height_pt; /* 0: from the fonts' metrics */
    int max_lines;         /* 0: as many as the box holds */
    cr_direction direction;
    char *lang;            /* BCP 47 language, or NULL */
    cr_fit fit;
    double min_size_pt;    /* for CR_FIT_SHRINK */
    double min_scale_x;    /* for CR_FIT_CONDENSE, e.g. 0.6 */
    cr_kinsoku kinsoku;
    cr_hangul_break hangul_break;
    cr_punctuation_trim punctuation_trim;
    cr_missing_glyph missing_glyph;
    cr_writing_mode writing_mode;
    int tate_chu_yoko_digits; /* vertical: digit runs up to this long set across */
} cr_field;

struct cr_template {
    char *path;        /* as given, for messages */
    char *dir;         /* the template's folder; fonts are searched here first */
    double width_mm, height_mm, corner_radius_mm;
    int dpi;
    cr_color background;
    cr_field *fields;
    size_t field_count;
};

struct cr_record {
    char *path;         /* for messages */
    char **keys;
    char **values;
    size_t count;
};

/* Millimetres to pixels at dpi. */
static inline double cr_mm_to_px(double mm, int dpi) { return mm * dpi / 25.4; }

/* Parses "#rrggbb" or "#rrggbbaa". */
bool cr_color_parse(const char *text, cr_color *out);

/* The text a field shows for a record (its fixed text or the bound value);
 * NULL with err set when the record lacks the bound key. */
const char *cr_field_text(const cr_template *tpl, const cr_field *field,
                          const cr_record *record, cr_error *err);

#endif
