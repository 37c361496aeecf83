/* Proofs (proof.h): the card as cr_render paints it, on a white sheet with
 * room around it, then the watermark, the guides, the field boxes and their
 * labels drawn over it, in that order, so the labels stay legible. */
#include "proof.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "error.h"
#include "options.h"
#include "fonts.h"
#include "layout.h"
#include "text_paint.h"

#define SHEET_MARGIN_MM 7.0 /* around the card: labels and reasons outside it */
#define CAPTION_MM 6.0      /* the caption's line under the card */
#define REASON_LINE_MM 4.0  /* each line saying why a field is marked */
#define DEFAULT_SAFE_MM 3.0
#define GUIDE_MM 0.1 /* guide lines; never thinner than a pixel */
#define DASH_MM 1.0
#define DASH_GAP_MM 0.6
#define LABEL_PT 4.0
#define CAPTION_PT 7.0
#define REASON_PT 6.0
#define LABEL_PAD_MM 0.15
#define WATERMARK_TEXT "样张 SPECIMEN"
#define WATERMARK_SHARE 0.62 /* of the card's diagonal the watermark spans */
#define WATERMARK_PROBE_PT 20.0

static const cr_color paper_white = {255, 255, 255, 255};
static const cr_color no_paper = {0, 0, 0, 0};
static const cr_color outline_ink = {64, 64, 64, 255};
static const cr_color safe_ink = {0, 150, 90, 255};
static const cr_color box_ink = {31, 111, 214, 255};
static const cr_color label_paper = {31, 111, 214, 215};
static const cr_color alarm_ink = {220, 0, 0, 255};
static const cr_color alarm_fill = {255, 0, 0, 60};
static const cr_color caption_ink = {40, 40, 40, 255};
static const cr_color watermark_ink = {90, 90, 90, 60};

static char label_family[] = "Noto Sans";
static char label_cjk_family[] = "Noto Sans CJK SC";
static char watermark_family[] = "Noto Sans CJK SC Bold";
static char synthetic_name[] = "proof label";

static double px_to_mm(double px, int dpi)
{
    return px * 25.4 / dpi;
}

/* ---------------------------------------------------------- one line */

typedef struct line_style {
    char **families;
    size_t family_count;
    double size_pt;
} line_style;

/* Lays out one line of text whose box's top-left is (x, y) px, through a
 * field made for it: left to right, never wrapped, .notdef for the rare
 * character no font covers (a field name is the template's business). */
static cr_status lay_out_line(cr_engine *engine, const cr_template *tpl, const line_style *style,
                              const char *text, double x, double y, int dpi, cr_text_layout *out,
                              cr_error *err)
{
    cr_face *faces[2] = {NULL, NULL};
    for (size_t i = 0; i < style->family_count; i++) {
        faces[i] = cr_font_library_get(engine->fonts, style->families[i], tpl->dir, err);
        if (!faces[i])
            return err ? err->code : CR_ERR_FONT;
    }
    cr_field field = {.type = CR_FIELD_TEXT, .index = -1, .name = synthetic_name};
    field.x_mm = px_to_mm(x, dpi);
    field.y_mm = px_to_mm(y, dpi);
    field.w_mm = 2000; /* wider than any sheet: one line, never wrapped */
    field.h_mm = style->size_pt * 25.4 / 72 * 3;
    field.fonts = style->families;
    field.faces = faces;
    field.font_count = style->family_count;
    field.size_pt = field.min_size_pt = style->size_pt;
    field.min_scale_x = 1;
    field.max_lines = 1;
    field.direction = CR_DIR_LTR;
    field.missing_glyph = CR_MISSING_NOTDEF;
    field.tate_chu_yoko_digits = 2;
    return cr_layout_text(engine, tpl, &field, text, dpi, out, err);
}

static double line_width(const cr_text_layout *layout)
{
    return layout->line_count > 0 ? layout->lines[0].width / 64.0 : 0;
}

