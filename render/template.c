/* Template format v1: read with jansson, validated key by key, every error
 * located in the source through json_locate. */
#include "template.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine.h"
#include "error.h"
#include "fonts.h"
#include "json_locate.h"
#include "paths.h"
#include "template_compose.h"

/* Locating a value rescans the text, so a template with very many fields
 * would load in quadratic time; a card never has nearly this many. */
#define MAX_FIELDS 1000
#define MAX_PATH_DEPTH 8

static const char *const top_keys[] = {"version", "name", "card", "fields", NULL};

static const char *const card_keys[] = {"width_mm", "height_mm",  "corner_radius_mm",
                                        "dpi",      "background", "background_image",
                                        "k_panel",  "overlay",    NULL};

/* clang-format off */
static const char *const field_keys[] = {
    "type", "name", "box_mm", "text", "bind", "font", "size_pt", "color", "align", "valign",
    "letter_spacing_em", "line_height_pt", "max_lines", "direction", "lang", "lang_bind", "fit",
    "min_size_pt", "min_scale_x", "kinsoku", "hangul_break", "punctuation_trim",
    "missing_glyph", "writing_mode", "tate_chu_yoko_digits", "panel", "optional", NULL};
/* clang-format on */

static const char *const image_keys[] = {"type",       "name",     "box_mm", "bind",
                                         "src",        "fit",      "focus",  "pad_color",
                                         "rotate_deg", "opacity",  "adjust", "corner_radius_mm",
                                         "panel",      "optional", NULL};
static const char *const rect_keys[] = {
    "type",    "name",  "box_mm", "fill", "stroke", "stroke_width_mm", "corner_radius_mm",
    "opacity", "panel", NULL};
static const char *const line_keys[] = {"type",  "name",    "from_mm", "to_mm", "width_mm",
                                        "color", "opacity", "panel",   NULL};
static const char *const adjust_keys[] = {"brightness", "contrast", "gamma", "grayscale", NULL};

/* In the order of cr_field_type: the names and each type's allowed keys
 * (field_keys are the text field's). */
static const char *const field_type_names[] = {"text", "image", "rect", "line", NULL};
static const char *const *const keys_by_type[] = {field_keys, image_keys, rect_keys, line_keys};

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
static const char *const writing_mode_names[] = {"horizontal", "vertical-mongolian", "vertical-cjk",
                                                 NULL};
static const char *const image_fit_names[] = {"cover", "contain", "stretch", "none", NULL};

/* The state of one load: the source for locating errors, and where in it
 * the value being read sits. */
typedef struct loader {
    cr_engine *engine;
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

/* ------------------------------------------------------------- errors */

static void push_key(loader *ld, const char *key)
{
    if (ld->depth < MAX_PATH_DEPTH)
        ld->path[ld->depth] = CR_JSON_KEY(key);
    ld->depth++;
}

static void push_index(loader *ld, size_t index)
{
    if (ld->depth < MAX_PATH_DEPTH)
        ld->path[ld->depth] = CR_JSON_INDEX(index);
    ld->depth++;
}

static void pop(loader *ld)
{
    ld->depth--;
}

/* The file, line and column the current path's value was written at. */
static cr_source_place place(const loader *ld, cr_json_target target)
{
    size_t depth = ld->depth < MAX_PATH_DEPTH ? ld->depth : MAX_PATH_DEPTH;
    return cr_composition_locate(ld->doc, ld->path, depth, target);
}

static cr_location locate(const loader *ld, cr_json_target target)
{
    cr_source_place at = place(ld, target);
    return (cr_location){at.file, at.line, at.column, ld->field_index, ld->field_name};
}

/* The template's copy of the name of the file the current value is in. */
static const char *source_file(const loader *ld)
{
    size_t source = place(ld, CR_JSON_AT_VALUE).source;
    return source < ld->tpl->source_count ? ld->tpl->sources[source] : ld->tpl->path;
}

/* A CR_ERR_TEMPLATE error at the current path's value or key. */
static cr_status fail(loader *ld, cr_json_target target, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static cr_status fail(loader *ld, cr_json_target target, const char *fmt, ...)
{
    char text[sizeof ld->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return cr_error_set(ld->err, CR_ERR_TEMPLATE, locate(ld, target), "%s", text);
}

static cr_status fail_missing(loader *ld, const char *key)
{
    return fail(ld, CR_JSON_AT_VALUE, "missing required key \"%s\"", key);
}

static cr_status fail_nomem(loader *ld)
{
    return cr_fail(ld->err, CR_ERR_NOMEM, "%s: out of memory", ld->tpl->path);
}

static const char *json_kind(const json_t *value)
{
    return cr_json_kind(value, true);
}

/* The shortest text that reads back as v, so 85.6 prints as 85.6 rather
 * than 85.599999999999994; an exponent only for very large or small values. */
static void format_number(double v, char *buf, size_t size)
{
    bool exponent_ok = fabs(v) >= 1e15 || (v != 0 && fabs(v) < 1e-4);
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(buf, size, "%.*g", precision, v);
        if (strtod(buf, NULL) == v && (exponent_ok || !strchr(buf, 'e')))
            return;
    }
}

/* -------------------------------------------------- did you mean ... */

enum { MAX_SUGGEST_LEN = 32 };

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Levenshtein distance of two short strings (bytes). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[MAX_SUGGEST_LEN + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = min3(row[j] + 1, row[j - 1] + 1, diagonal + cost);
            diagonal = above;
        }
    }
    return row[lb];
}

/* The allowed key a typo most likely meant, or NULL when none is close. */
static const char *nearest_key(const char *key, const char *const *allowed)
{
    if (strlen(key) > MAX_SUGGEST_LEN)
        return NULL;
    const char *best = NULL;
    size_t best_distance = SIZE_MAX;
    for (size_t i = 0; allowed[i]; i++) {
        if (strlen(allowed[i]) > MAX_SUGGEST_LEN)
            continue;
        size_t distance = edit_distance(key, allowed[i]);
        size_t tolerated = strlen(allowed[i]) / 3 > 1 ? strlen(allowed[i]) / 3 : 1;
        if (distance <= tolerated && distance < best_distance) {
            best = allowed[i];
            best_distance = distance;
        }
    }
    return best;
}

