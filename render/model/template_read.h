/* The template reader's shared part (internal to template*.c): the state
 * of one load (where in the merged document the value being read sits, for
 * errors located in the right file, line and column), the generic reads
 * (numbers in a range, integers, strings, enums, colours, artwork, booleans)
 * and the readers each part of the format hands to the others. The format
 * is read in four files along its sections:
 *   template_read.c    errors, "did you mean", generic reads, the version;
 *   template_text.c    a text field's keys (content, fonts, style, lines);
 *   template_shapes.c  image, rect and line fields;
 *   template_barcode.c barcode fields;
 *   template_load.c    the card, its print panels, the field list and the
 *                      public load/destroy API. */
#ifndef CR_TEMPLATE_READ_H
#define CR_TEMPLATE_READ_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cardrender.h"
#include "json_locate.h"
#include "template.h"
#include "template_compose.h"

#define MAX_PATH_DEPTH 8

/* The state of one load: the source for locating errors, and where in it
 * the value being read sits. */
typedef struct loader {
    cr_engine *engine;
    struct cr_artwork_job *artwork; /* decodes under way (cr_tpl_decode_artwork) */
    size_t artwork_count, artwork_capacity;
    const cr_composition *doc; /* the merged document and where each value was written */
    cr_template *tpl;
    cr_error *err;
    cr_json_step path[MAX_PATH_DEPTH];
    size_t depth;
    int field_index;        /* -1 outside "fields" */
    const char *field_name; /* NULL until the field's name is known */
} loader;

/* An allowed interval; an infinite bound is no bound. */
typedef struct range {
    double min, max;
    bool min_excluded;
    const char *max_text; /* names max in messages when it is not a constant */
} range;

/* ------------------------------------------------ errors and generic reads
 * (template_read.c) */

void cr_tpl_push_key(loader *ld, const char *key);

void cr_tpl_push_index(loader *ld, size_t index);

void cr_tpl_pop(loader *ld);

cr_location cr_tpl_locate(const loader *ld, cr_json_target target);

/* The template's copy of the name of the file the current value is in. */
const char *cr_tpl_source_file(const loader *ld);

