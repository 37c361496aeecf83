/* Template format v1: the keys of a text field (its box and content,
 * fonts, language, style and line rules). */
#include "template_read.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "error.h"
#include "engine.h"
#include "fonts.h"

/* In the order of the enums in template.h. */
static const char *const align_names[] = {"start", "center",  "end",        "left",
                                          "right", "justify", "distribute", NULL};
static const char *const valign_names[] = {"top", "center", "bottom", NULL};
static const char *const direction_names[] = {"auto", "ltr", "rtl", NULL};
static const char *const fit_names[] = {"wrap", "shrink", "condense", "error", NULL};
static const char *const kinsoku_names[] = {"basic", "none", "gb", "strict", NULL};
static const char *const hangul_break_names[] = {"word", "character", NULL};
static const char *const trim_names[] = {"none", "line-end", NULL};
static const char *const missing_glyph_names[] = {"error", "notdef", NULL};
static const char *const presentation_forms_names[] = {"warn", "normalize", "error", NULL};
static const char *const repeat_names[] = {"none", "line", "fill", NULL};
static const char *const writing_mode_names[] = {"horizontal", "vertical-mongolian", "vertical-cjk",
                                                 NULL};

/* ---------------------------------------------------------------- fields */

static cr_status check_box(loader *ld, json_t *box, void *out)
{
    cr_field *field = out;
    if (!json_is_array(box))
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                           "\"box_mm\" must be an array of 4 numbers [x, y, width, height], not %s",
                           cr_json_kind(box, true));
    if (json_array_size(box) != 4)
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                           "\"box_mm\" must hold 4 numbers [x, y, width, height], not %zu",
                           json_array_size(box));
    static const char *const labels[] = {"\"box_mm\" x", "\"box_mm\" y", "\"box_mm\" width",
                                         "\"box_mm\" height"};
    const range anywhere = {-INFINITY, INFINITY, false, NULL};
    const range extent = {0, INFINITY, true, NULL};
    double *targets[] = {&field->x_mm, &field->y_mm, &field->w_mm, &field->h_mm};
    cr_status status = CR_OK;
    for (size_t i = 0; i < 4 && status == CR_OK; i++) {
        cr_tpl_push_index(ld, i);
        status = cr_tpl_check_number(ld, labels[i], json_array_get(box, i),
                                     i < 2 ? anywhere : extent, targets[i]);
        cr_tpl_pop(ld);
    }
    return status;
}

cr_status cr_tpl_read_box(loader *ld, json_t *object, cr_field *field)
{
    return cr_tpl_read_required(ld, object, "box_mm", check_box, field);
}
static cr_status read_bind(loader *ld, json_t *object, cr_field *field)
{
    const char *bind;
    cr_status status = cr_tpl_get_string(ld, object, "bind", &bind);
    if (status != CR_OK)
        return status;
    cr_tpl_push_key(ld, "bind");
    cr_location where = cr_tpl_locate(ld, CR_JSON_AT_VALUE);
    field->bind_line = where.line;
    field->bind_column = where.column;
    field->bind_file = cr_tpl_source_file(ld);
    if (bind[0] == '\0')
        status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"bind\" must name a record key, not \"\"");
    cr_tpl_pop(ld);
    return status == CR_OK ? cr_tpl_copy_string(ld, bind, &field->bind) : status;
}

cr_status cr_tpl_read_fixed_or_bound(loader *ld, json_t *object, cr_field *field,
                                     const char *fixed_key, const char *subject, char **fixed)
{
    bool has_fixed = json_object_get(object, fixed_key) != NULL;
    bool has_bind = json_object_get(object, "bind") != NULL;
    if (has_fixed && has_bind) {
        cr_tpl_push_key(ld, "bind");
        cr_status status = cr_tpl_fail(
            ld, CR_JSON_AT_KEY, "%s has either \"%s\" or \"bind\", not both", subject, fixed_key);
        cr_tpl_pop(ld);
        return status;
    }
    if (!has_fixed && !has_bind)
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "missing required key \"%s\" or \"bind\"",
                           fixed_key);
    if (has_bind)
        return read_bind(ld, object, field);
    const char *value;
    cr_status status = cr_tpl_get_string(ld, object, fixed_key, &value);
    return status == CR_OK ? cr_tpl_copy_string(ld, value, fixed) : status;
}

cr_status cr_tpl_read_bool(loader *ld, json_t *object, const char *key, bool *out)
{
    json_t *value = json_object_get(object, key);
    if (!value)
        return CR_OK;
    if (json_is_boolean(value)) {
        *out = json_is_true(value);
        return CR_OK;
    }
    cr_tpl_push_key(ld, key);
    cr_status status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be true or false, not %s",
                                   key, cr_json_kind(value, true));
    cr_tpl_pop(ld);
    return status;
}

