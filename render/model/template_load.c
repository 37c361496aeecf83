/* Template format v1: read with jansson, validated key by key, every error
 * located in the source through json_locate. This file reads the card, its
 * print panels and the field list, and holds the public API; the other
 * sections are in template_read.c, template_text.c and template_shapes.c. */
#include "template_read.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine.h"
#include "error.h"
#include "fonts.h"
#include "mrz.h"
#include "paths.h"

/* Locating a value rescans the text, so a template with very many fields
 * would load in quadratic time; a card never has nearly this many. */
#define MAX_FIELDS 1000

static const char *const top_keys[] = {"version", "name", "card", "fields", NULL};

static const char *const card_keys[] = {"width_mm", "height_mm",  "corner_radius_mm",
                                        "dpi",      "background", "background_image",
                                        "k_panel",  "overlay",    NULL};

/* clang-format off */
static const char *const field_keys[] = {
    "type", "name", "box_mm", "text", "bind", "font", "size_pt", "color", "align", "valign",
    "letter_spacing_em", "line_height_pt", "max_lines", "direction", "lang", "lang_bind", "fit",
    "min_size_pt", "min_scale_x", "kinsoku", "hangul_break", "punctuation_trim",
    "missing_glyph", "writing_mode", "tate_chu_yoko_digits", "panel", "optional",
    "presentation_forms", "repeat", "repeat_separator", "microtext", NULL};
/* clang-format on */

static const char *const image_keys[] = {"type",       "name",     "box_mm", "bind",
                                         "src",        "fit",      "focus",  "pad_color",
                                         "rotate_deg", "opacity",  "adjust", "corner_radius_mm",
                                         "panel",      "optional", "ghost",  NULL};
static const char *const rect_keys[] = {
    "type",    "name",  "box_mm", "fill", "stroke", "stroke_width_mm", "corner_radius_mm",
    "opacity", "panel", NULL};
static const char *const line_keys[] = {"type",  "name",    "from_mm", "to_mm", "width_mm",
                                        "color", "opacity", "panel",   NULL};
static const char *const mrz_keys[] = {"type", "name",  "box_mm", "format",
                                       "keys", "color", "panel",  NULL};

/* In the order of cr_field_type: the names and each type's allowed keys
 * (field_keys are the text field's). */
static const char *const field_type_names[] = {"text",    "image", "rect", "line",
                                               "barcode", "mrz",   NULL};
static const char *const *const keys_by_type[] = {field_keys, image_keys,          rect_keys,
                                                  line_keys,  cr_tpl_barcode_keys, mrz_keys};

/* ---------------------------------------------------------- print panels */

/* In the order of cr_panel (a field goes to one of the first two) and
 * cr_k_mode. */
static const char *const panel_names[] = {"color", "k", NULL};
static const char *const k_mode_names[] = {"threshold", "dither", "ordered", NULL};
static const char *const k_panel_keys[] = {"mode", "threshold", NULL};
static const char *const overlay_keys[] = {"holes_mm", NULL};

/* card.k_panel: {"mode": "threshold", "threshold": 128}, {"mode": "dither"}
 * or {"mode": "ordered"}. */
static cr_status check_k_panel(loader *ld, json_t *object, void *unused)
{
    cr_print_panels *print = &ld->tpl->print;
    int mode = CR_K_THRESHOLD;
    print->k = true;
    cr_status status = cr_tpl_check_keys(ld, object, k_panel_keys);
    if (status == CR_OK)
        status = cr_tpl_read_enum(ld, object, "mode", k_mode_names, &mode);
    print->k_mode = (cr_k_mode)mode;
    if (status == CR_OK && mode != CR_K_THRESHOLD && json_object_get(object, "threshold")) {
        cr_tpl_push_key(ld, "threshold");
        status =
            cr_tpl_fail(ld, CR_JSON_AT_KEY, "\"threshold\" has no effect with \"mode\": \"%s\"",
                        k_mode_names[mode]);
        cr_tpl_pop(ld);
    }
    if (status == CR_OK)
        status = cr_tpl_read_integer(ld, object, "threshold", 1, 255, &print->k_threshold);
    return status;
}

