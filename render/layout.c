/* cr_layout_text: analysis (itemise, choose fonts, shape the paragraphs,
 * find break opportunities) once per text; then, per size tried, greedy line
 * filling on the measured advances, per-line reshaping and visual
 * reordering, horizontal placement (spacing, alignment, justification),
 * vertical placement and the fit check. All positions are 26.6 integers. */
#include "layout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubidi.h>
#include <unicode/uchar.h>

#include "bidi_order.h"
#include "engine.h"
#include "error.h"
#include "font_select.h"
#include "itemize.h"
#include "linebreak.h"
#include "shape.h"
#include "text.h"

/* Used when a field built in code leaves the limits unset (0); the same
 * defaults as the template loader's. */
#define DEFAULT_MIN_SIZE_RATIO 0.7
#define DEFAULT_MIN_SCALE_X 0.6
#define SHRINK_STEP_PT 0.25
#define SCALE_ONE 65536

static cr_status out_of_memory(cr_error *err)
{
    return cr_fail(err, CR_ERR_NOMEM, "out of memory laying out text");
}

/* Grows *array to hold `need` elements. */
static bool reserve(void **array, size_t *capacity, size_t need, size_t size)
{
    if (need <= *capacity)
        return true;
    size_t grown = *capacity ? *capacity : 16;
    while (grown < need)
        grown *= 2;
    void *bigger = realloc(*array, grown * size);
    if (!bigger)
        return false;
    *array = bigger;
    *capacity = grown;
    return true;
}

static int32_t round_26_6(double px)
{
    return (int32_t)llround(px * 64.0);
}

/* Horizontal scale (16.16) applied to a 26.6 length, rounded to nearest. */
static int32_t scale_x(int64_t value, int32_t x_scale)
{
    int64_t scaled = value * x_scale;
    return (int32_t)(scaled >= 0 ? (scaled + SCALE_ONE / 2) / SCALE_ONE
                                 : -((-scaled + SCALE_ONE / 2) / SCALE_ONE));
}

/* ------------------------------------------------------------ analysis */

/* Everything about the text that does not depend on the size. */
typedef struct analysis {
    cr_engine *engine;
    const cr_template *tpl;
    const cr_field *field;
    const char *text;
    uint32_t length;
    cr_text16 t16;
    UBiDi *bidi;
    uint8_t *levels;      /* per byte */
    UScriptCode *scripts; /* per byte */
    cr_face **faces;      /* per byte */
    cr_item *items;
    size_t item_count;
    cr_break_opportunity *breaks;
    size_t break_count;
    cr_shaped_glyph **item_glyphs; /* each item shaped in its paragraph, font units */
    size_t *item_glyph_counts;
    struct trim *trims; /* per byte, with "punctuation_trim": "line-end"; else NULL */
    cr_text_warning *warnings;
    size_t warning_count;
} analysis;

static void analysis_free(analysis *a)
{
    for (size_t i = 0; a->item_glyphs && i < a->item_count; i++)
        free(a->item_glyphs[i]);
    free(a->item_glyphs);
    free(a->item_glyph_counts);
    free(a->trims);
    free(a->warnings);
    free(a->breaks);
    free(a->items);
    free(a->faces);
    free(a->scripts);
    free(a->levels);
    ubidi_close(a->bidi);
    cr_text16_free(&a->t16);
}

static const char *item_lang(const analysis *a, UScriptCode script)
{
    const char *lang = a->field->lang;
    return lang && lang[0] ? lang : cr_script_default_lang(script);
}

/* Part [start, end) of an item, shaped with [context_start, context_end)
 * around it. */
static cr_shape_input shape_input(const analysis *a, const cr_item *item, uint32_t context_start,
                                  uint32_t context_end, uint32_t start, uint32_t end, bool rtl)
{
    return (cr_shape_input){.text = a->text,
                            .context_start = context_start,
                            .context_end = context_end,
                            .start = start,
                            .end = end,
                            .face = item->face,
                            .script = item->script,
                            .lang = item_lang(a, item->script),
                            .rtl = rtl};
}

