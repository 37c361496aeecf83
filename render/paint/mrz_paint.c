/* MRZ characters on the 9303 grid (mrz_paint.h). */
#include "mrz_paint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hb-ot.h>
#include <hb.h>

#include "error.h"
#include "fonts.h"
#include "mrz.h"
#include "values.h"

/* The grid in pixels at one resolution, and the font's size on it. */
typedef struct grid {
    double pitch, line_pitch; /* px */
    int x0, y0;               /* the zone's top left, whole pixels */
    int32_t ppem;             /* 26.6 */
    int32_t pen_offset;       /* 26.6: the cell's left edge to the pen, centring the advance */
    int baseline_offset;      /* a band's top to its baseline, whole pixels */
} grid;

/* OCR-B is monospaced: one advance, in font units, for every character. */
static int font_advance(const cr_face *face)
{
    hb_codepoint_t glyph = 0;
    hb_font_get_nominal_glyph(face->hb_font, '<', &glyph);
    int advance = hb_font_get_glyph_h_advance(face->hb_font, glyph);
    return advance > 0 ? advance : face->upem;
}

/* The capitals' height in font units (OS/2), else 0.7 em. */
static int cap_height(const cr_face *face)
{
    hb_position_t cap = 0;
    if (!hb_ot_metrics_get_position(face->hb_font, HB_OT_METRICS_TAG_CAP_HEIGHT, &cap) || cap <= 0)
        cap = face->upem * 7 / 10;
    return cap;
}

/* Each line's band is a line pitch tall; its capitals are centred in it. */
static grid grid_for(const cr_field *field, const cr_face *face, int dpi)
{
    grid g;
    g.pitch = CR_MRZ_CHAR_PITCH_MM * dpi / 25.4;
    g.line_pitch = cr_mrz_line_pitch_mm(field->mrz->format) * dpi / 25.4;
    g.x0 = (int)lround(cr_mm_to_px(field->x_mm, dpi));
    g.y0 = (int)lround(cr_mm_to_px(field->y_mm, dpi));
    int advance = font_advance(face);
    double em = g.pitch * face->upem / advance;
    g.ppem = (int32_t)lround(em * 64);
    double advance_px = (double)g.ppem / 64 * advance / face->upem;
    g.pen_offset = (int32_t)lround((g.pitch - advance_px) * 32);
    double cap_px = (double)g.ppem / 64 * cap_height(face) / face->upem;
    g.baseline_offset = (int)lround(g.line_pitch / 2 + cap_px / 2);
    return g;
}

static cr_status allocate(cr_text_layout *out, int lines, int length)
{
    size_t glyphs = (size_t)lines * (size_t)length;
    out->glyphs = calloc(glyphs, sizeof *out->glyphs);
    out->runs = calloc((size_t)lines, sizeof *out->runs);
    out->lines = calloc((size_t)lines, sizeof *out->lines);
    out->text = calloc((size_t)lines, (size_t)length + 1);
    if (!out->glyphs || !out->runs || !out->lines || !out->text)
        return CR_ERR_NOMEM;
    out->glyph_count = glyphs;
    out->run_count = out->line_count = (size_t)lines;
    out->scale_x = 1;
    return CR_OK;
}

/* Line i of the zone: its glyphs, its run and its line. */
static cr_status place_line(const cr_mrz_lines *zone, int i, const grid *g, cr_face *face,
                            cr_text_layout *out, cr_error *err)
{
    uint32_t start = (uint32_t)(i * (zone->length + 1));
    int32_t baseline = (g->y0 + (int)lround(i * g->line_pitch) + g->baseline_offset) * 64;
    for (int j = 0; j < zone->length; j++) {
        hb_codepoint_t glyph;
        if (!hb_font_get_nominal_glyph(face->hb_font, (unsigned char)zone->text[i][j], &glyph))
            return cr_fail(err, CR_ERR_FONT, "\"%s\" has no glyph for '%c'", face->family,
                           zone->text[i][j]);
        int cell = g->x0 + (int)lround(j * g->pitch);
        out->glyphs[(size_t)i * zone->length + j] = (cr_glyph_pos){
            .face = face,
            .glyph_id = glyph,
            .cluster = start + (uint32_t)j,
            .x = cell * 64 + g->pen_offset,
            .y = baseline,
            .advance = (int32_t)lround(g->pitch * 64),
            .ppem = g->ppem,
            .x_scale = 65536,
        };
    }
    cr_text_run *run = &out->runs[i];
    *run = (cr_text_run){.start = start, .end = start + (uint32_t)zone->length, .face = face};
    memcpy(run->script, "Latn", 5);
    run->first_glyph = (size_t)i * zone->length;
    run->glyph_count = (size_t)zone->length;
    out->lines[i] = (cr_text_line){run->start,
                                   run->end,
                                   (size_t)i,
                                   1,
                                   baseline,
                                   g->x0 * 64,
                                   (int32_t)lround(zone->length * g->pitch * 64)};
    return CR_OK;
}

/* The zone's lines joined by newlines: the layout's text. */
static void join_lines(const cr_mrz_lines *zone, char *text)
{
    for (int i = 0; i < zone->count; i++) {
        memcpy(text + i * (zone->length + 1), zone->text[i], (size_t)zone->length);
        text[i * (zone->length + 1) + zone->length] = i + 1 < zone->count ? '\n' : '\0';
    }
}

cr_status cr_mrz_layout(const cr_template *tpl, const cr_field *field, const cr_record *record,
                        int dpi, cr_text_layout *out, cr_error *err)
{
    memset(out, 0, sizeof *out);
    cr_mrz_lines zone;
    cr_status status = cr_mrz_build(tpl, field, record, &zone, err);
    if (status != CR_OK)
        return status;
    cr_face *face = field->faces ? field->faces[0] : NULL;
    if (!face)
        return cr_fail(err, CR_ERR_INTERNAL, "cr_mrz_layout: field %d has no font", field->index);
    if (allocate(out, zone.count, zone.length) != CR_OK) {
        cr_text_layout_free(out);
        return cr_fail(err, CR_ERR_NOMEM, "out of memory laying out an MRZ");
    }
    grid g = grid_for(field, face, dpi);
    out->size_pt = g.ppem / 64.0 * 72.0 / dpi;
    join_lines(&zone, out->text);
    for (int i = 0; i < zone.count && status == CR_OK; i++)
        status = place_line(&zone, i, &g, face, out, err);
    if (status != CR_OK)
        cr_text_layout_free(out);
    return status;
}
