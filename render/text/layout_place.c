#include "layout_place.h"

#include <math.h>
#include <stdlib.h>

#include <unicode/uchar.h>

#include "shape.h"
#include "text.h"

/* Horizontal scale (16.16) applied to a 26.6 length, rounded to nearest. */
static int64_t scale_x(int64_t value, int32_t x_scale)
{
    int64_t scaled = value * x_scale;
    return scaled >= 0 ? (scaled + CR_SCALE_ONE / 2) / CR_SCALE_ONE
                       : -((-scaled + CR_SCALE_ONE / 2) / CR_SCALE_ONE);
}

/* ------------------------------------------------- along the line */

/* A line's glyphs and runs, and the extra space before each glyph. */
typedef struct line_glyphs {
    cr_glyph_pos *glyphs;
    size_t count;
    size_t *run_of; /* run index (into out->runs) of each glyph */
    int32_t *extra; /* space added before each glyph, 26.6 */
    bool *gap;      /* justification may widen the space before the glyph */
} line_glyphs;

static bool starts_group(const line_glyphs *l, size_t i)
{
    return i > 0 &&
           (l->glyphs[i].cluster != l->glyphs[i - 1].cluster || l->run_of[i] != l->run_of[i - 1]);
}

static bool spaced(const cr_placement *p, const line_glyphs *l, size_t i)
{
    return !cr_script_is_cursive(p->run_scripts[l->run_of[i]]);
}

static bool is_space_cluster(const cr_placement *p, uint32_t cluster)
{
    size_t at = cluster;
    return u_isUWhiteSpace((UChar32)cr_utf8_next(p->text, p->length, &at));
}

/* Whether space may open between glyph i-1 and glyph i (a group start):
 * not between joined letters of one cursive run, but beside a word space
 * inside one (Uyghur lines justify at their spaces). */
static bool stretchable(const cr_placement *p, const line_glyphs *l, size_t i)
{
    return l->run_of[i] != l->run_of[i - 1] ||
           !cr_script_is_cursive(p->run_scripts[l->run_of[i]]) ||
           is_space_cluster(p, l->glyphs[i - 1].cluster) ||
           is_space_cluster(p, l->glyphs[i].cluster);
}