/* "a, b, c" or, with last_word "or", "a, b or c". */
static void join_names(const char *const *names, const char *last_word, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; names[i] && used < size; i++) {
        const char *separator = i == 0 ? "" : (names[i + 1] || !last_word) ? ", " : last_word;
        int n = snprintf(buf + used, size - used, "%s%s", separator, names[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* ------------------------------------------------------- generic reads */

static bool is_allowed(const char *key, const char *const *allowed)
{
    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(key, allowed[i]) == 0)
            return true;
    return false;
}

/* Rejects the first key (in source order) that is not allowed. */
static cr_status check_keys(loader *ld, json_t *object, const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value)
    {
        if (is_allowed(key, allowed))
            continue;
        push_key(ld, key);
        const char *guess = nearest_key(key, allowed);
        cr_status status;
        if (guess) {
            status =
                fail(ld, CR_JSON_AT_KEY, "unknown key \"%s\" (did you mean \"%s\"?)", key, guess);
        } else {
            char list[512];
            join_names(allowed, NULL, list, sizeof list);
            status = fail(ld, CR_JSON_AT_KEY, "unknown key \"%s\" (allowed keys: %s)", key, list);
        }
        pop(ld);
        return status;
    }
    return CR_OK;
}

/* Checks a number against r; the current path is at the value. */
static cr_status check_number(loader *ld, const char *label, json_t *value, range r, double *out)
{
    if (!json_is_number(value))
        return fail(ld, CR_JSON_AT_VALUE, "%s must be a number, not %s", label, json_kind(value));
    double v = json_number_value(value);
    bool too_small = r.min_excluded ? v <= r.min : v < r.min;
    if (too_small || v > r.max) {
        char got[32], min[32], max[64];
        format_number(v, got, sizeof got);
        format_number(r.min, min, sizeof min);
        if (r.max_text)
            snprintf(max, sizeof max, "%s", r.max_text);
        else
            format_number(r.max, max, sizeof max);
        if (isinf(r.max))
            return fail(ld, CR_JSON_AT_VALUE, "%s must be greater than %s (got %s)", label, min,
                        got);
        if (r.min_excluded)
            return fail(ld, CR_JSON_AT_VALUE, "%s must be greater than %s and at most %s (got %s)",
                        label, min, max, got);
        return fail(ld, CR_JSON_AT_VALUE, "%s must be between %s and %s (got %s)", label, min, max,
                    got);
    }
    *out = v;
    return CR_OK;
}

/* An optional (or required) number member of object. */
static cr_status read_number(loader *ld, json_t *object, const char *key, bool required, range r,
                             double *out)
{
    json_t *value = json_object_get(object, key);
    if (!value)
        return required ? fail_missing(ld, key) : CR_OK;
    char label[64];
    snprintf(label, sizeof label, "\"%s\"", key);
    push_key(ld, key);
    cr_status status = check_number(ld, label, value, r, out);
    pop(ld);
    return status;
}

static cr_status check_integer(loader *ld, const char *key, json_t *value, long long min,
                               long long max, int *out)
{
    if (!json_is_integer(value))
        return fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be an integer, not %s", key,
                    json_kind(value));
    long long v = json_integer_value(value);
    if (v < min || v > max)
        return fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be between %lld and %lld (got %lld)", key,
                    min, max, v);
    *out = (int)v;
    return CR_OK;
}

/* A JSON integer is required: 300.0 for a dpi is more likely a mistake than
 * a choice, and an integer needs no rounding rule. */
static cr_status read_integer(loader *ld, json_t *object, const char *key, long long min,
                              long long max, int *out)
{
    json_t *value = json_object_get(object, key);
    if (!value)
        return CR_OK;
    push_key(ld, key);
    cr_status status = check_integer(ld, key, value, min, max, out);
    pop(ld);
    return status;
}

/* The string member's text, type-checked; *out is NULL when it is absent. */
static cr_status get_string(loader *ld, json_t *object, const char *key, const char **out)
{
    *out = NULL;
    json_t *value = json_object_get(object, key);
    if (!value)
        return CR_OK;
    if (json_is_string(value)) {
        *out = json_string_value(value);
        return CR_OK;
    }
    push_key(ld, key);
    cr_status status =
        fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be a string, not %s", key, json_kind(value));
    pop(ld);
    return status;
}

static cr_status copy_string(loader *ld, const char *text, char **out)
{
    *out = strdup(text);
    return *out ? CR_OK : fail_nomem(ld);
}

static cr_status read_enum(loader *ld, json_t *object, const char *key, const char *const *names,
                           int *out)
{
    const char *text;
    cr_status status = get_string(ld, object, key, &text);
    if (status != CR_OK || !text)
        return status;
    for (int i = 0; names[i]; i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = i;
            return CR_OK;
        }
    }
    char list[256];
    join_names(names, " or ", list, sizeof list);
    push_key(ld, key);
    status = fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be %s (got \"%s\")", key, list, text);
    pop(ld);
    return status;
}

/* ---------------------------------------------------------------- colour */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool parse_hex_byte(const char *two, uint8_t *out)
{
    int high = hex_value(two[0]);
    int low = high < 0 ? -1 : hex_value(two[1]);
    if (low < 0)
        return false;
    *out = (uint8_t)(high * 16 + low);
    return true;
}

bool cr_color_parse(const char *text, cr_color *out)
{
    if (!text || text[0] != '#')
        return false;
    size_t length = strlen(text);
    if (length != 7 && length != 9)
        return false;
    cr_color color = {0, 0, 0, 255};
    bool ok = parse_hex_byte(text + 1, &color.r) && parse_hex_byte(text + 3, &color.g) &&
              parse_hex_byte(text + 5, &color.b) &&
              (length == 7 || parse_hex_byte(text + 7, &color.a));
    if (ok && out)
        *out = color;
    return ok;
}

static cr_status read_color(loader *ld, json_t *object, const char *key, cr_color *out)
{
    const char *text;
    cr_status status = get_string(ld, object, key, &text);
    if (status != CR_OK || !text || cr_color_parse(text, out))
        return status;
    push_key(ld, key);
    status = fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be \"#rrggbb\" or \"#rrggbbaa\" (got \"%s\")",
                  key, text);
    pop(ld);
    return status;
}

/* --------------------------------------------------------------- artwork */

/* Decodes template artwork now, once, so every render reuses the pixels and
 * a missing file is a load error. The current path is at the path's value;
 * the path is read from the folder of the file it is written in (a base or
 * fragment brings its artwork along). */
static cr_status decode_artwork(loader *ld, const char *key, const char *src, cr_pixmap *out)
{
    if (src[0] == '\0' || src[0] == '/')
        return fail(ld, CR_JSON_AT_VALUE,
                    "\"%s\" must be a path relative to the template's folder (got \"%s\")", key,
                    src);
    char *path = cr_path_join(place(ld, CR_JSON_AT_VALUE).dir, src);
    if (!path)
        return fail_nomem(ld);
    cr_error decode_err;
    cr_error_clear(&decode_err);
    cr_status status = cr_image_decode_file(path, NULL, out, &decode_err);
    free(path);
    if (status == CR_OK)
        return CR_OK;
    return cr_error_set(ld->err, status, locate(ld, CR_JSON_AT_VALUE), "artwork %s",
                        decode_err.message);
}

/* An optional artwork path member: kept as written and decoded. */
static cr_status read_artwork(loader *ld, json_t *object, const char *key, char **src_out,
                              cr_pixmap *out)
{
    const char *src;
    cr_status status = get_string(ld, object, key, &src);
    if (status != CR_OK || !src)
        return status;
    status = copy_string(ld, src, src_out);
    if (status != CR_OK)
        return status;
    push_key(ld, key);
    status = decode_artwork(ld, key, src, out);
    pop(ld);
    return status;
}

/* ------------------------------------------------------------ top level */

static cr_status read_version(loader *ld, json_t *root)
{
    json_t *value = json_object_get(root, "version");
    if (!value)
        return fail_missing(ld, "version");
    push_key(ld, "version");
    cr_status status = CR_OK;
    if (!json_is_integer(value))
        status =
            fail(ld, CR_JSON_AT_VALUE, "\"version\" must be an integer, not %s", json_kind(value));
    else if (json_integer_value(value) != 1)
        status = fail(ld, CR_JSON_AT_VALUE,
                      "unsupported template version %lld (this engine reads version 1)",
                      (long long)json_integer_value(value));
    pop(ld);
    return status;
}

/* ---------------------------------------------------------- print panels */

/* In the order of cr_panel (a field goes to one of the first two) and
 * cr_k_mode. */
static const char *const panel_names[] = {"color", "k", NULL};
static const char *const k_mode_names[] = {"threshold", "dither", "ordered", NULL};
static const char *const k_panel_keys[] = {"mode", "threshold", NULL};
static const char *const overlay_keys[] = {"holes_mm", NULL};

