/* What `cardrender layout` prints (layout_report.h): each text field laid
 * out (and each barcode encoded and placed) as cr_render would, as a summary or as the JSON of
 * layout_dump.h. */
#include "layout_report.h"

#include <stdio.h>
#include <stdlib.h>

#include "barcode.h"
#include "layout.h"
#include "layout_dump.h"
#include "mrz_paint.h"
#include "template.h"

/* ------------------------------------------------------------ summary */

static const char *plural(size_t count)
{
    return count == 1 ? "" : "s";
}

static void print_run(const cr_text_run *run, const char *text)
{
    printf("%s/%s %s L%u \"%.*s\" (%s, %zu glyph%s)", run->script, run->lang[0] ? run->lang : "-",
           run->bidi_level & 1 ? "rtl" : "ltr", (unsigned)run->bidi_level,
           (int)(run->end - run->start), text + run->start,
           run->face && run->face->family ? run->face->family : "no font", run->glyph_count,
           plural(run->glyph_count));
}

/* Vertical fields: a line is a column, baseline its top, x its axis. */
static void print_line(const cr_field *field, const cr_text_layout *layout, size_t index,
                       const char *text)
{
    const cr_text_line *line = &layout->lines[index];
    bool vertical = field->writing_mode != CR_WRITING_HORIZONTAL;
    printf(vertical ? "  column %zu, bytes %u-%u, top %.2f px, axis x %.2f px, length %.2f px:"
                    : "  line %zu, bytes %u-%u, baseline %.2f px, x %.2f px, width %.2f px:",
           index + 1, (unsigned)line->start, (unsigned)line->end, line->baseline / 64.0,
           line->x / 64.0, line->width / 64.0);
    for (size_t r = 0; r < line->run_count; r++) {
        printf(r ? " | " : " ");
        print_run(&layout->runs[line->first_run + r], text);
    }
    printf("\n");
}

static void print_summary(const cr_field *field, const char *text, const cr_text_layout *layout)
{
    if (layout->text)
        text = layout->text; /* the offsets are into the text laid out */
    printf("field %d \"%s\": %g pt, scale %.3f, %zu line%s, %zu glyph%s", field->index, field->name,
           layout->size_pt, layout->scale_x, layout->line_count, plural(layout->line_count),
           layout->glyph_count, plural(layout->glyph_count));
    if (layout->overflow)
        printf(", OVERFLOW: %s", layout->overflow_reason);
    printf("\n");
    for (size_t i = 0; i < layout->line_count; i++)
        print_line(field, layout, i, text);
    for (size_t i = 0; i < layout->warning_count; i++)
        printf("  warning: %s\n", layout->warnings[i].message);
}

/* -------------------------------------------------------------- fields */

/* What one run of the command needs to lay out and report fields. */
typedef struct session {
    bool json;
    bool quiet; /* nothing on stderr: the document says it all */
    cr_engine *engine;
    const cr_template *tpl;
    const cr_record *record;
    int dpi;
    json_t *document; /* NULL without --json */
} session;

/* A field's text or layout failed: said on stderr, and in the JSON. */
static bool report_field_error(session *s, const cr_field *field, const char *text,
                               const cr_error *err)
{
    if (!s->quiet)
        fprintf(stderr, "cardrender: %s\n", err->message);
    if (!s->json) {
        printf("field %d \"%s\": ERROR (see stderr)\n", field->index, field->name);
        return true;
    }
    return cr_layout_dump_add_field(s->document, cr_layout_dump_field_error(field, text, err));
}

static bool report_field(session *s, const cr_field *field, const char *text,
                         const cr_text_layout *layout)
{
    if (!s->json) {
        print_summary(field, text, layout);
        return true;
    }
    return cr_layout_dump_add_field(s->document, cr_layout_dump_field(field, text, layout));
}

/* Lays out one field; false when it failed (the failure is reported). */
static bool lay_out_field(session *s, const cr_field *field, bool *memory_ok)
{
    cr_error err;
    const char *text = cr_field_text(s->tpl, field, s->record, &err);
    cr_field with_lang;
    const cr_field *applied =
        text ? cr_field_for_record(s->tpl, field, s->record, &with_lang, &err) : NULL;
    cr_text_layout layout;
    if (!applied ||
        cr_layout_text(s->engine, s->tpl, applied, text, s->dpi, &layout, &err) != CR_OK) {
        *memory_ok = report_field_error(s, field, text, &err) && *memory_ok;
        return false;
    }
    *memory_ok = report_field(s, field, text, &layout) && *memory_ok;
    cr_text_layout_free(&layout);
    return true;
}

static void print_barcode(const cr_field *field, const cr_barcode_layout *layout)
{
    const cr_pixel_box *s = &layout->symbol;
    printf("field %d \"%s\": barcode %s, %d x %d modules, module %d px, quiet zone %d, symbol "
           "%d x %d px at (%d, %d)\n",
           field->index, field->name, cr_symbology_name(field->barcode.symbology), layout->columns,
           layout->rows, layout->module_px, field->barcode.quiet_zone, s->x1 - s->x0, s->y1 - s->y0,
           s->x0, s->y0);
}