static void add_letter_spacing(const cr_placement *p, line_glyphs *l)
{
    for (size_t i = 1; i < l->count && p->at->letter_spacing; i++)
        if (starts_group(l, i) && spaced(p, l, i - 1) && spaced(p, l, i))
            l->extra[i] += p->at->letter_spacing;
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
static size_t mark_gaps(const cr_placement *p, line_glyphs *l, bool words)
{
    size_t count = 0;
    for (size_t i = 1; i < l->count; i++) {
        l->gap[i] = starts_group(l, i) && stretchable(p, l, i) &&
                    (!words || is_space_cluster(p, l->glyphs[i - 1].cluster));
        count += l->gap[i];
    }
    return count;
}

/* Justify / distribute: true when the slack was spread. */
static bool stretch_line(const cr_placement *p, line_glyphs *l, bool justify, int64_t slack)
{
    if (slack <= 0 || l->count < 2)
        return false;
    size_t gaps = justify ? mark_gaps(p, l, true) : 0;
    if (gaps == 0)
        gaps = mark_gaps(p, l, false);
    if (gaps > 0)
        spread(l, gaps, slack);
    return gaps > 0;
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
static int64_t place_across(const cr_placement *p, line_glyphs *l, bool rtl, bool paragraph_end,
                            int64_t *width)
{
    cr_halign align = p->field->align;
    add_letter_spacing(p, l);
    int64_t natural = natural_width(l), slack = p->bx.w - natural;
    bool stretched = false;
    if (p->at->x_scale == CR_SCALE_ONE && align == CR_ALIGN_DISTRIBUTE)
        stretched = stretch_line(p, l, false, slack);
    else if (p->at->x_scale == CR_SCALE_ONE && align == CR_ALIGN_JUSTIFY && !paragraph_end)
        stretched = stretch_line(p, l, true, slack);
    if (stretched) {
        *width = p->bx.w;
        return p->bx.x;
    }
    *width = scale_x(natural, p->at->x_scale);
    if (align == CR_ALIGN_DISTRIBUTE) /* a single cluster: centred */
        align = CR_ALIGN_CENTER;
    return p->bx.x + align_offset(align, rtl, p->bx.w - *width);
}

/* Turns offsets into canvas x (y stays the offset until the baseline is
 * known). */
static void position_glyphs(const cr_placement *p, line_glyphs *l, int64_t left)
{
    int64_t pen = 0;
    for (size_t i = 0; i < l->count; i++) {
        cr_glyph_pos *g = &l->glyphs[i];
        pen += l->extra[i];
        int64_t origin = pen + g->x;
        pen += g->advance;
        g->x = cr_coord(left + scale_x(origin, p->at->x_scale));
        g->advance = cr_coord(scale_x(g->advance, p->at->x_scale));
    }
}

static void line_glyphs_free(line_glyphs *l)
{
    free(l->run_of);
    free(l->extra);
    free(l->gap);
}

/* The glyphs from first_glyph on, and the line's runs. */
static bool line_glyphs_init(line_glyphs *l, const cr_text_layout *out, const cr_text_line *line,
                             size_t first_glyph)
{
    /* A first line with no glyphs (text of spaces) comes before any glyph
     * storage exists, and NULL + 0 is undefined. */
    cr_glyph_pos *glyphs = out->glyphs ? out->glyphs + first_glyph : NULL;
    *l = (line_glyphs){.glyphs = glyphs, .count = out->glyph_count - first_glyph};
    size_t slots = l->count ? l->count : 1;
    l->run_of = malloc(slots * sizeof *l->run_of);
    l->extra = calloc(slots, sizeof *l->extra);
    l->gap = calloc(slots, sizeof *l->gap);
    if (!l->run_of || !l->extra || !l->gap) {
        line_glyphs_free(l);
        return false;
    }
    for (size_t r = line->first_run; r < line->first_run + line->run_count; r++)
        for (size_t k = 0; k < out->runs[r].glyph_count; k++)
            l->run_of[out->runs[r].first_glyph - first_glyph + k] = r;
    return true;
}

cr_status cr_place_line(const cr_placement *p, cr_text_layout *out, cr_text_line *line,
                        size_t first_glyph, bool rtl, bool paragraph_end, cr_error *err)
{
    line_glyphs l;
    if (!line_glyphs_init(&l, out, line, first_glyph))
        return cr_layout_out_of_memory(err);
    int64_t width = 0;
    int64_t left = place_across(p, &l, rtl, paragraph_end, &width);
    position_glyphs(p, &l, left);
    line_glyphs_free(&l);
    line->x = cr_coord(left);
    line->width = cr_coord(width);
    return CR_OK;
}

/* ------------------------------------------------------- down the box */

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

/* The ink extent of one glyph (y offset included, still y up here). */
static void add_glyph_ink(line_metrics *m, const cr_glyph_pos *g)
{
    hb_glyph_extents_t ink;
    const cr_face *face = g->face;
    if (!cr_face_glyph_extents(face, g->glyph_id, &ink) || ink.height == 0)
        return;
    int32_t top = g->y + cr_font_units_to_26_6(ink.y_bearing, g->ppem, face->upem);
    int32_t bottom = g->y + cr_font_units_to_26_6(ink.y_bearing + ink.height, g->ppem, face->upem);
    m->ink_above = top > m->ink_above ? top : m->ink_above;
    m->ink_below = -bottom > m->ink_below ? -bottom : m->ink_below;
}

static line_metrics metrics_of_line(const cr_placement *p, const cr_text_layout *out,
                                    const cr_text_line *line, const line_metrics *previous)
{
    line_metrics m = {0, 0, 0, 0, 0};
    for (size_t r = line->first_run; r < line->first_run + line->run_count; r++) {
        const cr_text_run *run = &out->runs[r];
        add_face_metrics(&m, run->face, p->at->ppem);
        for (size_t g = run->first_glyph; g < run->first_glyph + run->glyph_count; g++)
            add_glyph_ink(&m, &out->glyphs[g]);
    }
    if (line->run_count == 0) {
        if (previous) {
            m = *previous;
            m.ink_above = m.ink_below = 0;
            return m;
        }
        if (p->empty_face)
            add_face_metrics(&m, p->empty_face, p->at->ppem);
    }
    return m;
}

/* Baseline to baseline: the template's line_height_pt, else the faces'
 * descent + gap + ascent; more when the ink of the two lines would come
 * closer than the clearance (deep Tibetan stacks, Uyghur descenders). */
static int64_t line_pitch(const cr_placement *p, int32_t pitch, const line_metrics *above,
                          const line_metrics *below)
{
    int64_t nominal = pitch > 0 ? pitch : (int64_t)above->descent + above->gap + below->ascent;
    int64_t ink = (int64_t)above->ink_below + below->ink_above + p->at->ppem / INK_CLEARANCE_EM_DIV;
    return nominal > ink ? nominal : ink;
}

/* The first baseline below the block's top: the line's tallest ascent. A
 * single line shrunk to fit (valign top) keeps the baseline it has at the
 * field's own size, so a shrunk value stays on one baseline with the label
 * and values beside it. Only its width made it shrink (a first line always
 * fits the box's height), and its ink, smaller, ends higher than the
 * unshrunk line's would. */
static int64_t first_baseline(const cr_placement *p, const cr_text_layout *out,
                              const line_metrics *m)
{
    if (out->line_count != 1 || p->field->valign != CR_VALIGN_TOP ||
        !(p->at->size_pt < p->field->size_pt))
        return m->ascent;
    return llround((double)m->ascent * p->field->size_pt / p->at->size_pt);
}

/* Baselines relative to the block's top; returns the block's height and
 * how many lines fit in the box height. The first line always fits: boxes of
 * single-line card fields are often lower than the font's ascender plus
 * descender (which include the font's own leading), and the glyphs do fit. */
static int64_t stack_lines(const cr_placement *p, const cr_text_layout *out, int32_t *baselines,
                           size_t *fitting)
{
    int32_t pitch = (int32_t)llround(p->field->line_height_pt * p->at->dpi / 72.0 * 64.0);
    line_metrics previous = {0, 0, 0, 0, 0};
    int64_t y = 0, bottom = 0;
    *fitting = 0;
    for (size_t i = 0; i < out->line_count; i++) {
        line_metrics m = metrics_of_line(p, out, &out->lines[i], i ? &previous : NULL);
        if (i == 0)
            y = first_baseline(p, out, &m);
        else
            y += line_pitch(p, pitch, &previous, &m);
        baselines[i] = cr_coord(y);
        bottom = y + m.descent;
        if ((i == 0 || bottom <= p->bx.h) && *fitting == i)
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

cr_status cr_place_lines_down(const cr_placement *p, cr_text_layout *out, size_t *fitting,
                              cr_error *err)
{
    int32_t *baselines = malloc((out->line_count ? out->line_count : 1) * sizeof *baselines);
    if (!baselines)
        return cr_layout_out_of_memory(err);
    int64_t height = stack_lines(p, out, baselines, fitting);
    int64_t top = p->bx.y + valign_offset(p->field->valign, p->bx.h - height);
    for (size_t i = 0; i < out->line_count; i++) {
        cr_text_line *line = &out->lines[i];
        line->baseline = cr_coord(top + (int64_t)baselines[i]);
        for (size_t r = line->first_run; r < line->first_run + line->run_count; r++) {
            const cr_text_run *run = &out->runs[r];
            for (size_t g = run->first_glyph; g < run->first_glyph + run->glyph_count; g++)
                out->glyphs[g].y = line->baseline - out->glyphs[g].y; /* offsets are y up */
        }
    }
    free(baselines);
    return CR_OK;
}
