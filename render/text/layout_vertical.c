/* cr_layout_vertical: text set in columns, top to bottom; columns go left to
 * right (vertical-mongolian) or right to left (vertical-cjk).
 *
 * Analysis (once per text) is shared with the horizontal layout
 * (layout_common.c: bidi and script itemising, font choice, UAX #14 break
 * opportunities); then each item is cut into orientation pieces (sideways,
 * upright, across) that are shaped in the item's paragraph to measure
 * them. Per attempt of the fit policy (layout_fit.c): columns are filled
 * greedily on the measured lengths, each column's pieces are shaped again
 * with the column as context, and glyphs are placed along each column's
 * axis. All positions are 26.6 integers. */
#include <math.h>
#include <stdlib.h>

#include <unicode/uchar.h>

#include "engine.h"
#include "error.h"
#include "layout_common.h"
#include "layout_fit.h"
#include "layout_vertical.h"
#include "shape.h"
#include "text.h"
#include "vertical_orient.h"

/* ------------------------------------------------------------- analysis */

/* Part of an item set one way. */
typedef struct piece {
    uint32_t start, end;
    cr_orientation orientation;
    const cr_item *item;
    cr_shaped_glyph *glyphs; /* shaped in its paragraph; x_advance runs along the column */
    size_t glyph_count;
} piece;

/* The common analysis, and what the vertical layout adds to it. */
typedef struct vtext {
    const cr_text_analysis *base;
    cr_orientation *orientations; /* per byte */
    piece *pieces;
    size_t piece_count, piece_capacity;
} vtext;

static void vtext_free(vtext *v)
{
    for (size_t i = 0; i < v->piece_count; i++)
        free(v->pieces[i].glyphs);
    free(v->pieces);
    free(v->orientations);
}

/* Shapes [start, end) of a piece with [context_start, context_end) around
 * it. A number set across is shaped on its own, left to right. */
static cr_status shape_piece(const vtext *v, const piece *p, uint32_t context_start,
                             uint32_t context_end, uint32_t start, uint32_t end,
                             cr_shaped_glyph **glyphs, size_t *count, cr_error *err)
{
    bool across = p->orientation == CR_ORIENT_ACROSS;
    cr_shape_input in = cr_item_shape_input(v->base, p->item, across ? start : context_start,
                                            across ? end : context_end, start, end,
                                            !across && (p->item->level & 1));
    if (p->orientation == CR_ORIENT_UPRIGHT)
        return cr_shape_upright(&in, glyphs, count, err);
    return cr_shape(&in, glyphs, count, err);
}

static bool add_piece(vtext *v, const cr_item *item, uint32_t start, uint32_t end)
{
    if (!cr_reserve((void **)&v->pieces, &v->piece_capacity, v->piece_count + 1, sizeof *v->pieces))
        return false;
    v->pieces[v->piece_count++] = (piece){start, end, v->orientations[start], item, NULL, 0};
    return true;
}

