#include "layout_dump.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hb.h>

/* Enough digits to give back every template number and every 26.6 value
 * in pixels exactly, without the noise of 17 (85.6, not 85.59999999999999). */
#define REAL_PRECISION 15

/* Each setter below records a failure in *ok instead of returning it, so a
 * builder reads as a plain list of members and checks once at the end. */
static void set(json_t *object, const char *key, json_t *value, bool *ok)
{
    if (!value || json_object_set_new(object, key, value) != 0)
        *ok = false;
}

static void append(json_t *array, json_t *value, bool *ok)
{
    if (!value || json_array_append_new(array, value) != 0)
        *ok = false;
}

/* A 26.6 length as "NAME_26_6" (the integer) and "NAME_px" (pixels). */
static void set_length(json_t *object, const char *name, int32_t value, bool *ok)
{
    char key[64];
    snprintf(key, sizeof key, "%s_26_6", name);
    set(object, key, json_integer(value), ok);
    snprintf(key, sizeof key, "%s_px", name);
    set(object, key, json_real(value / 64.0), ok);
}

/* Bytes [start, end) of the text (boundaries of characters). */
static json_t *substring(const char *text, uint32_t start, uint32_t end)
{
    return json_stringn(text + start, end > start ? end - start : 0);
}

static json_t *string_or_null(const char *text)
{
    return text ? json_string(text) : json_null();
}

/* Returns object, or NULL (freeing it) when a member could not be set. */
static json_t *finish(json_t *object, bool ok)
{
    if (ok && object)
        return object;
    json_decref(object);
    return NULL;
}

/* ----------------------------------------------------------- document */

static json_t *units(void)
{
    json_t *object = json_object();
    bool ok = object != NULL;
    if (ok) {
        set(object, "_26_6", json_string("1/64 pixel at dpi, as the engine computes"), &ok);
        set(object, "_px", json_string("the same in pixels (value / 64)"), &ok);
        set(object, "axes", json_string("card coordinates: x right, y down from the top-left"),
            &ok);
        set(object, "offsets", json_string("bytes of the field's UTF-8 text, end exclusive"), &ok);
        set(object, "bidi_level", json_string("UAX #9 embedding level, odd = right to left"), &ok);
    }
    return finish(object, ok);
}

json_t *cr_layout_dump_document(const char *template_path, const char *record_path, int dpi)
{
    json_t *document = json_object();
    bool ok = document != NULL;
    if (ok) {
        set(document, "format", json_string(CR_LAYOUT_DUMP_FORMAT), &ok);
        set(document, "units", units(), &ok);
        set(document, "template", string_or_null(template_path), &ok);
        set(document, "record", string_or_null(record_path), &ok);
        set(document, "dpi", json_integer(dpi), &ok);
        set(document, "fields", json_array(), &ok);
    }
    return finish(document, ok);
}

bool cr_layout_dump_add_field(json_t *document, json_t *field)
{
    json_t *fields = json_object_get(document, "fields");
    if (!field || !json_is_array(fields)) {
        json_decref(field);
        return false;
    }
    return json_array_append_new(fields, field) == 0;
}

char *cr_layout_dump_text(const json_t *document)
{
    char *text = json_dumps(document, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                          JSON_REAL_PRECISION(REAL_PRECISION));
    if (!text)
        return NULL;
    size_t length = strlen(text);
    char *with_newline = realloc(text, length + 2);
    if (!with_newline) {
        free(text);
        return NULL;
    }
    with_newline[length] = '\n';
    with_newline[length + 1] = '\0';
    return with_newline;
}

/* -------------------------------------------------------------- field */

static const char *writing_mode_name(cr_writing_mode mode)
{
    switch (mode) {
    case CR_WRITING_VERTICAL_MONGOLIAN:
        return "vertical-mongolian";
    case CR_WRITING_VERTICAL_CJK:
        return "vertical-cjk";
    default:
        return "horizontal";
    }
}

/* index, name, text, box and writing mode: what every field object starts
 * with. */
static json_t *field_head(const cr_field *field, const char *text, bool *ok)
{
    json_t *object = json_object();
    json_t *box = json_pack("[ffff]", field->x_mm, field->y_mm, field->w_mm, field->h_mm);
    *ok = object != NULL;
    if (*ok) {
        set(object, "index", json_integer(field->index), ok);
        set(object, "name", json_string(field->name ? field->name : ""), ok);
        set(object, "text", string_or_null(text), ok);
        set(object, "box_mm", box, ok);
        set(object, "writing_mode", json_string(writing_mode_name(field->writing_mode)), ok);
    } else {
        json_decref(box);
    }
    return object;
}

