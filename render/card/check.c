/* cr_check_layout: every text field laid out as cr_render lays it out, and
 * every bound photo read as cr_render reads it, with nothing painted, going
 * on past the problems that would stop a render, so that a check can list
 * all of them at once. */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>

#include "barcode.h"
#include "check.h"
#include "draw_fields.h"
#include "mrz.h"
#include "error.h"
#include "options.h"
#include "font_select.h"
#include "layout.h"
#include "template.h"
#include "text.h"

/* Where a check's problems go: to note with their kind, else to the
 * options' warning. */
typedef struct checker {
    const cr_render_options *options;
    cr_check_note_func note;
    void *note_data;
} checker;

static void warn(const checker *c, const char *kind, const cr_error *problem)
{
    if (c->note)
        c->note(c->note_data, kind, problem);
    else if (c->options->warning)
        c->options->warning(c->options->warning_data, problem);
}

/* A problem that would stop a render is reported and the check goes on;
 * running out of memory stops it. */
static cr_status go_on(const checker *c, const char *kind, cr_status status,
                       const cr_error *problem, cr_error *err)
{
    if (status == CR_ERR_NOMEM) {
        if (err)
            *err = *problem;
        return status;
    }
    if (status != CR_OK)
        warn(c, kind, problem);
    return CR_OK;
}

/* The kind of a layout's problem: a character no font covers, or text that
 * cannot be set (invalid UTF-8, "fit": "error", presentation forms). */
static const char *layout_kind(cr_status status)
{
    return status == CR_ERR_FONT ? "font" : "text";
}

/* A record's photo: found, readable, decodable and within max_image_pixels,
 * through the render's own reader so the two never disagree. Artwork was
 * decoded when the template loaded. */
static cr_status check_photo(const checker *c, const cr_template *tpl, const cr_field *field,
                             const cr_record *record, cr_error *err)
{
    if (!field->bind)
        return CR_OK;
    cr_error problem;
    cr_status status = cr_check_photo(tpl, field, record, c->options, &problem);
    return go_on(c, "photo", status, &problem, err);
}

/* A barcode's data encoded and placed as a render would: data the
 * symbology cannot encode, or a symbol too big for its box. */
static cr_status check_barcode(const checker *c, const cr_template *tpl, const cr_field *field,
                               const cr_record *record, int dpi, cr_error *err)
{
    cr_error problem;
    const char *text = cr_field_text(tpl, field, record, &problem);
    if (!text)
        return go_on(c, "record", problem.code, &problem, err);
    cr_barcode_layout layout;
    cr_status status = cr_barcode_lay_out(tpl, field, text, dpi, &layout, &problem);
    cr_barcode_layout_free(&layout);
    return go_on(c, "barcode", status, &problem, err);
}

/* A character a proof reader should look at: an ideograph outside the URO
 * (Extensions A to H, compatibility ideographs), a private-use character,
 * or one with a variation selector: rare fonts and variants draw them. */
static bool is_rare(uint32_t cp, uint32_t next)
{
    bool ideograph = u_hasBinaryProperty((UChar32)cp, UCHAR_IDEOGRAPHIC);
    bool common = cp >= 0x4E00 && cp <= 0x9FFF;
    bool variant = next >= 0xE0100 && next <= 0xE01EF;
    return (ideograph && !common) || variant || u_charType((UChar32)cp) == U_PRIVATE_USE_CHAR;
}

/* Names the font each rare character came from, once per character (one
 * drawn as .notdef has had its warning already). */
static void name_rare_fonts(const checker *c, const cr_template *tpl, const cr_field *field,
                            const char *text, const cr_text_layout *layout)
{
    size_t length = strlen(text);
    uint32_t last_cluster = UINT32_MAX;
    for (size_t i = 0; i < layout->glyph_count; i++) {
        const cr_glyph_pos *g = &layout->glyphs[i];
        if (g->cluster == last_cluster || g->cluster >= length || !g->face || !g->glyph_id)
            continue;
        last_cluster = g->cluster;
        size_t offset = g->cluster;
        uint32_t cp = cr_utf8_next(text, length, &offset);
        uint32_t next = offset < length ? cr_utf8_next(text, length, &offset) : 0;
        if (!is_rare(cp, next))
            continue;
        bool variant = next >= 0xE0100 && next <= 0xE01EF;
        cr_error note;
        cr_error_set(&note, CR_ERR_FONT, cr_field_location(tpl, field),
                     "U+%04X%s (%s, byte %u of the text) is drawn from \"%s\": a rare "
                     "character; look at its glyph on the proof",
                     (unsigned)cp, variant ? " with a variation selector" : "",
                     cr_block_name(cp).text, (unsigned)g->cluster, g->face->family);
        warn(c, "rare_character", &note);
    }
}

