#include "layout_common.h"

#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "error.h"
#include "font_select.h"
#include "text.h"

cr_status cr_layout_out_of_memory(cr_error *err)
{
    return cr_fail(err, CR_ERR_NOMEM, "out of memory laying out text");
}

/* ------------------------------------------------------------- analysis */

static const char *field_lang(const cr_field *field, UScriptCode script)
{
    const char *lang = field->lang;
    return lang && lang[0] ? lang : cr_script_default_lang(script);
}

cr_shape_input cr_item_shape_input(const cr_text_analysis *a, const cr_item *item,
                                   uint32_t context_start, uint32_t context_end, uint32_t start,
                                   uint32_t end, bool rtl)
{
    return (cr_shape_input){.text = a->text,
                            .context_start = context_start,
                            .context_end = context_end,
                            .start = start,
                            .end = end,
                            .face = item->face,
                            .script = item->script,
                            .lang = field_lang(a->field, item->script),
                            .rtl = rtl};
}

static cr_status find_breaks(cr_text_analysis *a, cr_error *err)
{
    cr_linebreak_options options = {.lang = field_lang(a->field, a->scripts[0]),
                                    .scripts = a->scripts,
                                    .kinsoku = a->field->kinsoku,
                                    .hangul_break = a->field->hangul_break,
                                    .pool = a->engine ? a->engine->breaks : NULL};
    return cr_find_line_breaks(a->text, a->length, &a->t16, &options, &a->breaks, &a->break_count,
                               err);
}

/* Arabic presentation forms mean the text was shaped, and often reordered,
 * before it reached the engine (legacy systems store Uyghur that way); the
 * engine joins and orders letters itself, so the card would come out wrong
 * or unjoined. One warning, at the first such character. */
static cr_status warn_if_preshaped(cr_text_analysis *a, cr_error *err)
{
    for (size_t offset = 0; offset < a->length;) {
        size_t at = offset;
        uint32_t cp = cr_utf8_next(a->text, a->length, &offset);
        if (!cr_is_arabic_presentation_form(cp))
            continue;
        cr_text_warning *warnings = realloc(a->warnings, sizeof *a->warnings);
        if (!warnings)
            return cr_layout_out_of_memory(err);
        a->warnings = warnings;
        a->warning_count = 1;
        warnings->code = CR_ERR_TEXT;
        snprintf(warnings->message, sizeof warnings->message,
                 "U+%04X (byte %zu of the text) is an Arabic presentation form: the text was "
                 "shaped before it came here; give the letters as typed, in logical order (the "
                 "engine joins and orders them)",
                 (unsigned)cp, at);
        return CR_OK;
    }
    return CR_OK;
}

cr_status cr_analyse_text(cr_text_analysis *a, cr_error *err)
{
    size_t n = a->length;
    if (!cr_text16_init(&a->t16, a->text, n))
        return cr_layout_out_of_memory(err);
    a->levels = malloc(n);
    a->scripts = malloc(n * sizeof *a->scripts);
    a->faces = malloc(n * sizeof *a->faces);
    if (!a->levels || !a->scripts || !a->faces)
        return cr_layout_out_of_memory(err);
    a->bidi = cr_itemize_bidi(&a->t16, n, a->field->direction, a->levels, err);
    if (!a->bidi)
        return err ? err->code : CR_ERR_INTERNAL;
    cr_itemize_scripts(a->text, n, a->scripts);
    cr_status status = warn_if_preshaped(a, err);
    if (status == CR_OK)
        status = cr_select_fonts(a, err);
    if (status == CR_OK)
        status = cr_itemize_runs(a->text, n, &a->t16, a->bidi, a->levels, a->scripts, a->faces,
                                 &a->items, &a->item_count, err);
    if (status == CR_OK)
        status = find_breaks(a, err);
    return status;
}

void cr_text_analysis_free(cr_text_analysis *a)
{
    free(a->warnings);
    free(a->breaks);
    free(a->items);
    free(a->faces);
    free(a->scripts);
    free(a->levels);
    ubidi_close(a->bidi);
    cr_text16_free(&a->t16);
}

cr_status cr_layout_finish(cr_text_analysis *a, cr_status status, cr_text_layout *out)
{
    if (status == CR_OK) {
        out->warnings = a->warnings;
        out->warning_count = a->warning_count;
        a->warnings = NULL;
        a->warning_count = 0;
    } else {
        cr_text_layout_free(out);
    }
    return status;
}

/* ------------------------------------------------------------ measuring */

enum { CLUSTER_START = 1, CLUSTER_SPACED = 2 };

cr_status cr_advances_init(cr_advances *m, uint32_t length, cr_error *err)
{
    *m = (cr_advances){.length = length};
    m->before = calloc(length + 1, sizeof *m->before);
    m->gaps_before = calloc(length + 1, sizeof *m->gaps_before);
    m->own = calloc(length ? length : 1, sizeof *m->own);
    m->flags = calloc(length ? length : 1, 1);
    if (!m->before || !m->gaps_before || !m->own || !m->flags)
        return cr_layout_out_of_memory(err);
    return CR_OK;
}