/* The height of a line set in face at size_pt: ascent plus descent. */
static double line_height(cr_engine *engine, const cr_template *tpl, const line_style *style,
                          int dpi)
{
    cr_error ignored;
    cr_face *face = cr_font_library_get(engine->fonts, style->families[0], tpl->dir, &ignored);
    double px_per_em = style->size_pt * dpi / 72.0;
    if (!face || face->upem <= 0)
        return px_per_em * 1.2;
    return (double)(face->ascender - face->descender) * px_per_em / face->upem;
}

/* The label's text laid out in place, and its box in pixels. */
static cr_status lay_out_label(cr_engine *engine, const cr_template *tpl, int dpi,
                               const cr_label *label, cr_text_layout *layout, cr_px_rect *box,
                               cr_error *err)
{
    char *families[] = {label_family, label_cjk_family};
    line_style style = {families, 2, label->size_pt};
    box->height = line_height(engine, tpl, &style, dpi) + 2 * label->pad;
    box->x = label->x;
    box->y = label->above ? label->y - box->height : label->y;
    cr_status status = lay_out_line(engine, tpl, &style, label->text, box->x + label->pad,
                                    box->y + label->pad, dpi, layout, err);
    box->width = status == CR_OK ? line_width(layout) + 2 * label->pad : 0;
    return status;
}

/* The box the label would take, without drawing it. */
static cr_status measure_label(cr_engine *engine, const cr_template *tpl, int dpi,
                               const cr_label *label, cr_px_rect *box, cr_error *err)
{
    cr_text_layout layout = {0};
    cr_status status = lay_out_label(engine, tpl, dpi, label, &layout, box, err);
    cr_text_layout_free(&layout);
    return status;
}

static cr_status draw_label(cr_engine *engine, const cr_template *tpl, cr_canvas *canvas, int dpi,
                            const cr_label *label, cr_error *err)
{
    cr_text_layout layout = {0};
    cr_px_rect box;
    cr_status status = lay_out_label(engine, tpl, dpi, label, &layout, &box, err);
    if (status != CR_OK)
        return status;
    if (label->paper.a > 0)
        cr_canvas_fill_rounded_rect(canvas, box.x, box.y, box.width, box.height, 0, label->paper);
    status = cr_text_draw(engine, canvas, &layout, label->ink, err);
    cr_text_layout_free(&layout);
    return status;
}

/* ------------------------------------------------- what the render said */

typedef struct field_mark {
    bool flagged;
    char reason[320];
} field_mark;

typedef struct marks {
    field_mark *fields;
    size_t count;
    const cr_proof_options *options;
} marks;

static void add_reason(field_mark *mark, const char *reason)
{
    size_t used = strlen(mark->reason);
    snprintf(mark->reason + used, sizeof mark->reason - used, "%s%s", used ? "; " : "", reason);
    mark->flagged = true;
}

/* What cr_render_proof marks in red, in words: "overflows: ...", "shrunk
 * from 10.5 to 7.5 pt", "condensed to 72%". */
static void note_report(void *data, const cr_field_report *report)
{
    marks *m = data;
    if (report->field_index < 0 || (size_t)report->field_index >= m->count)
        return;
    field_mark *mark = &m->fields[report->field_index];
    char reason[300];
    if (report->overflow) { /* its reason tells the size or scale tried last */
        snprintf(reason, sizeof reason, "overflows: %s", report->reason);
        add_reason(mark, reason);
        return;
    }
    if (report->used_size_pt < report->size_pt - 1e-9) {
        snprintf(reason, sizeof reason, "shrunk from %g to %g pt", report->size_pt,
                 report->used_size_pt);
        add_reason(mark, reason);
    }
    if (report->scale_x < 1 - 1e-9) {
        snprintf(reason, sizeof reason, "condensed to %.1f%%", report->scale_x * 100);
        add_reason(mark, reason);
    }
}

/* Passes the render's warnings on; a character drawn as .notdef marks its
 * field (the overflow warning repeats what the report says). */
