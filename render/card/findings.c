/* cr_check: the findings of `cardrender check` as a library call, one line
 * each, so the CLI and any binding print the same words. A template's own
 * findings (boxes, fixed text) come from a pass without a record; a
 * record's (keys it lacks, bound text, photos) from a pass with it, which
 * leaves the fixed text to the template's pass. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "error.h"
#include "options.h"
#include "template.h"

/* What one pass has found so far. */
typedef struct finder {
    const cr_template *tpl;
    const cr_check_options *options;
    const char *subject; /* the template's path or the record's name */
    bool bound_only;     /* a record's pass: fixed text was the template's */
    size_t count;
} finder;

/* Where a finding points and what it is. */
typedef struct finding_at {
    const char *kind;
    int field_index; /* -1: no field */
    const char *field_name;
    const char *file; /* NULL: unknown */
    int line, column; /* <= 0: unknown */
} finding_at;

static finding_at at_field(const char *kind, const cr_template *tpl, const cr_field *field)
{
    cr_location where = cr_field_location(tpl, field);
    return (finding_at){kind, field->index, field->name, where.file, where.line, where.column};
}

/* Hands "SUBJECT: field N "NAME": DETAIL" to the caller. */
static void emit(finder *f, const finding_at *at, const char *detail)
{
    f->count++;
    if (!f->options->finding)
        return;
    const char *name = at->field_name ? at->field_name : "";
    char text[8192];
    if (at->field_index < 0)
        snprintf(text, sizeof text, "%s: %s", f->subject, detail);
    else if (name[0])
        snprintf(text, sizeof text, "%s: field %d \"%s\": %s", f->subject, at->field_index, name,
                 detail);
    else
        snprintf(text, sizeof text, "%s: field %d: %s", f->subject, at->field_index, detail);
    cr_finding finding = {
        .text = text,
        .subject = f->subject,
        .kind = at->kind,
        .field_index = at->field_index,
        .field_name = name,
        .file = at->file ? at->file : "",
        .line = at->line > 0 ? at->line : -1,
        .column = at->line > 0 && at->column > 0 ? at->column : -1,
        .detail = detail,
    };
    f->options->finding(f->options->finding_data, &finding);
}

