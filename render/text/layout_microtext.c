/* Microtext (layout_microtext.h): whole-pixel placement and repetition.
 * A repeated field is laid out once by the ordinary layout as two lines of
 * two periods each, in a box too large to break them: the first line gives
 * one period's glyphs in visual order with the shaping, kerning and letter
 * spacing of a period that follows another, the second the line pitch.
 * Those glyphs are then tiled over the field's box on whole pixels. */
#include "layout_microtext.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include FT_OUTLINE_H

#include "error.h"
#include "layout_common.h"
#include "shape.h"

/* ---------------------------------------------------------- whole pixels */

/* A 26.6 length to whole pixels, halves up. */
static int32_t round_px(int64_t v)
{
    int64_t shifted = v + 32;
    return (int32_t)(shifted >= 0 ? shifted / 64 : -((-shifted + 63) / 64));
}

static int32_t floor_px(int64_t v)
{
    return (int32_t)(v >= 0 ? v / 64 : -((-v + 63) / 64));
}

static int32_t ceil_px(int64_t v)
{
    return -floor_px(-v);
}

static cr_status add_warning(cr_text_layout *layout, const char *message, cr_error *err)
{
    cr_text_warning *w =
        realloc(layout->warnings, (layout->warning_count + 1) * sizeof *layout->warnings);
    if (!w)
        return cr_layout_out_of_memory(err);
    layout->warnings = w;
    w[layout->warning_count].code = CR_ERR_TEXT;
    snprintf(w[layout->warning_count].message, sizeof w->message, "%s", message);
    layout->warning_count++;
    return CR_OK;
}

/* The finding of a microtext too small for the dpi (layout_microtext.h). */
static cr_status warn_if_too_small(int dpi, cr_text_layout *layout, cr_error *err)
{
    double em_px = layout->size_pt * dpi / 72.0;
    if (em_px >= CR_MICROTEXT_MIN_EM_PX)
        return CR_OK;
    char message[256];
    snprintf(message, sizeof message,
             "microtext at %g pt is %.1f px of em at %d dpi, under the %d px that stay legible "
             "under a loupe: it prints as a grey line (render at %d dpi or more)",
             layout->size_pt, em_px, dpi, CR_MICROTEXT_MIN_EM_PX,
             (int)ceil(CR_MICROTEXT_MIN_EM_PX * 72.0 / layout->size_pt));
    return add_warning(layout, message, err);
}

/* Moves glyphs [first, end) of one line onto whole pixels from x0 (px):
 * each keeps its step to the next glyph, rounded (the last its step to
 * line_end), and its offset from the baseline, rounded. */
static void snap_glyphs(cr_glyph_pos *glyphs, size_t count, int32_t x0, int64_t line_end)
{
    int32_t pen = x0;
    for (size_t i = 0; i < count; i++) {
        int64_t next = i + 1 < count ? glyphs[i + 1].x : line_end;
        int32_t step = round_px(next - glyphs[i].x);
        glyphs[i].x = pen * 64;
        glyphs[i].y = round_px(glyphs[i].y) * 64;
        glyphs[i].advance = step * 64;
        glyphs[i].hinting = CR_HINT_MICROTEXT;
        pen += step;
    }
}

cr_status cr_microtext_snap(const cr_field *field, int dpi, cr_text_layout *layout, cr_error *err)
{
    for (size_t l = 0; l < layout->line_count; l++) {
        cr_text_line *line = &layout->lines[l];
        if (line->run_count == 0)
            continue;
        size_t first = layout->runs[line->first_run].first_glyph;
        const cr_text_run *last = &layout->runs[line->first_run + line->run_count - 1];
        size_t end = last->first_glyph + last->glyph_count;
        int32_t x0 = round_px(line->x);
        snap_glyphs(layout->glyphs + first, end - first, x0, (int64_t)line->x + line->width);
        line->x = x0 * 64;
        line->baseline = round_px(line->baseline) * 64;
    }
    (void)field;
    return warn_if_too_small(dpi, layout, err);
}