static cr_status shape_items(analysis *a, cr_error *err)
{
    a->item_glyphs = calloc(a->item_count ? a->item_count : 1, sizeof *a->item_glyphs);
    a->item_glyph_counts = calloc(a->item_count ? a->item_count : 1, sizeof(size_t));
    if (!a->item_glyphs || !a->item_glyph_counts)
        return out_of_memory(err);
    for (size_t i = 0; i < a->item_count; i++) {
        const cr_item *item = &a->items[i];
        cr_shape_input in = shape_input(a, item, item->para_start, item->para_end, item->start,
                                        item->end, item->level & 1);
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
    uint32_t cp = cr_utf8_next(a->text, cluster_end, &at);
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
        !hb_font_get_glyph_extents(face->hb_font, g->glyph_id, &ink) ||
        ink.x_bearing + ink.width > g->x_advance / 2)
        return CR_OK;
    static const hb_feature_t halt = {HB_TAG('h', 'a', 'l', 't'), 1, HB_FEATURE_GLOBAL_START,
                                      HB_FEATURE_GLOBAL_END};
    cr_shape_input in =
        shape_input(a, item, g->cluster, cluster_end, g->cluster, cluster_end, false);
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
    if (a->field->punctuation_trim != CR_TRIM_LINE_END)
        return CR_OK;
    a->trims = calloc(a->length, sizeof *a->trims);
    if (!a->trims)
        return out_of_memory(err);
    for (size_t i = 0; i < a->item_count; i++) {
        const cr_item *item = &a->items[i];
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
    size_t last = cr_utf8_prev(a->text, content_end);
    if (a->trims[last].advance == 0)
        return 0;
    return -cr_font_units_to_26_6(a->trims[last].advance, ppem, a->faces[last]->upem);
}

static cr_status analyse(analysis *a, cr_error *err)
{
    size_t n = a->length;
    if (!cr_text16_init(&a->t16, a->text, n))
        return out_of_memory(err);
    a->levels = malloc(n);
    a->scripts = malloc(n * sizeof *a->scripts);
    a->faces = malloc(n * sizeof *a->faces);
    if (!a->levels || !a->scripts || !a->faces)
        return out_of_memory(err);
    a->bidi = cr_itemize_bidi(&a->t16, n, a->field->direction, a->levels, err);
    if (!a->bidi)
        return err ? err->code : CR_ERR_INTERNAL;
    cr_itemize_scripts(a->text, n, a->scripts);
    cr_status status = cr_select_fonts(a->engine, a->tpl, a->field, a->text, n, &a->t16, a->scripts,
                                       a->faces, &a->warnings, &a->warning_count, err);
    if (status == CR_OK)
        status = cr_itemize_runs(a->text, n, &a->t16, a->bidi, a->levels, a->scripts, a->faces,
                                 &a->items, &a->item_count, err);
    if (status == CR_OK)
        status =
            cr_find_line_breaks(a->text, n, &a->t16,
                                &(cr_linebreak_options){.lang = item_lang(a, a->scripts[0]),
                                                        .scripts = a->scripts,
                                                        .kinsoku = a->field->kinsoku,
                                                        .hangul_break = a->field->hangul_break},
                                &a->breaks, &a->break_count, err);
    if (status == CR_OK)
        status = shape_items(a, err);
    if (status == CR_OK)
        status = find_trims(a, err);
    return status;
}

/* ------------------------------------------------------------- measure */

/* One size tried. */
typedef struct attempt {
    double size_pt;
    int32_t ppem;           /* 26.6 */
    int32_t letter_spacing; /* 26.6 */
    int32_t x_scale;        /* 16.16 */
    bool soft_wrap;         /* false: break only where the text says so */
} attempt;

typedef struct box {
    int32_t x, y, w, h; /* 26.6 */
} box;

/* Advances of the paragraph-shaped text at one size, by byte. */
typedef struct measure {
    int64_t *advance_before; /* advance of bytes [0, i) */
    uint32_t *gaps_before;   /* letter-spacing gaps at cluster starts in [0, i) */
} measure;

enum { CLUSTER_START = 1, CLUSTER_SPACED = 2 };

static void measure_free(measure *m)
{
    free(m->advance_before);
    free(m->gaps_before);
}

/* A gap takes letter spacing when the clusters on both sides may be spaced
 * (not in a cursive script); the gap is counted at the later cluster. */
static void sum_prefixes(const uint8_t *flags, const int32_t *advance, uint32_t length, measure *m)
{
    bool previous_spaced = false;
    for (uint32_t i = 0; i < length; i++) {
        bool gap = false;
        if (flags[i] & CLUSTER_START) {
            bool spaced = flags[i] & CLUSTER_SPACED;
            gap = spaced && previous_spaced;
            previous_spaced = spaced;
        }
        m->advance_before[i + 1] = m->advance_before[i] + advance[i];
        m->gaps_before[i + 1] = m->gaps_before[i] + gap;
    }
}

static cr_status measure_text(const analysis *a, const attempt *at, measure *m, cr_error *err)
{
    uint32_t n = a->length;
    m->advance_before = calloc(n + 1, sizeof *m->advance_before);
    m->gaps_before = calloc(n + 1, sizeof *m->gaps_before);
    int32_t *advance = calloc(n, sizeof *advance);
    uint8_t *flags = calloc(n, 1);
    if (!m->advance_before || !m->gaps_before || !advance || !flags) {
        free(advance);
        free(flags);
        return out_of_memory(err);
    }
    for (size_t i = 0; i < a->item_count; i++) {
        const cr_item *item = &a->items[i];
        uint8_t flag = CLUSTER_START | (cr_script_is_cursive(item->script) ? 0 : CLUSTER_SPACED);
        for (size_t g = 0; g < a->item_glyph_counts[i]; g++) {
            const cr_shaped_glyph *glyph = &a->item_glyphs[i][g];
            advance[glyph->cluster] +=
                cr_font_units_to_26_6(glyph->x_advance, at->ppem, item->face->upem);
            flags[glyph->cluster] = flag;
        }
    }
    sum_prefixes(flags, advance, n, m);
    free(advance);
    free(flags);
    return CR_OK;
}

/* Width of [start, end) set on one line, letter spacing included. */
static int64_t span_width(const measure *m, const attempt *at, uint32_t start, uint32_t end)
{
    if (end <= start)
        return 0;
    int64_t gaps = m->gaps_before[end] - m->gaps_before[start + 1];
    return m->advance_before[end] - m->advance_before[start] + gaps * at->letter_spacing;
}

/* ---------------------------------------------------------- line breaks */

typedef struct line_span {
    uint32_t start, end;  /* all its bytes, terminator and trailing spaces included */
    uint32_t content_end; /* without trailing white space and terminators */
    bool paragraph_end;   /* last line of a paragraph (not justified) */
} line_span;

static uint32_t content_end(const char *text, uint32_t start, uint32_t end)
{
    while (end > start) {
        size_t prev = cr_utf8_prev(text, end);
        size_t at = prev;
        if (!cr_is_trailing_space(cr_utf8_next(text, end, &at)))
            break;
        end = (uint32_t)prev;
    }
    return end;
}

/* The end of the line starting at `start`: the furthest opportunity whose
 * content fits, or the first one when none does (an unbreakable piece wider
 * than the box gets a line of its own). *next is the first opportunity to
 * look at for the following line. */
static const cr_break_opportunity *fill_line(const analysis *a, const measure *m, const attempt *at,
                                             int32_t width, uint32_t start, size_t *next)
{
    const cr_break_opportunity *best = NULL;
    size_t i = *next;
    for (; i < a->break_count; i++) {
        const cr_break_opportunity *b = &a->breaks[i];
        bool hard = b->mandatory || b->offset == a->length;
        if (b->offset <= start || (!at->soft_wrap && !hard))
            continue;
        uint32_t end = content_end(a->text, start, b->offset);
        bool fits = span_width(m, at, start, end) - line_end_trim(a, at->ppem, start, end) <= width;
        if (best && !fits)
            break;
        best = b;
        if (!fits || hard) {
            i++;
            break;
        }
    }
    *next = i;
    return best;
}

static cr_status choose_lines(const analysis *a, const measure *m, const attempt *at, int32_t width,
                              line_span **lines, size_t *count, cr_error *err)
{
    size_t capacity = 0, n = 0, next = 0;
    *lines = NULL;
    for (uint32_t start = 0; start < a->length;) {
        const cr_break_opportunity *b = fill_line(a, m, at, width, start, &next);
        if (!reserve((void **)lines, &capacity, n + 1, sizeof **lines))
            return out_of_memory(err);
        (*lines)[n++] = (line_span){start, b->offset, content_end(a->text, start, b->offset),
                                    b->mandatory || b->offset == a->length};
        start = b->offset;
    }
    *count = n;
    return CR_OK;
}

/* ------------------------------------------------------------- builder */

/* The layout being built, with what placement needs beside it. */
typedef struct builder {
    const analysis *a;
    const attempt *at;
    box bx;
    int dpi;
    cr_text_layout *out;
    size_t glyph_capacity, run_capacity, line_capacity;
    UScriptCode *run_scripts; /* parallel to out->runs */
    size_t run_script_capacity;
    UBiDi *line_bidi;
} builder;

static cr_status append_glyphs(builder *b, const cr_shaped_glyph *glyphs, size_t count,
                               cr_face *face, cr_error *err)
{
    cr_text_layout *out = b->out;
    if (!reserve((void **)&out->glyphs, &b->glyph_capacity, out->glyph_count + count,
                 sizeof *out->glyphs))
        return out_of_memory(err);
    for (size_t i = 0; i < count; i++) {
        const cr_shaped_glyph *g = &glyphs[i];
        int32_t ppem = b->at->ppem;
        /* x and y hold the offsets until the line is placed. */
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
    return CR_OK;
}

static cr_status append_run(builder *b, const cr_item *item, uint32_t start, uint32_t end,
                            uint8_t level, size_t first_glyph, cr_error *err)
{
    cr_text_layout *out = b->out;
    if (!reserve((void **)&out->runs, &b->run_capacity, out->run_count + 1, sizeof *out->runs) ||
        !reserve((void **)&b->run_scripts, &b->run_script_capacity, out->run_count + 1,
                 sizeof *b->run_scripts))
        return out_of_memory(err);
    cr_text_run *run = &out->runs[out->run_count];
    *run = (cr_text_run){.start = start,
                         .end = end,
                         .bidi_level = level,
                         .face = item->face,
                         .first_glyph = first_glyph,
                         .glyph_count = out->glyph_count - first_glyph};
    snprintf(run->script, sizeof run->script, "%s", uscript_getShortName(item->script));
    snprintf(run->lang, sizeof run->lang, "%s", item_lang(b->a, item->script));
    b->run_scripts[out->run_count++] = item->script;
    return CR_OK;
}

/* Shapes [start, end) of one item with the line as context. */
static cr_status add_piece(builder *b, const line_span *line, const cr_item *item, uint32_t start,
                           uint32_t end, uint8_t level, cr_error *err)
{
    cr_shape_input in =
        shape_input(b->a, item, line->start, line->content_end, start, end, level & 1);
    cr_shaped_glyph *glyphs = NULL;
    size_t count = 0, first = b->out->glyph_count;
    cr_status status = cr_shape(&in, &glyphs, &count, err);
    if (status == CR_OK)
        status = append_glyphs(b, glyphs, count, item->face, err);
    free(glyphs);
    if (status == CR_OK)
        status = append_run(b, item, start, end, level, first, err);
    return status;
}

/* The first item that ends after byte `at`. */
static size_t first_item_after(const analysis *a, uint32_t at)
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
static cr_status add_bidi_run(builder *b, const line_span *line, uint32_t start, uint32_t end,
                              uint8_t level, cr_error *err)
{
    const analysis *a = b->a;
    size_t first = first_item_after(a, start), last = first;
    while (last < a->item_count && a->items[last].start < end)
        last++;
    for (size_t k = 0; k < last - first; k++) {
        const cr_item *item = &a->items[(level & 1) ? last - 1 - k : first + k];
        uint32_t s = item->start > start ? item->start : start;
        uint32_t e = item->end < end ? item->end : end;
        cr_status status = add_piece(b, line, item, s, e, level, err);
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

/* Shapes a line's content run by run in visual order (UAX #9 L2). */
static cr_status shape_line(builder *b, const line_span *line, cr_error *err)
{
    cr_visual_run *runs = NULL;
    size_t count = 0;
    cr_status status = cr_bidi_visual_runs(b->a->bidi, b->line_bidi, &b->a->t16, line->start,
                                           line->content_end, &runs, &count, err);
    for (size_t r = 0; status == CR_OK && r < count; r++)
        status = add_bidi_run(b, line, runs[r].start, runs[r].end, runs[r].level, err);
    free(runs);
    return status;
}

/* ------------------------------------------------- horizontal placement */

/* A line's glyphs and runs, and the extra space before each glyph. */
typedef struct line_glyphs {
    cr_glyph_pos *glyphs;
    size_t count;
    size_t first_run, run_count;
    size_t *run_of; /* run index (into out->runs) of each glyph */
    int32_t *extra; /* space added before each glyph, 26.6 */
    bool *gap;      /* justification may widen the space before the glyph */
} line_glyphs;

static bool starts_group(const line_glyphs *l, size_t i)
{
    return i > 0 &&
           (l->glyphs[i].cluster != l->glyphs[i - 1].cluster || l->run_of[i] != l->run_of[i - 1]);
}

static bool spaced(const builder *b, const line_glyphs *l, size_t i)
{
    return !cr_script_is_cursive(b->run_scripts[l->run_of[i]]);
}

static bool is_space_cluster(const builder *b, uint32_t cluster)
{
    size_t at = cluster;
    return u_isUWhiteSpace((UChar32)cr_utf8_next(b->a->text, b->a->length, &at));
}

/* Whether space may open between glyph i-1 and glyph i (a group start):
 * not between joined letters of one cursive run, but beside a word space
 * inside one (Uyghur lines justify at their spaces). */
static bool stretchable(const builder *b, const line_glyphs *l, size_t i)
{
    return l->run_of[i] != l->run_of[i - 1] ||
           !cr_script_is_cursive(b->run_scripts[l->run_of[i]]) ||
           is_space_cluster(b, l->glyphs[i - 1].cluster) ||
           is_space_cluster(b, l->glyphs[i].cluster);
}

static void add_letter_spacing(const builder *b, line_glyphs *l)
{
    for (size_t i = 1; i < l->count && b->at->letter_spacing; i++)
        if (starts_group(l, i) && spaced(b, l, i - 1) && spaced(b, l, i))
            l->extra[i] += b->at->letter_spacing;
}

static int64_t natural_width(const line_glyphs *l)
{
    int64_t width = 0;
    for (size_t i = 0; i < l->count; i++)
        width += l->extra[i] + l->glyphs[i].advance;
    return width;
}

/* Spreads slack over the marked gaps: equal shares, the remainder one unit
 * each to the first gaps. */
static void spread(line_glyphs *l, size_t gaps, int64_t slack)
{
    int64_t share = slack / (int64_t)gaps, remainder = slack % (int64_t)gaps;
    for (size_t i = 0; i < l->count; i++) {
        if (!l->gap[i])
            continue;
        l->extra[i] += (int32_t)(share + (remainder > 0));
        remainder--;
    }
}

/* Marks the gaps justification may widen: after inter-word spaces, or
 * between clusters when the line has no spaces (CJK). */
static size_t mark_gaps(const builder *b, line_glyphs *l, bool words)
{
    size_t count = 0;
    for (size_t i = 1; i < l->count; i++) {
        l->gap[i] = starts_group(l, i) && stretchable(b, l, i) &&
                    (!words || is_space_cluster(b, l->glyphs[i - 1].cluster));
        count += l->gap[i];
    }
    return count;
}

/* Justify / distribute: true when the slack was spread. */
static bool stretch_line(const builder *b, line_glyphs *l, bool justify, int64_t slack)
{
    if (slack <= 0 || l->count < 2)
        return false;
    size_t gaps = justify ? mark_gaps(b, l, true) : 0;
    if (gaps == 0)
        gaps = mark_gaps(b, l, false);
    if (gaps > 0)
        spread(l, gaps, slack);
    return gaps > 0;
}

static bool paragraph_is_rtl(const builder *b, uint32_t byte)
{
    UErrorCode status = U_ZERO_ERROR;
    UBiDiLevel level = 0;
    ubidi_getParagraph(b->a->bidi, b->a->t16.unit_of_byte[byte], NULL, NULL, &level, &status);
    return U_SUCCESS(status) && (level & 1);
}

/* Offset of the line inside the box for the given free space. */
static int64_t align_offset(cr_halign align, bool rtl, int64_t slack)
{
    switch (align) {
    case CR_ALIGN_CENTER:
        return slack / 2;
    case CR_ALIGN_RIGHT:
        return slack;
    case CR_ALIGN_END:
        return rtl ? 0 : slack;
    case CR_ALIGN_LEFT:
        return 0;
    default: /* start; justify and distribute when nothing was spread */
        return rtl ? slack : 0;
    }
}

/* The x of the line's left edge, after justification or distribution. */
static int64_t place_horizontally(const builder *b, line_glyphs *l, const line_span *span,
                                  int64_t *width)
{
    cr_halign align = b->a->field->align;
    bool rtl = paragraph_is_rtl(b, span->start);
    add_letter_spacing(b, l);
    int64_t natural = natural_width(l), slack = b->bx.w - natural;
    bool stretched = false;
    if (b->at->x_scale == SCALE_ONE && align == CR_ALIGN_DISTRIBUTE)
        stretched = stretch_line(b, l, false, slack);
    else if (b->at->x_scale == SCALE_ONE && align == CR_ALIGN_JUSTIFY && !span->paragraph_end)
        stretched = stretch_line(b, l, true, slack);
    if (stretched) {
        *width = b->bx.w;
        return b->bx.x;
    }
    *width = scale_x(natural, b->at->x_scale);
    if (align == CR_ALIGN_DISTRIBUTE) /* a single cluster: centred */
        align = CR_ALIGN_CENTER;
    return b->bx.x + align_offset(align, rtl, b->bx.w - *width);
}

/* Turns offsets into canvas x (y stays the offset until the baseline is
 * known). */
static void position_glyphs(const builder *b, line_glyphs *l, int64_t left)
{
    int64_t pen = 0;
    for (size_t i = 0; i < l->count; i++) {
        cr_glyph_pos *g = &l->glyphs[i];
        pen += l->extra[i];
        int64_t origin = pen + g->x;
        pen += g->advance;
        g->x = (int32_t)(left + scale_x(origin, b->at->x_scale));
        g->advance = scale_x(g->advance, b->at->x_scale);
    }
}

static void line_glyphs_free(line_glyphs *l)
{
    free(l->run_of);
    free(l->extra);
    free(l->gap);
}

/* The glyphs and runs appended since first_glyph / first_run. */
static bool line_glyphs_init(line_glyphs *l, const cr_text_layout *out, size_t first_glyph,
                             size_t first_run)
{
    *l = (line_glyphs){.glyphs = out->glyphs + first_glyph,
                       .count = out->glyph_count - first_glyph,
                       .first_run = first_run,
                       .run_count = out->run_count - first_run};
    size_t slots = l->count ? l->count : 1;
    l->run_of = malloc(slots * sizeof *l->run_of);
    l->extra = calloc(slots, sizeof *l->extra);
    l->gap = calloc(slots, sizeof *l->gap);
    if (!l->run_of || !l->extra || !l->gap) {
        line_glyphs_free(l);
        return false;
    }
    for (size_t r = first_run; r < out->run_count; r++)
        for (size_t k = 0; k < out->runs[r].glyph_count; k++)
            l->run_of[out->runs[r].first_glyph - first_glyph + k] = r;
    return true;
}

static cr_status place_line(builder *b, const line_span *span, size_t first_glyph, size_t first_run,
                            cr_error *err)
{
    cr_text_layout *out = b->out;
    line_glyphs l;
    if (!line_glyphs_init(&l, out, first_glyph, first_run))
        return out_of_memory(err);
    int64_t width = 0;
    int64_t left = place_horizontally(b, &l, span, &width);
    position_glyphs(b, &l, left);
    line_glyphs_free(&l);

    if (!reserve((void **)&out->lines, &b->line_capacity, out->line_count + 1, sizeof *out->lines))
        return out_of_memory(err);
    out->lines[out->line_count++] = (cr_text_line){.start = span->start,
                                                   .end = span->end,
                                                   .first_run = first_run,
                                                   .run_count = l.run_count,
                                                   .x = (int32_t)left,
                                                   .width = (int32_t)width};
    return CR_OK;
}

/* --------------------------------------------------- vertical placement */

typedef struct line_metrics {
    int32_t ascent, descent, gap; /* 26.6, from the faces; descent positive */
    int32_t ink_above, ink_below; /* 26.6, from the glyphs; below positive */
} line_metrics;

/* Ink kept between the lowest ink of a line and the highest of the next:
 * 1/20 em, under the 0.07 em that solid-set Han lines (1 em pitch) have. */
#define INK_CLEARANCE_EM_DIV 20

static void add_face_metrics(line_metrics *m, const cr_face *face, int32_t ppem)
{
    int32_t ascent = cr_font_units_to_26_6(face->ascender, ppem, face->upem);
    int32_t descent = cr_font_units_to_26_6(-(int64_t)face->descender, ppem, face->upem);
    int32_t gap = cr_font_units_to_26_6(face->line_gap, ppem, face->upem);
    m->ascent = ascent > m->ascent ? ascent : m->ascent;
    m->descent = descent > m->descent ? descent : m->descent;
    m->gap = gap > m->gap ? gap : m->gap;
}

/* The face an empty line is measured with. */
static const cr_face *primary_face(const analysis *a)
{
    if (a->item_count)
        return a->items[0].face;
    return a->length ? a->faces[0] : NULL;
}

/* The ink extent of one glyph (y offset included, still y up here). */
static void add_glyph_ink(line_metrics *m, const cr_glyph_pos *g)
{
    hb_glyph_extents_t ink;
    const cr_face *face = g->face;
    if (!hb_font_get_glyph_extents(face->hb_font, g->glyph_id, &ink) || ink.height == 0)
        return;
    int32_t top = g->y + cr_font_units_to_26_6(ink.y_bearing, g->ppem, face->upem);
    int32_t bottom = g->y + cr_font_units_to_26_6(ink.y_bearing + ink.height, g->ppem, face->upem);
    m->ink_above = top > m->ink_above ? top : m->ink_above;
    m->ink_below = -bottom > m->ink_below ? -bottom : m->ink_below;
}

static line_metrics metrics_of_line(const builder *b, const cr_text_line *line,
                                    const line_metrics *previous)
{
    line_metrics m = {0, 0, 0, 0, 0};
    for (size_t r = line->first_run; r < line->first_run + line->run_count; r++) {
        const cr_text_run *run = &b->out->runs[r];
        add_face_metrics(&m, run->face, b->at->ppem);
        for (size_t g = run->first_glyph; g < run->first_glyph + run->glyph_count; g++)
            add_glyph_ink(&m, &b->out->glyphs[g]);
    }
    if (line->run_count == 0) {
        if (previous) {
            m = *previous;
            m.ink_above = m.ink_below = 0;
            return m;
        }
        if (primary_face(b->a))
            add_face_metrics(&m, primary_face(b->a), b->at->ppem);
    }
    return m;
}

/* Baseline to baseline: the template's line_height_pt, else the faces'
 * descent + gap + ascent; more when the ink of the two lines would come
 * closer than the clearance (deep Tibetan stacks, Uyghur descenders). */
static int64_t line_pitch(const builder *b, int32_t pitch, const line_metrics *above,
                          const line_metrics *below)
{
    int64_t nominal = pitch > 0 ? pitch : (int64_t)above->descent + above->gap + below->ascent;
    int64_t ink = (int64_t)above->ink_below + below->ink_above + b->at->ppem / INK_CLEARANCE_EM_DIV;
    return nominal > ink ? nominal : ink;
}

/* Baselines relative to the block's top; returns the block's height and
 * how many lines fit in the box height. The first line always fits: boxes of
 * single-line card fields are often lower than the font's ascender plus
 * descender (which include the font's own leading), and the glyphs do fit. */
static int64_t stack_lines(const builder *b, int32_t *baselines, size_t *fitting)
{
    const cr_text_layout *out = b->out;
    int32_t pitch = round_26_6(b->a->field->line_height_pt * b->dpi / 72.0);
    line_metrics previous = {0, 0, 0, 0, 0};
    int64_t y = 0, bottom = 0;
    *fitting = 0;
    for (size_t i = 0; i < out->line_count; i++) {
        line_metrics m = metrics_of_line(b, &out->lines[i], i ? &previous : NULL);
        if (i == 0)
            y = m.ascent;
        else
            y += line_pitch(b, pitch, &previous, &m);
        baselines[i] = (int32_t)y;
        bottom = y + m.descent;
        if ((i == 0 || bottom <= b->bx.h) && *fitting == i)
            (*fitting)++;
        previous = m;
    }
    return bottom;
}

static int64_t valign_offset(cr_valign valign, int64_t free_height)
{
    switch (valign) {
    case CR_VALIGN_CENTER:
        return free_height / 2;
    case CR_VALIGN_BOTTOM:
        return free_height;
    default:
        return 0;
    }
}

/* Sets baselines and glyph y; returns how many lines fit in the box. */
static cr_status place_vertically(builder *b, size_t *fitting, cr_error *err)
{
    cr_text_layout *out = b->out;
    int32_t *baselines = malloc((out->line_count ? out->line_count : 1) * sizeof *baselines);
    if (!baselines)
        return out_of_memory(err);
    int64_t height = stack_lines(b, baselines, fitting);
    int64_t top = b->bx.y + valign_offset(b->a->field->valign, b->bx.h - height);
    for (size_t i = 0; i < out->line_count; i++) {
        cr_text_line *line = &out->lines[i];
        line->baseline = (int32_t)(top + baselines[i]);
        for (size_t r = line->first_run; r < line->first_run + line->run_count; r++) {
            const cr_text_run *run = &out->runs[r];
            for (size_t g = run->first_glyph; g < run->first_glyph + run->glyph_count; g++)
                out->glyphs[g].y = line->baseline - out->glyphs[g].y; /* offsets are y up */
        }
    }
    free(baselines);
    return CR_OK;
}

/* ------------------------------------------------------------ fit check */

static void check_fit(const builder *b, size_t fitting)
{
    cr_text_layout *out = b->out;
    size_t allowed = fitting;
    int max_lines = b->a->field->max_lines;
    if (max_lines > 0 && (size_t)max_lines < allowed)
        allowed = (size_t)max_lines;
    if (out->line_count > allowed) {
        out->overflow = true;
        snprintf(out->overflow_reason, sizeof out->overflow_reason,
                 "needs %zu lines, box holds %zu", out->line_count, allowed);
        return;
    }
    for (size_t i = 0; i < out->line_count; i++) {
        if (out->lines[i].width > b->bx.w) {
            out->overflow = true;
            snprintf(out->overflow_reason, sizeof out->overflow_reason,
                     "line %zu is %.2f px wide, box is %.2f px", i + 1, out->lines[i].width / 64.0,
                     b->bx.w / 64.0);
            return;
        }
    }
}

static cr_status record_breaks(cr_text_layout *out, cr_error *err)
{
    if (out->line_count < 2)
        return CR_OK;
    out->breaks = malloc((out->line_count - 1) * sizeof *out->breaks);
    if (!out->breaks)
        return out_of_memory(err);
    for (size_t i = 1; i < out->line_count; i++)
        out->breaks[out->break_count++] = out->lines[i].start;
    return CR_OK;
}

/* -------------------------------------------------------------- attempt */

/* Trims the line's last mark (see find_trims) in the glyphs just shaped. */
static void trim_line_end(const builder *b, const line_span *span, size_t first_glyph)
{
    const analysis *a = b->a;
    int32_t narrower = line_end_trim(a, b->at->ppem, span->start, span->content_end);
    if (narrower == 0)
        return;
    uint32_t last = (uint32_t)cr_utf8_prev(a->text, span->content_end);
    int32_t shift = cr_font_units_to_26_6(a->trims[last].offset, b->at->ppem, a->faces[last]->upem);
    for (size_t i = first_glyph; i < b->out->glyph_count; i++) {
        cr_glyph_pos *g = &b->out->glyphs[i];
        if (g->cluster == last) {
            g->advance -= narrower;
            g->x += shift;
        }
    }
}

static cr_status build_lines(builder *b, const line_span *spans, size_t count, cr_error *err)
{
    for (size_t i = 0; i < count; i++) {
        size_t first_glyph = b->out->glyph_count, first_run = b->out->run_count;
        cr_status status = shape_line(b, &spans[i], err);
        if (status == CR_OK)
            trim_line_end(b, &spans[i], first_glyph);
        if (status == CR_OK)
            status = place_line(b, &spans[i], first_glyph, first_run, err);
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

/* Lays the text out at one size into out (emptied first). */
static cr_status lay_out(const analysis *a, const attempt *at, box bx, int dpi, cr_text_layout *out,
                         cr_error *err)
{
    cr_text_layout_free(out);
    out->size_pt = at->size_pt;
    out->scale_x = at->x_scale / (double)SCALE_ONE;
    builder b = {.a = a, .at = at, .bx = bx, .dpi = dpi, .out = out};
    measure m = {NULL, NULL};
    line_span *spans = NULL;
    size_t span_count = 0, fitting = 0;
    UErrorCode icu = U_ZERO_ERROR;
    b.line_bidi = ubidi_openSized(a->t16.length, 0, &icu);
    cr_status status = U_SUCCESS(icu)
                           ? measure_text(a, at, &m, err)
                           : cr_fail(err, CR_ERR_INTERNAL, "ICU bidi: %s", u_errorName(icu));
    if (status == CR_OK)
        status = choose_lines(a, &m, at, bx.w, &spans, &span_count, err);
    if (status == CR_OK)
        status = build_lines(&b, spans, span_count, err);
    if (status == CR_OK)
        status = place_vertically(&b, &fitting, err);
    if (status == CR_OK)
        status = record_breaks(out, err);
    if (status == CR_OK)
        check_fit(&b, fitting);
    ubidi_close(b.line_bidi);
    free(b.run_scripts);
    free(spans);
    measure_free(&m);
    return status;
}

static attempt attempt_at(const cr_field *field, double size_pt, int dpi, int32_t x_scale,
                          bool soft_wrap)
{
    int32_t ppem = round_26_6(size_pt * dpi / 72.0);
    return (attempt){size_pt, ppem, round_26_6(field->letter_spacing_em * ppem / 64.0), x_scale,
                     soft_wrap};
}

/* ------------------------------------------------------------- policies */

/* Puts prefix in front of the overflow reason, cutting the end if need be. */
static void prefix_reason(cr_text_layout *out, const char *prefix)
{
    char reason[sizeof out->overflow_reason];
    size_t n = strnlen(prefix, sizeof reason - 1);
    size_t rest = strnlen(out->overflow_reason, sizeof reason - 1);
    if (n + rest > sizeof reason - 1)
        rest = sizeof reason - 1 - n;
    memcpy(reason, prefix, n);
    memcpy(reason + n, out->overflow_reason, rest);
    reason[n + rest] = '\0';
    memcpy(out->overflow_reason, reason, sizeof reason);
}

/* Sizes tried: size_pt, then 0.25 pt smaller each time (computed from
 * size_pt, so no rounding error piles up), the floor itself last. */
static cr_status fit_shrink(const analysis *a, box bx, int dpi, cr_text_layout *out, cr_error *err)
{
    const cr_field *field = a->field;
    double floor_pt =
        field->min_size_pt > 0 ? field->min_size_pt : field->size_pt * DEFAULT_MIN_SIZE_RATIO;
    floor_pt = fmin(floor_pt, field->size_pt);
    for (int step = 0;; step++) {
        double size = fmax(field->size_pt - step * SHRINK_STEP_PT, floor_pt);
        attempt at = attempt_at(field, size, dpi, SCALE_ONE, true);
        cr_status status = lay_out(a, &at, bx, dpi, out, err);
        if (status != CR_OK || !out->overflow)
            return status;
        if (size <= floor_pt + 1e-9) {
            char prefix[64];
            snprintf(prefix, sizeof prefix, "even at %.2f pt: ", size);
            prefix_reason(out, prefix);
            return CR_OK;
        }
    }
}

static int32_t widest_line(const cr_text_layout *layout)
{
    int32_t widest = 0;
    for (size_t i = 0; i < layout->line_count; i++)
        widest = layout->lines[i].width > widest ? layout->lines[i].width : widest;
    return widest;
}

/* One line per paragraph, scaled horizontally until the widest fits. */
static cr_status fit_condense(const analysis *a, box bx, int dpi, cr_text_layout *out,
                              cr_error *err)
{
    const cr_field *field = a->field;
    attempt at = attempt_at(field, field->size_pt, dpi, SCALE_ONE, false);
    cr_status status = lay_out(a, &at, bx, dpi, out, err);
    int32_t widest = widest_line(out);
    if (status != CR_OK || widest <= bx.w)
        return status;
    double min_scale = field->min_scale_x > 0 ? fmin(field->min_scale_x, 1.0) : DEFAULT_MIN_SCALE_X;
    int64_t needed = (int64_t)bx.w * SCALE_ONE / widest; /* floor: never wider than the box */
    int32_t lowest = (int32_t)llround(min_scale * SCALE_ONE);
    at.x_scale = needed < lowest ? lowest : (int32_t)needed;
    status = lay_out(a, &at, bx, dpi, out, err);
    if (status == CR_OK && out->overflow) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "even condensed to %.3f: ", out->scale_x);
        prefix_reason(out, prefix);
    }
    return status;
}

static box field_box(const cr_field *field, int dpi)
{
    return (box){
        round_26_6(cr_mm_to_px(field->x_mm, dpi)), round_26_6(cr_mm_to_px(field->y_mm, dpi)),
        round_26_6(cr_mm_to_px(field->w_mm, dpi)), round_26_6(cr_mm_to_px(field->h_mm, dpi))};
}

static cr_status apply_fit_policy(const analysis *a, int dpi, cr_text_layout *out, cr_error *err)
{
    const cr_field *field = a->field;
    box bx = field_box(field, dpi);
    if (field->fit == CR_FIT_SHRINK)
        return fit_shrink(a, bx, dpi, out, err);
    if (field->fit == CR_FIT_CONDENSE)
        return fit_condense(a, bx, dpi, out, err);
    attempt at = attempt_at(field, field->size_pt, dpi, SCALE_ONE, true);
    cr_status status = lay_out(a, &at, bx, dpi, out, err);
    if (status == CR_OK && field->fit == CR_FIT_ERROR && out->overflow)
        status = cr_error_set(err, CR_ERR_TEXT, cr_field_location(a->tpl, field),
                              "text does not fit: %s", out->overflow_reason);
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
    out->size_pt = field->size_pt;
    out->scale_x = 1.0;
    if (status != CR_OK || length == 0)
        return status;
    if (field->writing_mode != CR_WRITING_HORIZONTAL)
        return cr_layout_vertical(engine, tpl, field, text, dpi, out, err);
    analysis a = {
        .engine = engine, .tpl = tpl, .field = field, .text = text, .length = (uint32_t)length};
    status = analyse(&a, err);
    if (status == CR_OK)
        status = apply_fit_policy(&a, dpi, out, err);
    if (status == CR_OK) { /* the attempts empty out, so the warnings come last */
        out->warnings = a.warnings;
        out->warning_count = a.warning_count;
        a.warnings = NULL;
    }
    analysis_free(&a);
    if (status != CR_OK)
        cr_text_layout_free(out);
    return status;
}

void cr_text_layout_free(cr_text_layout *layout)
{
    if (!layout)
        return;
    free(layout->glyphs);
    free(layout->runs);
    free(layout->lines);
    free(layout->breaks);
    free(layout->warnings);
    memset(layout, 0, sizeof *layout);
}