/* One hole [x, y, width, height] that must lie on the card. */
static cr_status check_hole(loader *ld, json_t *hole, size_t index, double out[4])
{
    if (!json_is_array(hole))
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                           "hole %zu must be an array of 4 numbers [x, y, width, height], not %s",
                           index, cr_json_kind(hole, true));
    if (json_array_size(hole) != 4)
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
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
        cr_tpl_push_index(ld, i);
        status = cr_tpl_check_number(ld, label, json_array_get(hole, i), on_card[i], &out[i]);
        cr_tpl_pop(ld);
    }
    if (status == CR_OK && (out[0] + out[2] > tpl->width_mm || out[1] + out[3] > tpl->height_mm))
        status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "hole %zu reaches past the card's %s edge",
                             index, out[0] + out[2] > tpl->width_mm ? "right" : "bottom");
    return status;
}

static cr_status check_holes(loader *ld, json_t *holes)
{
    cr_print_panels *print = &ld->tpl->print;
    if (!json_is_array(holes))
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                           "\"holes_mm\" must be an array of [x, y, width, height], not %s",
                           cr_json_kind(holes, true));
    size_t count = json_array_size(holes);
    print->holes_mm = count ? calloc(count, sizeof *print->holes_mm) : NULL;
    if (count && !print->holes_mm)
        return cr_tpl_fail_nomem(ld);
    cr_status status = CR_OK;
    for (size_t i = 0; i < count && status == CR_OK; i++) {
        cr_tpl_push_index(ld, i);
        status = check_hole(ld, json_array_get(holes, i), i, print->holes_mm[i]);
        cr_tpl_pop(ld);
        print->hole_count = i + 1;
    }
    return status;
}

/* card.overlay: {"holes_mm": [[x, y, width, height], ...]}. */
static cr_status check_overlay(loader *ld, json_t *object, void *unused)
{
    ld->tpl->print.overlay = true;
    cr_status status = cr_tpl_check_keys(ld, object, overlay_keys);
    json_t *holes = json_object_get(object, "holes_mm");
    if (status != CR_OK || !holes)
        return status;
    cr_tpl_push_key(ld, "holes_mm");
    status = check_holes(ld, holes);
    cr_tpl_pop(ld);
    return status;
}

/* "panel": "color" or "k"; a K field gives the card a K panel. */
static cr_status read_panel(loader *ld, json_t *object, cr_field *field)
{
    int panel = CR_PANEL_COLOR;
    cr_status status = cr_tpl_read_enum(ld, object, "panel", panel_names, &panel);
    field->panel = (cr_panel)panel;
    if (field->panel == CR_PANEL_K)
        ld->tpl->print.k = true;
    return status;
}

static cr_status read_card_members(loader *ld, json_t *card)
{
    cr_template *tpl = ld->tpl;
    const range side = {0, 1000, true, NULL};
    cr_status status = cr_tpl_check_keys(ld, card, card_keys);
    if (status == CR_OK)
        status = cr_tpl_read_number(ld, card, "width_mm", false, side, &tpl->width_mm);
    if (status == CR_OK)
        status = cr_tpl_read_number(ld, card, "height_mm", false, side, &tpl->height_mm);
    if (status == CR_OK) {
        double half = fmin(tpl->width_mm, tpl->height_mm) / 2;
        char max_text[64], half_text[32];
        cr_tpl_format_number(half, half_text, sizeof half_text);
        snprintf(max_text, sizeof max_text, "%s, half the card's shorter side", half_text);
        range radius = {0, half, false, max_text};
        status =
            cr_tpl_read_number(ld, card, "corner_radius_mm", false, radius, &tpl->corner_radius_mm);
    }
    if (status == CR_OK)
        status = cr_tpl_read_integer(ld, card, "dpi", CR_DPI_MIN, CR_DPI_MAX, &tpl->dpi);
    if (status == CR_OK)
        status = cr_tpl_read_color(ld, card, "background", &tpl->background);
    if (status == CR_OK)
        status = cr_tpl_read_artwork(ld, card, "background_image", &tpl->background_image_src,
                                     &tpl->background_image);
    if (status == CR_OK)
        status = cr_tpl_read_object(ld, card, "k_panel", check_k_panel, NULL);
    if (status == CR_OK)
        status = cr_tpl_read_object(ld, card, "overlay", check_overlay, NULL);
    return status;
}

