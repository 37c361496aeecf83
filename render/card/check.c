/* cr_check_layout: every text field laid out as cr_render lays it out, and
 * every bound photo read as cr_render reads it, with nothing painted, going
 * on past the problems that would stop a render, so that a check can list
 * all of them at once. */
#include <stdlib.h>

#include "draw_fields.h"
#include "error.h"
#include "font_select.h"
#include "layout.h"
#include "template.h"

static void warn(const cr_render_options *options, const cr_error *problem)
{
    if (options && options->warning)
        options->warning(options->warning_data, problem);
}

/* A problem that would stop a render is reported and the check goes on;
 * running out of memory stops it. */
static cr_status go_on(const cr_render_options *options, cr_status status, const cr_error *problem,
                       cr_error *err)
{
    if (status == CR_ERR_NOMEM) {
        if (err)
            *err = *problem;
        return status;
    }
    if (status != CR_OK)
        warn(options, problem);
    return CR_OK;
}

/* A record's photo: found, readable, decodable and within max_image_pixels,
 * through the render's own reader so the two never disagree. Artwork was
 * decoded when the template loaded. */
static cr_status check_photo(const cr_template *tpl, const cr_field *field, const cr_record *record,
                             const cr_render_options *options, cr_error *err)
{
    if (!field->bind)
        return CR_OK;
    cr_error problem;
    cr_status status = cr_check_photo(tpl, field, record, options, &problem);
    return go_on(options, status, &problem, err);
}

/* A text field laid out as a render would. */
static cr_status check_text(cr_engine *engine, const cr_template *tpl, const cr_field *field,
                            const cr_record *record, int dpi, const cr_render_options *options,
                            cr_error *err)
{
    const char *text = cr_field_text(tpl, field, record, err);
    cr_error problem;
    cr_field with_lang;
    field = cr_field_for_record(tpl, field, record, &with_lang, &problem);
    if (!field) {
        warn(options, &problem);
        return CR_OK;
    }
    cr_text_layout layout;
    cr_status status = cr_layout_text(engine, tpl, field, text, dpi, &layout, &problem);
    if (status != CR_OK)
        return go_on(options, status, &problem, err);
    /* as a render tells it, less the overflow warning that repeats the report */
    cr_layout_announce(tpl, field, &layout, options, false);
    cr_text_layout_free(&layout);
    return CR_OK;
}

/* One field; only running out of memory stops the check. */
static cr_status check_field(cr_engine *engine, const cr_template *tpl, const cr_field *field,
                             const cr_record *record, int dpi, const cr_render_options *options,
                             cr_error *err)
{
    if (field->bind && (!record || !cr_record_get(record, field->bind)))
        return CR_OK; /* the caller checks binds against cr_template_field */
    if (cr_field_is_absent(field, record))
        return CR_OK;
    if (field->type == CR_FIELD_TEXT)
        return check_text(engine, tpl, field, record, dpi, options, err);
    if (field->type == CR_FIELD_IMAGE)
        return check_photo(tpl, field, record, options, err);
    return CR_OK;
}

cr_status cr_check_layout(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                          const cr_render_options *options, cr_error *err)
{
    cr_error_clear(err);
    if (!engine || !tpl)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_check_layout needs an engine and a template");
    int dpi = options && options->dpi ? options->dpi : tpl->dpi;
    if (dpi < CR_DPI_MIN || dpi > CR_DPI_MAX)
        return cr_fail(err, CR_ERR_ARGUMENT, "resolution %d dpi is out of range (%d to %d)", dpi,
                       CR_DPI_MIN, CR_DPI_MAX);
    cr_status status = CR_OK;
    for (size_t i = 0; i < tpl->field_count && status == CR_OK; i++)
        status = check_field(engine, tpl, &tpl->fields[i], record, dpi, options, err);
    return status;
}
