/* cr_layout_vertical: text set in columns, top to bottom; columns go left to
 * right (vertical-mongolian) or right to left (vertical-cjk).
 *
 * Analysis (once per text) goes through the horizontal pipeline's stages:
 * bidi and script itemising, font choice, UAX #14 break opportunities; then
 * each item is cut into orientation pieces (sideways, upright, across) that
 * are shaped in the item's paragraph to measure them. Per size tried:
 * columns are filled greedily on the measured lengths, each column's pieces
 * are shaped again with the column as context, and glyphs are placed along
 * each column's axis. All positions are 26.6 integers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>

#include "error.h"
#include "font_select.h"
#include "itemize.h"
#include "layout.h"
#include "layout_vertical.h"
#include "linebreak.h"
#include "shape.h"
#include "text.h"

#define SCALE_ONE 65536
#define SHRINK_STEP_PT 0.25
#define DEFAULT_MIN_SIZE_RATIO 0.7 /* as the template loader's default */
#define NNBSP 0x202F
#define MVS 0x180E

static cr_status no_memory(cr_error *err)
{
    return cr_fail(err, CR_ERR_NOMEM, "out of memory laying out vertical text");
}

/* Makes room for `need` elements in *array. */
static bool grow(void **array, size_t *capacity, size_t need, size_t element)
{
    if (need <= *capacity)
        return true;
    size_t bigger = *capacity ? *capacity * 2 : 16;
    while (bigger < need)
        bigger *= 2;
    void *moved = realloc(*array, bigger * element);
    if (!moved)
        return false;
    *array = moved;
    *capacity = bigger;
    return true;
}

static int32_t px_to_26_6(double px)
{
    return (int32_t)llround(px * 64.0);
}

/* ------------------------------------------------------------- analysis */

/* Part of an item set one way. */
typedef struct piece {
    uint32_t start, end;
    cr_orientation orientation;
    const cr_item *item;
    cr_shaped_glyph *glyphs; /* shaped in its paragraph; x_advance runs along the column */
    size_t glyph_count;
} piece;

typedef struct vtext {
    cr_engine *engine;
    const cr_template *tpl;
    const cr_field *field;
    const char *text;
    uint32_t length;
    cr_text16 t16;
    UBiDi *bidi;
    uint8_t *levels;              /* per byte */
    UScriptCode *scripts;         /* per byte */
    cr_face **faces;              /* per byte */
    cr_orientation *orientations; /* per byte */
    cr_item *items;
    size_t item_count;
    piece *pieces;
    size_t piece_count, piece_capacity;
    cr_break_opportunity *breaks;
    size_t break_count;
    cr_text_warning *warnings; /* from font choice; handed to the layout */
    size_t warning_count;
} vtext;

static void vtext_free(vtext *v)
{
    for (size_t i = 0; i < v->piece_count; i++)
        free(v->pieces[i].glyphs);
    free(v->pieces);
    free(v->warnings);
    free(v->breaks);
    free(v->items);
    free(v->orientations);
    free(v->faces);
    free(v->scripts);
    free(v->levels);
    ubidi_close(v->bidi);
    cr_text16_free(&v->t16);
}

static const char *lang_for(const vtext *v, UScriptCode script)
{
    const char *lang = v->field->lang;
    return lang && lang[0] ? lang : cr_script_default_lang(script);
}

/* Shapes [start, end) of a piece with [context_start, context_end) around
 * it. A number set across is shaped on its own, left to right. */
static cr_status shape_piece(const vtext *v, const piece *p, uint32_t context_start,
                             uint32_t context_end, uint32_t start, uint32_t end,
                             cr_shaped_glyph **glyphs, size_t *count, cr_error *err)
{
    bool across = p->orientation == CR_ORIENT_ACROSS;
    cr_shape_input in = {.text = v->text,
                         .context_start = across ? start : context_start,
                         .context_end = across ? end : context_end,
                         .start = start,
                         .end = end,
                         .face = p->item->face,
                         .script = p->item->script,
                         .lang = lang_for(v, p->item->script),
                         .rtl = !across && (p->item->level & 1)};
    if (p->orientation == CR_ORIENT_UPRIGHT)
        return cr_shape_upright(&in, glyphs, count, err);
    return cr_shape(&in, glyphs, count, err);
}

static bool add_piece(vtext *v, const cr_item *item, uint32_t start, uint32_t end)
{
    if (!grow((void **)&v->pieces, &v->piece_capacity, v->piece_count + 1, sizeof *v->pieces))
        return false;
    v->pieces[v->piece_count++] = (piece){start, end, v->orientations[start], item, NULL, 0};
    return true;
}