cr_status cr_tpl_read_optional(loader *ld, json_t *object, cr_field *field)
{
    cr_status status = cr_tpl_read_bool(ld, object, "optional", &field->optional);
    if (status != CR_OK || !field->optional || field->bind)
        return status;
    cr_tpl_push_key(ld, "optional");
    status = cr_tpl_fail(ld, CR_JSON_AT_KEY,
                         "\"optional\" applies to a bound field (\"bind\"), not to "
                         "fixed content");
    cr_tpl_pop(ld);
    return status;
}

static cr_status read_content(loader *ld, json_t *object, cr_field *field)
{
    cr_status status =
        cr_tpl_read_fixed_or_bound(ld, object, field, "text", "a field", &field->text);
    return status == CR_OK ? cr_tpl_read_optional(ld, object, field) : status;
}

/* The face an earlier font of this template resolved the family to (the
 * same folders are searched for every field), or NULL: a template names
 * the same few families in many fields, and finding a family's file walks
 * and resolves several paths. */
static cr_face *resolved_before(const loader *ld, const char *family)
{
    for (size_t i = 0; i < ld->tpl->field_count; i++) {
        const cr_field *field = &ld->tpl->fields[i];
        for (size_t j = 0; field->faces && j < field->font_count; j++)
            if (field->faces[j] && strcmp(field->fonts[j], family) == 0)
                return field->faces[j];
    }
    return NULL;
}

/* Checks the family against the manifest and loads its face; the current
 * path is at the family's name. */
static cr_status resolve_font(loader *ld, const char *family, cr_face **face)
{
    const cr_font_manifest *manifest = ld->engine->manifest;
    const char *file = NULL, *package = NULL;
    int index = 0;
    if (!cr_font_manifest_lookup(manifest, family, &file, &index, &package))
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                           "unknown font family \"%s\" (not in the font manifest %s)", family,
                           cr_font_manifest_path(manifest));
    if ((*face = resolved_before(ld, family)))
        return CR_OK;
    cr_error font_err;
    cr_error_clear(&font_err);
    *face = cr_font_library_get(ld->engine->fonts, family, ld->tpl->dir, &font_err);
    if (*face)
        return CR_OK;
    cr_status code = font_err.code != CR_OK ? font_err.code : CR_ERR_FONT;
    return cr_error_set(ld->err, code, cr_tpl_locate(ld, CR_JSON_AT_VALUE), "%s", font_err.message);
}

static cr_status add_font(loader *ld, json_t *name, cr_field *field)
{
    if (!json_is_string(name))
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "a font family name must be a string, not %s",
                           cr_json_kind(name, true));
    const char *family = json_string_value(name);
    size_t slot = field->font_count;
    cr_status status = cr_tpl_copy_string(ld, family, &field->fonts[slot]);
    if (status != CR_OK)
        return status;
    field->font_count++;
    return resolve_font(ld, family, &field->faces[slot]);
}

static cr_status check_fonts(loader *ld, json_t *font, void *out)
{
    cr_field *field = out;
    if (!json_is_string(font) && !json_is_array(font))
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                           "\"font\" must be a family name or an array of family names, not %s",
                           cr_json_kind(font, true));
    size_t count = json_is_array(font) ? json_array_size(font) : 1;
    if (count == 0)
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"font\" must name at least one family");
    field->fonts = calloc(count, sizeof *field->fonts);
    field->faces = calloc(count, sizeof *field->faces);
    if (!field->fonts || !field->faces)
        return cr_tpl_fail_nomem(ld);
    if (json_is_string(font))
        return add_font(ld, font, field);
    cr_status status = CR_OK;
    for (size_t i = 0; i < count && status == CR_OK; i++) {
        cr_tpl_push_index(ld, i);
        status = add_font(ld, json_array_get(font, i), field);
        cr_tpl_pop(ld);
    }
    return status;
}

static cr_status read_fonts(loader *ld, json_t *object, cr_field *field)
{
    return cr_tpl_read_required(ld, object, "font", check_fonts, field);
}
static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

bool cr_tpl_looks_like_language_tag(const char *tag)
{
    size_t subtag = 0, length = 0;
    for (const char *p = tag;; p++) {
        if (*p == '-' || *p == '\0') {
            if (length < (subtag == 0 ? 2u : 1u) || length > 8)
                return false;
            if (*p == '\0')
                return true;
            subtag++;
            length = 0;
        } else if (subtag == 0 ? is_alpha(*p) : is_alnum(*p)) {
            length++;
        } else {
            return false;
        }
    }
}

/* "lang_bind" names the record key that holds the field's language; it only
 * makes sense for text that comes from the record too. */
