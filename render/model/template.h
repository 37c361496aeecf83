/* Template format v1 (JSON through jansson) and records: parsed, validated,
 * immutable. Every value keeps its source position for error messages. */
#ifndef CR_TEMPLATE_H
#define CR_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardrender.h"
#include "error.h"
#include "image.h"
#include "record.h"
#include "barcode_field.h"
#include "values.h"

struct cr_face;
struct cr_mrz_field;
typedef struct cr_user_data_slot cr_user_data_slot;

typedef enum cr_field_type {
    CR_FIELD_TEXT,
    CR_FIELD_IMAGE,
    CR_FIELD_RECT,
    CR_FIELD_LINE,
    CR_FIELD_BARCODE,
    CR_FIELD_MRZ
} cr_field_type;

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
typedef enum cr_kinsoku {
    CR_KINSOKU_BASIC,
    CR_KINSOKU_NONE,
    CR_KINSOKU_GB,
    CR_KINSOKU_STRICT
} cr_kinsoku;

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

/* Arabic presentation forms (U+FB50-FDFF, U+FE70-FEFE: legacy Uyghur data
 * stored shaped): drawn with a warning, turned back into the letters they
 * show before shaping, or refused. */
typedef enum cr_presentation_forms {
    CR_PRESENTATION_WARN,
    CR_PRESENTATION_NORMALIZE,
    CR_PRESENTATION_ERROR
} cr_presentation_forms;

/* "repeat" (microtext): none, the text repeated along the box's one line,
 * or over every line the box holds, each continuing where the last ended. */
typedef enum cr_repeat { CR_REPEAT_NONE, CR_REPEAT_LINE, CR_REPEAT_FILL } cr_repeat;

/* The microtext minimum, in points: 0.3 pt is 2.5 px of em at 600 dpi,
 * already below what a loupe reads; smaller is refused at load. */
#define CR_MICROTEXT_MIN_PT 0.3

/* How a picture fills its box: cover (fill, crop the rest), contain (fit
 * inside, pad the rest), stretch (fill, ignore the aspect ratio), none (its
 * own size: one picture pixel per pixel at the template's dpi, cropped). */
typedef enum cr_image_fit {
    CR_IMAGE_COVER,
    CR_IMAGE_CONTAIN,
    CR_IMAGE_STRETCH,
    CR_IMAGE_NONE
} cr_image_fit;

/* "ghost": the picture again as a faded second image, a security feature
 * of personalised cards: its luminance becomes ink of one colour (grey by
 * default) over what lies beneath, so the photo's light background
 * vanishes; fade takes that fraction of the ink away. With a line screen
 * the ink gathers into parallel lines whose width follows the tone, which
 * a copier or a pasted-in print does not reproduce. */
typedef struct cr_ghost {
    bool on;
    double fade;             /* 0..1: the fraction of ink taken away */
    cr_color color;          /* the ink */
    double screen_period_mm; /* 0: no line screen; else the lines' pitch */
    double screen_angle_deg; /* the lines' direction, counter-clockwise from horizontal */
} cr_ghost;

/* "type": "image": a record's photo (the field's bind) or template artwork. */
typedef struct cr_image_field {
    char *src;         /* artwork path as written in the template, or NULL */
    cr_pixmap artwork; /* src decoded at load, kept for the template's life */
    cr_image_fit fit;
    double focus_x, focus_y; /* this point of the picture lands on this point of the box */
    cr_color pad_color;      /* contain / none: the box where the picture is not */
    int quarter_turns;       /* rotate_deg / 90, clockwise */
    double opacity;
    cr_adjustments adjust;
    double corner_radius_mm;
    cr_ghost ghost;
} cr_image_field;

/* "type": "rect": fill and a stroke inside the box's edge (alpha 0: none). */
typedef struct cr_rect_field {
    cr_color fill, stroke;
    double stroke_width_mm;
    double corner_radius_mm;
    double opacity;
} cr_rect_field;

/* "type": "line": a straight stroke with square ends at from and to. */
typedef struct cr_line_field {
    double x0_mm, y0_mm, x1_mm, y1_mm;
    double width_mm;
    cr_color color;
    double opacity;
} cr_line_field;

typedef struct cr_field {
    cr_field_type type;
    int index;        /* 0-based position in "fields" */
    char *name;       /* "name" key, or "" */
    int line, column; /* the field object in `file` */
    const char *file; /* the file it was written in (one of the template's sources) */
    double x_mm, y_mm, w_mm, h_mm;
    char *text; /* fixed text, or NULL */
    char *bind; /* record key, or NULL */
    int bind_line, bind_column;
    const char *bind_file; /* the file the "bind" was written in */
    bool optional;         /* "optional": a record may leave the bound value out */
    char **fonts;          /* family names, first choice first */
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
    char *lang;      /* BCP 47 language, or NULL */
    char *lang_bind; /* record key holding the language, or NULL */
    cr_fit fit;
    double min_size_pt; /* for CR_FIT_SHRINK */
    double min_scale_x; /* for CR_FIT_CONDENSE, e.g. 0.6 */
    cr_kinsoku kinsoku;
    cr_hangul_break hangul_break;
    cr_punctuation_trim punctuation_trim;
    cr_missing_glyph missing_glyph;
    cr_presentation_forms presentation_forms;
    cr_writing_mode writing_mode;
    int tate_chu_yoko_digits; /* vertical: digit runs up to this long set across */
    cr_repeat repeat;         /* "repeat" */
    char *repeat_separator;   /* between repetitions; NULL: one space */
    bool microtext;           /* whole-pixel origins and advances, grid-fitted glyphs */
    cr_image_field image;     /* CR_FIELD_IMAGE */
    cr_rect_field rect;       /* CR_FIELD_RECT */
    cr_line_field segment;    /* CR_FIELD_LINE */
    cr_barcode_field barcode; /* CR_FIELD_BARCODE (barcode_field.h) */
    cr_panel panel;           /* "panel": CR_PANEL_COLOR, or CR_PANEL_K (1-bit black resin) */
    struct cr_mrz_field *mrz; /* CR_FIELD_MRZ: its format and record keys (mrz.h) */
} cr_field;