/* Cuts every item where the orientation changes. */
static cr_status split_pieces(vtext *v, cr_error *err)
{
    for (size_t i = 0; i < v->base->item_count; i++) {
        const cr_item *item = &v->base->items[i];
        uint32_t start = item->start;
        for (uint32_t b = item->start + 1; b <= item->end; b++) {
            if (b < item->end && v->orientations[b] == v->orientations[start])
                continue;
            if (!add_piece(v, item, start, b))
                return cr_layout_out_of_memory(err);
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

static cr_status orient(vtext *v, cr_error *err)
{
    const cr_text_analysis *a = v->base;
    v->orientations = malloc(a->length * sizeof *v->orientations);
    if (!v->orientations ||
        !cr_orient_text(a->engine ? a->engine->breaks : NULL, a->text, a->length, &a->t16, a->faces,
                        a->field->tate_chu_yoko_digits, v->orientations))
        return cr_layout_out_of_memory(err);
    return CR_OK;
}

static cr_status analyse(vtext *v, cr_error *err)
{
    cr_status status = orient(v, err);
    if (status == CR_OK)
        status = split_pieces(v, err);
    if (status == CR_OK)
        status = shape_pieces(v, err);
    return status;
}

/* ------------------------------------------------------------ measuring */

/* Letters of a cursive script turned sideways join: no space opens between
 * them. Upright and across pieces are set cell by cell. */
static bool piece_takes_spacing(const piece *p)
{
    return p->orientation != CR_ORIENT_SIDEWAYS || !cr_script_is_cursive(p->item->script);
}

static void measure_piece(const piece *p, const cr_attempt *at, cr_advances *m)
{
    bool spaced = piece_takes_spacing(p);
    if (p->orientation == CR_ORIENT_ACROSS) {
        cr_advances_add(m, p->start, at->ppem, spaced); /* the group fills one em */
        return;
    }
    int upem = p->item->face->upem;
    for (size_t g = 0; g < p->glyph_count; g++)
        cr_advances_add(m, p->glyphs[g].cluster,
                        cr_font_units_to_26_6(p->glyphs[g].x_advance, at->ppem, upem), spaced);
}

static cr_status measure_text(const vtext *v, const cr_attempt *at, cr_advances *m, cr_error *err)
{
    cr_status status = cr_advances_init(m, v->base->length, err);
    for (size_t i = 0; status == CR_OK && i < v->piece_count; i++)
        measure_piece(&v->pieces[i], at, m);
    if (status == CR_OK)
        cr_advances_sum(m);
    return status;
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
    const cr_attempt *at;
    cr_box bx;
    cr_layout_output output;
    run_setting *settings; /* parallel to out->runs */
    size_t setting_capacity;
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
                        .x_scale = CR_SCALE_ONE};
    if (p->orientation == CR_ORIENT_SIDEWAYS) {
        out.x = to_px(b, face, g->x_offset);
        out.y = to_px(b, face, g->y_offset);
        out.rotation = 90;
    } else if (p->orientation == CR_ORIENT_UPRIGHT) {
        out.x = to_px(b, face, g->x_offset);
        out.y = -to_px(b, face, g->y_offset);
    } else {
        out.x = cr_coord(*across_pen + to_px(b, face, g->x_offset));
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
    setting->across_width = cr_coord(width);
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
    size_t run = b->output.layout->run_count;
    if (!cr_reserve((void **)&b->settings, &b->setting_capacity, run + 1, sizeof *b->settings))
        return cr_layout_out_of_memory(err);
    b->settings[run] = setting;
    return cr_append_run(&b->output, b->v->base->field, p->item, start, end, p->item->level,
                         first_glyph, err);
}

/* Shapes [start, end) of a piece with the column as context and appends it
 * as a run. */
static cr_status add_run(builder *b, const cr_line_span *column, const piece *p, uint32_t start,
                         uint32_t end, cr_error *err)
{
    cr_shaped_glyph *shaped = NULL;
    size_t count = 0, first = b->output.layout->glyph_count;
    cr_status status =
        shape_piece(b->v, p, column->start, column->content_end, start, end, &shaped, &count, err);
    if (status == CR_OK)
        status = cr_reserve_glyphs(&b->output, count, err);
    if (status != CR_OK) {
        free(shaped);
        return status;
    }
    int64_t across_pen = 0;
    for (size_t i = 0; i < count; i++)
        b->output.layout->glyphs[b->output.layout->glyph_count++] =
            provisional_glyph(b, p, &shaped[i], &across_pen);
    free(shaped);
    run_setting setting = setting_for(b, p);
    /* No glyphs: maybe no storage yet either, and NULL + 0 is undefined. */
    if (p->orientation == CR_ORIENT_ACROSS && count > 0)
        finish_across(b, b->output.layout->glyphs + first, count, across_pen, &setting);
    return append_run(b, p, start, end, first, setting, err);
}

static cr_status add_column(builder *b, const cr_line_span *column, cr_error *err)
{
    size_t first_run = b->output.layout->run_count;
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
    return cr_append_line(&b->output, column, first_run, err);
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
    return u_isUWhiteSpace((UChar32)cr_utf8_next(v->base->text, v->base->length, &at));
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
    if (!cr_reserve((void **)&groups->items, &groups->capacity, groups->count + 1, sizeof(group)))
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
        .after_space =
            !first && is_white_space_at(b->v, b->output.layout->glyphs[previous->first].cluster)};
    return true;
}

static bool collect_groups(const builder *b, const cr_text_line *line, column_groups *groups)
{
    const cr_text_layout *out = b->output.layout;
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
static int64_t inline_offset(const builder *b, column_groups *groups, const cr_line_span *span,
                             int64_t *length)
{
    for (size_t i = 0; i < groups->count; i++)
        groups->items[i].extra = groups->items[i].spaced ? b->at->letter_spacing : 0;
    *length = natural_length(groups);
    int64_t slack = b->bx.h - *length;
    cr_halign align = b->v->base->field->align;
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
        g->x = cr_coord(axis - s->axis_height + across);
        g->y = cr_coord(pen + along);
    } else {
        g->x = cr_coord(axis + g->x);
        g->y = cr_coord(pen + g->y);
    }
}

/* Centred on the axis, digits centred in the em cell starting at top;
 * condensed when wider than the column. */
static void place_across(cr_glyph_pos *g, const run_setting *s, int64_t axis, int64_t top,
                         int32_t thickness)
{
    int64_t width = s->across_width;
    if (width > thickness) {
        g->x_scale = (int32_t)((int64_t)thickness * CR_SCALE_ONE / width);
        width = thickness;
    }
    g->x = cr_coord(axis - width / 2 + (int64_t)g->x * g->x_scale / CR_SCALE_ONE);
    g->y = cr_coord(top + s->across_drop + g->y);
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
            cr_glyph_pos *glyph = &b->output.layout->glyphs[g];
            if (s->orientation == CR_ORIENT_ACROSS)
                place_across(glyph, s, axis, cell_top, thickness);
            else
                place_glyph(glyph, s, axis, pen);
            pen += glyph->advance;
        }
    }
}