/* An optional object member, handed to check with the path at it. */
static cr_status read_object(loader *ld, json_t *parent, const char *key,
                             cr_status (*check)(loader *, json_t *))
{
    json_t *value = json_object_get(parent, key);
    if (!value)
        return CR_OK;
    push_key(ld, key);
    cr_status status =
        json_is_object(value)
            ? check(ld, value)
            : fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be an object, not %s", key, json_kind(value));
    pop(ld);
    return status;
}

/* card.k_panel: {"mode": "threshold", "threshold": 128}, {"mode": "dither"}
 * or {"mode": "ordered"}. */
static cr_status check_k_panel(loader *ld, json_t *object)
{
    cr_print_panels *print = &ld->tpl->print;
    int mode = CR_K_THRESHOLD;
    print->k = true;
    cr_status status = check_keys(ld, object, k_panel_keys);
    if (status == CR_OK)
        status = read_enum(ld, object, "mode", k_mode_names, &mode);
    print->k_mode = (cr_k_mode)mode;
    if (status == CR_OK && mode != CR_K_THRESHOLD && json_object_get(object, "threshold")) {
        push_key(ld, "threshold");
        status = fail(ld, CR_JSON_AT_KEY, "\"threshold\" has no effect with \"mode\": \"%s\"",
                      k_mode_names[mode]);
        pop(ld);
    }
    if (status == CR_OK)
        status = read_integer(ld, object, "threshold", 1, 255, &print->k_threshold);
    return status;
}

/* One hole [x, y, width, height] that must lie on the card. */
static cr_status check_hole(loader *ld, json_t *hole, size_t index, double out[4])
{
    if (!json_is_array(hole))
        return fail(ld, CR_JSON_AT_VALUE,
                    "hole %zu must be an array of 4 numbers [x, y, width, height], not %s", index,
                    json_kind(hole));
    if (json_array_size(hole) != 4)
        return fail(ld, CR_JSON_AT_VALUE,
                    "hole %zu must hold 4 numbers [x, y, width, height], not %zu", index,
                    json_array_size(hole));
    static const char *const parts[] = {"x", "y", "width", "height"};
    const cr_template *tpl = ld->tpl;
    const range on_card[] = {{0, tpl->width_mm, false, "the card's width"},
                             {0, tpl->height_mm, false, "the card's height"},
                             {0, tpl->width_mm, true, "the card's width"},
                             {0, tpl->height_mm, true, "the card's height"}};
    cr_status status = CR_OK;
    for (size_t i = 0; i < 4 && status == CR_OK; i++) {
        char label[64];
        snprintf(label, sizeof label, "hole %zu %s", index, parts[i]);
        push_index(ld, i);
        status = check_number(ld, label, json_array_get(hole, i), on_card[i], &out[i]);
        pop(ld);
    }
    if (status == CR_OK && (out[0] + out[2] > tpl->width_mm || out[1] + out[3] > tpl->height_mm))
        status = fail(ld, CR_JSON_AT_VALUE, "hole %zu reaches past the card's %s edge", index,
                      out[0] + out[2] > tpl->width_mm ? "right" : "bottom");
    return status;
}

static cr_status check_holes(loader *ld, json_t *holes)
{
    cr_print_panels *print = &ld->tpl->print;
    if (!json_is_array(holes))
        return fail(ld, CR_JSON_AT_VALUE,
                    "\"holes_mm\" must be an array of [x, y, width, height], not %s",
                    json_kind(holes));
    size_t count = json_array_size(holes);
    print->holes_mm = count ? calloc(count, sizeof *print->holes_mm) : NULL;
    if (count && !print->holes_mm)
        return fail_nomem(ld);
    cr_status status = CR_OK;
    for (size_t i = 0; i < count && status == CR_OK; i++) {
        push_index(ld, i);
        status = check_hole(ld, json_array_get(holes, i), i, print->holes_mm[i]);
        pop(ld);
        print->hole_count = i + 1;
    }
    return status;
}

/* card.overlay: {"holes_mm": [[x, y, width, height], ...]}. */
static cr_status check_overlay(loader *ld, json_t *object)
{
    ld->tpl->print.overlay = true;
    cr_status status = check_keys(ld, object, overlay_keys);
    json_t *holes = json_object_get(object, "holes_mm");
    if (status != CR_OK || !holes)
        return status;
    push_key(ld, "holes_mm");
    status = check_holes(ld, holes);
    pop(ld);
    return status;
}

/* "panel": "color" or "k"; a K field gives the card a K panel. */
static cr_status read_panel(loader *ld, json_t *object, cr_field *field)
{
    int panel = CR_PANEL_COLOR;
    cr_status status = read_enum(ld, object, "panel", panel_names, &panel);
    field->panel = (cr_panel)panel;
    if (field->panel == CR_PANEL_K)
        ld->tpl->print.k = true;
    return status;
}

static cr_status read_card_members(loader *ld, json_t *card)
{
    cr_template *tpl = ld->tpl;
    const range side = {0, 1000, true, NULL};
    cr_status status = check_keys(ld, card, card_keys);
    if (status == CR_OK)
        status = read_number(ld, card, "width_mm", false, side, &tpl->width_mm);
    if (status == CR_OK)
        status = read_number(ld, card, "height_mm", false, side, &tpl->height_mm);
    if (status == CR_OK) {
        double half = fmin(tpl->width_mm, tpl->height_mm) / 2;
        char max_text[64], half_text[32];
        format_number(half, half_text, sizeof half_text);
        snprintf(max_text, sizeof max_text, "%s, half the card's shorter side", half_text);
        range radius = {0, half, false, max_text};
        status = read_number(ld, card, "corner_radius_mm", false, radius, &tpl->corner_radius_mm);
    }
    if (status == CR_OK)
        status = read_integer(ld, card, "dpi", 72, 1200, &tpl->dpi);
    if (status == CR_OK)
        status = read_color(ld, card, "background", &tpl->background);
    if (status == CR_OK)
        status = read_artwork(ld, card, "background_image", &tpl->background_image_src,
                              &tpl->background_image);
    if (status == CR_OK)
        status = read_object(ld, card, "k_panel", check_k_panel);
    if (status == CR_OK)
        status = read_object(ld, card, "overlay", check_overlay);
    return status;
}

static cr_status read_card(loader *ld, json_t *root)
{
    json_t *card = json_object_get(root, "card");
    if (!card)
        return CR_OK;
    push_key(ld, "card");
    cr_status status;
    if (json_is_object(card))
        status = read_card_members(ld, card);
    else
        status = fail(ld, CR_JSON_AT_VALUE, "\"card\" must be an object, not %s", json_kind(card));
    pop(ld);
    return status;
}

/* ---------------------------------------------------------------- fields */

static cr_status read_type(loader *ld, json_t *object, cr_field *field)
{
    const char *text;
    cr_status status = get_string(ld, object, "type", &text);
    if (status != CR_OK)
        return status;
    if (!text)
        return fail_missing(ld, "type");
    for (int i = 0; field_type_names[i]; i++) {
        if (strcmp(text, field_type_names[i]) == 0) {
            field->type = (cr_field_type)i;
            return CR_OK;
        }
    }
    char list[64];
    join_names(field_type_names, NULL, list, sizeof list);
    push_key(ld, "type");
    status =
        fail(ld, CR_JSON_AT_VALUE, "unknown field type \"%s\" (allowed types: %s)", text, list);
    pop(ld);
    return status;
}