static void note_warning(void *data, const cr_error *warning)
{
    marks *m = data;
    if (m->options && m->options->warning)
        m->options->warning(m->options->warning_data, warning);
    int index = warning->field_index;
    if (warning->code == CR_ERR_FONT && index >= 0 && (size_t)index < m->count &&
        !strstr(m->fields[index].reason, "no font"))
        add_reason(&m->fields[index], "no font for a character: drawn as .notdef");
}

/* ------------------------------------------------------------ the sheet */

/* Where the card lies on the proof sheet, in pixels. */
typedef struct sheet {
    cr_image *image;
    int dpi;
    double x, y, width, height, radius;
} sheet;

static double mm(const sheet *s, double millimetres)
{
    return cr_mm_to_px(millimetres, s->dpi);
}

static double guide_width(const sheet *s)
{
    return fmax(1.0, mm(s, GUIDE_MM));
}

static void copy_canvas(cr_canvas *dst, const cr_canvas *src, int x, int y)
{
    for (int row = 0; row < src->height; row++)
        memcpy(dst->pixels + (size_t)(y + row) * (size_t)dst->stride + (size_t)x * 3,
               src->pixels + (size_t)row * (size_t)src->stride, (size_t)src->width * 3);
}

/* A 1-bit K panel prints black resin: it shows black on the proof. */
static void overlay_k_panel(cr_canvas *dst, const cr_image *card, int x, int y)
{
    const cr_image *k = cr_image_panel(card, CR_PANEL_K);
    if (!k || cr_image_format_of(k) != CR_FORMAT_GRAY1)
        return;
    const uint8_t *bits = cr_image_pixels(k);
    for (int row = 0; row < cr_image_height(k); row++)
        for (int col = 0; col < cr_image_width(k); col++) {
            uint8_t byte = bits[(size_t)row * (size_t)cr_image_stride(k) + (size_t)col / 8];
            if (byte & (0x80 >> (col % 8)))
                memset(dst->pixels + (size_t)(y + row) * (size_t)dst->stride +
                           (size_t)(x + col) * 3,
                       0, 3);
        }
}

static cr_image *new_image(int width, int height, int dpi, cr_error *err)
{
    cr_image *image = calloc(1, sizeof *image);
    if (!image) {
        cr_fail(err, CR_ERR_NOMEM, "out of memory for the proof");
        return NULL;
    }
    image->dpi = dpi;
    if (cr_canvas_init(&image->canvas, width, height, err) != CR_OK) {
        free(image);
        return NULL;
    }
    cr_canvas_fill(&image->canvas, paper_white);
    return image;
}

/* The room the caption and the reasons take under the card. */
static double footer_mm(const char *caption, const marks *m)
{
    double height = caption ? CAPTION_MM : 0;
    for (size_t i = 0; i < m->count; i++)
        height += m->fields[i].flagged ? REASON_LINE_MM : 0;
    return height;
}

/* A white sheet, the card on it with a margin all round and room below for
 * the footer. */
static cr_status start_sheet(const cr_template *tpl, const cr_image *card, double below_mm,
                             sheet *s, cr_error *err)
{
    s->dpi = cr_image_dpi(card);
    int margin = (int)lround(mm(s, SHEET_MARGIN_MM));
    int below = (int)lround(mm(s, below_mm));
    int width = cr_image_width(card), height = cr_image_height(card);
    s->image = new_image(width + 2 * margin, height + 2 * margin + below, s->dpi, err);
    if (!s->image)
        return err ? err->code : CR_ERR_NOMEM;
    copy_canvas(&s->image->canvas, &card->canvas, margin, margin);
    overlay_k_panel(&s->image->canvas, card, margin, margin);
    double width_mm, height_mm;
    cr_template_card_mm(tpl, &width_mm, &height_mm, &s->radius);
    s->x = s->y = margin;
    s->width = mm(s, width_mm);
    s->height = mm(s, height_mm);
    s->radius = mm(s, s->radius);
    return CR_OK;
}

/* ------------------------------------------------------------ watermark */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The mask's coverage (255 minus its red: black text on white) at a 16.16
 * point, bilinear, 0 outside. Integer arithmetic: the same on every machine. */