/* Places one column's glyphs on its axis; sets its top and length. */
static cr_status place_column(builder *b, size_t index, const cr_line_span *span, int64_t axis,
                              int32_t thickness, column_groups *groups, cr_error *err)
{
    cr_text_line *line = &b->output.layout->lines[index];
    if (!collect_groups(b, line, groups))
        return cr_layout_out_of_memory(err);
    int64_t length = 0;
    int64_t top = b->bx.y + inline_offset(b, groups, span, &length);
    place_groups(b, groups, axis, top, thickness);
    line->x = cr_coord(axis);
    line->baseline = cr_coord(top);
    line->width = cr_coord(length);
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
    const cr_field *field = b->v->base->field;
    if (field->line_height_pt > 0)
        return (int32_t)llround(field->line_height_pt * b->at->dpi / 72.0 * 64.0);
    int32_t thickness = 0;
    for (size_t r = line->first_run; r < line->first_run + line->run_count; r++) {
        int32_t t = face_thickness(b, b->output.layout->runs[r].face);
        thickness = t > thickness ? t : thickness;
    }
    if (thickness == 0 && previous > 0)
        return previous;
    if (thickness == 0 && b->v->base->item_count > 0)
        return face_thickness(b, b->v->base->items[0].face);
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
static cr_status place_columns(builder *b, const cr_line_span *spans, size_t *fitting,
                               cr_error *err)
{
    cr_text_layout *out = b->output.layout;
    const cr_field *field = b->v->base->field;
    int32_t *thickness = malloc((out->line_count ? out->line_count : 1) * sizeof *thickness);
    if (!thickness)
        return cr_layout_out_of_memory(err);
    int64_t total = 0;
    *fitting = 0;
    for (size_t i = 0; i < out->line_count; i++) {
        thickness[i] = column_thickness(b, &out->lines[i], i ? thickness[i - 1] : 0);
        total += thickness[i];
        if ((i == 0 || total <= b->bx.w) && *fitting == i)
            (*fitting)++;
    }
    bool left_to_right = field->writing_mode == CR_WRITING_VERTICAL_MONGOLIAN;
    int64_t edge = block_offset(field->valign, b->bx.w - total);
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

/* ------------------------------------------------------------- attempts */

static cr_status build_columns(builder *b, const cr_line_span *spans, size_t count, cr_error *err)
{
    for (size_t i = 0; i < count; i++) {
        cr_status status = add_column(b, &spans[i], err);
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

/* One attempt of the fit policy (cr_lay_out_fn). */
static cr_status lay_out(const void *context, const cr_attempt *at, cr_box bx, cr_text_layout *out,
                         size_t *fitting, cr_error *err)
{
    const vtext *v = context;
    builder b = {.v = v, .at = at, .bx = bx, .output = {.layout = out}};
    cr_advances m = {0};
    cr_line_span *spans = NULL;
    size_t span_count = 0;
    cr_line_filler filler = {.a = v->base,
                             .advances = &m,
                             .letter_spacing = at->letter_spacing,
                             .extent = bx.h,
                             .soft_wrap = true};
    cr_status status = measure_text(v, at, &m, err);
    if (status == CR_OK)
        status = cr_fill_lines(&filler, &spans, &span_count, err);
    if (status == CR_OK)
        status = build_columns(&b, spans, span_count, err);
    if (status == CR_OK)
        status = place_columns(&b, spans, fitting, err);
    free(b.settings);
    free(spans);
    cr_advances_free(&m);
    return status;
}

/* condense would need glyphs squeezed along the column, which upright
 * glyphs cannot be: it wraps. */
cr_status cr_layout_vertical(const cr_text_analysis *base, int dpi, cr_text_layout *out,
                             cr_error *err)
{
    static const cr_fit_rules rules = {.lines_run_down = true,
                                       .words = {"columns", "column", "long"}};
    vtext v = {.base = base};
    cr_fit_request request = {base->tpl, base->field, dpi, &rules, lay_out, &v};
    cr_status status = analyse(&v, err);
    if (status == CR_OK)
        status = cr_apply_fit_policy(&request, out, err);
    vtext_free(&v);
    return status;
}