static cr_status read_lang_bind(loader *ld, json_t *object, cr_field *field)
{
    const char *key;
    cr_status status = cr_tpl_get_string(ld, object, "lang_bind", &key);
    if (status != CR_OK || !key)
        return status;
    cr_tpl_push_key(ld, "lang_bind");
    if (!field->bind)
        status = cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                             "\"lang_bind\" needs \"bind\": fixed text has a fixed "
                             "language (use \"lang\")");
    else if (!key[0])
        status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"lang_bind\" must name a record key");
    cr_tpl_pop(ld);
    if (status != CR_OK)
        return status;
    return cr_tpl_copy_string(ld, key, &field->lang_bind);
}

static cr_status read_lang(loader *ld, json_t *object, cr_field *field)
{
    const char *lang;
    cr_status status = read_lang_bind(ld, object, field);
    if (status == CR_OK)
        status = cr_tpl_get_string(ld, object, "lang", &lang);
    if (status != CR_OK || !lang)
        return status;
    if (cr_tpl_looks_like_language_tag(lang))
        return cr_tpl_copy_string(ld, lang, &field->lang);
    cr_tpl_push_key(ld, "lang");
    status =
        cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                    "\"lang\" must be a BCP 47 language tag such as \"zh-Hans\" or \"ug\" (got "
                    "\"%s\")",
                    lang);
    cr_tpl_pop(ld);
    return status;
}

static cr_status read_min_size(loader *ld, json_t *object, cr_field *field)
{
    char size_text[32], max_text[64];
    cr_tpl_format_number(field->size_pt, size_text, sizeof size_text);
    snprintf(max_text, sizeof max_text, "\"size_pt\" = %s", size_text);
    range r = {0, field->size_pt, true, max_text};
    field->min_size_pt = field->size_pt * 0.7;
    return cr_tpl_read_number(ld, object, "min_size_pt", false, r, &field->min_size_pt);
}

/* Per-script line-breaking, glyph and direction rules (all optional). */
static cr_status read_line_rules(loader *ld, json_t *object, cr_field *field)
{
    int kinsoku = CR_KINSOKU_BASIC, hangul = CR_HANGUL_BREAK_WORD, trim = CR_TRIM_NONE,
        missing = CR_MISSING_ERROR, writing_mode = CR_WRITING_HORIZONTAL,
        presentation = CR_PRESENTATION_WARN;
    cr_status status = cr_tpl_read_enum(ld, object, "kinsoku", kinsoku_names, &kinsoku);
    if (status == CR_OK)
        status = cr_tpl_read_enum(ld, object, "hangul_break", hangul_break_names, &hangul);
    if (status == CR_OK)
        status = cr_tpl_read_enum(ld, object, "punctuation_trim", trim_names, &trim);
    if (status == CR_OK)
        status = cr_tpl_read_enum(ld, object, "missing_glyph", missing_glyph_names, &missing);
    if (status == CR_OK)
        status = cr_tpl_read_enum(ld, object, "presentation_forms", presentation_forms_names,
                                  &presentation);
    if (status == CR_OK)
        status = cr_tpl_read_enum(ld, object, "writing_mode", writing_mode_names, &writing_mode);
    field->tate_chu_yoko_digits = 2;
    if (status == CR_OK)
        status = cr_tpl_read_integer(ld, object, "tate_chu_yoko_digits", 0, 4,
                                     &field->tate_chu_yoko_digits);
    field->writing_mode = (cr_writing_mode)writing_mode;
    field->kinsoku = (cr_kinsoku)kinsoku;
    field->hangul_break = (cr_hangul_break)hangul;
    field->punctuation_trim = (cr_punctuation_trim)trim;
    field->missing_glyph = (cr_missing_glyph)missing;
    field->presentation_forms = (cr_presentation_forms)presentation;
    return status;
}

/* ------------------------------------------------------------ microtext */

static cr_status fail_at_key(loader *ld, const char *key, const char *message)
{
    cr_tpl_push_key(ld, key);
    cr_status status = cr_tpl_fail(ld, CR_JSON_AT_KEY, "%s", message);
    cr_tpl_pop(ld);
    return status;
}

/* Repeated text, and text below 1 pt, is microtext unless the template says
 * otherwise (not for repeated text, see read_microtext): below 1 pt
 * antialiased, subpixel-placed glyphs are a grey smear, so snapping
 * them is the only useful way to draw it; above 1 pt "microtext": true asks
 * for the same drawing. Never below CR_MICROTEXT_MIN_PT. */