static cr_status read_card(loader *ld, json_t *root)
{
    json_t *card = json_object_get(root, "card");
    if (!card)
        return CR_OK;
    cr_tpl_push_key(ld, "card");
    cr_status status;
    if (json_is_object(card))
        status = read_card_members(ld, card);
    else
        status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"card\" must be an object, not %s",
                             cr_json_kind(card, true));
    cr_tpl_pop(ld);
    return status;
}

static cr_status read_type(loader *ld, json_t *object, cr_field *field)
{
    const char *text;
    cr_status status = cr_tpl_get_string(ld, object, "type", &text);
    if (status != CR_OK)
        return status;
    if (!text)
        return cr_tpl_fail_missing(ld, "type");
    for (int i = 0; field_type_names[i]; i++) {
        if (strcmp(text, field_type_names[i]) == 0) {
            field->type = (cr_field_type)i;
            return CR_OK;
        }
    }
    char list[64];
    cr_tpl_join_names(field_type_names, NULL, list, sizeof list);
    cr_tpl_push_key(ld, "type");
    status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "unknown field type \"%s\" (allowed types: %s)",
                         text, list);
    cr_tpl_pop(ld);
    return status;
}

/* The name comes first so that every later error can quote it. */
static cr_status read_field_name(loader *ld, json_t *object, cr_field *field)
{
    const char *name;
    cr_status status = cr_tpl_get_string(ld, object, "name", &name);
    if (status != CR_OK)
        return status;
    status = cr_tpl_copy_string(ld, name ? name : "", &field->name);
    ld->field_name = field->name;
    return status;
}

/* The type comes before the key check: which keys are allowed depends on it. */
static cr_status read_field_members(loader *ld, json_t *object, cr_field *field)
{
    cr_status status = read_field_name(ld, object, field);
    if (status == CR_OK)
        status = read_type(ld, object, field);
    if (status == CR_OK)
        status = cr_tpl_check_keys(ld, object, keys_by_type[field->type]);
    if (status == CR_OK)
        status = read_panel(ld, object, field);
    if (status != CR_OK)
        return status;
    switch (field->type) {
    case CR_FIELD_IMAGE:
        return cr_tpl_read_image_field(ld, object, field);
    case CR_FIELD_RECT:
        return cr_tpl_read_rect_field(ld, object, field);
    case CR_FIELD_LINE:
        return cr_tpl_read_line_field(ld, object, field);
    case CR_FIELD_BARCODE:
        return cr_tpl_read_barcode_field(ld, object, field);
    case CR_FIELD_MRZ:
        return cr_tpl_read_mrz_field(ld, object, field);
    case CR_FIELD_TEXT:
        break;
    }
    return cr_tpl_read_text_field(ld, object, field);
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
    cr_tpl_push_index(ld, index);
    cr_location where = cr_tpl_locate(ld, CR_JSON_AT_VALUE);
    field->line = where.line;
    field->column = where.column;
    field->file = cr_tpl_source_file(ld);
    cr_status status;
    if (json_is_object(object))
        status = read_field_members(ld, object, field);
    else
        status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "a field must be an object, not %s",
                             cr_json_kind(object, true));
    cr_tpl_pop(ld);
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
            cr_tpl_push_index(ld, i);
            cr_tpl_push_key(ld, "name");
            cr_status status =
                cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                            "duplicate field name \"%s\": field %zu (%s:%d:%d) has it too",
                            field->name, j, first->file, first->line, first->column);
            cr_tpl_pop(ld);
            cr_tpl_pop(ld);
            return status;
        }
    }
    return CR_OK;
}

static cr_status check_fields(loader *ld, json_t *fields, void *unused)
{
    if (!json_is_array(fields))
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"fields\" must be an array, not %s",
                           cr_json_kind(fields, true));
    size_t count = json_array_size(fields);
    if (count > MAX_FIELDS)
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                           "\"fields\" has %zu fields; at most %d are allowed", count, MAX_FIELDS);
    if (count == 0)
        return CR_OK;
    ld->tpl->fields = calloc(count, sizeof *ld->tpl->fields);
    if (!ld->tpl->fields)
        return cr_tpl_fail_nomem(ld);
    ld->tpl->field_count = count;
    cr_status status = CR_OK;
    for (size_t i = 0; i < count && status == CR_OK; i++)
        status = read_field(ld, json_array_get(fields, i), i);
    return status == CR_OK ? check_unique_names(ld) : status;
}

