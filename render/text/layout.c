/* cr_layout_text. Once per text: the common analysis (layout_common.c:
 * itemise, choose fonts, find break opportunities), then either the
 * vertical layout (layout_vertical.c) or the horizontal one here: shape
 * each item in its paragraph and find the marks a line may end trimmed.
 * Per attempt of the fit policy (layout_fit.c): greedy line filling on the
 * measured advances, each line shaped again in visual order (UAX #9 L2),
 * placed along and down the box (layout_place.c). All positions are 26.6
 * integers. */
#include "layout.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/ubidi.h>
#include <unicode/uchar.h>

#include "bidi_order.h"
#include "error.h"
#include "font_select.h"
#include "layout_common.h"
#include "layout_fit.h"
#include "layout_microtext.h"
#include "layout_place.h"
#include "layout_vertical.h"
#include "shape.h"
#include "text.h"

/* ------------------------------------------------------------ analysis */

/* The common analysis, and what the horizontal layout adds to it. */
typedef struct analysis {
    const cr_text_analysis *base;
    cr_shaped_glyph **item_glyphs; /* each item shaped in its paragraph, font units */
    size_t *item_glyph_counts;
    struct trim *trims; /* per byte, with "punctuation_trim": "line-end"; else NULL */
} analysis;

static void analysis_free(analysis *a)
{
    for (size_t i = 0; a->item_glyphs && i < a->base->item_count; i++)
        free(a->item_glyphs[i]);
    free(a->item_glyphs);
    free(a->item_glyph_counts);
    free(a->trims);
}