json_t *cr_layout_dump_field_error(const cr_field *field, const char *text, const cr_error *err)
{
    bool ok;
    json_t *object = field_head(field, text, &ok);
    if (object)
        set(object, "error", json_string(err ? err->message : "unknown error"), &ok);
    return finish(object, ok);
}

json_t *cr_layout_dump_barcode(const cr_field *field, const char *text,
                               const cr_barcode_layout *layout)
{
    bool ok;
    json_t *object = field_head(field, text, &ok);
    if (!object)
        return NULL;
    const cr_pixel_box *s = &layout->symbol;
    set(object, "type", json_string("barcode"), &ok);
    set(object, "symbology", json_string(cr_symbology_name(field->barcode.symbology)), &ok);
    set(object, "columns", json_integer(layout->columns), &ok);
    set(object, "rows", json_integer(layout->rows), &ok);
    set(object, "module_px", json_integer(layout->module_px), &ok);
    set(object, "quiet_zone", json_integer(field->barcode.quiet_zone), &ok);
    set(object, "symbol_px", json_pack("[iiii]", s->x0, s->y0, s->x1 - s->x0, s->y1 - s->y0), &ok);
    return finish(object, ok);
}

static json_t *warnings_array(const cr_text_layout *layout)
{
    json_t *array = json_array();
    bool ok = array != NULL;
    for (size_t i = 0; ok && i < layout->warning_count; i++)
        append(array, json_string(layout->warnings[i].message), &ok);
    return finish(array, ok);
}

static json_t *breaks_array(const cr_text_layout *layout)
{
    json_t *array = json_array();
    bool ok = array != NULL;
    for (size_t i = 0; ok && i < layout->break_count; i++)
        append(array, json_integer(layout->breaks[i]), &ok);
    return finish(array, ok);
}

static json_t *line_object(const cr_text_layout *layout, const char *text, size_t index)
{
    const cr_text_line *line = &layout->lines[index];
    json_t *object = json_object(), *runs = json_array();
    bool ok = object && runs;
    for (size_t r = 0; ok && r < line->run_count; r++)
        append(runs, json_integer((json_int_t)(line->first_run + r)), &ok);
    if (!ok) {
        json_decref(runs);
        return finish(object, false);
    }
    set(object, "index", json_integer((json_int_t)index), &ok);
    set(object, "start", json_integer(line->start), &ok);
    set(object, "end", json_integer(line->end), &ok);
    set(object, "text", substring(text, line->start, line->end), &ok);
    set_length(object, "baseline", line->baseline, &ok);
    set_length(object, "x", line->x, &ok);
    set_length(object, "width", line->width, &ok);
    set(object, "runs", runs, &ok);
    return finish(object, ok);
}

static json_t *font_object(const cr_face *face)
{
    json_t *object = json_object();
    bool ok = object != NULL;
    if (ok) {
        set(object, "family", string_or_null(face ? face->family : NULL), &ok);
        set(object, "file", string_or_null(face ? face->path : NULL), &ok);
        set(object, "face_index", face ? json_integer(face->index) : json_null(), &ok);
    }
    return finish(object, ok);
}

/* The run's size: every glyph of a run has the same; a run without glyphs
 * has none to show. */
static void set_ppem(json_t *object, const cr_text_layout *layout, const cr_text_run *run, bool *ok)
{
    if (run->glyph_count > 0) {
        set_length(object, "ppem", layout->glyphs[run->first_glyph].ppem, ok);
        return;
    }
    set(object, "ppem_26_6", json_null(), ok);
    set(object, "ppem_px", json_null(), ok);
}

static json_t *run_object(const cr_text_layout *layout, const char *text, size_t index)
{
    const cr_text_run *run = &layout->runs[index];
    json_t *object = json_object();
    bool ok = object != NULL;
    if (!ok)
        return NULL;
    set(object, "index", json_integer((json_int_t)index), &ok);
    set(object, "start", json_integer(run->start), &ok);
    set(object, "end", json_integer(run->end), &ok);
    set(object, "text", substring(text, run->start, run->end), &ok);
    set(object, "script", json_string(run->script), &ok);
    set(object, "lang", json_string(run->lang), &ok);
    set(object, "direction", json_string(run->bidi_level & 1 ? "rtl" : "ltr"), &ok);
    set(object, "bidi_level", json_integer(run->bidi_level), &ok);
    set(object, "font", font_object(run->face), &ok);
    set_ppem(object, layout, run, &ok);
    set(object, "first_glyph", json_integer((json_int_t)run->first_glyph), &ok);
    set(object, "glyph_count", json_integer((json_int_t)run->glyph_count), &ok);
    return finish(object, ok);
}