/* ------------------------------------------------------------ one period */

/* A period's glyph: what is drawn, its whole-pixel step to the next glyph,
 * its offset below the baseline, and the columns its grid-fitted ink
 * covers relative to its origin ([ink_left, ink_right), empty for a
 * space). */
typedef struct period_glyph {
    cr_glyph_pos pos;
    int32_t step, dy;
    int32_t ink_left, ink_right;
} period_glyph;

/* The period laid out, and what the lines need of the fonts. */
typedef struct period {
    period_glyph *glyphs;
    size_t count;
    int32_t width;   /* px, the sum of the steps */
    int32_t ascent;  /* px, box top to first baseline */
    int32_t pitch;   /* px, baseline to baseline */
    int32_t descent; /* px, below the last baseline */
    cr_text_run run; /* script, language and face of the period's first run */
    char *text;      /* the period, for the layout's cluster offsets */
    uint32_t length; /* bytes of text */
} period;

static void period_free(period *p)
{
    free(p->glyphs);
    free(p->text);
}

/* The text once: newlines become spaces (a repeated run is one line of
 * writing), then the separator. */
static char *period_text(const cr_field *field, const char *text)
{
    const char *separator = field->repeat_separator ? field->repeat_separator : " ";
    size_t length = strlen(text), extra = strlen(separator);
    char *unit = malloc(length + extra + 1);
    if (!unit)
        return NULL;
    for (size_t i = 0; i < length; i++)
        unit[i] = text[i] == '\n' || text[i] == '\r' ? ' ' : text[i];
    memcpy(unit + length, separator, extra + 1);
    return unit;
}

/* "UU\nUU": two periods on each of two lines. */
static char *probe_text(const char *unit)
{
    size_t n = strlen(unit);
    char *probe = malloc(4 * n + 2);
    if (!probe)
        return NULL;
    memcpy(probe, unit, n);
    memcpy(probe + n, unit, n);
    probe[2 * n] = '\n';
    memcpy(probe + 2 * n + 1, unit, n);
    memcpy(probe + 3 * n + 1, unit, n + 1);
    return probe;
}

/* The field as the probe is laid out: plain (not microtext, not repeated),
 * wrapping, left-aligned and at the top of a box no line reaches the end
 * of, at the card's origin. */
static cr_field probe_field(const cr_field *field, int dpi)
{
    cr_field probe = *field;
    double far_mm = CR_COORD_LIMIT / 64.0 / 4.0 * 25.4 / dpi;
    probe.repeat = CR_REPEAT_NONE;
    probe.microtext = false;
    probe.x_mm = probe.y_mm = 0;
    probe.w_mm = probe.h_mm = far_mm;
    probe.align = CR_ALIGN_LEFT;
    probe.valign = CR_VALIGN_TOP;
    probe.fit = CR_FIT_WRAP;
    probe.max_lines = 0;
    return probe;
}

/* The columns the glyph's grid-fitted ink covers, as the painter's
 * rasteriser rounds its outline's box out to whole pixels. */
static cr_status measure_ink(period_glyph *g, cr_error *err)
{
    cr_face *face = g->pos.face;
    pthread_mutex_lock(&face->lock);
    FT_Face ft = face->ft;
    FT_Set_Transform(ft, NULL, NULL);
    FT_Error status = FT_Set_Char_Size(ft, 0, g->pos.ppem, 72, 72);
    if (!status)
        status = FT_Load_Glyph(ft, g->pos.glyph_id, cr_glyph_load_flags(CR_HINT_MICROTEXT));
    bool ink =
        !status && ft->glyph->format == FT_GLYPH_FORMAT_OUTLINE && ft->glyph->outline.n_points > 0;
    FT_BBox box = {0, 0, 0, 0};
    if (ink)
        FT_Outline_Get_CBox(&ft->glyph->outline, &box);
    pthread_mutex_unlock(&face->lock);
    if (status)
        return cr_fail(err, CR_ERR_FONT, "font %s: FreeType cannot load glyph %u (error %d)",
                       face->path, g->pos.glyph_id, status);
    g->ink_left = ink ? floor_px(box.xMin) : 0;
    g->ink_right = ink ? ceil_px(box.xMax) : 0;
    return CR_OK;
}