static cr_status shape_items(analysis *a, cr_error *err)
{
    size_t count = a->base->item_count;
    a->item_glyphs = calloc(count ? count : 1, sizeof *a->item_glyphs);
    a->item_glyph_counts = calloc(count ? count : 1, sizeof(size_t));
    if (!a->item_glyphs || !a->item_glyph_counts)
        return cr_layout_out_of_memory(err);
    for (size_t i = 0; i < count; i++) {
        const cr_item *item = &a->base->items[i];
        cr_shape_input in = cr_item_shape_input(a->base, item, item->para_start, item->para_end,
                                                item->start, item->end, item->level & 1);
        cr_status status = cr_shape(&in, &a->item_glyphs[i], &a->item_glyph_counts[i], err);
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

/* ------------------------------------------------ line-end punctuation */

/* What happens to a full-width mark that ends a line (clreq; GB/T 15834
 * 5.1.10: trimmed to half width), font units of its face. */
typedef struct trim {
    int32_t advance; /* added to its advance, <= 0 */
    int32_t offset;  /* added to its x offset */
} trim;

/* Stops, pauses, closing brackets and closing quotes: the marks that may
 * end a line and leave their blank half to the line's end. */
static bool is_line_end_mark(uint32_t cp)
{
    int8_t category = u_charType((UChar32)cp);
    if (category != U_OTHER_PUNCTUATION && category != U_END_PUNCTUATION &&
        category != U_FINAL_PUNCTUATION)
        return false;
    switch (u_getIntPropertyValue((UChar32)cp, UCHAR_LINE_BREAK)) {
    case U_LB_CLOSE_PUNCTUATION:
    case U_LB_CLOSE_PARENTHESIS:
    case U_LB_EXCLAMATION:
    case U_LB_INFIX_NUMERIC:
    case U_LB_NONSTARTER:
    case U_LB_QUOTATION:
        return true;
    default:
        return false;
    }
}

/* Glyph g of an LTR item, alone in a cluster of one line-end mark. */
static bool is_single_mark(const analysis *a, const cr_shaped_glyph *glyphs, size_t count, size_t g,
                           uint32_t cluster_end)
{
    size_t at = glyphs[g].cluster;
    uint32_t cp = cr_utf8_next(a->base->text, cluster_end, &at);
    bool alone = (g == 0 || glyphs[g - 1].cluster != glyphs[g].cluster) &&
                 (g + 1 == count || glyphs[g + 1].cluster != glyphs[g].cluster);
    return alone && at == cluster_end && is_line_end_mark(cp);
}

/* A full-width mark whose ink lies in the left half of its advance
 * (、。，． everywhere; ？！ in Simplified Chinese fonts) loses its blank
 * half: the font's halt feature gives the half-width form when the font has
 * one, else the advance is halved. Marks with centred ink (？！ in Japanese
 * and Traditional Chinese fonts) keep their width. */
static cr_status trim_of_mark(const analysis *a, const cr_item *item, const cr_shaped_glyph *g,
                              uint32_t cluster_end, trim *out, cr_error *err)
{
    const cr_face *face = item->face;
    hb_glyph_extents_t ink;
    if ((int64_t)g->x_advance * 10 < (int64_t)face->upem * 9 ||
        !cr_face_glyph_extents(face, g->glyph_id, &ink) ||
        ink.x_bearing + ink.width > g->x_advance / 2)
        return CR_OK;
    static const hb_feature_t halt = {HB_TAG('h', 'a', 'l', 't'), 1, HB_FEATURE_GLOBAL_START,
                                      HB_FEATURE_GLOBAL_END};
    cr_shape_input in =
        cr_item_shape_input(a->base, item, g->cluster, cluster_end, g->cluster, cluster_end, false);
    in.features = &halt;
    in.feature_count = 1;
    cr_shaped_glyph *half = NULL;
    size_t count = 0;
    cr_status status = cr_shape(&in, &half, &count, err);
    if (status != CR_OK)
        return status;
    if (count == 1 && half[0].glyph_id == g->glyph_id && half[0].x_advance < g->x_advance)
        *out = (trim){half[0].x_advance - g->x_advance, half[0].x_offset - g->x_offset};
    else
        *out = (trim){g->x_advance / 2 - g->x_advance, 0};
    free(half);
    return CR_OK;
}

/* The trim of every mark that could end a line, at its cluster's byte.
 * Only left-to-right paragraphs: a full-width mark ending an RTL line is
 * at its left, where its blank half is not. */
static cr_status find_trims(analysis *a, cr_error *err)
{
    if (a->base->field->punctuation_trim != CR_TRIM_LINE_END)
        return CR_OK;
    a->trims = calloc(a->base->length, sizeof *a->trims);
    if (!a->trims)
        return cr_layout_out_of_memory(err);
    for (size_t i = 0; i < a->base->item_count; i++) {
        const cr_item *item = &a->base->items[i];
        const cr_shaped_glyph *glyphs = a->item_glyphs[i];
        size_t count = a->item_glyph_counts[i];
        for (size_t g = 0; item->level == 0 && g < count; g++) {
            uint32_t end = g + 1 < count ? glyphs[g + 1].cluster : item->end;
            if (!is_single_mark(a, glyphs, count, g, end))
                continue;
            cr_status status =
                trim_of_mark(a, item, &glyphs[g], end, &a->trims[glyphs[g].cluster], err);
            if (status != CR_OK)
                return status;
        }
    }
    return CR_OK;
}

/* How much narrower a line whose content ends at content_end gets from
 * the trim of its last mark (26.6, >= 0). */
static int32_t line_end_trim(const analysis *a, int32_t ppem, uint32_t start, uint32_t content_end)
{
    if (!a->trims || content_end <= start)
        return 0;
    size_t last = cr_utf8_prev(a->base->text, content_end);
    if (a->trims[last].advance == 0)
        return 0;
    return -cr_font_units_to_26_6(a->trims[last].advance, ppem, a->base->faces[last]->upem);
}

static cr_status analyse(analysis *a, cr_error *err)
{
    cr_status status = shape_items(a, err);
    if (status == CR_OK)
        status = find_trims(a, err);
    return status;
}

/* ------------------------------------------------------- line filling */

static cr_status measure_text(const analysis *a, const cr_attempt *at, cr_advances *m,
                              cr_error *err)
{
    cr_status status = cr_advances_init(m, a->base->length, err);
    for (size_t i = 0; status == CR_OK && i < a->base->item_count; i++) {
        const cr_item *item = &a->base->items[i];
        bool spaced = !cr_script_is_cursive(item->script);
        for (size_t g = 0; g < a->item_glyph_counts[i]; g++) {
            const cr_shaped_glyph *glyph = &a->item_glyphs[i][g];
            cr_advances_add(m, glyph->cluster,
                            cr_font_units_to_26_6(glyph->x_advance, at->ppem, item->face->upem),
                            spaced);
        }
    }
    if (status == CR_OK)
        cr_advances_sum(m);
    return status;
}

/* The trim of a line's last mark, for cr_line_filler. */
typedef struct trim_at_size {
    const analysis *a;
    int32_t ppem;
} trim_at_size;

static int32_t end_trim(const void *context, uint32_t start, uint32_t content_end)
{
    const trim_at_size *t = context;
    return line_end_trim(t->a, t->ppem, start, content_end);
}

/* ------------------------------------------------------------- builder */

/* The layout being built, with what shaping and placing need beside it. */
typedef struct builder {
    const analysis *a;
    const cr_attempt *at;
    cr_layout_output output;
    UScriptCode *run_scripts; /* parallel to out->runs */
    size_t run_script_capacity;
    UBiDi *line_bidi;
} builder;

/* Appends glyphs with x and y holding their offsets until the line is
 * placed. */
static cr_status append_glyphs(builder *b, const cr_shaped_glyph *glyphs, size_t count,
                               cr_face *face, cr_error *err)
{
    cr_text_layout *out = b->output.layout;
    cr_status status = cr_reserve_glyphs(&b->output, count, err);
    int32_t ppem = b->at->ppem;
    for (size_t i = 0; status == CR_OK && i < count; i++) {
        const cr_shaped_glyph *g = &glyphs[i];
        out->glyphs[out->glyph_count++] = (cr_glyph_pos){
            .face = face,
            .glyph_id = g->glyph_id,
            .cluster = g->cluster,
            .x = cr_font_units_to_26_6(g->x_offset, ppem, face->upem),
            .y = cr_font_units_to_26_6(g->y_offset, ppem, face->upem),
            .advance = cr_font_units_to_26_6(g->x_advance, ppem, face->upem),
            .ppem = ppem,
            .x_scale = b->at->x_scale,
            .rotation = 0,
        };
    }
    return status;
}

static cr_status append_run(builder *b, const cr_item *item, uint32_t start, uint32_t end,
                            uint8_t level, size_t first_glyph, cr_error *err)
{
    size_t run = b->output.layout->run_count;
    if (!cr_reserve((void **)&b->run_scripts, &b->run_script_capacity, run + 1,
                    sizeof *b->run_scripts))
        return cr_layout_out_of_memory(err);
    b->run_scripts[run] = item->script;
    return cr_append_run(&b->output, b->a->base->field, item, start, end, level, first_glyph, err);
}

/* Shapes [start, end) of one item with the line as context. */
static cr_status add_piece(builder *b, const cr_line_span *line, const cr_item *item,
                           uint32_t start, uint32_t end, uint8_t level, cr_error *err)
{
    cr_shape_input in = cr_item_shape_input(b->a->base, item, line->start, line->content_end, start,
                                            end, level & 1);
    cr_shaped_glyph *glyphs = NULL;
    size_t count = 0, first = b->output.layout->glyph_count;
    cr_status status = cr_shape(&in, &glyphs, &count, err);
    if (status == CR_OK)
        status = append_glyphs(b, glyphs, count, item->face, err);
    free(glyphs);
    if (status == CR_OK)
        status = append_run(b, item, start, end, level, first, err);
    return status;
}

/* The first item that ends after byte `at`. */
static size_t first_item_after(const cr_text_analysis *a, uint32_t at)
{
    size_t lo = 0, hi = a->item_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->items[mid].end <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* One visual bidi run [start, end): its items in visual order. */
static cr_status add_bidi_run(builder *b, const cr_line_span *line, const cr_visual_run *run,
                              cr_error *err)
{
    const cr_text_analysis *a = b->a->base;
    size_t first = first_item_after(a, run->start), last = first;
    while (last < a->item_count && a->items[last].start < run->end)
        last++;
    for (size_t k = 0; k < last - first; k++) {
        const cr_item *item = &a->items[(run->level & 1) ? last - 1 - k : first + k];
        uint32_t s = item->start > run->start ? item->start : run->start;
        uint32_t e = item->end < run->end ? item->end : run->end;
        cr_status status = add_piece(b, line, item, s, e, run->level, err);
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

/* Shapes a line's content run by run in visual order (UAX #9 L2). */
static cr_status shape_line(builder *b, const cr_line_span *line, cr_error *err)
{
    const cr_text_analysis *a = b->a->base;
    cr_visual_run *runs = NULL;
    size_t count = 0;
    cr_status status = cr_bidi_visual_runs(a->bidi, b->line_bidi, &a->t16, a->levels, line->start,
                                           line->content_end, &runs, &count, err);
    for (size_t r = 0; status == CR_OK && r < count; r++)
        status = add_bidi_run(b, line, &runs[r], err);
    free(runs);
    return status;
}

/* Trims the line's last mark (see find_trims) in the glyphs just shaped. */
static void trim_line_end(const builder *b, const cr_line_span *span, size_t first_glyph)
{
    const analysis *a = b->a;
    cr_text_layout *out = b->output.layout;
    int32_t narrower = line_end_trim(a, b->at->ppem, span->start, span->content_end);
    if (narrower == 0)
        return;
    uint32_t last = (uint32_t)cr_utf8_prev(a->base->text, span->content_end);
    int32_t shift =
        cr_font_units_to_26_6(a->trims[last].offset, b->at->ppem, a->base->faces[last]->upem);
    for (size_t i = first_glyph; i < out->glyph_count; i++) {
        cr_glyph_pos *g = &out->glyphs[i];
        if (g->cluster == last) {
            g->advance -= narrower;
            g->x += shift;
        }
    }
}

static bool paragraph_is_rtl(const cr_text_analysis *a, uint32_t byte)
{
    UErrorCode status = U_ZERO_ERROR;
    UBiDiLevel level = 0;
    ubidi_getParagraph(a->bidi, a->t16.unit_of_byte[byte], NULL, NULL, &level, &status);
    return U_SUCCESS(status) && (level & 1);
}

/* Shapes, trims and places one line along the box. */
static cr_status build_line(builder *b, cr_placement *p, const cr_line_span *span, cr_error *err)
{
    cr_text_layout *out = b->output.layout;
    size_t first_glyph = out->glyph_count, first_run = out->run_count;
    cr_status status = shape_line(b, span, err);
    if (status == CR_OK) {
        trim_line_end(b, span, first_glyph);
        status = cr_append_line(&b->output, span, first_run, err);
    }
    p->run_scripts = b->run_scripts; /* moves as it grows */
    if (status == CR_OK)
        status = cr_place_line(p, out, &out->lines[out->line_count - 1], first_glyph,
                               paragraph_is_rtl(b->a->base, span->start), span->paragraph_end, err);
    return status;
}

/* ------------------------------------------------------------- attempt */

/* The face an empty first line is measured with. */
static const cr_face *primary_face(const cr_text_analysis *a)
{
    if (a->item_count)
        return a->items[0].face;
    return a->length ? a->faces[0] : NULL;
}

static cr_status build_lines(builder *b, cr_box bx, const cr_line_span *spans, size_t count,
                             size_t *fitting, cr_error *err)
{
    const cr_text_analysis *a = b->a->base;
    cr_placement p = {.field = a->field,
                      .text = a->text,
                      .length = a->length,
                      .at = b->at,
                      .bx = bx,
                      .empty_face = primary_face(a)};
    cr_status status = CR_OK;
    for (size_t i = 0; status == CR_OK && i < count; i++)
        status = build_line(b, &p, &spans[i], err);
    if (status == CR_OK)
        status = cr_place_lines_down(&p, b->output.layout, fitting, err);
    return status;
}

/* One attempt of the fit policy (cr_lay_out_fn). */
static cr_status lay_out(const void *context, const cr_attempt *at, cr_box bx, cr_text_layout *out,
                         size_t *fitting, cr_error *err)
{
    const analysis *a = context;
    builder b = {.a = a, .at = at, .output = {.layout = out}};
    cr_advances m = {0};
    cr_line_span *spans = NULL;
    size_t span_count = 0;
    trim_at_size trims = {a, at->ppem};
    UErrorCode icu = U_ZERO_ERROR;
    b.line_bidi = ubidi_openSized(a->base->t16.length, 0, &icu);
    cr_status status = U_SUCCESS(icu)
                           ? measure_text(a, at, &m, err)
                           : cr_fail(err, CR_ERR_INTERNAL, "ICU bidi: %s", u_errorName(icu));
    cr_line_filler filler = {.a = a->base,
                             .advances = &m,
                             .letter_spacing = at->letter_spacing,
                             .extent = bx.w,
                             .soft_wrap = at->soft_wrap,
                             .end_trim = a->trims ? end_trim : NULL,
                             .context = &trims};
    if (status == CR_OK)
        status = cr_fill_lines(&filler, &spans, &span_count, err);
    if (status == CR_OK)
        status = build_lines(&b, bx, spans, span_count, fitting, err);
    ubidi_close(b.line_bidi);
    free(b.run_scripts);
    free(spans);
    cr_advances_free(&m);
    return status;
}

/* --------------------------------------------------------------- public */

static cr_status check_arguments(const cr_template *tpl, const cr_field *field, const char *text,
                                 int dpi, size_t length, cr_error *err)
{
    cr_location where = cr_field_location(tpl, field);
    if (field->size_pt <= 0 || dpi <= 0)
        return cr_error_set(err, CR_ERR_ARGUMENT, where,
                            "size_pt (%g) and dpi (%d) must be positive", field->size_pt, dpi);
    if (length > INT32_MAX / 2)
        return cr_error_set(err, CR_ERR_TEXT, where, "text is too long (%zu bytes)", length);
    size_t bad = 0;
    if (!cr_utf8_valid(text, length, &bad))
        return cr_error_set(err, CR_ERR_TEXT, where, "invalid UTF-8 at byte %zu of the text", bad);
    return CR_OK;
}

/* "presentation_forms": "error" refuses text with a presentation form at
 * once; "normalize" gives *unshaped, the text with its forms turned back
 * into letters (NULL when it has none); "warn" leaves the text for the
 * analysis to warn about. */
static cr_status apply_presentation_forms(const cr_template *tpl, const cr_field *field,
                                          const char *text, size_t length, char **unshaped,
                                          cr_error *err)
{
    if (field->presentation_forms == CR_PRESENTATION_WARN)
        return CR_OK;
    for (size_t offset = 0; offset < length;) {
        size_t at = offset;
        uint32_t cp = cr_utf8_next(text, length, &offset);
        if (!cr_is_arabic_presentation_form(cp))
            continue;
        if (field->presentation_forms == CR_PRESENTATION_ERROR)
            return cr_error_set(err, CR_ERR_TEXT, cr_field_location(tpl, field),
                                "U+%04X (byte %zu of the text) is an Arabic presentation form: "
                                "the text was shaped before it came here (\"presentation_forms\": "
                                "\"normalize\" reads it back into letters)",
                                (unsigned)cp, at);
        *unshaped = cr_unshape_presentation_forms(text, length);
        return *unshaped ? CR_OK : cr_fail(err, CR_ERR_NOMEM, "out of memory reading text");
    }
    return CR_OK;
}

static cr_status lay_out_horizontal(const cr_text_analysis *base, int dpi, cr_text_layout *out,
                                    cr_error *err)
{
    static const cr_fit_rules rules = {.can_condense = true, .words = {"lines", "line", "wide"}};
    analysis a = {.base = base};
    cr_fit_request request = {base->tpl, base->field, dpi, &rules, lay_out, &a};
    cr_status status = analyse(&a, err);
    if (status == CR_OK)
        status = cr_apply_fit_policy(&request, out, err);
    analysis_free(&a);
    return status;
}

cr_status cr_layout_text(cr_engine *engine, const cr_template *tpl, const cr_field *field,
                         const char *text, int dpi, cr_text_layout *out, cr_error *err)
{
    if (!out)
        return cr_fail(err, CR_ERR_ARGUMENT, "no layout to fill");
    memset(out, 0, sizeof *out);
    if (!engine || !field || !text)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_layout_text needs an engine, a field and text");
    size_t length = strlen(text);
    cr_status status = check_arguments(tpl, field, text, dpi, length, err);
    if (status == CR_OK && field->repeat != CR_REPEAT_NONE)
        return cr_layout_repeat(cr_layout_text, engine, tpl, field, text, dpi, out, err);
    out->size_pt = field->size_pt;
    out->scale_x = 1.0;
    if (status != CR_OK || length == 0)
        return status;
    char *unshaped = NULL;
    status = apply_presentation_forms(tpl, field, text, length, &unshaped, err);
    if (status != CR_OK)
        return status;
    cr_text_analysis a = {.engine = engine,
                          .tpl = tpl,
                          .field = field,
                          .text = unshaped ? unshaped : text,
                          .length = (uint32_t)(unshaped ? strlen(unshaped) : length)};
    status = cr_analyse_text(&a, err);
    if (status == CR_OK && field->writing_mode != CR_WRITING_HORIZONTAL)
        status = cr_layout_vertical(&a, dpi, out, err);
    else if (status == CR_OK)
        status = lay_out_horizontal(&a, dpi, out, err);
    status = cr_layout_finish(&a, status, out);
    if (status == CR_OK && field->microtext && field->writing_mode == CR_WRITING_HORIZONTAL &&
        (status = cr_microtext_snap(field, dpi, out, err)) != CR_OK)
        cr_text_layout_free(out);
    cr_text_analysis_free(&a);
    if (status == CR_OK)
        out->text = unshaped;
    else
        free(unshaped);
    return status;
}

static void warn(const cr_render_options *options, const cr_error *warning)
{
    if (options && options->warning)
        options->warning(options->warning_data, warning);
}

void cr_layout_announce(const cr_template *tpl, const cr_field *field, const cr_text_layout *layout,
                        const cr_render_options *options, bool warn_overflow)
{
    cr_error warning;
    cr_location where = cr_field_location(tpl, field);
    for (size_t i = 0; i < layout->warning_count; i++) {
        cr_error_set(&warning, layout->warnings[i].code, where, "%s", layout->warnings[i].message);
        warn(options, &warning);
    }
    if (warn_overflow && layout->overflow) {
        cr_error_set(&warning, CR_ERR_TEXT, where, "text does not fit its box: %s",
                     layout->overflow_reason);
        warn(options, &warning);
    }
    if (!options || !options->field_report)
        return;
    cr_field_report report = {
        .field_index = field->index,
        .field_name = field->name,
        .overflow = layout->overflow,
        .size_pt = field->size_pt,
        .used_size_pt = layout->size_pt,
        .scale_x = layout->scale_x,
        .reason = layout->overflow ? layout->overflow_reason : "",
    };
    options->field_report(options->field_report_data, &report);
}