static cr_status check_box(loader *ld, json_t *box, cr_field *field)
{
    if (!json_is_array(box))
        return fail(ld, CR_JSON_AT_VALUE,
                    "\"box_mm\" must be an array of 4 numbers [x, y, width, height], not %s",
                    json_kind(box));
    if (json_array_size(box) != 4)
        return fail(ld, CR_JSON_AT_VALUE,
                    "\"box_mm\" must hold 4 numbers [x, y, width, height], not %zu",
                    json_array_size(box));
    static const char *const labels[] = {"\"box_mm\" x", "\"box_mm\" y", "\"box_mm\" width",
                                         "\"box_mm\" height"};
    const range anywhere = {-INFINITY, INFINITY, false, NULL};
    const range extent = {0, INFINITY, true, NULL};
    double *targets[] = {&field->x_mm, &field->y_mm, &field->w_mm, &field->h_mm};
    cr_status status = CR_OK;
    for (size_t i = 0; i < 4 && status == CR_OK; i++) {
        push_index(ld, i);
        status = check_number(ld, labels[i], json_array_get(box, i), i < 2 ? anywhere : extent,
                              targets[i]);
        pop(ld);
    }
    return status;
}

static cr_status read_box(loader *ld, json_t *object, cr_field *field)
{
    json_t *box = json_object_get(object, "box_mm");
    if (!box)
        return fail_missing(ld, "box_mm");
    push_key(ld, "box_mm");
    cr_status status = check_box(ld, box, field);
    pop(ld);
    return status;
}

static cr_status read_bind(loader *ld, json_t *object, cr_field *field)
{
    const char *bind;
    cr_status status = get_string(ld, object, "bind", &bind);
    if (status != CR_OK)
        return status;
    push_key(ld, "bind");
    cr_location where = locate(ld, CR_JSON_AT_VALUE);
    field->bind_line = where.line;
    field->bind_column = where.column;
    field->bind_file = source_file(ld);
    if (bind[0] == '\0')
        status = fail(ld, CR_JSON_AT_VALUE, "\"bind\" must name a record key, not \"\"");
    pop(ld);
    return status == CR_OK ? copy_string(ld, bind, &field->bind) : status;
}

/* Exactly one of a fixed value (`fixed_key`: "text", or an image's "src")
 * and "bind"; `subject` names the field kind in the message. */
static cr_status read_fixed_or_bound(loader *ld, json_t *object, cr_field *field,
                                     const char *fixed_key, const char *subject, char **fixed)
{
    bool has_fixed = json_object_get(object, fixed_key) != NULL;
    bool has_bind = json_object_get(object, "bind") != NULL;
    if (has_fixed && has_bind) {
        push_key(ld, "bind");
        cr_status status = fail(ld, CR_JSON_AT_KEY, "%s has either \"%s\" or \"bind\", not both",
                                subject, fixed_key);
        pop(ld);
        return status;
    }
    if (!has_fixed && !has_bind)
        return fail(ld, CR_JSON_AT_VALUE, "missing required key \"%s\" or \"bind\"", fixed_key);
    if (has_bind)
        return read_bind(ld, object, field);
    const char *value;
    cr_status status = get_string(ld, object, fixed_key, &value);
    return status == CR_OK ? copy_string(ld, value, fixed) : status;
}

static cr_status read_bool(loader *ld, json_t *object, const char *key, bool *out)
{
    json_t *value = json_object_get(object, key);
    if (!value)
        return CR_OK;
    if (json_is_boolean(value)) {
        *out = json_is_true(value);
        return CR_OK;
    }
    push_key(ld, key);
    cr_status status =
        fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be true or false, not %s", key, json_kind(value));
    pop(ld);
    return status;
}

/* "optional": a bound value a record may leave out or empty (the ethnic
 * values of a bilingual card, which a resident may not ask for). Fixed
 * content is never absent, so there it would be a mistake. */
static cr_status read_optional(loader *ld, json_t *object, cr_field *field)
{
    cr_status status = read_bool(ld, object, "optional", &field->optional);
    if (status != CR_OK || !field->optional || field->bind)
        return status;
    push_key(ld, "optional");
    status = fail(ld, CR_JSON_AT_KEY,
                  "\"optional\" applies to a bound field (\"bind\"), not to "
                  "fixed content");
    pop(ld);
    return status;
}

static cr_status read_content(loader *ld, json_t *object, cr_field *field)
{
    cr_status status = read_fixed_or_bound(ld, object, field, "text", "a field", &field->text);
    return status == CR_OK ? read_optional(ld, object, field) : status;
}

/* Checks the family against the manifest and loads its face; the current
 * path is at the family's name. */
static cr_status resolve_font(loader *ld, const char *family, cr_face **face)
{
    const cr_font_manifest *manifest = ld->engine->manifest;
    const char *file = NULL, *package = NULL;
    int index = 0;
    if (!cr_font_manifest_lookup(manifest, family, &file, &index, &package))
        return fail(ld, CR_JSON_AT_VALUE,
                    "unknown font family \"%s\" (not in the font manifest %s)", family,
                    cr_font_manifest_path(manifest));
    cr_error font_err;
    cr_error_clear(&font_err);
    *face = cr_font_library_get(ld->engine->fonts, family, ld->tpl->dir, &font_err);
    if (*face)
        return CR_OK;
    cr_status code = font_err.code != CR_OK ? font_err.code : CR_ERR_FONT;
    return cr_error_set(ld->err, code, locate(ld, CR_JSON_AT_VALUE), "%s", font_err.message);
}

static cr_status add_font(loader *ld, json_t *name, cr_field *field)
{
    if (!json_is_string(name))
        return fail(ld, CR_JSON_AT_VALUE, "a font family name must be a string, not %s",
                    json_kind(name));
    const char *family = json_string_value(name);
    size_t slot = field->font_count;
    cr_status status = copy_string(ld, family, &field->fonts[slot]);
    if (status != CR_OK)
        return status;
    field->font_count++;
    return resolve_font(ld, family, &field->faces[slot]);
}

static cr_status check_fonts(loader *ld, json_t *font, cr_field *field)
{
    if (!json_is_string(font) && !json_is_array(font))
        return fail(ld, CR_JSON_AT_VALUE,
                    "\"font\" must be a family name or an array of family names, not %s",
                    json_kind(font));
    size_t count = json_is_array(font) ? json_array_size(font) : 1;
    if (count == 0)
        return fail(ld, CR_JSON_AT_VALUE, "\"font\" must name at least one family");
    field->fonts = calloc(count, sizeof *field->fonts);
    field->faces = calloc(count, sizeof *field->faces);
    if (!field->fonts || !field->faces)
        return fail_nomem(ld);
    if (json_is_string(font))
        return add_font(ld, font, field);
    cr_status status = CR_OK;
    for (size_t i = 0; i < count && status == CR_OK; i++) {
        push_index(ld, i);
        status = add_font(ld, json_array_get(font, i), field);
        pop(ld);
    }
    return status;
}