void cr_advances_add(cr_advances *m, uint32_t cluster, int64_t advance, bool spaced)
{
    m->own[cluster] += advance;
    m->flags[cluster] = CLUSTER_START | (spaced ? CLUSTER_SPACED : 0);
}

void cr_advances_sum(cr_advances *m)
{
    bool previous_spaced = false;
    for (uint32_t i = 0; i < m->length; i++) {
        bool gap = false;
        if (m->flags[i] & CLUSTER_START) {
            bool spaced = m->flags[i] & CLUSTER_SPACED;
            gap = spaced && previous_spaced;
            previous_spaced = spaced;
        }
        m->before[i + 1] = m->before[i] + m->own[i];
        m->gaps_before[i + 1] = m->gaps_before[i] + gap;
    }
}

void cr_advances_free(cr_advances *m)
{
    free(m->before);
    free(m->gaps_before);
    free(m->own);
    free(m->flags);
    *m = (cr_advances){0};
}

/* Natural width of [start, end) set on one line, letter spacing included. */
static int64_t span_width(const cr_advances *m, int32_t letter_spacing, uint32_t start,
                          uint32_t end)
{
    if (end <= start)
        return 0;
    int64_t gaps = m->gaps_before[end] - m->gaps_before[start + 1];
    return m->before[end] - m->before[start] + gaps * letter_spacing;
}

/* ---------------------------------------------------------- line filling */

static bool fits(const cr_line_filler *f, uint32_t start, uint32_t content_end)
{
    int64_t width = span_width(f->advances, f->letter_spacing, start, content_end);
    if (f->end_trim)
        width -= f->end_trim(f->context, start, content_end);
    return width <= f->extent;
}

/* The opportunity ending the line that starts at `start`. *next is the
 * first opportunity to look at for the following line. */
static const cr_break_opportunity *fill_line(const cr_line_filler *f, uint32_t start, size_t *next)
{
    const cr_text_analysis *a = f->a;
    const cr_break_opportunity *best = NULL;
    size_t i = *next;
    for (; i < a->break_count; i++) {
        const cr_break_opportunity *b = &a->breaks[i];
        bool hard = b->mandatory || b->offset == a->length;
        if (b->offset <= start || (!f->soft_wrap && !hard))
            continue;
        bool fitting = fits(f, start, cr_without_trailing_space(a->text, start, b->offset));
        if (best && !fitting)
            break;
        best = b;
        if (!fitting || hard) {
            i++;
            break;
        }
    }
    *next = i;
    return best;
}

cr_status cr_fill_lines(const cr_line_filler *f, cr_line_span **lines, size_t *count, cr_error *err)
{
    const cr_text_analysis *a = f->a;
    size_t capacity = 0, n = 0, next = 0;
    *lines = NULL;
    for (uint32_t start = 0; start < a->length;) {
        const cr_break_opportunity *b = fill_line(f, start, &next);
        if (!cr_reserve((void **)lines, &capacity, n + 1, sizeof **lines))
            return cr_layout_out_of_memory(err);
        (*lines)[n++] =
            (cr_line_span){start, b->offset, cr_without_trailing_space(a->text, start, b->offset),
                           b->mandatory || b->offset == a->length};
        start = b->offset;
    }
    *count = n;
    return CR_OK;
}

/* -------------------------------------------------------------- output */

cr_status cr_reserve_glyphs(cr_layout_output *o, size_t extra, cr_error *err)
{
    cr_text_layout *out = o->layout;
    if (!cr_reserve((void **)&out->glyphs, &o->glyph_capacity, out->glyph_count + extra,
                    sizeof *out->glyphs))
        return cr_layout_out_of_memory(err);
    return CR_OK;
}

cr_status cr_append_run(cr_layout_output *o, const cr_field *field, const cr_item *item,
                        uint32_t start, uint32_t end, uint8_t level, size_t first_glyph,
                        cr_error *err)
{
    cr_text_layout *out = o->layout;
    if (!cr_reserve((void **)&out->runs, &o->run_capacity, out->run_count + 1, sizeof *out->runs))
        return cr_layout_out_of_memory(err);
    cr_text_run *run = &out->runs[out->run_count++];
    *run = (cr_text_run){.start = start,
                         .end = end,
                         .bidi_level = level,
                         .face = item->face,
                         .first_glyph = first_glyph,
                         .glyph_count = out->glyph_count - first_glyph};
    snprintf(run->script, sizeof run->script, "%s", uscript_getShortName(item->script));
    snprintf(run->lang, sizeof run->lang, "%s", field_lang(field, item->script));
    return CR_OK;
}

cr_status cr_append_line(cr_layout_output *o, const cr_line_span *span, size_t first_run,
                         cr_error *err)
{
    cr_text_layout *out = o->layout;
    if (!cr_reserve((void **)&out->lines, &o->line_capacity, out->line_count + 1,
                    sizeof *out->lines))
        return cr_layout_out_of_memory(err);
    out->lines[out->line_count++] = (cr_text_line){.start = span->start,
                                                   .end = span->end,
                                                   .first_run = first_run,
                                                   .run_count = out->run_count - first_run};
    return CR_OK;
}