/* The first `count` glyphs of the probe's first line: one period in visual
 * order, each stepping to the glyph after it (the next period's first for
 * the last). */
static cr_status take_glyphs(period *p, const cr_text_layout *probe, size_t count,
                             uint32_t probe_unit, cr_error *err)
{
    p->glyphs = calloc(count, sizeof *p->glyphs);
    if (!p->glyphs)
        return cr_layout_out_of_memory(err);
    int32_t baseline = probe->lines[0].baseline;
    for (size_t i = 0; i < count; i++) {
        period_glyph *g = &p->glyphs[i];
        const cr_glyph_pos *src = &probe->glyphs[i];
        g->pos = *src;
        g->pos.cluster = src->cluster % probe_unit;
        g->pos.hinting = CR_HINT_MICROTEXT;
        g->step = round_px((int64_t)probe->glyphs[i + 1].x - src->x);
        g->dy = round_px((int64_t)src->y - baseline);
        p->width += g->step;
        cr_status status = measure_ink(g, err);
        if (status != CR_OK)
            return status;
    }
    p->count = count;
    return CR_OK;
}

/* Glyphs on the probe's first line from the first period's bytes; the
 * second period's glyphs follow them. */
static size_t first_period_glyphs(const cr_text_layout *probe, uint32_t probe_unit)
{
    const cr_text_line *line = &probe->lines[0];
    size_t count = 0;
    for (size_t r = line->first_run; r < line->first_run + line->run_count; r++)
        for (size_t g = 0; g < probe->runs[r].glyph_count; g++)
            count += probe->glyphs[probe->runs[r].first_glyph + g].cluster < probe_unit;
    return count;
}

/* The period's vertical metrics from the probe's two lines. */
static void take_metrics(period *p, const cr_text_layout *probe, int32_t ppem)
{
    const cr_face *face = probe->glyphs[0].face;
    p->ascent = round_px(probe->lines[0].baseline);
    p->pitch = round_px((int64_t)probe->lines[1].baseline - probe->lines[0].baseline);
    if (p->pitch < 1)
        p->pitch = 1;
    p->descent = round_px(cr_font_units_to_26_6(-(int64_t)face->descender, ppem, face->upem));
    p->run = probe->runs[probe->lines[0].first_run];
}

/* Lays the probe out and keeps one period of it; p->count 0 when the
 * period draws nothing (the text is all spaces). */
static cr_status lay_out_period(cr_text_layout_fn lay_out, cr_engine *engine,
                                const cr_template *tpl, const cr_field *field, const char *text,
                                int dpi, period *p, cr_text_layout *probe, cr_error *err)
{
    p->text = period_text(field, text);
    char *probe_string = p->text ? probe_text(p->text) : NULL;
    if (!probe_string)
        return cr_layout_out_of_memory(err);
    cr_field plain = probe_field(field, dpi);
    cr_status status = lay_out(engine, tpl, &plain, probe_string, dpi, probe, err);
    free(probe_string);
    if (status != CR_OK)
        return status;
    /* With "presentation_forms": "normalize" the probe's own text is what
     * its clusters point into: UU\nUU, so one period is a quarter of it. */
    if (probe->text) {
        free(p->text);
        size_t unit = (strlen(probe->text) - 1) / 4;
        p->text = strndup(probe->text, unit);
        if (!p->text)
            return cr_layout_out_of_memory(err);
    }
    p->length = (uint32_t)strlen(p->text);
    if (probe->line_count < 2 || probe->lines[0].run_count == 0)
        return CR_OK;
    size_t count = first_period_glyphs(probe, p->length);
    if (count == 0 || count >= probe->glyph_count)
        return CR_OK;
    take_metrics(p, probe, probe->glyphs[0].ppem);
    return take_glyphs(p, probe, count, p->length, err);
}