/* Cuts every item where the orientation changes. */
static cr_status split_pieces(vtext *v, cr_error *err)
{
    for (size_t i = 0; i < v->item_count; i++) {
        const cr_item *item = &v->items[i];
        uint32_t start = item->start;
        for (uint32_t b = item->start + 1; b <= item->end; b++) {
            if (b < item->end && v->orientations[b] == v->orientations[start])
                continue;
            if (!add_piece(v, item, start, b))
                return no_memory(err);
            start = b;
        }
    }
    return CR_OK;
}

static cr_status shape_pieces(vtext *v, cr_error *err)
{
    for (size_t i = 0; i < v->piece_count; i++) {
        piece *p = &v->pieces[i];
        cr_status status = shape_piece(v, p, p->item->para_start, p->item->para_end, p->start,
                                       p->end, &p->glyphs, &p->glyph_count, err);
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

/* mlreq: a column never starts with NNBSP (the suffix belongs to its word)
 * or MVS. UAX #14 gives both GL, which still allows a break after a space
 * in front of them. */
static void keep_suffixes_with_words(vtext *v)
{
    size_t kept = 0;
    for (size_t i = 0; i < v->break_count; i++) {
        size_t at = v->breaks[i].offset;
        uint32_t next = at < v->length ? cr_utf8_next(v->text, v->length, &at) : 0;
        if (v->breaks[i].mandatory || (next != NNBSP && next != MVS))
            v->breaks[kept++] = v->breaks[i];
    }
    v->break_count = kept;
}

static cr_status find_breaks(vtext *v, cr_error *err)
{
    cr_linebreak_options options = {.lang = lang_for(v, v->scripts[0]),
                                    .scripts = v->scripts,
                                    .kinsoku = v->field->kinsoku,
                                    .hangul_break = v->field->hangul_break};
    cr_status status = cr_find_line_breaks(v->text, v->length, &v->t16, &options, &v->breaks,
                                           &v->break_count, err);
    if (status == CR_OK)
        keep_suffixes_with_words(v);
    return status;
}

static cr_status itemise(vtext *v, cr_error *err)
{
    size_t n = v->length;
    if (!cr_text16_init(&v->t16, v->text, n))
        return no_memory(err);
    v->levels = malloc(n);
    v->scripts = malloc(n * sizeof *v->scripts);
    v->faces = malloc(n * sizeof *v->faces);
    v->orientations = malloc(n * sizeof *v->orientations);
    if (!v->levels || !v->scripts || !v->faces || !v->orientations)
        return no_memory(err);
    v->bidi = cr_itemize_bidi(&v->t16, n, v->field->direction, v->levels, err);
    if (!v->bidi)
        return err ? err->code : CR_ERR_INTERNAL;
    cr_itemize_scripts(v->text, n, v->scripts);
    cr_status status = cr_select_fonts(v->engine, v->tpl, v->field, v->text, n, &v->t16, v->scripts,
                                       v->faces, &v->warnings, &v->warning_count, err);
    if (status == CR_OK && !cr_orient_text(v->text, n, &v->t16, v->faces,
                                           v->field->tate_chu_yoko_digits, v->orientations))
        status = no_memory(err);
    if (status == CR_OK)
        status = cr_itemize_runs(v->text, n, &v->t16, v->bidi, v->levels, v->scripts, v->faces,
                                 &v->items, &v->item_count, err);
    return status;
}

static cr_status analyse(vtext *v, cr_error *err)
{
    cr_status status = itemise(v, err);
    if (status == CR_OK)
        status = split_pieces(v, err);
    if (status == CR_OK)
        status = shape_pieces(v, err);
    if (status == CR_OK)
        status = find_breaks(v, err);
    return status;
}

/* ------------------------------------------------------------ measuring */

/* One size tried. */
typedef struct attempt {
    double size_pt;
    int32_t ppem;           /* 26.6 */
    int32_t letter_spacing; /* 26.6 */
} attempt;

typedef struct box {
    int32_t x, y, w, h; /* 26.6 */
} box;

/* Lengths along the column of the paragraph-shaped text, by byte. */
typedef struct measure {
    int64_t *length_before;    /* of bytes [0, i) */
    uint32_t *spacings_before; /* letter-spacing gaps at cluster starts in [0, i) */
} measure;

enum { STARTS_CLUSTER = 1, TAKES_SPACING = 2 };

static void measure_free(measure *m)
{
    free(m->length_before);
    free(m->spacings_before);
}

/* Letters of a cursive script turned sideways join: no space opens between
 * them. Upright and across pieces are set cell by cell. */
static bool piece_takes_spacing(const piece *p)
{
    return p->orientation != CR_ORIENT_SIDEWAYS || !cr_script_is_cursive(p->item->script);
}

static void measure_piece(const piece *p, const attempt *at, int64_t *length, uint8_t *flags)
{
    uint8_t flag = STARTS_CLUSTER | (piece_takes_spacing(p) ? TAKES_SPACING : 0);
    if (p->orientation == CR_ORIENT_ACROSS) {
        length[p->start] += at->ppem; /* the group fills one em */
        flags[p->start] = flag;
        return;
    }
    int upem = p->item->face->upem;
    for (size_t g = 0; g < p->glyph_count; g++) {
        length[p->glyphs[g].cluster] +=
            cr_font_units_to_26_6(p->glyphs[g].x_advance, at->ppem, upem);
        flags[p->glyphs[g].cluster] = flag;
    }
}

static cr_status measure_text(const vtext *v, const attempt *at, measure *m, cr_error *err)
{
    uint32_t n = v->length;
    m->length_before = calloc(n + 1, sizeof *m->length_before);
    m->spacings_before = calloc(n + 1, sizeof *m->spacings_before);
    int64_t *length = calloc(n, sizeof *length);
    uint8_t *flags = calloc(n, 1);
    cr_status status = CR_OK;
    if (!m->length_before || !m->spacings_before || !length || !flags)
        status = no_memory(err);
    for (size_t i = 0; status == CR_OK && i < v->piece_count; i++)
        measure_piece(&v->pieces[i], at, length, flags);
    bool previous_spaced = false;
    for (uint32_t i = 0; status == CR_OK && i < n; i++) {
        bool spacing = false;
        if (flags[i] & STARTS_CLUSTER) {
            bool spaced = flags[i] & TAKES_SPACING;
            spacing = spaced && previous_spaced;
            previous_spaced = spaced;
        }
        m->length_before[i + 1] = m->length_before[i] + length[i];
        m->spacings_before[i + 1] = m->spacings_before[i] + spacing;
    }
    free(length);
    free(flags);
    return status;
}

/* Length of [start, end) set in one column, letter spacing included. */
static int64_t span_length(const measure *m, const attempt *at, uint32_t start, uint32_t end)
{
    if (end <= start)
        return 0;
    int64_t spacings = m->spacings_before[end] - m->spacings_before[start + 1];
    return m->length_before[end] - m->length_before[start] + spacings * at->letter_spacing;
}

/* ------------------------------------------------------- column breaking */

typedef struct column_span {
    uint32_t start, end;  /* all its bytes, trailing spaces and terminator included */
    uint32_t content_end; /* without them */
    bool paragraph_end;   /* last column of a paragraph: not justified */
} column_span;

static uint32_t without_trailing_space(const char *text, uint32_t start, uint32_t end)
{
    while (end > start) {
        size_t before = cr_utf8_prev(text, end), at = before;
        if (!cr_is_trailing_space(cr_utf8_next(text, end, &at)))
            break;
        end = (uint32_t)before;
    }
    return end;
}

/* The opportunity ending the column that starts at `start`: the furthest
 * whose content fits the column length, else the first (an unbreakable word
 * longer than the box gets a column of its own). *next: where to look on. */
static const cr_break_opportunity *end_of_column(const vtext *v, const measure *m,
                                                 const attempt *at, int32_t column_length,
                                                 uint32_t start, size_t *next)
{
    const cr_break_opportunity *chosen = NULL;
    size_t i = *next;
    while (i < v->break_count) {
        const cr_break_opportunity *b = &v->breaks[i++];
        if (b->offset <= start)
            continue;
        uint32_t content = without_trailing_space(v->text, start, b->offset);
        bool fits = span_length(m, at, start, content) <= column_length;
        if (chosen && !fits) {
            i--;
            break;
        }
        chosen = b;
        if (!fits || b->mandatory || b->offset == v->length)
            break;
    }
    *next = i;
    return chosen;
}

static cr_status choose_columns(const vtext *v, const measure *m, const attempt *at,
                                int32_t column_length, column_span **columns, size_t *count,
                                cr_error *err)
{
    size_t capacity = 0, n = 0, next = 0;
    *columns = NULL;
    for (uint32_t start = 0; start < v->length;) {
        const cr_break_opportunity *b = end_of_column(v, m, at, column_length, start, &next);
        if (!grow((void **)columns, &capacity, n + 1, sizeof **columns))
            return no_memory(err);
        (*columns)[n++] =
            (column_span){start, b->offset, without_trailing_space(v->text, start, b->offset),
                          b->mandatory || b->offset == v->length};
        start = b->offset;
    }
    *count = n;
    return CR_OK;
}

/* -------------------------------------------------------------- building */

/* What placing a run's glyphs needs beside cr_text_run. */
typedef struct run_setting {
    cr_orientation orientation;
    bool spaced;          /* space may open around its clusters */
    int32_t axis_height;  /* sideways: from its baseline to the column's axis, 26.6 */
    int32_t across_width; /* across: the group's natural width */
    int32_t across_drop;  /* across: from the cell's top down to the baseline */
} run_setting;

typedef struct builder {
    const vtext *v;
    const attempt *at;
    box bx;
    int dpi;
    cr_text_layout *out;
    size_t glyph_capacity, run_capacity, line_capacity, setting_capacity;
    run_setting *settings; /* parallel to out->runs */
} builder;

static int32_t to_px(const builder *b, const cr_face *face, int64_t units)
{
    return cr_font_units_to_26_6(units, b->at->ppem, face->upem);
}

/* Until placement, x and y hold the glyph's offsets: along the column and
 * across it (right positive) for sideways glyphs, across and along for
 * upright ones, the pen and the offset (down) inside an across group. */
static cr_glyph_pos provisional_glyph(const builder *b, const piece *p, const cr_shaped_glyph *g,
                                      int64_t *across_pen)
{
    cr_face *face = p->item->face;
    cr_glyph_pos out = {.face = face,
                        .glyph_id = g->glyph_id,
                        .cluster = g->cluster,
                        .advance = to_px(b, face, g->x_advance),
                        .ppem = b->at->ppem,
                        .x_scale = SCALE_ONE};
    if (p->orientation == CR_ORIENT_SIDEWAYS) {
        out.x = to_px(b, face, g->x_offset);
        out.y = to_px(b, face, g->y_offset);
        out.rotation = 90;
    } else if (p->orientation == CR_ORIENT_UPRIGHT) {
        out.x = to_px(b, face, g->x_offset);
        out.y = -to_px(b, face, g->y_offset);
    } else {
        out.x = (int32_t)(*across_pen + to_px(b, face, g->x_offset));
        out.y = -to_px(b, face, g->y_offset);
        *across_pen += out.advance;
        out.advance = 0; /* the group's em goes to its first glyph */
    }
    return out;
}

/* A number set across takes one em of the column's length. */
static void finish_across(const builder *b, cr_glyph_pos *glyphs, size_t count, int64_t width,
                          run_setting *setting)
{
    int32_t em = b->at->ppem;
    if (count == 0)
        return;
    glyphs[0].advance = em;
    setting->across_width = (int32_t)width;
    setting->across_drop = (em + to_px(b, glyphs[0].face, cr_digit_height(glyphs[0].face))) / 2;
}

static run_setting setting_for(const builder *b, const piece *p)
{
    run_setting s = {.orientation = p->orientation, .spaced = piece_takes_spacing(p)};
    if (p->orientation == CR_ORIENT_SIDEWAYS)
        s.axis_height =
            to_px(b, p->item->face, cr_sideways_axis_height(p->item->face, p->item->script));
    return s;
}

static cr_status append_run(builder *b, const piece *p, uint32_t start, uint32_t end,
                            size_t first_glyph, run_setting setting, cr_error *err)
{
    cr_text_layout *out = b->out;
    if (!grow((void **)&out->runs, &b->run_capacity, out->run_count + 1, sizeof *out->runs) ||
        !grow((void **)&b->settings, &b->setting_capacity, out->run_count + 1, sizeof *b->settings))
        return no_memory(err);
    cr_text_run *run = &out->runs[out->run_count];
    *run = (cr_text_run){.start = start,
                         .end = end,
                         .bidi_level = p->item->level,
                         .face = p->item->face,
                         .first_glyph = first_glyph,
                         .glyph_count = out->glyph_count - first_glyph};
    snprintf(run->script, sizeof run->script, "%s", uscript_getShortName(p->item->script));
    snprintf(run->lang, sizeof run->lang, "%s", lang_for(b->v, p->item->script));
    b->settings[out->run_count++] = setting;
    return CR_OK;
}

/* Shapes [start, end) of a piece with the column as context and appends it
 * as a run. */
static cr_status add_run(builder *b, const column_span *column, const piece *p, uint32_t start,
                         uint32_t end, cr_error *err)
{
    cr_shaped_glyph *shaped = NULL;
    size_t count = 0, first = b->out->glyph_count;
    cr_status status =
        shape_piece(b->v, p, column->start, column->content_end, start, end, &shaped, &count, err);
    if (status == CR_OK && !grow((void **)&b->out->glyphs, &b->glyph_capacity,
                                 b->out->glyph_count + count, sizeof *b->out->glyphs))
        status = no_memory(err);
    if (status != CR_OK) {
        free(shaped);
        return status;
    }
    int64_t across_pen = 0;
    for (size_t i = 0; i < count; i++)
        b->out->glyphs[b->out->glyph_count++] = provisional_glyph(b, p, &shaped[i], &across_pen);
    free(shaped);
    run_setting setting = setting_for(b, p);
    if (p->orientation == CR_ORIENT_ACROSS)
        finish_across(b, b->out->glyphs + first, count, across_pen, &setting);
    return append_run(b, p, start, end, first, setting, err);
}

static cr_status add_column(builder *b, const column_span *column, cr_error *err)
{
    cr_text_layout *out = b->out;
    size_t first_run = out->run_count;
    for (size_t i = 0; i < b->v->piece_count; i++) {
        const piece *p = &b->v->pieces[i];
        uint32_t start = p->start > column->start ? p->start : column->start;
        uint32_t end = p->end < column->content_end ? p->end : column->content_end;
        if (start >= end)
            continue;
        cr_status status = add_run(b, column, p, start, end, err);
        if (status != CR_OK)
            return status;
    }
    if (!grow((void **)&out->lines, &b->line_capacity, out->line_count + 1, sizeof *out->lines))
        return no_memory(err);
    out->lines[out->line_count++] = (cr_text_line){.start = column->start,
                                                   .end = column->end,
                                                   .first_run = first_run,
                                                   .run_count = out->run_count - first_run};
    return CR_OK;
}

/* ------------------------------------------------ placing along a column */

/* A cluster's glyphs (a whole across group): space opens only between
 * groups. */
typedef struct group {
    size_t run;          /* into out->runs */
    size_t first, count; /* into out->glyphs */
    int64_t length;      /* along the column */
    int64_t extra;       /* space opened before it */
    bool spaced;         /* letter spacing may open before it */
    bool stretchable;    /* distribution may open space before it */
    bool after_space;    /* justification may open space before it */
} group;

typedef struct column_groups {
    group *items;
    size_t count, capacity;
} column_groups;

static bool is_white_space_at(const vtext *v, uint32_t offset)
{
    size_t at = offset;
    return u_isUWhiteSpace((UChar32)cr_utf8_next(v->text, v->length, &at));
}

static bool starts_group(const cr_text_layout *out, const run_setting *s, size_t run, size_t g)
{
    const cr_text_run *r = &out->runs[run];
    if (g == r->first_glyph)
        return true;
    return s->orientation != CR_ORIENT_ACROSS &&
           out->glyphs[g].cluster != out->glyphs[g - 1].cluster;
}

static bool open_group(const builder *b, column_groups *groups, size_t run, size_t g)
{
    if (!grow((void **)&groups->items, &groups->capacity, groups->count + 1, sizeof(group)))
        return false;
    const run_setting *s = &b->settings[run];
    bool first = groups->count == 0;
    const group *previous = first ? NULL : &groups->items[groups->count - 1];
    bool new_run = first || previous->run != run;
    groups->items[groups->count++] = (group){
        .run = run,
        .first = g,
        .spaced = !first && s->spaced && b->settings[previous->run].spaced,
        .stretchable = !first && (new_run || s->spaced),
        .after_space = !first && is_white_space_at(b->v, b->out->glyphs[previous->first].cluster)};
    return true;
}

static bool collect_groups(const builder *b, const cr_text_line *line, column_groups *groups)
{
    const cr_text_layout *out = b->out;
    groups->count = 0;
    for (size_t r = line->first_run; r < line->first_run + line->run_count; r++) {
        const cr_text_run *run = &out->runs[r];
        for (size_t g = run->first_glyph; g < run->first_glyph + run->glyph_count; g++) {
            if (starts_group(out, &b->settings[r], r, g) && !open_group(b, groups, r, g))
                return false;
            group *current = &groups->items[groups->count - 1];
            current->count++;
            current->length += out->glyphs[g].advance;
        }
    }
    return true;
}

static int64_t natural_length(const column_groups *groups)
{
    int64_t length = 0;
    for (size_t i = 0; i < groups->count; i++)
        length += groups->items[i].extra + groups->items[i].length;
    return length;
}

/* Spreads slack over the groups `chosen` picks: equal shares, the remainder
 * a unit each to the first. false when there is no such group. */
static bool spread(column_groups *groups, int64_t slack, bool (*chosen)(const group *))
{
    size_t gaps = 0;
    for (size_t i = 0; i < groups->count; i++)
        gaps += chosen(&groups->items[i]);
    if (gaps == 0 || slack <= 0)
        return false;
    int64_t share = slack / (int64_t)gaps, remainder = slack % (int64_t)gaps;
    for (size_t i = 0; i < groups->count; i++) {
        if (!chosen(&groups->items[i]))
            continue;
        groups->items[i].extra += share + (remainder > 0);
        remainder--;
    }
    return true;
}

static bool is_word_gap(const group *g)
{
    return g->after_space;
}

static bool is_stretchable(const group *g)
{
    return g->stretchable;
}

/* Where the column starts inside the box, after justification or
 * distribution (which fill the box). start/left: top; end/right: bottom. */
static int64_t inline_offset(const builder *b, column_groups *groups, const column_span *span,
                             int64_t *length)
{
    for (size_t i = 0; i < groups->count; i++)
        groups->items[i].extra = groups->items[i].spaced ? b->at->letter_spacing : 0;
    *length = natural_length(groups);
    int64_t slack = b->bx.h - *length;
    cr_halign align = b->v->field->align;
    bool filled =
        (align == CR_ALIGN_DISTRIBUTE && spread(groups, slack, is_stretchable)) ||
        (align == CR_ALIGN_JUSTIFY && !span->paragraph_end && spread(groups, slack, is_word_gap));
    if (filled) {
        *length = b->bx.h;
        return 0;
    }
    switch (align) {
    case CR_ALIGN_CENTER:
    case CR_ALIGN_DISTRIBUTE: /* a single group */
        return slack / 2;
    case CR_ALIGN_END:
    case CR_ALIGN_RIGHT:
        return slack;
    default:
        return 0;
    }
}

static void place_glyph(cr_glyph_pos *g, const run_setting *s, int64_t axis, int64_t pen)
{
    if (s->orientation == CR_ORIENT_SIDEWAYS) {
        int32_t along = g->x, across = g->y;
        g->x = (int32_t)(axis - s->axis_height + across);
        g->y = (int32_t)(pen + along);
    } else {
        g->x = (int32_t)(axis + g->x);
        g->y = (int32_t)(pen + g->y);
    }
}

/* Centred on the axis, digits centred in the em cell starting at top;
 * condensed when wider than the column. */
static void place_across(cr_glyph_pos *g, const run_setting *s, int64_t axis, int64_t top,
                         int32_t thickness)
{
    int64_t width = s->across_width;
    if (width > thickness) {
        g->x_scale = (int32_t)((int64_t)thickness * SCALE_ONE / width);
        width = thickness;
    }
    g->x = (int32_t)(axis - width / 2 + (int64_t)g->x * g->x_scale / SCALE_ONE);
    g->y = (int32_t)(top + s->across_drop + g->y);
}

static void place_groups(builder *b, const column_groups *groups, int64_t axis, int64_t top,
                         int32_t thickness)
{
    int64_t pen = top;
    for (size_t i = 0; i < groups->count; i++) {
        const group *gr = &groups->items[i];
        const run_setting *s = &b->settings[gr->run];
        pen += gr->extra;
        int64_t cell_top = pen;
        for (size_t g = gr->first; g < gr->first + gr->count; g++) {
            cr_glyph_pos *glyph = &b->out->glyphs[g];
            if (s->orientation == CR_ORIENT_ACROSS)
                place_across(glyph, s, axis, cell_top, thickness);
            else
                place_glyph(glyph, s, axis, pen);
            pen += glyph->advance;
        }
    }
}

/* Places one column's glyphs on its axis; sets its top and length. */
static cr_status place_column(builder *b, size_t index, const column_span *span, int64_t axis,
                              int32_t thickness, column_groups *groups, cr_error *err)
{
    cr_text_line *line = &b->out->lines[index];
    if (!collect_groups(b, line, groups))
        return no_memory(err);
    int64_t length = 0;
    int64_t top = b->bx.y + inline_offset(b, groups, span, &length);
    place_groups(b, groups, axis, top, thickness);
    line->x = (int32_t)axis;
    line->baseline = (int32_t)top;
    line->width = (int32_t)length;
    return CR_OK;
}

/* ------------------------------------------------ placing the columns */

static int32_t face_thickness(const builder *b, const cr_face *face)
{
    return to_px(b, face, (int64_t)face->ascender - face->descender + face->line_gap);
}

/* A column is as wide as line_height_pt, else as its fonts' line height. */
static int32_t column_thickness(const builder *b, const cr_text_line *line, int32_t previous)
{
    if (b->v->field->line_height_pt > 0)
        return px_to_26_6(b->v->field->line_height_pt * b->dpi / 72.0);
    int32_t thickness = 0;
    for (size_t r = line->first_run; r < line->first_run + line->run_count; r++) {
        int32_t t = face_thickness(b, b->out->runs[r].face);
        thickness = t > thickness ? t : thickness;
    }
    if (thickness == 0 && previous > 0)
        return previous;
    if (thickness == 0 && b->v->item_count > 0)
        return face_thickness(b, b->v->items[0].face);
    return thickness;
}

/* Where the block of columns starts from the box's block-start edge (left
 * for vertical-mongolian, right for vertical-cjk), by valign. */
static int64_t block_offset(cr_valign valign, int64_t free_space)
{
    if (valign == CR_VALIGN_CENTER)
        return free_space / 2;
    return valign == CR_VALIGN_BOTTOM ? free_space : 0;
}

/* Places every column; *fitting: how many fit across the box (the first
 * always does). */
static cr_status place_columns(builder *b, const column_span *spans, size_t *fitting, cr_error *err)
{
    cr_text_layout *out = b->out;
    int32_t *thickness = malloc((out->line_count ? out->line_count : 1) * sizeof *thickness);
    if (!thickness)
        return no_memory(err);
    int64_t total = 0;
    *fitting = 0;
    for (size_t i = 0; i < out->line_count; i++) {
        thickness[i] = column_thickness(b, &out->lines[i], i ? thickness[i - 1] : 0);
        total += thickness[i];
        if ((i == 0 || total <= b->bx.w) && *fitting == i)
            (*fitting)++;
    }
    bool left_to_right = b->v->field->writing_mode == CR_WRITING_VERTICAL_MONGOLIAN;
    int64_t edge = block_offset(b->v->field->valign, b->bx.w - total);
    column_groups groups = {NULL, 0, 0};
    cr_status status = CR_OK;
    for (size_t i = 0; status == CR_OK && i < out->line_count; i++) {
        int64_t middle = edge + thickness[i] / 2;
        int64_t axis = left_to_right ? b->bx.x + middle : b->bx.x + b->bx.w - middle;
        status = place_column(b, i, &spans[i], axis, thickness[i], &groups, err);
        edge += thickness[i];
    }
    free(groups.items);
    free(thickness);
    return status;
}

/* ------------------------------------------------------------ fit check */

static void check_fit(const builder *b, size_t fitting)
{
    cr_text_layout *out = b->out;
    size_t allowed = fitting;
    int max_columns = b->v->field->max_lines;
    if (max_columns > 0 && (size_t)max_columns < allowed)
        allowed = (size_t)max_columns;
    if (out->line_count > allowed) {
        out->overflow = true;
        snprintf(out->overflow_reason, sizeof out->overflow_reason,
                 "needs %zu columns, box holds %zu", out->line_count, allowed);
        return;
    }
    for (size_t i = 0; i < out->line_count; i++) {
        if (out->lines[i].width > b->bx.h) {
            out->overflow = true;
            snprintf(out->overflow_reason, sizeof out->overflow_reason,
                     "column %zu is %.2f px long, box is %.2f px", i + 1,
                     out->lines[i].width / 64.0, b->bx.h / 64.0);
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
        return no_memory(err);
    for (size_t i = 1; i < out->line_count; i++)
        out->breaks[out->break_count++] = out->lines[i].start;
    return CR_OK;
}

/* ------------------------------------------------------------- attempts */

static cr_status build_columns(builder *b, const column_span *spans, size_t count, cr_error *err)
{
    for (size_t i = 0; i < count; i++) {
        cr_status status = add_column(b, &spans[i], err);
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

/* Lays the text out at one size into out (emptied first). */
static cr_status lay_out(const vtext *v, const attempt *at, box bx, int dpi, cr_text_layout *out,
                         cr_error *err)
{
    cr_text_layout_free(out);
    out->size_pt = at->size_pt;
    out->scale_x = 1.0;
    builder b = {.v = v, .at = at, .bx = bx, .dpi = dpi, .out = out};
    measure m = {NULL, NULL};
    column_span *spans = NULL;
    size_t span_count = 0, fitting = 0;
    cr_status status = measure_text(v, at, &m, err);
    if (status == CR_OK)
        status = choose_columns(v, &m, at, bx.h, &spans, &span_count, err);
    if (status == CR_OK)
        status = build_columns(&b, spans, span_count, err);
    if (status == CR_OK)
        status = place_columns(&b, spans, &fitting, err);
    if (status == CR_OK)
        status = record_breaks(out, err);
    if (status == CR_OK)
        check_fit(&b, fitting);
    free(b.settings);
    free(spans);
    measure_free(&m);
    return status;
}

static attempt attempt_at(const cr_field *field, double size_pt, int dpi)
{
    int32_t ppem = px_to_26_6(size_pt * dpi / 72.0);
    return (attempt){size_pt, ppem, px_to_26_6(field->letter_spacing_em * ppem / 64.0)};
}

static void prefix_reason(cr_text_layout *out, const char *prefix)
{
    char reason[sizeof out->overflow_reason];
    size_t used = strnlen(prefix, sizeof reason - 1);
    memcpy(reason, prefix, used);
    size_t rest = strnlen(out->overflow_reason, sizeof reason - 1 - used);
    memcpy(reason + used, out->overflow_reason, rest);
    reason[used + rest] = '\0';
    memcpy(out->overflow_reason, reason, sizeof reason);
}

/* size_pt, then 0.25 pt smaller each step, the floor last. */
static cr_status shrink_to_fit(const vtext *v, box bx, int dpi, cr_text_layout *out, cr_error *err)
{
    const cr_field *field = v->field;
    double floor_pt =
        field->min_size_pt > 0 ? field->min_size_pt : field->size_pt * DEFAULT_MIN_SIZE_RATIO;
    floor_pt = fmin(floor_pt, field->size_pt);
    for (int step = 0;; step++) {
        double size = fmax(field->size_pt - step * SHRINK_STEP_PT, floor_pt);
        attempt at = attempt_at(field, size, dpi);
        cr_status status = lay_out(v, &at, bx, dpi, out, err);
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

/* wrap: more columns, overflow reported; shrink; error. condense would
 * need glyphs squeezed along the column, which upright glyphs cannot be:
 * it wraps. */
static cr_status apply_fit(const vtext *v, int dpi, cr_text_layout *out, cr_error *err)
{
    const cr_field *field = v->field;
    box bx = {px_to_26_6(cr_mm_to_px(field->x_mm, dpi)), px_to_26_6(cr_mm_to_px(field->y_mm, dpi)),
              px_to_26_6(cr_mm_to_px(field->w_mm, dpi)), px_to_26_6(cr_mm_to_px(field->h_mm, dpi))};
    if (field->fit == CR_FIT_SHRINK)
        return shrink_to_fit(v, bx, dpi, out, err);
    attempt at = attempt_at(field, field->size_pt, dpi);
    cr_status status = lay_out(v, &at, bx, dpi, out, err);
    if (status == CR_OK && field->fit == CR_FIT_ERROR && out->overflow)
        status = cr_error_set(err, CR_ERR_TEXT, cr_field_location(v->tpl, field),
                              "text does not fit: %s", out->overflow_reason);
    return status;
}

cr_status cr_layout_vertical(cr_engine *engine, const cr_template *tpl, const cr_field *field,
                             const char *text, int dpi, cr_text_layout *out, cr_error *err)
{
    size_t length = strlen(text);
    out->size_pt = field->size_pt;
    out->scale_x = 1.0;
    if (length == 0)
        return CR_OK;
    vtext v = {
        .engine = engine, .tpl = tpl, .field = field, .text = text, .length = (uint32_t)length};
    cr_status status = analyse(&v, err);
    if (status == CR_OK)
        status = apply_fit(&v, dpi, out, err);
    if (status == CR_OK) { /* each attempt empties out: the warnings go last */
        out->warnings = v.warnings;
        out->warning_count = v.warning_count;
        v.warnings = NULL;
    }
    vtext_free(&v);
    if (status != CR_OK)
        cr_text_layout_free(out);
    return status;
}