static cr_status read_fields(loader *ld, json_t *root)
{
    return cr_tpl_read_required(ld, root, "fields", check_fields, NULL);
}
/* The version comes before the key check: a newer template is better told
 * its version than that its new keys are unknown. */
static cr_status read_template(loader *ld, json_t *root)
{
    if (!json_is_object(root))
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "a template must be a JSON object, not %s",
                           cr_json_kind(root, true));
    const char *name;
    cr_status status = cr_tpl_read_version(ld, root);
    if (status == CR_OK)
        status = cr_tpl_check_keys(ld, root, top_keys);
    if (status == CR_OK)
        status = cr_tpl_get_string(ld, root, "name", &name);
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
    free(field->repeat_separator);
    free(field->image.src);
    cr_pixmap_free(&field->image.artwork);
    cr_mrz_field_free(field->mrz);
}

/* ------------------------------------------------------------ user data */

/* Made lock-free: the first caller to hang its data wins; a racing caller's
 * copy is destroyed unused (what stages hang here is cheap to make empty). */
struct cr_user_data_slot {
    _Atomic(void *) data;
    void (*destroy)(void *data); /* written once, by the winner; read at destroy */
};

static cr_user_data_slot *user_data_new(void)
{
    cr_user_data_slot *slot = calloc(1, sizeof *slot);
    if (slot)
        atomic_init(&slot->data, NULL);
    return slot;
}

static void user_data_free(cr_user_data_slot *slot)
{
    void *data = slot ? atomic_load(&slot->data) : NULL;
    if (data && slot->destroy)
        slot->destroy(data);
    free(slot);
}

void *cr_template_user_data(const cr_template *tpl, void *(*create)(void),
                            void (*destroy)(void *data))
{
    cr_user_data_slot *slot = tpl->user_data;
    void *data = slot ? atomic_load(&slot->data) : NULL;
    if (!slot || data)
        return data;
    void *made = create();
    if (!made)
        return NULL;
    if (atomic_compare_exchange_strong(&slot->data, &data, made)) {
        slot->destroy = destroy;
        return made;
    }
    destroy(made); /* another thread's is there: data holds it */
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
    cr_engine_destroy(tpl->engine); /* last: the faces freed above were its */
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
    tpl->engine = cr_engine_ref(engine);
    loader ld = {.engine = engine, .doc = doc, .tpl = tpl, .err = err, .field_index = -1};
    cr_status status = cr_tpl_finish_artwork(&ld, read_template(&ld, cr_composition_root(doc)));
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
    if (!cr_tpl_looks_like_language_tag(lang)) {
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

cr_status cr_field_value_fits(const cr_template *tpl, const cr_field *field, const char *text,
                              size_t max_bytes, cr_error *err)
{
    size_t limit = max_bytes ? max_bytes : CR_DEFAULT_MAX_VALUE_BYTES;
    size_t length = field->bind && text ? strlen(text) : 0;
    if (length <= limit)
        return CR_OK;
    const char *file = field->bind_file ? field->bind_file : tpl ? tpl->path : NULL;
    cr_location where = {file, field->bind_line, field->bind_column, field->index, field->name};
    return cr_error_set(err, CR_ERR_RECORD, where,
                        "record key \"%s\": the value is %zu bytes, more than the limit of %zu",
                        field->bind, length, limit);
}

bool cr_field_is_absent(const cr_field *field, const cr_record *record)
{
    if (!field || !field->optional || !field->bind)
        return false;
    if (field->type == CR_FIELD_IMAGE && cr_record_image_of(record, field->bind))
        return false;
    const char *value = record ? cr_record_get(record, field->bind) : NULL;
    return !value || !value[0];
}

bool cr_field_bound_in(const cr_field *field, const cr_record *record)
{
    if (!field || !field->bind || !record)
        return false;
    if (field->type == CR_FIELD_IMAGE && cr_record_image_of(record, field->bind))
        return true;
    return cr_record_get(record, field->bind) != NULL;
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