/* A CR_ERR_TEMPLATE error at the current path's value or key. */
cr_status cr_tpl_fail(loader *ld, cr_json_target target, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

cr_status cr_tpl_fail_missing(loader *ld, const char *key);

/* What reads one member's value: the path is at it; out is the reader's. */
typedef cr_status (*cr_tpl_member_reader)(loader *ld, json_t *value, void *out);

/* The required member `key` of object handed to read with the path at it;
 * "missing required key" when object lacks it. */
cr_status cr_tpl_read_required(loader *ld, json_t *object, const char *key,
                               cr_tpl_member_reader read, void *out);

/* The same for an optional member: CR_OK, read never called, without it. */
cr_status cr_tpl_read_member(loader *ld, json_t *object, const char *key, cr_tpl_member_reader read,
                             void *out);

/* An optional member that must be an object ("\"key\" must be an object,
 * not ..." otherwise), handed to read. */
cr_status cr_tpl_read_object(loader *ld, json_t *object, const char *key, cr_tpl_member_reader read,
                             void *out);

cr_status cr_tpl_fail_nomem(loader *ld);

/* The shortest text that reads back as v, so 85.6 prints as 85.6 rather
 * than 85.599999999999994; an exponent only for very large or small values. */
void cr_tpl_format_number(double v, char *buf, size_t size);

/* "a, b, c" or, with last_word "or", "a, b or c". */
void cr_tpl_join_names(const char *const *names, const char *last_word, char *buf, size_t size);

/* Rejects the first key (in source order) that is not allowed. */
cr_status cr_tpl_check_keys(loader *ld, json_t *object, const char *const *allowed);

/* Checks a number against r; the current path is at the value. */
cr_status cr_tpl_check_number(loader *ld, const char *label, json_t *value, range r, double *out);

/* An optional (or required) number member of object. */
cr_status cr_tpl_read_number(loader *ld, json_t *object, const char *key, bool required, range r,
                             double *out);

/* A JSON integer is required: 300.0 for a dpi is more likely a mistake than
 * a choice, and an integer needs no rounding rule. */
cr_status cr_tpl_read_integer(loader *ld, json_t *object, const char *key, long long min,
                              long long max, int *out);

/* The string member's text, type-checked; *out is NULL when it is absent. */
cr_status cr_tpl_get_string(loader *ld, json_t *object, const char *key, const char **out);

cr_status cr_tpl_copy_string(loader *ld, const char *text, char **out);

cr_status cr_tpl_read_enum(loader *ld, json_t *object, const char *key, const char *const *names,
                           int *out);

cr_status cr_tpl_read_color(loader *ld, json_t *object, const char *key, cr_color *out);

/* Decodes template artwork once, at load, so every render reuses the pixels
 * and a missing file is a load error. The current path is at the path's
 * value; the path is read from the folder of the file it is written in (a
 * base or fragment brings its artwork along). The decode runs on a thread
 * of its own while the rest of the template is read (a card's background
 * is a fifth of a one-card process, its fonts another sixth, and they do
 * not depend on each other); cr_tpl_finish_artwork waits for it, and *out
 * is not to be read before. */
cr_status cr_tpl_decode_artwork(loader *ld, const char *key, const char *src, cr_pixmap *out);

/* Waits for the artwork decodes the load started. A decode that failed is
 * the load's error, in place of any found after it was started (reading
 * stops at the first error, so a decode under way came before it); status
 * otherwise. */
cr_status cr_tpl_finish_artwork(loader *ld, cr_status status);

/* An optional artwork path member: kept as written and decoded. */
cr_status cr_tpl_read_artwork(loader *ld, json_t *object, const char *key, char **src_out,
                              cr_pixmap *out);

cr_status cr_tpl_read_version(loader *ld, json_t *root);

/* ------------------------------------------------ text fields (template_text.c) */

cr_status cr_tpl_read_box(loader *ld, json_t *object, cr_field *field);

/* Exactly one of a fixed value (`fixed_key`: "text", or an image's "src")
 * and "bind"; `subject` names the field kind in the message. */
cr_status cr_tpl_read_fixed_or_bound(loader *ld, json_t *object, cr_field *field,
                                     const char *fixed_key, const char *subject, char **fixed);

cr_status cr_tpl_read_bool(loader *ld, json_t *object, const char *key, bool *out);

/* "optional": a bound value a record may leave out or empty (the ethnic
 * values of a bilingual card, which a resident may not ask for). Fixed
 * content is never absent, so there it would be a mistake. */
cr_status cr_tpl_read_optional(loader *ld, json_t *object, cr_field *field);

/* The shape of a BCP 47 tag: a 2-8 letter language, then subtags of 1-8
 * letters or digits joined by hyphens. Enough to catch "zh_CN" and "中文";
 * whether HarfBuzz knows the language is its business. */
bool cr_tpl_looks_like_language_tag(const char *tag);

cr_status cr_tpl_read_text_field(loader *ld, json_t *object, cr_field *field);

/* ------------------------------------ image, rect and line fields (template_shapes.c) */

/* Artwork is decoded last, once every cheaper check has passed. */
cr_status cr_tpl_read_image_field(loader *ld, json_t *object, cr_field *field);

cr_status cr_tpl_read_rect_field(loader *ld, json_t *object, cr_field *field);

cr_status cr_tpl_read_line_field(loader *ld, json_t *object, cr_field *field);

/* ------------------------------------------ barcode fields (template_barcode.c) */

extern const char *const cr_tpl_barcode_keys[];

cr_status cr_tpl_read_barcode_field(loader *ld, json_t *object, cr_field *field);

/* ------------------------------------------------ MRZ fields (template_mrz.c) */

cr_status cr_tpl_read_mrz_field(loader *ld, json_t *object, cr_field *field);

#endif