static unsigned coverage_at(const cr_canvas *mask, int64_t fx, int64_t fy)
{
    int64_t x0 = floor_div(fx, 65536), y0 = floor_div(fy, 65536);
    unsigned ax = (unsigned)((fx - x0 * 65536) >> 8), ay = (unsigned)((fy - y0 * 65536) >> 8);
    unsigned v[2][2];
    for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++) {
            int64_t x = x0 + dx, y = y0 + dy;
            bool inside = x >= 0 && y >= 0 && x < mask->width && y < mask->height;
            v[dy][dx] = inside ? 255u - mask->pixels[y * mask->stride + x * 3] : 0;
        }
    unsigned top = v[0][0] * (256 - ax) + v[0][1] * ax;
    unsigned bottom = v[1][0] * (256 - ax) + v[1][1] * ax;
    return (top * (256 - ay) + bottom * ay + 32768) >> 16;
}

/* Blends mask over the card turned so that its text rises along the card's
 * diagonal, centred on the card. The turn's cosine and sine come from the
 * card's sides (no trigonometry), each pixel is sampled in fixed point. */
static cr_status blend_turned(const sheet *s, const cr_canvas *mask, cr_error *err)
{
    int w = (int)lround(s->width), h = (int)lround(s->height);
    double diagonal = sqrt((double)w * w + (double)h * h);
    int64_t c = llround(65536.0 * w / diagonal), sn = llround(65536.0 * h / diagonal);
    uint8_t *cover = malloc((size_t)w * (size_t)h);
    if (!cover)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for the watermark");
    int64_t half_w = (int64_t)mask->width << 15, half_h = (int64_t)mask->height << 15;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int64_t u2 = 2 * (int64_t)x + 1 - w, v2 = 2 * (int64_t)y + 1 - h; /* half pixels */
            int64_t along = (u2 * c - v2 * sn) / 2 + half_w - 32768;
            int64_t across = (u2 * sn + v2 * c) / 2 + half_h - 32768;
            cover[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)coverage_at(mask, along, across);
        }
    cr_canvas_blend_mask(&s->image->canvas, cover, w, h, w, (int)lround(s->x), (int)lround(s->y),
                         watermark_ink);
    free(cover);
    return CR_OK;
}

/* "样张 SPECIMEN", large and light, across the card: sized to span a share
 * of the diagonal, set black on a white mask, then turned onto the card. */
static cr_status draw_watermark(cr_engine *engine, const cr_template *tpl, const sheet *s,
                                cr_error *err)
{
    char *families[] = {watermark_family};
    line_style style = {families, 1, WATERMARK_PROBE_PT};
    cr_text_layout layout = {0};
    cr_status status =
        lay_out_line(engine, tpl, &style, WATERMARK_TEXT, 0, 0, s->dpi, &layout, err);
    double probe_width = status == CR_OK ? line_width(&layout) : 0;
    cr_text_layout_free(&layout);
    if (status != CR_OK || probe_width <= 0)
        return status;
    double diagonal = hypot(s->width, s->height);
    style.size_pt = WATERMARK_PROBE_PT * WATERMARK_SHARE * diagonal / probe_width;
    status = lay_out_line(engine, tpl, &style, WATERMARK_TEXT, 0, 0, s->dpi, &layout, err);
    cr_canvas mask = {0};
    if (status == CR_OK)
        status = cr_canvas_init(&mask, (int)ceil(line_width(&layout)) + 2,
                                (int)ceil(line_height(engine, tpl, &style, s->dpi)) + 2, err);
    if (status == CR_OK) {
        cr_canvas_fill(&mask, paper_white);
        status = cr_text_draw(engine, &mask, &layout, (cr_color){0, 0, 0, 255}, err);
    }
    if (status == CR_OK)
        status = blend_turned(s, &mask, err);
    cr_canvas_free(&mask);
    cr_text_layout_free(&layout);
    return status;
}

/* --------------------------------------------------------------- guides */