static cr_status read_fonts(loader *ld, json_t *object, cr_field *field)
{
    json_t *font = json_object_get(object, "font");
    if (!font)
        return fail_missing(ld, "font");
    push_key(ld, "font");
    cr_status status = check_fonts(ld, font, field);
    pop(ld);
    return status;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

/* The shape of a BCP 47 tag: a 2-8 letter language, then subtags of 1-8
 * letters or digits joined by hyphens. Enough to catch "zh_CN" and "中文";
 * whether HarfBuzz knows the language is its business. */
static bool looks_like_language_tag(const char *tag)
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
    cr_status status = get_string(ld, object, "lang_bind", &key);
    if (status != CR_OK || !key)
        return status;
    push_key(ld, "lang_bind");
    if (!field->bind)
        status = fail(ld, CR_JSON_AT_VALUE,
                      "\"lang_bind\" needs \"bind\": fixed text has a fixed "
                      "language (use \"lang\")");
    else if (!key[0])
        status = fail(ld, CR_JSON_AT_VALUE, "\"lang_bind\" must name a record key");
    pop(ld);
    if (status != CR_OK)
        return status;
    return copy_string(ld, key, &field->lang_bind);
}

static cr_status read_lang(loader *ld, json_t *object, cr_field *field)
{
    const char *lang;
    cr_status status = read_lang_bind(ld, object, field);
    if (status == CR_OK)
        status = get_string(ld, object, "lang", &lang);
    if (status != CR_OK || !lang)
        return status;
    if (looks_like_language_tag(lang))
        return copy_string(ld, lang, &field->lang);
    push_key(ld, "lang");
    status = fail(ld, CR_JSON_AT_VALUE,
                  "\"lang\" must be a BCP 47 language tag such as \"zh-Hans\" or \"ug\" (got "
                  "\"%s\")",
                  lang);
    pop(ld);
    return status;
}

static cr_status read_min_size(loader *ld, json_t *object, cr_field *field)
{
    char size_text[32], max_text[64];
    format_number(field->size_pt, size_text, sizeof size_text);
    snprintf(max_text, sizeof max_text, "\"size_pt\" = %s", size_text);
    range r = {0, field->size_pt, true, max_text};
    field->min_size_pt = field->size_pt * 0.7;
    return read_number(ld, object, "min_size_pt", false, r, &field->min_size_pt);
}

/* Per-script line-breaking, glyph and direction rules (all optional). */
static cr_status read_line_rules(loader *ld, json_t *object, cr_field *field)
{
    int kinsoku = CR_KINSOKU_BASIC, hangul = CR_HANGUL_BREAK_WORD, trim = CR_TRIM_NONE,
        missing = CR_MISSING_ERROR, writing_mode = CR_WRITING_HORIZONTAL;
    cr_status status = read_enum(ld, object, "kinsoku", kinsoku_names, &kinsoku);
    if (status == CR_OK)
        status = read_enum(ld, object, "hangul_break", hangul_break_names, &hangul);
    if (status == CR_OK)
        status = read_enum(ld, object, "punctuation_trim", trim_names, &trim);
    if (status == CR_OK)
        status = read_enum(ld, object, "missing_glyph", missing_glyph_names, &missing);
    if (status == CR_OK)
        status = read_enum(ld, object, "writing_mode", writing_mode_names, &writing_mode);
    field->tate_chu_yoko_digits = 2;
    if (status == CR_OK)
        status =
            read_integer(ld, object, "tate_chu_yoko_digits", 0, 4, &field->tate_chu_yoko_digits);
    field->writing_mode = (cr_writing_mode)writing_mode;
    field->kinsoku = (cr_kinsoku)kinsoku;
    field->hangul_break = (cr_hangul_break)hangul;
    field->punctuation_trim = (cr_punctuation_trim)trim;
    field->missing_glyph = (cr_missing_glyph)missing;
    return status;
}

/* Everything after the keys that identify the field, in the documented
 * order; each step runs only while the ones before it succeeded. */
static cr_status read_style(loader *ld, json_t *object, cr_field *field)
{
    int align = CR_ALIGN_START, valign = CR_VALIGN_TOP, direction = CR_DIR_AUTO, fit = CR_FIT_WRAP;
    const range size = {0, 200, true, NULL};
    cr_status status = read_number(ld, object, "size_pt", true, size, &field->size_pt);
    if (status == CR_OK)
        status = read_color(ld, object, "color", &field->color);
    if (status == CR_OK)
        status = read_enum(ld, object, "align", align_names, &align);
    if (status == CR_OK)
        status = read_enum(ld, object, "valign", valign_names, &valign);
    if (status == CR_OK)
        status = read_number(ld, object, "letter_spacing_em", false, (range){-0.5, 2, false, NULL},
                             &field->letter_spacing_em);
    if (status == CR_OK)
        status = read_number(ld, object, "line_height_pt", false, (range){0, 500, false, NULL},
                             &field->line_height_pt);
    if (status == CR_OK)
        status = read_integer(ld, object, "max_lines", 0, 1000, &field->max_lines);
    if (status == CR_OK)
        status = read_enum(ld, object, "direction", direction_names, &direction);
    if (status == CR_OK)
        status = read_lang(ld, object, field);
    if (status == CR_OK)
        status = read_enum(ld, object, "fit", fit_names, &fit);
    if (status == CR_OK)
        status = read_min_size(ld, object, field);
    if (status == CR_OK)
        status = read_number(ld, object, "min_scale_x", false, (range){0.3, 1, false, NULL},
                             &field->min_scale_x);
    if (status == CR_OK)
        status = read_line_rules(ld, object, field);
    field->align = (cr_halign)align;
    field->valign = (cr_valign)valign;
    field->direction = (cr_direction)direction;
    field->fit = (cr_fit)fit;
    return status;
}

/* ------------------------------------------ image, rect and line fields */

/* A pair [x, y] of numbers within r; the current path is at the value. */
static cr_status check_pair(loader *ld, const char *key, json_t *value, range r, double out[2])
{
    if (!json_is_array(value))
        return fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be an array of 2 numbers [x, y], not %s",
                    key, json_kind(value));
    if (json_array_size(value) != 2)
        return fail(ld, CR_JSON_AT_VALUE, "\"%s\" must hold 2 numbers [x, y], not %zu", key,
                    json_array_size(value));
    cr_status status = CR_OK;
    for (size_t i = 0; i < 2 && status == CR_OK; i++) {
        char label[64];
        snprintf(label, sizeof label, "\"%s\" %c", key, i == 0 ? 'x' : 'y');
        push_index(ld, i);
        status = check_number(ld, label, json_array_get(value, i), r, &out[i]);
        pop(ld);
    }
    return status;
}

static cr_status read_pair(loader *ld, json_t *object, const char *key, bool required, range r,
                           double out[2])
{
    json_t *value = json_object_get(object, key);
    if (!value)
        return required ? fail_missing(ld, key) : CR_OK;
    push_key(ld, key);
    cr_status status = check_pair(ld, key, value, r, out);
    pop(ld);
    return status;
}

static cr_status read_opacity(loader *ld, json_t *object, double *out)
{
    return read_number(ld, object, "opacity", false, (range){0, 1, false, NULL}, out);
}

/* A length up to half the box's shorter side (a corner radius, a stroke). */
static cr_status read_box_length(loader *ld, json_t *object, const char *key, const cr_field *field,
                                 bool zero_ok, double *out)
{
    double half = fmin(field->w_mm, field->h_mm) / 2;
    char max_text[64], half_text[32];
    format_number(half, half_text, sizeof half_text);
    snprintf(max_text, sizeof max_text, "%s, half the box's shorter side", half_text);
    return read_number(ld, object, key, false, (range){0, half, !zero_ok, max_text}, out);
}

/* "src" (template artwork) or "bind" (a record's photo). */
static cr_status read_image_source(loader *ld, json_t *object, cr_field *field)
{
    cr_status status =
        read_fixed_or_bound(ld, object, field, "src", "an image field", &field->image.src);
    return status == CR_OK ? read_optional(ld, object, field) : status;
}