static json_t *glyph_name(const cr_face *face, uint32_t glyph_id)
{
    char name[128];
    if (face && face->hb_font && hb_font_get_glyph_name(face->hb_font, glyph_id, name, sizeof name))
        return json_string(name);
    return json_null();
}

/* run: the run holding the glyph, or SIZE_MAX for none. */
static json_t *glyph_object(const cr_text_layout *layout, size_t index, size_t run)
{
    const cr_glyph_pos *g = &layout->glyphs[index];
    json_t *object = json_object();
    bool ok = object != NULL;
    if (!ok)
        return NULL;
    set(object, "index", json_integer((json_int_t)index), &ok);
    set(object, "glyph_id", json_integer(g->glyph_id), &ok);
    set(object, "glyph_name", glyph_name(g->face, g->glyph_id), &ok);
    set(object, "cluster", json_integer(g->cluster), &ok);
    set(object, "run", run == SIZE_MAX ? json_null() : json_integer((json_int_t)run), &ok);
    set_length(object, "x", g->x, &ok);
    set_length(object, "y", g->y, &ok);
    set_length(object, "advance", g->advance, &ok);
    set(object, "rotation", json_integer(g->rotation), &ok);
    return finish(object, ok);
}

static json_t *lines_array(const cr_text_layout *layout, const char *text)
{
    json_t *array = json_array();
    bool ok = array != NULL;
    for (size_t i = 0; ok && i < layout->line_count; i++)
        append(array, line_object(layout, text, i), &ok);
    return finish(array, ok);
}

static json_t *runs_array(const cr_text_layout *layout, const char *text)
{
    json_t *array = json_array();
    bool ok = array != NULL;
    for (size_t i = 0; ok && i < layout->run_count; i++)
        append(array, run_object(layout, text, i), &ok);
    return finish(array, ok);
}

/* The run of every glyph (SIZE_MAX for a glyph in none); malloc'ed. */
static size_t *runs_of_glyphs(const cr_text_layout *layout)
{
    size_t *run_of = malloc((layout->glyph_count ? layout->glyph_count : 1) * sizeof *run_of);
    if (!run_of)
        return NULL;
    for (size_t g = 0; g < layout->glyph_count; g++)
        run_of[g] = SIZE_MAX;
    for (size_t r = 0; r < layout->run_count; r++) {
        const cr_text_run *run = &layout->runs[r];
        for (size_t g = run->first_glyph;
             g < run->first_glyph + run->glyph_count && g < layout->glyph_count; g++)
            run_of[g] = r;
    }
    return run_of;
}

static json_t *glyphs_array(const cr_text_layout *layout)
{
    json_t *array = json_array();
    size_t *run_of = runs_of_glyphs(layout);
    bool ok = array && run_of;
    for (size_t g = 0; ok && g < layout->glyph_count; g++)
        append(array, glyph_object(layout, g, run_of[g]), &ok);
    free(run_of);
    return finish(array, ok);
}

json_t *cr_layout_dump_field(const cr_field *field, const char *text, const cr_text_layout *layout)
{
    if (layout->text)
        text = layout->text; /* the offsets are into the text laid out */
    bool ok;
    json_t *object = field_head(field, text, &ok);
    if (!object)
        return NULL;
    set(object, "size_pt", json_real(layout->size_pt), &ok);
    set(object, "scale_x", json_real(layout->scale_x), &ok);
    set(object, "overflow", json_boolean(layout->overflow), &ok);
    set(object, "overflow_reason",
        layout->overflow ? json_string(layout->overflow_reason) : json_null(), &ok);
    set(object, "warnings", warnings_array(layout), &ok);
    set(object, "breaks", breaks_array(layout), &ok);
    set(object, "lines", lines_array(layout, text), &ok);
    set(object, "runs", runs_array(layout, text), &ok);
    set(object, "glyphs", glyphs_array(layout), &ok);
    return finish(object, ok);
}