/* How the K panel's grey (the K fields painted in their colours on white)
 * becomes 1 bit: a pixel darker than a threshold, or dithered, all with
 * integer arithmetic so every machine prints the same dots. */
typedef enum cr_k_mode {
    CR_K_THRESHOLD, /* prints where the luminance < threshold */
    CR_K_DITHER,    /* Floyd-Steinberg error diffusion, rows left to right */
    CR_K_ORDERED    /* 8x8 Bayer matrix, anchored at the card's top left */
} cr_k_mode;

/* card.k_panel and card.overlay. */
typedef struct cr_print_panels {
    bool k; /* the card has a K panel: a K field or card.k_panel */
    cr_k_mode k_mode;
    int k_threshold;       /* 1..255, for CR_K_THRESHOLD */
    bool overlay;          /* card.overlay is given */
    double (*holes_mm)[4]; /* [x, y, width, height] each, from the card's top left */
    size_t hole_count;
} cr_print_panels;

struct cr_template {
    /* A reference on the engine it was loaded with: the fields' faces
     * belong to its font library, so the engine lives as long as the
     * template (NULL for a template made by hand). */
    cr_engine *engine;
    char *path; /* as given, for messages */
    char *dir;  /* the template's folder; fonts are searched here first */
    double width_mm, height_mm, corner_radius_mm;
    int dpi;
    cr_color background;
    char *background_image_src; /* card.background_image as written, or NULL */
    cr_pixmap background_image; /* decoded at load; painted over the card, cover */
    cr_field *fields;
    size_t field_count;
    /* The files the template was composed of ("extends", "include"), its own
     * first; fields point at these names. */
    char **sources;
    size_t source_count;
    cr_print_panels print;
    /* What a later stage hangs on the template (cr_template_user_data):
     * the one part that changes after loading, behind its own lock. NULL
     * for a template made by hand (tests): nothing can be hung on it. */
    cr_user_data_slot *user_data;
};

/* HarfBuzz-style user data: a later stage (painting keeps its static
 * layers per resolution there, static_cache.h) hangs its data on the
 * template without the model knowing its type, so no model file includes a
 * paint header. The first call makes the data with create and the template
 * frees it with destroy; every call returns the same pointer. NULL when the
 * template has no slot (made by hand) or create failed. Thread-safe. */
void *cr_template_user_data(const cr_template *tpl, void *(*create)(void),
                            void (*destroy)(void *data));

/* Where a field is, for error messages (template file, line, column, index
 * and name). tpl may be NULL. */
cr_location cr_field_location(const cr_template *tpl, const cr_field *field);

/* Parses "#rrggbb" or "#rrggbbaa". */
bool cr_color_parse(const char *text, cr_color *out);

/* The field as it applies to one record: when it has "lang_bind", a copy in
 * *scratch whose language is the record's value for that key; otherwise the
 * field itself. NULL with err set when that value is missing or no language
 * tag. */
const cr_field *cr_field_for_record(const cr_template *tpl, const cr_field *field,
                                    const cr_record *record, cr_field *scratch, cr_error *err);

/* CR_OK when a bound field's value is at most max_bytes long (0: 64 KiB);
 * else CR_ERR_RECORD at the field's "bind", naming the key and the sizes.
 * Fixed text is the template's and always passes. */
#define CR_DEFAULT_MAX_VALUE_BYTES (64 * 1024)
cr_status cr_field_value_fits(const cr_template *tpl, const cr_field *field, const char *text,
                              size_t max_bytes, cr_error *err);

/* True when the field is "optional" and the record leaves its value out or
 * empty (and, for an image field, binds no image bytes to its key): such a
 * field draws nothing and is no error. */
bool cr_field_is_absent(const cr_field *field, const cr_record *record);

/* True when what the field paints depends on the record: a "bind", or an
 * MRZ, which is built from many record keys. Such a field is painted per
 * card, never kept in a template's static layers. */
bool cr_field_depends_on_record(const cr_field *field);

/* True when the record (may be NULL) has the key the field binds: a value,
 * or for an image field image bytes (cr_record_set_image). False for a
 * field that binds nothing. */
bool cr_field_bound_in(const cr_field *field, const cr_record *record);

/* The text a field shows for a record (its fixed text or the bound value;
 * "" for an absent optional field); NULL with err set when the record lacks
 * the bound key. */
const char *cr_field_text(const cr_template *tpl, const cr_field *field, const cr_record *record,
                          cr_error *err);

#endif