/* Encodes and places one barcode field; false when it failed (reported). */
static bool lay_out_barcode(session *s, const cr_field *field, bool *memory_ok)
{
    cr_error err;
    const char *text = cr_field_text(s->tpl, field, s->record, &err);
    cr_barcode_layout layout;
    if (!text || cr_barcode_lay_out(s->tpl, field, text, s->dpi, &layout, &err) != CR_OK) {
        *memory_ok = report_field_error(s, field, text, &err) && *memory_ok;
        return false;
    }
    if (!s->json)
        print_barcode(field, &layout);
    else
        *memory_ok =
            cr_layout_dump_add_field(s->document, cr_layout_dump_barcode(field, text, &layout)) &&
            *memory_ok;
    cr_barcode_layout_free(&layout);
    return true;
}

/* The MRZ lines as strings, so a reader of the document gets them back
 * without OCR. */
static json_t *mrz_lines_array(const cr_text_layout *layout)
{
    json_t *lines = json_array();
    for (size_t i = 0; lines && i < layout->line_count; i++) {
        const cr_text_line *line = &layout->lines[i];
        json_array_append_new(lines,
                              json_stringn(layout->text + line->start, line->end - line->start));
    }
    return lines;
}

/* An MRZ field: its lines laid out on the 9303 grid, reported as text is,
 * with "type": "mrz" and "mrz_lines" in the JSON. */
static bool lay_out_mrz_field(session *s, const cr_field *field, bool *memory_ok)
{
    cr_error err;
    cr_text_layout layout;
    if (cr_mrz_layout(s->tpl, field, s->record, s->dpi, &layout, &err) != CR_OK) {
        *memory_ok = report_field_error(s, field, NULL, &err) && *memory_ok;
        return false;
    }
    if (!s->json) {
        print_summary(field, layout.text, &layout);
    } else {
        json_t *object = cr_layout_dump_field(field, layout.text, &layout);
        bool ok = object && json_object_set_new(object, "type", json_string("mrz")) == 0 &&
                  json_object_set_new(object, "mrz_lines", mrz_lines_array(&layout)) == 0;
        if (!ok) {
            json_decref(object);
            object = NULL;
        }
        *memory_ok = cr_layout_dump_add_field(s->document, object) && *memory_ok;
    }
    cr_text_layout_free(&layout);
    return true;
}

/* Every text field into the document (or printed); false when one
 * failed, and *memory_ok false when out of memory. */
static bool lay_out_all(session *s, bool *memory_ok)
{
    bool all_ok = true;
    for (size_t i = 0; i < s->tpl->field_count; i++)
        if (s->tpl->fields[i].type == CR_FIELD_TEXT)
            all_ok = lay_out_field(s, &s->tpl->fields[i], memory_ok) && all_ok;
        else if (s->tpl->fields[i].type == CR_FIELD_BARCODE)
            all_ok = lay_out_barcode(s, &s->tpl->fields[i], memory_ok) && all_ok;
        else if (s->tpl->fields[i].type == CR_FIELD_MRZ)
            all_ok = lay_out_mrz_field(s, &s->tpl->fields[i], memory_ok) && all_ok;
    return all_ok;
}

static bool lay_out_fields(session *s)
{
    bool memory_ok = true;
    bool all_ok = lay_out_all(s, &memory_ok);
    char *dump = s->document && memory_ok ? cr_layout_dump_text(s->document) : NULL;
    if (s->document && !dump) {
        fprintf(stderr, "cardrender layout: out of memory writing the layout\n");
        return false;
    }
    if (dump)
        fputs(dump, stdout);
    free(dump);
    return all_ok;
}

/* ---------------------------------------------------------------- entry */

bool cr_layout_report(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                      const char *template_path, const char *record_path, int dpi, bool json)
{
    session s = {json, false, engine, tpl, record, dpi, NULL};
    if (json) {
        s.document = cr_layout_dump_document(template_path, record_path, dpi);
        if (!s.document) {
            fprintf(stderr, "cardrender layout: out of memory\n");
            return false;
        }
    }
    bool ok = lay_out_fields(&s);
    json_decref(s.document);
    return ok;
}

json_t *cr_layout_document(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                           const char *template_path, const char *record_path, int dpi)
{
    session s = {true,
                 true,
                 engine,
                 tpl,
                 record,
                 dpi,
                 cr_layout_dump_document(template_path, record_path, dpi)};
    bool memory_ok = s.document != NULL;
    if (memory_ok)
        lay_out_all(&s, &memory_ok);
    if (!memory_ok) {
        json_decref(s.document);
        return NULL;
    }
    return s.document;
}