static cr_status stroke_box(const sheet *s, double x, double y, double width, double height,
                            double radius, cr_color ink, double stroke, cr_color fill,
                            cr_error *err)
{
    cr_rect_paint rect = {x, y, width, height, radius, fill, ink, stroke, 1.0};
    return cr_paint_rect(&s->image->canvas, &rect, err);
}

/* Dashes from (x0, y0) to (x1, y1), a horizontal or vertical run. */
static cr_status dashed_line(const sheet *s, double x0, double y0, double x1, double y1,
                             cr_error *err)
{
    double length = hypot(x1 - x0, y1 - y0), dash = mm(s, DASH_MM),
           step = dash + mm(s, DASH_GAP_MM);
    cr_status status = CR_OK;
    for (double at = 0; at < length && status == CR_OK; at += step) {
        double end = fmin(at + dash, length);
        cr_line_paint line = {x0 + (x1 - x0) * at / length,
                              y0 + (y1 - y0) * at / length,
                              x0 + (x1 - x0) * end / length,
                              y0 + (y1 - y0) * end / length,
                              guide_width(s),
                              safe_ink,
                              1.0};
        status = cr_paint_line(&s->image->canvas, &line, err);
    }
    return status;
}

/* The card's edge with its rounded corners, and the safe margin inside it. */
static cr_status draw_card_guides(const sheet *s, double safe_mm, cr_error *err)
{
    cr_status status = stroke_box(s, s->x, s->y, s->width, s->height, s->radius, outline_ink,
                                  guide_width(s), no_paper, err);
    double inset = mm(s, safe_mm);
    if (status != CR_OK || safe_mm <= 0 || 2 * inset >= fmin(s->width, s->height))
        return status;
    double left = s->x + inset, top = s->y + inset;
    double right = s->x + s->width - inset, bottom = s->y + s->height - inset;
    status = dashed_line(s, left, top, right, top, err);
    if (status == CR_OK)
        status = dashed_line(s, right, top, right, bottom, err);
    if (status == CR_OK)
        status = dashed_line(s, right, bottom, left, bottom, err);
    if (status == CR_OK)
        status = dashed_line(s, left, bottom, left, top, err);
    return status;
}

static cr_px_rect field_rect(const sheet *s, const cr_field_info *info)
{
    return (cr_px_rect){s->x + mm(s, info->x_mm), s->y + mm(s, info->y_mm), mm(s, info->width_mm),
                        mm(s, info->height_mm)};
}

/* Every box: thin blue, or red and tinted when the field is marked. */
static cr_status draw_boxes(const sheet *s, const cr_template *tpl, const marks *m, cr_error *err)
{
    cr_status status = CR_OK;
    for (size_t i = 0; i < m->count && status == CR_OK; i++) {
        cr_field_info info;
        cr_template_field(tpl, i, &info);
        cr_px_rect r = field_rect(s, &info);
        bool alarm = m->fields[i].flagged;
        status = stroke_box(s, r.x, r.y, r.width, r.height, 0, alarm ? alarm_ink : box_ink,
                            alarm ? 2 * guide_width(s) : guide_width(s),
                            alarm ? alarm_fill : no_paper, err);
    }
    return status;
}

/* ----------------------------------------------------------------- tags */

/* Where a field's tag may go: its corners' outsides (above the top-left,
 * below the bottom-left, above the top-right, below the bottom-right), its
 * sides (left, then right: the sheet's margin beside a column of labels),
 * then the corners one, two, ... tag heights further out, so that a place
 * that covers no other tag is found even on a dense card. */
#define TAG_CORNERS 4
#define TAG_SIDES 2
#define TAG_PLACES (TAG_CORNERS + TAG_SIDES + 5 * TAG_CORNERS)

typedef struct tag {
    cr_label label;
    cr_px_rect box;
    cr_px_rect leader; /* a tag away from its box points at it; empty: none */
} tag;

/* The tags placed so far, every field's box (which a tag should cover as
 * little as it can: the supervisor reads the card through them), and
 * where tags may go at all (the sheet above the footer). */