static cr_status read_microtext_flag(loader *ld, json_t *object, cr_field *field)
{
    field->microtext = field->size_pt < 1 || field->repeat != CR_REPEAT_NONE;
    cr_status status = cr_tpl_read_bool(ld, object, "microtext", &field->microtext);
    if (status == CR_OK && field->size_pt < CR_MICROTEXT_MIN_PT) {
        char message[160];
        snprintf(message, sizeof message,
                 "\"size_pt\" must be at least %g (microtext's minimum; got %g)",
                 CR_MICROTEXT_MIN_PT, field->size_pt);
        status = fail_at_key(ld, "size_pt", message);
    }
    return status;
}

/* "repeat", "repeat_separator" and "microtext" (README, Microtext): a
 * repeated field runs left to right on whole pixels, so it is horizontal
 * microtext. */
static cr_status read_microtext(loader *ld, json_t *object, cr_field *field)
{
    int repeat = CR_REPEAT_NONE;
    const char *separator = NULL;
    cr_status status = cr_tpl_read_enum(ld, object, "repeat", repeat_names, &repeat);
    field->repeat = (cr_repeat)repeat;
    if (status == CR_OK)
        status = read_microtext_flag(ld, object, field);
    if (status == CR_OK)
        status = cr_tpl_get_string(ld, object, "repeat_separator", &separator);
    if (status == CR_OK && separator && field->repeat == CR_REPEAT_NONE)
        return fail_at_key(ld, "repeat_separator", "\"repeat_separator\" needs \"repeat\"");
    if (status == CR_OK && separator && strchr(separator, '\n'))
        return fail_at_key(ld, "repeat_separator", "\"repeat_separator\" cannot hold a newline");
    if (status == CR_OK && separator)
        status = cr_tpl_copy_string(ld, separator, &field->repeat_separator);
    if (status == CR_OK && field->repeat != CR_REPEAT_NONE && !field->microtext)
        return fail_at_key(ld, "microtext",
                           "\"repeat\" is microtext: \"microtext\" cannot be false");
    if (status == CR_OK && field->microtext && field->writing_mode != CR_WRITING_HORIZONTAL)
        return fail_at_key(ld, "writing_mode",
                           "microtext (\"repeat\", \"microtext\" or a size below 1 pt) is "
                           "horizontal only");
    return status;
}

/* Everything after the keys that identify the field, in the documented
 * order; each step runs only while the ones before it succeeded. */
static cr_status read_style(loader *ld, json_t *object, cr_field *field)
{
    int align = CR_ALIGN_START, valign = CR_VALIGN_TOP, direction = CR_DIR_AUTO, fit = CR_FIT_WRAP;
    const range size = {0, 200, true, NULL};
    cr_status status = cr_tpl_read_number(ld, object, "size_pt", true, size, &field->size_pt);
    if (status == CR_OK)
        status = cr_tpl_read_color(ld, object, "color", &field->color);
    if (status == CR_OK)
        status = cr_tpl_read_enum(ld, object, "align", align_names, &align);
    if (status == CR_OK)
        status = cr_tpl_read_enum(ld, object, "valign", valign_names, &valign);
    if (status == CR_OK)
        status = cr_tpl_read_number(ld, object, "letter_spacing_em", false,
                                    (range){-0.5, 2, false, NULL}, &field->letter_spacing_em);
    if (status == CR_OK)
        status = cr_tpl_read_number(ld, object, "line_height_pt", false,
                                    (range){0, 500, false, NULL}, &field->line_height_pt);
    if (status == CR_OK)
        status = cr_tpl_read_integer(ld, object, "max_lines", 0, 1000, &field->max_lines);
    if (status == CR_OK)
        status = cr_tpl_read_enum(ld, object, "direction", direction_names, &direction);
    if (status == CR_OK)
        status = read_lang(ld, object, field);
    if (status == CR_OK)
        status = cr_tpl_read_enum(ld, object, "fit", fit_names, &fit);
    if (status == CR_OK)
        status = read_min_size(ld, object, field);
    if (status == CR_OK)
        status = cr_tpl_read_number(ld, object, "min_scale_x", false, (range){0.3, 1, false, NULL},
                                    &field->min_scale_x);
    if (status == CR_OK)
        status = read_line_rules(ld, object, field);
    if (status == CR_OK)
        status = read_microtext(ld, object, field);
    field->align = (cr_halign)align;
    field->valign = (cr_valign)valign;
    field->direction = (cr_direction)direction;
    field->fit = (cr_fit)fit;
    return status;
}

cr_status cr_tpl_read_text_field(loader *ld, json_t *object, cr_field *field)
{
    cr_status status = cr_tpl_read_box(ld, object, field);
    if (status == CR_OK)
        status = read_content(ld, object, field);
    if (status == CR_OK)
        status = read_fonts(ld, object, field);
    if (status == CR_OK)
        status = read_style(ld, object, field);
    return status;
}