/* ------------------------------------------------------------- tiling */

/* The box in whole pixels: glyphs start at or after left and end at or
 * before right; top is where the block of lines may start. */
typedef struct pixel_box {
    int32_t left, right, top, height;
} pixel_box;

static pixel_box box_in_pixels(const cr_field *field, int dpi)
{
    double px_per_mm = dpi / 25.4;
    pixel_box b;
    b.left = (int32_t)ceil(field->x_mm * px_per_mm - 1e-9);
    b.right = (int32_t)floor((field->x_mm + field->w_mm) * px_per_mm + 1e-9);
    b.top = (int32_t)ceil(field->y_mm * px_per_mm - 1e-9);
    b.height = (int32_t)floor((field->y_mm + field->h_mm) * px_per_mm + 1e-9) - b.top;
    return b;
}

/* "line": one; "fill": as many as the box holds, the first always, at
 * most max_lines. */
static size_t line_count(const cr_field *field, const period *p, const pixel_box *b)
{
    if (field->repeat == CR_REPEAT_LINE)
        return 1;
    int32_t room = b->height - p->ascent - p->descent;
    size_t lines = room > 0 ? 1 + (size_t)(room / p->pitch) : 1;
    if (field->max_lines > 0 && lines > (size_t)field->max_lines)
        lines = (size_t)field->max_lines;
    return lines;
}

/* The first baseline, on a whole pixel, after valign. */
static int32_t first_baseline(const cr_field *field, const period *p, const pixel_box *b,
                              size_t lines)
{
    int32_t block = p->ascent + (int32_t)(lines - 1) * p->pitch + p->descent;
    int32_t free_height = b->height - block;
    int32_t offset = 0;
    if (field->valign == CR_VALIGN_CENTER)
        offset = free_height / 2;
    else if (field->valign == CR_VALIGN_BOTTOM)
        offset = free_height;
    return b->top + offset + p->ascent;
}

/* The layout being tiled and where the run has got to. */
typedef struct tiler {
    const period *p;
    const pixel_box *b;
    cr_layout_output out;
    size_t next; /* the period's glyph that comes next */
} tiler;

/* Whether glyph g drawn at pen keeps its advance and its ink inside the
 * box's right edge. */
static bool fits(const tiler *t, const period_glyph *g, int32_t pen)
{
    return pen + g->step <= t->b->right && pen + g->ink_right <= t->b->right;
}

static cr_status place(tiler *t, const period_glyph *g, int32_t pen, int32_t baseline,
                       cr_error *err)
{
    cr_status status = cr_reserve_glyphs(&t->out, 1, err);
    if (status != CR_OK)
        return status;
    cr_glyph_pos pos = g->pos;
    pos.x = pen * 64;
    pos.y = (baseline + g->dy) * 64;
    pos.advance = g->step * 64;
    cr_text_layout *layout = t->out.layout;
    layout->glyphs[layout->glyph_count++] = pos;
    return CR_OK;
}

/* Appends the line's run and the line itself. */
static cr_status close_line(tiler *t, size_t first_glyph, int32_t left, int32_t pen,
                            int32_t baseline, cr_error *err)
{
    cr_text_layout *layout = t->out.layout;
    size_t first_run = layout->run_count;
    if (layout->glyph_count > first_glyph) {
        if (!cr_reserve((void **)&layout->runs, &t->out.run_capacity, first_run + 1,
                        sizeof *layout->runs))
            return cr_layout_out_of_memory(err);
        cr_text_run run = t->p->run;
        run.start = 0;
        run.end = t->p->length;
        run.first_glyph = first_glyph;
        run.glyph_count = layout->glyph_count - first_glyph;
        layout->runs[layout->run_count++] = run;
    }
    cr_line_span span = {0, t->p->length, t->p->length, true};
    cr_status status = cr_append_line(&t->out, &span, first_run, err);
    if (status != CR_OK)
        return status;
    cr_text_line *line = &layout->lines[layout->line_count - 1];
    line->x = left * 64;
    line->width = (pen - left) * 64;
    line->baseline = baseline * 64;
    return CR_OK;
}