typedef struct tag_list {
    tag *tags;
    size_t count;
    const cr_px_rect *fields;
    size_t field_count;
    cr_px_rect room;
} tag_list;

static bool overlaps(cr_px_rect a, cr_px_rect b)
{
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height &&
           b.y < a.y + a.height;
}

static double overlap_area(cr_px_rect a, cr_px_rect b)
{
    double w = fmin(a.x + a.width, b.x + b.width) - fmax(a.x, b.x);
    double h = fmin(a.y + a.height, b.y + b.height) - fmax(a.y, b.y);
    return w > 0 && h > 0 ? w * h : 0;
}

static bool inside(cr_px_rect box, cr_px_rect room)
{
    return box.x >= room.x && box.y >= room.y && box.x + box.width <= room.x + room.width &&
           box.y + box.height <= room.y + room.height;
}

/* Lower is better: leaving the room outweighs covering an earlier tag,
 * which outweighs any field it covers; then the area of other fields'
 * boxes under it. */
static double tag_cost(const tag_list *list, cr_px_rect box, size_t own)
{
    double cost = inside(box, list->room) ? 0 : 1e15;
    for (size_t i = 0; i < list->count; i++)
        if (overlaps(list->tags[i].box, box))
            cost += 1e12;
    for (size_t i = 0; i < list->field_count; i++)
        if (i != own)
            cost += overlap_area(list->fields[i], box);
    return cost;
}

/* The tag at one side of the field, middle high. */
static tag tag_beside(cr_label label, cr_px_rect field, cr_px_rect measured, bool right)
{
    label.above = false;
    label.x = right ? field.x + field.width : field.x - measured.width;
    label.y = field.y + (field.height - measured.height) / 2;
    cr_px_rect box = {label.x, label.y, measured.width, measured.height};
    return (tag){label, box, {0, 0, 0, 0}};
}

/* The tag's box at place (its measured box at place 0 is `measured`), and
 * its leader: a line of `width` from the tag to the box's corner. */
static tag tag_at(cr_label label, cr_px_rect field, cr_px_rect measured, int place, double width)
{
    if (place >= TAG_CORNERS && place < TAG_CORNERS + TAG_SIDES)
        return tag_beside(label, field, measured, place == TAG_CORNERS + 1);
    int corner = place < TAG_CORNERS ? place : (place - TAG_SIDES) % TAG_CORNERS;
    int steps = place < TAG_CORNERS ? 0 : (place - TAG_SIDES) / TAG_CORNERS;
    bool right = corner >= 2, above = corner % 2 == 0;
    double further = steps * measured.height;
    label.above = above;
    label.x = right ? field.x + field.width - measured.width : field.x;
    label.y = above ? field.y - further : field.y + field.height + further;
    cr_px_rect box = measured;
    box.x += label.x - field.x;
    box.y = above ? field.y - further - measured.height : label.y;
    cr_px_rect leader = {right ? field.x + field.width - width : field.x,
                         above ? field.y - further : field.y + field.height, width, further};
    return (tag){label, box, leader};
}

/* Adds the field's tag where it costs least (the first such place). */
static cr_status place_tag(cr_engine *engine, const sheet *s, const cr_template *tpl,
                           cr_label label, size_t own, tag_list *list, cr_error *err)
{
    cr_px_rect field = list->fields[own], measured;
    label.above = true;
    label.x = field.x;
    label.y = field.y;
    cr_status status = measure_label(engine, tpl, s->dpi, &label, &measured, err);
    if (status != CR_OK)
        return status;
    double width = guide_width(s);
    tag chosen = tag_at(label, field, measured, 0, width);
    double best = tag_cost(list, chosen.box, own);
    for (int place = 1; place < TAG_PLACES && best > 0; place++) {
        tag candidate = tag_at(label, field, measured, place, width);
        double cost = tag_cost(list, candidate.box, own);
        if (cost < best) {
            best = cost;
            chosen = candidate;
        }
    }
    list->tags[list->count++] = chosen;
    return CR_OK;
}