/* A key that would change nothing for this fit is more likely a mistake
 * than a wish. */
static cr_status check_fit_options(loader *ld, json_t *object, const cr_image_field *image)
{
    const char *unused = NULL;
    if (image->fit == CR_IMAGE_STRETCH && json_object_get(object, "focus"))
        unused = "focus";
    else if ((image->fit == CR_IMAGE_COVER || image->fit == CR_IMAGE_STRETCH) &&
             json_object_get(object, "pad_color"))
        unused = "pad_color";
    if (!unused)
        return CR_OK;
    push_key(ld, unused);
    cr_status status = fail(ld, CR_JSON_AT_KEY, "\"%s\" has no effect with \"fit\": \"%s\"", unused,
                            image_fit_names[image->fit]);
    pop(ld);
    return status;
}

static cr_status read_rotation(loader *ld, json_t *object, cr_image_field *image)
{
    json_t *value = json_object_get(object, "rotate_deg");
    if (!value)
        return CR_OK;
    push_key(ld, "rotate_deg");
    cr_status status = CR_OK;
    json_int_t degrees = json_is_integer(value) ? json_integer_value(value) : 0;
    if (!json_is_integer(value))
        status = fail(ld, CR_JSON_AT_VALUE, "\"rotate_deg\" must be an integer, not %s",
                      json_kind(value));
    else if (degrees != 0 && degrees != 90 && degrees != 180 && degrees != 270)
        status = fail(ld, CR_JSON_AT_VALUE, "\"rotate_deg\" must be 0, 90, 180 or 270 (got %lld)",
                      (long long)degrees);
    else
        image->quarter_turns = (int)(degrees / 90);
    pop(ld);
    return status;
}

/* Contrast 1 would be an infinite slope: every pixel black or white. */
static cr_status read_contrast(loader *ld, json_t *adjust, double *out)
{
    cr_status status = read_number(ld, adjust, "contrast", false, (range){-1, 1, false, NULL}, out);
    if (status != CR_OK || *out < 1)
        return status;
    push_key(ld, "contrast");
    status = fail(ld, CR_JSON_AT_VALUE, "\"contrast\" must be less than 1 (got 1)");
    pop(ld);
    return status;
}

static cr_status check_adjust(loader *ld, json_t *adjust, cr_adjustments *out)
{
    if (!json_is_object(adjust))
        return fail(ld, CR_JSON_AT_VALUE, "\"adjust\" must be an object, not %s",
                    json_kind(adjust));
    cr_status status = check_keys(ld, adjust, adjust_keys);
    if (status == CR_OK)
        status = read_number(ld, adjust, "brightness", false, (range){-1, 1, false, NULL},
                             &out->brightness);
    if (status == CR_OK)
        status = read_contrast(ld, adjust, &out->contrast);
    if (status == CR_OK)
        status =
            read_number(ld, adjust, "gamma", false, (range){0.1, 10, false, NULL}, &out->gamma);
    if (status == CR_OK)
        status = read_bool(ld, adjust, "grayscale", &out->grayscale);
    return status;
}

static cr_status read_adjust(loader *ld, json_t *object, cr_adjustments *out)
{
    json_t *adjust = json_object_get(object, "adjust");
    if (!adjust)
        return CR_OK;
    push_key(ld, "adjust");
    cr_status status = check_adjust(ld, adjust, out);
    pop(ld);
    return status;
}

/* Artwork is decoded last, once every cheaper check has passed. */
static cr_status read_image_field(loader *ld, json_t *object, cr_field *field)
{
    cr_image_field *image = &field->image;
    int fit = CR_IMAGE_COVER;
    double focus[2] = {0.5, 0.5};
    cr_status status = read_box(ld, object, field);
    if (status == CR_OK)
        status = read_image_source(ld, object, field);
    if (status == CR_OK)
        status = read_enum(ld, object, "fit", image_fit_names, &fit);
    image->fit = (cr_image_fit)fit;
    if (status == CR_OK)
        status = check_fit_options(ld, object, image);
    if (status == CR_OK)
        status = read_pair(ld, object, "focus", false, (range){0, 1, false, NULL}, focus);
    if (status == CR_OK)
        status = read_color(ld, object, "pad_color", &image->pad_color);
    if (status == CR_OK)
        status = read_rotation(ld, object, image);
    if (status == CR_OK)
        status = read_opacity(ld, object, &image->opacity);
    if (status == CR_OK)
        status = read_adjust(ld, object, &image->adjust);
    if (status == CR_OK)
        status =
            read_box_length(ld, object, "corner_radius_mm", field, true, &image->corner_radius_mm);
    image->focus_x = focus[0];
    image->focus_y = focus[1];
    if (status == CR_OK && image->src) {
        push_key(ld, "src");
        status = decode_artwork(ld, "src", image->src, &image->artwork);
        pop(ld);
    }
    return status;
}

/* A rect that paints nothing, or a stroke width without a stroke, is more
 * likely a mistake than a wish. */
static cr_status check_rect_paint(loader *ld, json_t *object)
{
    bool has_fill = json_object_get(object, "fill") != NULL;
    bool has_stroke = json_object_get(object, "stroke") != NULL;
    if (!has_fill && !has_stroke)
        return fail(ld, CR_JSON_AT_VALUE, "a rect needs \"fill\", \"stroke\" or both");
    if (has_stroke || !json_object_get(object, "stroke_width_mm"))
        return CR_OK;
    push_key(ld, "stroke_width_mm");
    cr_status status = fail(ld, CR_JSON_AT_KEY, "\"stroke_width_mm\" needs a \"stroke\" colour");
    pop(ld);
    return status;
}

static cr_status read_rect_field(loader *ld, json_t *object, cr_field *field)
{
    cr_rect_field *rect = &field->rect;
    cr_status status = read_box(ld, object, field);
    if (status == CR_OK)
        status = read_color(ld, object, "fill", &rect->fill);
    if (status == CR_OK)
        status = read_color(ld, object, "stroke", &rect->stroke);
    if (status == CR_OK)
        status =
            read_box_length(ld, object, "stroke_width_mm", field, false, &rect->stroke_width_mm);
    if (status == CR_OK)
        status =
            read_box_length(ld, object, "corner_radius_mm", field, true, &rect->corner_radius_mm);
    if (status == CR_OK)
        status = read_opacity(ld, object, &rect->opacity);
    if (status == CR_OK)
        status = check_rect_paint(ld, object);
    return status;
}

/* The line's ends; its bounding box goes into the field's box. */
static cr_status read_line_ends(loader *ld, json_t *object, cr_field *field)
{
    const range anywhere = {-INFINITY, INFINITY, false, NULL};
    double from[2] = {0, 0}, to[2] = {0, 0};
    cr_status status = read_pair(ld, object, "from_mm", true, anywhere, from);
    if (status == CR_OK)
        status = read_pair(ld, object, "to_mm", true, anywhere, to);
    if (status != CR_OK)
        return status;
    if (from[0] == to[0] && from[1] == to[1]) {
        push_key(ld, "to_mm");
        status = fail(ld, CR_JSON_AT_VALUE, "\"to_mm\" must differ from \"from_mm\"");
        pop(ld);
        return status;
    }
    field->segment.x0_mm = from[0], field->segment.y0_mm = from[1];
    field->segment.x1_mm = to[0], field->segment.y1_mm = to[1];
    field->x_mm = fmin(from[0], to[0]);
    field->y_mm = fmin(from[1], to[1]);
    field->w_mm = fabs(to[0] - from[0]);
    field->h_mm = fabs(to[1] - from[1]);
    return CR_OK;
}