static void emitf(finder *f, const finding_at *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void emitf(finder *f, const finding_at *at, const char *fmt, ...)
{
    char detail[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    emit(f, at, detail);
}

/* ------------------------------------------------------------- problems */

/* The part of an error's message after "FILE:LINE:COL: field N "NAME": ",
 * which the finding's own subject and field replace. */
static const char *message_body(const cr_error *e)
{
    char prefix[sizeof e->file + sizeof e->field_name + 64];
    int n = 0;
    if (e->file[0]) {
        n += snprintf(prefix + n, sizeof prefix - (size_t)n, "%s:", e->file);
        if (e->line > 0)
            n += snprintf(prefix + n, sizeof prefix - (size_t)n, "%d:", e->line);
        if (e->line > 0 && e->column > 0)
            n += snprintf(prefix + n, sizeof prefix - (size_t)n, "%d:", e->column);
        n += snprintf(prefix + n, sizeof prefix - (size_t)n, " ");
    }
    if (e->field_index >= 0) {
        n += snprintf(prefix + n, sizeof prefix - (size_t)n, "field %d", e->field_index);
        if (e->field_name[0])
            n += snprintf(prefix + n, sizeof prefix - (size_t)n, " \"%s\"", e->field_name);
        n += snprintf(prefix + n, sizeof prefix - (size_t)n, ": ");
    }
    bool same = n > 0 && (size_t)n < sizeof prefix && !strncmp(e->message, prefix, (size_t)n);
    return same ? e->message + n : e->message;
}

/* A problem's text without "the record NAME: " in front (a photo's error
 * names its record) when the subject already is that record. */
static const char *without_record(const finder *f, const char *body)
{
    static const char lead[] = "the record ";
    size_t n = strlen(f->subject);
    if (!f->bound_only || strncmp(body, lead, sizeof lead - 1))
        return body;
    const char *rest = body + sizeof lead - 1;
    return !strncmp(rest, f->subject, n) && !strncmp(rest + n, ": ", 2) ? rest + n + 2 : body;
}

/* In a record's pass, fixed text is not reported again. */
static bool skipped(const finder *f, int field_index)
{
    if (!f->bound_only || field_index < 0 || (size_t)field_index >= f->tpl->field_count)
        return false;
    return !cr_field_depends_on_record(&f->tpl->fields[field_index]);
}

/* Characters drawn as .notdef, fields that could not be laid out, photos
 * that cannot be read: cr_check_layout's problems. */
static void on_problem(void *data, const char *kind, const cr_error *problem)
{
    finder *f = data;
    if (skipped(f, problem->field_index))
        return;
    int index = problem->field_index;
    bool known = index >= 0 && (size_t)index < f->tpl->field_count;
    /* the template's name: the error's copy may be cut short */
    const char *name = known ? f->tpl->fields[index].name : problem->field_name;
    finding_at at = {kind, index, name, problem->file, problem->line, problem->column};
    emit(f, &at, without_record(f, message_body(problem)));
}

/* How each text field came out: overflow, shrink, condense. */
static void on_report(void *data, const cr_field_report *r)
{
    finder *f = data;
    if (skipped(f, r->field_index))
        return;
    const cr_field *field = &f->tpl->fields[r->field_index];
    finding_at at = at_field("overflow", f->tpl, field);
    if (r->overflow)
        emitf(f, &at, "overflows: %s", r->reason);
    at.kind = "shrunk";
    if (r->used_size_pt < r->size_pt - 1e-9)
        emitf(f, &at, "shrunk from %g to %g pt to fit", r->size_pt, r->used_size_pt);
    at.kind = "condensed";
    if (r->scale_x < 1 - 1e-9)
        emitf(f, &at, "condensed to %.1f%% to fit", r->scale_x * 100);
}

static cr_status check_layout(cr_engine *engine, const cr_record *record, finder *f, cr_error *err)
{
    const cr_check_options *o = f->options;
    cr_render_options options;
    cr_render_options_init(&options);
    options.dpi = o->dpi;
    options.asset_dir = o->asset_dir;
    options.max_value_bytes = o->max_value_bytes;
    options.max_image_pixels = o->max_image_pixels;
    options.field_report = on_report;
    options.field_report_data = f;
    return cr_check_fields(engine, f->tpl, record, &options, on_problem, f, err);
}

/* ---------------------------------------------------------- the template */

/* Text and pictures stay inside the safe margin; nothing leaves the card. */
static void check_boxes(finder *f)
{
    double width = f->tpl->width_mm, height = f->tpl->height_mm;
    double s = f->options->safe_mm == 0 ? 3 : f->options->safe_mm;
    for (size_t i = 0; i < f->tpl->field_count; i++) {
        cr_field_info b;
        cr_template_field(f->tpl, i, &b);
        double right = b.x_mm + b.width_mm, bottom = b.y_mm + b.height_mm;
        bool content = !strcmp(b.type, "text") || !strcmp(b.type, "image");
        finding_at at = at_field("box_outside", f->tpl, &f->tpl->fields[i]);
        if (b.x_mm < 0 || b.y_mm < 0 || right > width || bottom > height) {
            emitf(f, &at, "box [%g, %g, %g, %g] mm reaches outside the %g x %g mm card", b.x_mm,
                  b.y_mm, b.width_mm, b.height_mm, width, height);
        } else if (content && s > 0 &&
                   (b.x_mm < s || b.y_mm < s || right > width - s || bottom > height - s)) {
            at.kind = "safe_margin";
            emitf(f, &at, "box [%g, %g, %g, %g] mm reaches into the %g mm safe margin", b.x_mm,
                  b.y_mm, b.width_mm, b.height_mm, s);
        }
    }
}

/* ------------------------------------------------------------- a record */

/* Every key the template binds that the record lacks (an optional one may),
 * pointing at the field's "bind". */
static void check_binds(const cr_record *record, finder *f)
{
    for (size_t i = 0; i < f->tpl->field_count; i++) {
        const cr_field *field = &f->tpl->fields[i];
        if (!field->bind || field->optional || cr_field_bound_in(field, record))
            continue;
        finding_at at = at_field("missing_key", f->tpl, field);
        if (field->bind_line > 0) {
            at.file = field->bind_file ? field->bind_file : f->tpl->path;
            at.line = field->bind_line;
            at.column = field->bind_column;
        }
        emitf(f, &at, "the record has no key \"%s\"", field->bind);
    }
}

/* ---------------------------------------------------------------- public */

void cr_check_options_init(cr_check_options *options)
{
    if (options)
        *options = (cr_check_options){.struct_size = sizeof *options};
}

cr_status cr_check(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                   const cr_check_options *caller_options, size_t *count, cr_error *err)
{
    cr_error_clear(err);
    if (count)
        *count = 0;
    if (!engine || !tpl)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_check needs an engine and a template");
    cr_check_options options;
    cr_check_options_init(&options);
    cr_status status =
        cr_options_take(&options, sizeof options, caller_options, "cr_check_options", err);
    if (status != CR_OK)
        return status;
    if (options.dpi && (options.dpi < CR_DPI_MIN || options.dpi > CR_DPI_MAX))
        return cr_fail(err, CR_ERR_ARGUMENT, "resolution %d dpi is out of range (%d to %d)",
                       options.dpi, CR_DPI_MIN, CR_DPI_MAX);
    finder f = {tpl, &options, tpl->path, record != NULL, 0};
    if (record) {
        f.subject = record->path;
        check_binds(record, &f);
    } else {
        check_boxes(&f);
    }
    status = check_layout(engine, record, &f, err);
    if (count)
        *count = f.count;
    return status;
}