/* Each field's name on a tag at a corner of its box, red for a marked
 * field; drawn last, over everything. */
static cr_status draw_tags(cr_engine *engine, const sheet *s, const cr_template *tpl,
                           const marks *m, cr_error *err)
{
    cr_px_rect *fields = calloc(m->count + 1, sizeof *fields);
    tag_list list = {calloc(m->count + 1, sizeof *list.tags),
                     0,
                     fields,
                     m->count,
                     {0, 0, s->image->canvas.width, s->y + s->height + mm(s, SHEET_MARGIN_MM) / 2}};
    char(*unnamed)[32] = calloc(m->count + 1, sizeof *unnamed);
    cr_field_info *infos = calloc(m->count + 1, sizeof *infos);
    cr_status status = CR_OK;
    if (!list.tags || !unnamed || !fields || !infos)
        status = cr_fail(err, CR_ERR_NOMEM, "out of memory for the proof's labels");
    for (size_t i = 0; i < m->count && status == CR_OK; i++) {
        cr_template_field(tpl, i, &infos[i]);
        fields[i] = field_rect(s, &infos[i]);
    }
    for (size_t i = 0; i < m->count && status == CR_OK; i++) {
        snprintf(unnamed[i], sizeof unnamed[i], "field %zu", i);
        cr_label label = {infos[i].name[0] ? infos[i].name : unnamed[i],
                          fields[i].x,
                          fields[i].y,
                          true,
                          LABEL_PT,
                          paper_white,
                          m->fields[i].flagged ? alarm_ink : label_paper,
                          mm(s, LABEL_PAD_MM)};
        status = place_tag(engine, s, tpl, label, i, &list, err);
    }
    for (size_t i = 0; i < list.count && status == CR_OK; i++) {
        const tag *t = &list.tags[i];
        if (t->leader.height > 0)
            cr_canvas_fill_rounded_rect(&s->image->canvas, t->leader.x, t->leader.y,
                                        t->leader.width, t->leader.height, 0, t->label.paper);
        status = draw_label(engine, tpl, &s->image->canvas, s->dpi, &t->label, err);
    }
    free(infos);
    free(unnamed);
    free(fields);
    free(list.tags);
    return status;
}

/* A footer line, set smaller when it would run past the card's width. */
static cr_status draw_footer_line(cr_engine *engine, const sheet *s, const cr_template *tpl,
                                  cr_label line, cr_error *err)
{
    cr_px_rect box;
    cr_status status = measure_label(engine, tpl, s->dpi, &line, &box, err);
    if (status == CR_OK && box.width > s->width)
        line.size_pt *= s->width / box.width;
    if (status == CR_OK)
        status = draw_label(engine, tpl, &s->image->canvas, s->dpi, &line, err);
    return status;
}

/* Under the card: the caption, then why each marked field is marked. */
static cr_status draw_footer(cr_engine *engine, const sheet *s, const cr_template *tpl,
                             const char *caption, const marks *m, cr_error *err)
{
    double y = s->y + s->height + mm(s, SHEET_MARGIN_MM) / 2;
    cr_label line = {caption, s->x, y, false, CAPTION_PT, caption_ink, no_paper, 0};
    cr_status status = CR_OK;
    if (caption) {
        status = draw_footer_line(engine, s, tpl, line, err);
        line.y += mm(s, CAPTION_MM);
    }
    line.size_pt = REASON_PT;
    line.ink = alarm_ink;
    for (size_t i = 0; i < m->count && status == CR_OK; i++) {
        if (!m->fields[i].flagged)
            continue;
        cr_field_info info;
        cr_template_field(tpl, i, &info);
        char text[512];
        snprintf(text, sizeof text, "field %zu%s%s%s: %s", i, info.name[0] ? " \"" : "", info.name,
                 info.name[0] ? "\"" : "", m->fields[i].reason);
        line.text = text;
        status = draw_footer_line(engine, s, tpl, line, err);
        line.y += mm(s, REASON_LINE_MM);
    }
    return status;
}