static cr_status read_line_field(loader *ld, json_t *object, cr_field *field)
{
    cr_line_field *line = &field->segment;
    cr_status status = read_line_ends(ld, object, field);
    if (status == CR_OK)
        status = read_number(ld, object, "width_mm", false, (range){0, 100, true, NULL},
                             &line->width_mm);
    if (status == CR_OK)
        status = read_color(ld, object, "color", &line->color);
    if (status == CR_OK)
        status = read_opacity(ld, object, &line->opacity);
    return status;
}

/* The name comes first so that every later error can quote it. */
static cr_status read_field_name(loader *ld, json_t *object, cr_field *field)
{
    const char *name;
    cr_status status = get_string(ld, object, "name", &name);
    if (status != CR_OK)
        return status;
    status = copy_string(ld, name ? name : "", &field->name);
    ld->field_name = field->name;
    return status;
}

static cr_status read_text_field(loader *ld, json_t *object, cr_field *field)
{
    cr_status status = read_box(ld, object, field);
    if (status == CR_OK)
        status = read_content(ld, object, field);
    if (status == CR_OK)
        status = read_fonts(ld, object, field);
    if (status == CR_OK)
        status = read_style(ld, object, field);
    return status;
}

/* The type comes before the key check: which keys are allowed depends on it. */
static cr_status read_field_members(loader *ld, json_t *object, cr_field *field)
{
    cr_status status = read_field_name(ld, object, field);
    if (status == CR_OK)
        status = read_type(ld, object, field);
    if (status == CR_OK)
        status = check_keys(ld, object, keys_by_type[field->type]);
    if (status == CR_OK)
        status = read_panel(ld, object, field);
    if (status != CR_OK)
        return status;
    switch (field->type) {
    case CR_FIELD_IMAGE:
        return read_image_field(ld, object, field);
    case CR_FIELD_RECT:
        return read_rect_field(ld, object, field);
    case CR_FIELD_LINE:
        return read_line_field(ld, object, field);
    case CR_FIELD_TEXT:
        break;
    }
    return read_text_field(ld, object, field);
}

static void set_field_defaults(cr_field *field, size_t index)
{
    field->type = CR_FIELD_TEXT;
    field->index = (int)index;
    field->color = (cr_color){0, 0, 0, 255};
    field->min_scale_x = 0.6;
    field->image = (cr_image_field){.focus_x = 0.5, .focus_y = 0.5, .opacity = 1};
    field->rect = (cr_rect_field){.stroke_width_mm = 0.25, .opacity = 1};
    field->segment = (cr_line_field){.width_mm = 0.25, .color = {0, 0, 0, 255}, .opacity = 1};
}

static cr_status read_field(loader *ld, json_t *object, size_t index)
{
    cr_field *field = &ld->tpl->fields[index];
    set_field_defaults(field, index);
    ld->field_index = (int)index;
    ld->field_name = NULL;
    push_index(ld, index);
    cr_location where = locate(ld, CR_JSON_AT_VALUE);
    field->line = where.line;
    field->column = where.column;
    field->file = source_file(ld);
    cr_status status;
    if (json_is_object(object))
        status = read_field_members(ld, object, field);
    else
        status = fail(ld, CR_JSON_AT_VALUE, "a field must be an object, not %s", json_kind(object));
    pop(ld);
    ld->field_index = -1;
    ld->field_name = NULL;
    return status;
}

/* Messages, proofs, checks and "override_fields" find a field by its name,
 * so two fields may not share one (unnamed fields may). The error points at
 * the second and names the first's place: they may be in different files. */
static cr_status check_unique_names(loader *ld)
{
    const cr_template *tpl = ld->tpl;
    for (size_t i = 1; i < tpl->field_count; i++) {
        const cr_field *field = &tpl->fields[i];
        for (size_t j = 0; j < i && field->name[0]; j++) {
            const cr_field *first = &tpl->fields[j];
            if (strcmp(first->name, field->name) != 0)
                continue;
            ld->field_index = (int)i;
            ld->field_name = field->name;
            push_index(ld, i);
            push_key(ld, "name");
            cr_status status = fail(ld, CR_JSON_AT_VALUE,
                                    "duplicate field name \"%s\": field %zu (%s:%d:%d) has it too",
                                    field->name, j, first->file, first->line, first->column);
            pop(ld);
            pop(ld);
            return status;
        }
    }
    return CR_OK;
}

static cr_status check_fields(loader *ld, json_t *fields)
{
    if (!json_is_array(fields))
        return fail(ld, CR_JSON_AT_VALUE, "\"fields\" must be an array, not %s", json_kind(fields));
    size_t count = json_array_size(fields);
    if (count > MAX_FIELDS)
        return fail(ld, CR_JSON_AT_VALUE, "\"fields\" has %zu fields; at most %d are allowed",
                    count, MAX_FIELDS);
    if (count == 0)
        return CR_OK;
    ld->tpl->fields = calloc(count, sizeof *ld->tpl->fields);
    if (!ld->tpl->fields)
        return fail_nomem(ld);
    ld->tpl->field_count = count;
    cr_status status = CR_OK;
    for (size_t i = 0; i < count && status == CR_OK; i++)
        status = read_field(ld, json_array_get(fields, i), i);
    return status == CR_OK ? check_unique_names(ld) : status;
}

static cr_status read_fields(loader *ld, json_t *root)
{
    json_t *fields = json_object_get(root, "fields");
    if (!fields)
        return fail_missing(ld, "fields");
    push_key(ld, "fields");
    cr_status status = check_fields(ld, fields);
    pop(ld);
    return status;
}

/* The version comes before the key check: a newer template is better told
 * its version than that its new keys are unknown. */
static cr_status read_template(loader *ld, json_t *root)
{
    if (!json_is_object(root))
        return fail(ld, CR_JSON_AT_VALUE, "a template must be a JSON object, not %s",
                    json_kind(root));
    const char *name;
    cr_status status = read_version(ld, root);
    if (status == CR_OK)
        status = check_keys(ld, root, top_keys);
    if (status == CR_OK)
        status = get_string(ld, root, "name", &name);
    if (status == CR_OK)
        status = read_card(ld, root);
    if (status == CR_OK)
        status = read_fields(ld, root);
    return status;
}

/* ---------------------------------------------------------- public API */

static void free_field(cr_field *field)
{
    free(field->name);
    free(field->text);
    free(field->bind);
    for (size_t i = 0; i < field->font_count; i++)
        free(field->fonts[i]);
    free(field->fonts);
    free(field->faces); /* the faces belong to the engine's font library */
    free(field->lang);
    free(field->lang_bind);
    free(field->image.src);
    cr_pixmap_free(&field->image.artwork);
}

/* ------------------------------------------------------------ user data */

struct cr_user_data_slot {
    pthread_mutex_t lock; /* held while the data is made: once per template */
    void *data;
    void (*destroy)(void *data);
};

static cr_user_data_slot *user_data_new(void)
{
    cr_user_data_slot *slot = calloc(1, sizeof *slot);
    if (slot && pthread_mutex_init(&slot->lock, NULL) != 0) {
        free(slot);
        return NULL;
    }
    return slot;
}

static void user_data_free(cr_user_data_slot *slot)
{
    if (!slot)
        return;
    if (slot->data && slot->destroy)
        slot->destroy(slot->data);
    pthread_mutex_destroy(&slot->lock);
    free(slot);
}