/* The layout's own warnings (.notdef, presentation forms) on their way to
 * the checker: cr_layout_announce hands them to a render's warning. */
static void layout_warning(void *data, const cr_error *problem)
{
    warn(data, layout_kind(problem->code), problem);
}

/* A text field laid out as a render would. */
static cr_status check_text(const checker *c, cr_engine *engine, const cr_template *tpl,
                            const cr_field *field, const cr_record *record, int dpi, cr_error *err)
{
    const char *text = cr_field_text(tpl, field, record, err);
    cr_error problem;
    cr_status fits = cr_field_value_fits(tpl, field, text, c->options->max_value_bytes, &problem);
    if (fits != CR_OK)
        return go_on(c, "value_too_long", fits, &problem, err);
    cr_field with_lang;
    field = cr_field_for_record(tpl, field, record, &with_lang, &problem);
    if (!field) {
        warn(c, "record", &problem);
        return CR_OK;
    }
    cr_text_layout layout;
    cr_status status = cr_layout_text(engine, tpl, field, text, dpi, &layout, &problem);
    if (status != CR_OK)
        return go_on(c, layout_kind(status), status, &problem, err);
    /* as a render tells it, less the overflow warning that repeats the report */
    cr_render_options announce = *c->options;
    if (c->note) {
        announce.warning = layout_warning;
        announce.warning_data = (void *)c;
    }
    cr_layout_announce(tpl, field, &layout, &announce, false);
    name_rare_fonts(c, tpl, field, layout.text ? layout.text : text, &layout);
    cr_text_layout_free(&layout);
    return CR_OK;
}

/* An MRZ: the record makes a valid zone (every key, date, length and
 * letter), as the render would build it. */
static cr_status check_mrz(const checker *c, const cr_template *tpl, const cr_field *field,
                           const cr_record *record, cr_error *err)
{
    if (!record)
        return CR_OK; /* the template's own pass: the zone is the records' business */
    cr_mrz_lines zone;
    cr_error problem;
    cr_status status = cr_mrz_build(tpl, field, record, &zone, &problem);
    return go_on(c, "record", status, &problem, err);
}

/* One field; only running out of memory stops the check. */
static cr_status check_field(const checker *c, cr_engine *engine, const cr_template *tpl,
                             const cr_field *field, const cr_record *record, int dpi, cr_error *err)
{
    if (field->bind && !cr_field_bound_in(field, record))
        return CR_OK; /* the caller checks binds against cr_template_field */
    if (cr_field_is_absent(field, record))
        return CR_OK;
    if (field->type == CR_FIELD_TEXT)
        return check_text(c, engine, tpl, field, record, dpi, err);
    if (field->type == CR_FIELD_IMAGE)
        return check_photo(c, tpl, field, record, err);
    if (field->type == CR_FIELD_BARCODE)
        return check_barcode(c, tpl, field, record, dpi, err);
    if (field->type == CR_FIELD_MRZ)
        return check_mrz(c, tpl, field, record, err);
    return CR_OK;
}

cr_status cr_check_fields(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                          const cr_render_options *options, cr_check_note_func note,
                          void *note_data, cr_error *err)
{
    int dpi = options->dpi ? options->dpi : tpl->dpi;
    if (dpi < CR_DPI_MIN || dpi > CR_DPI_MAX)
        return cr_fail(err, CR_ERR_ARGUMENT, "resolution %d dpi is out of range (%d to %d)", dpi,
                       CR_DPI_MIN, CR_DPI_MAX);
    checker c = {options, note, note_data};
    cr_status status = CR_OK;
    for (size_t i = 0; i < tpl->field_count && status == CR_OK; i++)
        status = check_field(&c, engine, tpl, &tpl->fields[i], record, dpi, err);
    return status;
}

cr_status cr_check_layout(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                          const cr_render_options *caller_options, cr_error *err)
{
    cr_error_clear(err);
    if (!engine || !tpl)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_check_layout needs an engine and a template");
    cr_render_options options;
    cr_render_options_init(&options);
    cr_status taken =
        cr_options_take(&options, sizeof options, caller_options, "cr_render_options", err);
    if (taken != CR_OK)
        return taken;
    return cr_check_fields(engine, tpl, record, &options, NULL, NULL, err);
}