/* ---------------------------------------------------------------- public */

static cr_status draw_proof(cr_engine *engine, const cr_template *tpl, const cr_image *card,
                            const marks *m, sheet *s, cr_error *err)
{
    const cr_proof_options *options = m->options;
    const char *caption =
        options && options->caption && options->caption[0] ? options->caption : NULL;
    double safe_mm = options && options->safe_mm != 0 ? options->safe_mm : DEFAULT_SAFE_MM;
    cr_status status = start_sheet(tpl, card, footer_mm(caption, m), s, err);
    if (status == CR_OK)
        status = draw_watermark(engine, tpl, s, err);
    if (status == CR_OK)
        status = draw_card_guides(s, safe_mm, err);
    if (status == CR_OK)
        status = draw_boxes(s, tpl, m, err);
    if (status == CR_OK)
        status = draw_tags(engine, s, tpl, m, err);
    if (status == CR_OK)
        status = draw_footer(engine, s, tpl, caption, m, err);
    return status;
}

void cr_proof_options_init(cr_proof_options *options)
{
    if (options)
        *options = (cr_proof_options){.struct_size = sizeof *options};
}

cr_image *cr_render_proof(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                          const cr_proof_options *caller_options, cr_error *err)
{
    cr_error_clear(err);
    if (!engine || !tpl) {
        cr_fail(err, CR_ERR_ARGUMENT, "cr_render_proof needs an engine and a template");
        return NULL;
    }
    cr_proof_options resolved;
    cr_proof_options_init(&resolved);
    if (cr_options_take(&resolved, sizeof resolved, caller_options, "cr_proof_options", err) !=
        CR_OK)
        return NULL;
    const cr_proof_options *options = &resolved;
    marks m = {calloc(tpl->field_count + 1, sizeof *m.fields), tpl->field_count, options};
    if (!m.fields) {
        cr_fail(err, CR_ERR_NOMEM, "out of memory for the proof");
        return NULL;
    }
    cr_render_options render = {.struct_size = sizeof render,
                                .dpi = options->dpi,
                                .asset_dir = options->asset_dir,
                                .warning = note_warning,
                                .warning_data = &m,
                                .field_report = note_report,
                                .field_report_data = &m};
    cr_image *card = cr_render(engine, tpl, record, &render, err);
    sheet s = {0};
    if (card && draw_proof(engine, tpl, card, &m, &s, err) != CR_OK) {
        cr_image_destroy(s.image);
        s.image = NULL;
    }
    cr_image_destroy(card);
    free(m.fields);
    return s.image;
}

cr_image *cr_image_beside(const cr_image *left, const cr_image *right, double gap_mm, cr_error *err)
{
    cr_error_clear(err);
    if (!left || !right || !(gap_mm >= 0 && gap_mm <= 1000)) {
        cr_fail(err, CR_ERR_ARGUMENT, "cr_image_beside needs two images and a gap of 0 to 1000 mm");
        return NULL;
    }
    if (cr_image_format_of(left) != CR_FORMAT_RGB8 || cr_image_format_of(right) != CR_FORMAT_RGB8) {
        cr_fail(err, CR_ERR_ARGUMENT, "cr_image_beside: a 1-bit panel is not a colour image");
        return NULL;
    }
    if (left->dpi != right->dpi) {
        cr_fail(err, CR_ERR_ARGUMENT, "cr_image_beside: the images are at %d and %d dpi", left->dpi,
                right->dpi);
        return NULL;
    }
    int gap = (int)lround(cr_mm_to_px(gap_mm, left->dpi));
    int width = left->canvas.width + gap + right->canvas.width;
    int height =
        left->canvas.height > right->canvas.height ? left->canvas.height : right->canvas.height;
    cr_image *sheet_image = new_image(width, height, left->dpi, err);
    if (!sheet_image)
        return NULL;
    copy_canvas(&sheet_image->canvas, &left->canvas, 0, 0);
    copy_canvas(&sheet_image->canvas, &right->canvas, left->canvas.width + gap, 0);
    return sheet_image;
}