void *cr_template_user_data(const cr_template *tpl, void *(*create)(void),
                            void (*destroy)(void *data))
{
    cr_user_data_slot *slot = tpl->user_data;
    if (!slot)
        return NULL;
    pthread_mutex_lock(&slot->lock);
    if (!slot->data) {
        slot->data = create();
        slot->destroy = destroy;
    }
    void *data = slot->data;
    pthread_mutex_unlock(&slot->lock);
    return data;
}

void cr_template_destroy(cr_template *tpl)
{
    if (!tpl)
        return;
    for (size_t i = 0; i < tpl->field_count; i++)
        free_field(&tpl->fields[i]);
    free(tpl->fields);
    for (size_t i = 0; i < tpl->source_count; i++)
        free(tpl->sources[i]);
    free(tpl->sources);
    free(tpl->path);
    free(tpl->dir);
    free(tpl->background_image_src);
    cr_pixmap_free(&tpl->background_image);
    free(tpl->print.holes_mm);
    user_data_free(tpl->user_data);
    free(tpl);
}

static cr_template *new_template(const char *path, char *dir)
{
    cr_template *tpl = calloc(1, sizeof *tpl);
    if (tpl)
        tpl->path = strdup(path);
    if (!tpl || !tpl->path || !dir) {
        free(dir);
        cr_template_destroy(tpl);
        return NULL;
    }
    tpl->dir = dir;
    tpl->width_mm = 85.6;
    tpl->height_mm = 54.0;
    tpl->corner_radius_mm = 3.18;
    tpl->dpi = 300;
    tpl->background = (cr_color){255, 255, 255, 255};
    tpl->print.k_threshold = 128;
    tpl->user_data = user_data_new(); /* NULL: nothing is hung on it, renders paint everything */
    return tpl;
}

/* The names of the files the template was composed of: fields point at them. */
static bool copy_sources(cr_template *tpl, const cr_composition *doc)
{
    size_t count = cr_composition_source_count(doc);
    tpl->sources = calloc(count, sizeof *tpl->sources);
    for (size_t i = 0; tpl->sources && i < count; i++) {
        tpl->sources[i] = strdup(cr_composition_source_name(doc, i));
        if (!tpl->sources[i])
            return false;
        tpl->source_count = i + 1;
    }
    return tpl->sources != NULL;
}

/* Validates the merged document; takes ownership of doc (NULL when the
 * composition failed and err says why) and of dir. */
static cr_template *load_composed(cr_engine *engine, cr_composition *doc, const char *name,
                                  char *dir, cr_error *err)
{
    if (!doc) {
        free(dir);
        return NULL;
    }
    cr_template *tpl = new_template(name, dir);
    if (!tpl || !copy_sources(tpl, doc)) {
        cr_template_destroy(tpl);
        cr_composition_free(doc);
        cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    loader ld = {.engine = engine, .doc = doc, .tpl = tpl, .err = err, .field_index = -1};
    cr_status status = read_template(&ld, cr_composition_root(doc));
    cr_composition_free(doc);
    if (status != CR_OK) {
        cr_template_destroy(tpl);
        return NULL;
    }
    return tpl;
}

static bool engine_ready(const cr_engine *engine, const char *function, cr_error *err)
{
    if (engine && engine->manifest && engine->fonts)
        return true;
    cr_fail(err, CR_ERR_ARGUMENT, "%s: engine is NULL or has no fonts", function);
    return false;
}

cr_template *cr_template_load_file(cr_engine *engine, const char *path, cr_error *err)
{
    cr_error_clear(err);
    if (!path) {
        cr_fail(err, CR_ERR_ARGUMENT, "cr_template_load_file: path is NULL");
        return NULL;
    }
    if (!engine_ready(engine, "cr_template_load_file", err))
        return NULL;
    return load_composed(engine, cr_compose_file(path, err), path, cr_path_folder(path), err);
}

cr_template *cr_template_load_memory(cr_engine *engine, const char *json, size_t length,
                                     const char *name, const char *base_dir, cr_error *err)
{
    cr_error_clear(err);
    if (!json && length > 0) {
        cr_fail(err, CR_ERR_ARGUMENT, "cr_template_load_memory: json is NULL");
        return NULL;
    }
    if (!engine_ready(engine, "cr_template_load_memory", err))
        return NULL;
    const char *dir = base_dir && base_dir[0] ? base_dir : ".";
    const char *label = name ? name : "<memory>";
    cr_composition *doc = cr_compose_memory(json ? json : "", length, label, dir, err);
    return load_composed(engine, doc, label, strdup(dir), err);
}

void cr_template_pixel_size(const cr_template *tpl, int dpi, int *width, int *height)
{
    int resolution = dpi > 0 ? dpi : tpl ? tpl->dpi : 0;
    double w = tpl ? cr_mm_to_px(tpl->width_mm, resolution) : 0;
    double h = tpl ? cr_mm_to_px(tpl->height_mm, resolution) : 0;
    if (width)
        *width = (int)lround(w);
    if (height)
        *height = (int)lround(h);
}

int cr_template_dpi(const cr_template *tpl)
{
    return tpl ? tpl->dpi : 0;
}

/* ------------------------------------------------------ field contents */

const cr_field *cr_field_for_record(const cr_template *tpl, const cr_field *field,
                                    const cr_record *record, cr_field *scratch, cr_error *err)
{
    if (!field->lang_bind)
        return field;
    const char *lang = record ? cr_record_get(record, field->lang_bind) : NULL;
    const char *file = field->file ? field->file : tpl ? tpl->path : NULL;
    cr_location where = {file, field->line, field->column, field->index, field->name};
    if (!lang) {
        cr_error_set(err, CR_ERR_RECORD, where, "the record %s has no key \"%s\" (\"lang_bind\")",
                     record ? record->path : "(none)", field->lang_bind);
        return NULL;
    }
    if (!looks_like_language_tag(lang)) {
        cr_error_set(err, CR_ERR_RECORD, where,
                     "record key \"%s\" must be a BCP 47 language tag such as \"ug\" (got "
                     "\"%s\")",
                     field->lang_bind, lang);
        return NULL;
    }
    *scratch = *field;
    scratch->lang = (char *)lang;
    return scratch;
}

bool cr_field_is_absent(const cr_field *field, const cr_record *record)
{
    if (!field || !field->optional || !field->bind)
        return false;
    const char *value = record ? cr_record_get(record, field->bind) : NULL;
    return !value || !value[0];
}

const char *cr_field_text(const cr_template *tpl, const cr_field *field, const cr_record *record,
                          cr_error *err)
{
    if (!field) {
        cr_fail(err, CR_ERR_ARGUMENT, "cr_field_text: field is NULL");
        return NULL;
    }
    if (field->text)
        return field->text;
    if (!field->bind) {
        cr_fail(err, CR_ERR_INTERNAL, "cr_field_text: field %d has neither text nor bind",
                field->index);
        return NULL;
    }
    const char *value = record ? cr_record_get(record, field->bind) : NULL;
    if (value)
        return value;
    if (field->optional)
        return "";
    const char *file = field->bind_file ? field->bind_file : tpl ? tpl->path : NULL;
    cr_location where = {file, field->bind_line, field->bind_column, field->index, field->name};
    if (!record)
        cr_error_set(err, CR_ERR_RECORD, where, "no record was given for the key \"%s\"",
                     field->bind);
    else
        cr_error_set(err, CR_ERR_RECORD, where, "the record %s has no key \"%s\"", record->path,
                     field->bind);
    return NULL;
}