/* One line from the box's left edge: the run goes on from t->next until a
 * glyph would cross the right edge (moved right when the first glyph's ink
 * would start left of the box). *placed: glyphs set. */
static cr_status tile_line(tiler *t, int32_t baseline, size_t *placed, cr_error *err)
{
    const period *p = t->p;
    size_t first_glyph = t->out.layout->glyph_count;
    int32_t left = t->b->left, pen = left;
    const period_glyph *first = &p->glyphs[t->next];
    if (pen + first->ink_left < left)
        pen = left - first->ink_left;
    int32_t start = pen;
    cr_status status = CR_OK;
    *placed = 0;
    while (status == CR_OK && fits(t, &p->glyphs[t->next], pen)) {
        const period_glyph *g = &p->glyphs[t->next];
        status = place(t, g, pen, baseline, err);
        pen += g->step;
        t->next = (t->next + 1) % p->count;
        (*placed)++;
    }
    if (status == CR_OK)
        status = close_line(t, first_glyph, start, pen, baseline, err);
    return status;
}

static void report_overflow(cr_text_layout *layout, const char *reason)
{
    layout->overflow = true;
    snprintf(layout->overflow_reason, sizeof layout->overflow_reason, "%s", reason);
}

static cr_status tile(const cr_field *field, int dpi, const period *p, cr_text_layout *out,
                      cr_error *err)
{
    pixel_box b = box_in_pixels(field, dpi);
    tiler t = {.p = p, .b = &b, .out = {.layout = out}};
    size_t lines = line_count(field, p, &b);
    int32_t baseline = first_baseline(field, p, &b, lines);
    cr_status status = CR_OK;
    for (size_t l = 0; status == CR_OK && l < lines; l++) {
        size_t placed = 0;
        status = tile_line(&t, baseline + (int32_t)l * p->pitch, &placed, err);
        if (status == CR_OK && placed == 0) {
            report_overflow(out, "the box is narrower than one glyph of the repeated text");
            break;
        }
    }
    return status;
}

/* ------------------------------------------------------------- public */

static void take_warnings(cr_text_layout *out, cr_text_layout *probe)
{
    out->warnings = probe->warnings;
    out->warning_count = probe->warning_count;
    probe->warnings = NULL;
    probe->warning_count = 0;
}

cr_status cr_layout_repeat(cr_text_layout_fn lay_out, cr_engine *engine, const cr_template *tpl,
                           const cr_field *field, const char *text, int dpi, cr_text_layout *out,
                           cr_error *err)
{
    memset(out, 0, sizeof *out);
    out->size_pt = field->size_pt;
    out->scale_x = 1.0;
    if (!text[0])
        return CR_OK; /* an absent optional value draws nothing */
    period p = {0};
    cr_text_layout probe = {0};
    cr_status status = lay_out_period(lay_out, engine, tpl, field, text, dpi, &p, &probe, err);
    if (status == CR_OK) {
        take_warnings(out, &probe);
        if (p.count > 0 && p.width > 0)
            status = tile(field, dpi, &p, out, err);
    }
    if (status == CR_OK)
        status = warn_if_too_small(dpi, out, err);
    cr_text_layout_free(&probe);
    if (status == CR_OK) {
        out->text = p.text;
        p.text = NULL;
    } else {
        cr_text_layout_free(out);
    }
    period_free(&p);
    return status;
}
