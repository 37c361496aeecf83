/* Sheets: cards imposed n-up with crop marks (cardrender.h). */
#include <math.h>
#include <stdlib.h>

#include "error.h"
#include "options.h"
#include "paint.h"
#include "panels.h"
#include "raster.h"

enum { MAX_SLOTS_SIDE = 32, SHEET_MAX_SIDE = 20000 };

/* Crop marks: hairlines this wide, kept this far from the cards. */
static const double mark_width_mm = 0.15;
static const double mark_clearance_mm = 1.5;

void cr_sheet_options_init(cr_sheet_options *options)
{
    if (options)
        *options = (cr_sheet_options){.struct_size = sizeof *options,
                                      .columns = 2,
                                      .rows = 4,
                                      .gap_mm = 3.0,
                                      .margin_mm = 6.0};
}

/* The sheet's pixel geometry: every slot is card-sized, gap apart. */
typedef struct sheet_geometry {
    int columns, rows;
    int card_width, card_height, dpi;
    int gap, margin; /* pixels */
    int width, height;
    bool back;
} sheet_geometry;

static int mm_to_whole_px(double mm, int dpi)
{
    return (int)lround(mm * dpi / 25.4);
}

/* The top-left pixel of slot (column, row); the back's columns run the
 * other way, so that each back lies behind its front once turned over. */
static void slot_origin(const sheet_geometry *g, int column, int row, int *x, int *y)
{
    int c = g->back ? g->columns - 1 - column : column;
    *x = g->margin + c * (g->card_width + g->gap);
    *y = g->margin + row * (g->card_height + g->gap);
}

static const cr_image *first_card(const cr_image *const *cards, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (cards[i])
            return cards[i];
    return NULL;
}

static cr_status check_options(const cr_sheet_options *o, size_t count, cr_error *err)
{
    if (o->columns < 1 || o->rows < 1 || o->columns > MAX_SLOTS_SIDE || o->rows > MAX_SLOTS_SIDE)
        return cr_fail(err, CR_ERR_ARGUMENT, "a sheet layout of %dx%d is not between 1x1 and %dx%d",
                       o->columns, o->rows, MAX_SLOTS_SIDE, MAX_SLOTS_SIDE);
    if (!(o->gap_mm >= 0 && o->gap_mm <= 100) || !(o->margin_mm >= 0 && o->margin_mm <= 100))
        return cr_fail(err, CR_ERR_ARGUMENT,
                       "sheet gap %g mm and margin %g mm must each be between 0 and 100", o->gap_mm,
                       o->margin_mm);
    if (count > (size_t)o->columns * (size_t)o->rows)
        return cr_fail(err, CR_ERR_ARGUMENT, "%zu cards do not fit a %dx%d sheet (%d slots)", count,
                       o->columns, o->rows, o->columns * o->rows);
    return CR_OK;
}

/* Every card is a colour image of the first one's size and resolution. */
static cr_status check_cards(const cr_image *const *cards, size_t count, cr_error *err)
{
    const cr_image *first = first_card(cards, count);
    if (!first)
        return cr_fail(err, CR_ERR_ARGUMENT, "a sheet needs at least one card");
    for (size_t i = 0; i < count; i++) {
        const cr_image *c = cards[i];
        if (!c)
            continue;
        if (cr_image_format_of(c) != CR_FORMAT_RGB8)
            return cr_fail(err, CR_ERR_ARGUMENT, "card %zu is a 1-bit panel, not a card", i + 1);
        if (c->canvas.width != first->canvas.width || c->canvas.height != first->canvas.height ||
            c->dpi != first->dpi)
            return cr_fail(err, CR_ERR_ARGUMENT,
                           "card %zu is %dx%d px at %d dpi, but the first card is %dx%d px at "
                           "%d dpi: a sheet's cards must match",
                           i + 1, c->canvas.width, c->canvas.height, c->dpi, first->canvas.width,
                           first->canvas.height, first->dpi);
    }
    return CR_OK;
}

static cr_status measure(const cr_image *card, const cr_sheet_options *o, sheet_geometry *g,
                         cr_error *err)
{
    *g = (sheet_geometry){.columns = o->columns,
                          .rows = o->rows,
                          .card_width = card->canvas.width,
                          .card_height = card->canvas.height,
                          .dpi = card->dpi,
                          .gap = mm_to_whole_px(o->gap_mm, card->dpi),
                          .margin = mm_to_whole_px(o->margin_mm, card->dpi),
                          .back = o->back != 0};
    long long width = 2LL * g->margin + (long long)g->columns * g->card_width +
                      (long long)(g->columns - 1) * g->gap;
    long long height =
        2LL * g->margin + (long long)g->rows * g->card_height + (long long)(g->rows - 1) * g->gap;
    if (width > SHEET_MAX_SIDE || height > SHEET_MAX_SIDE)
        return cr_fail(err, CR_ERR_ARGUMENT, "the sheet would be %lldx%lld px, more than %d a side",
                       width, height, SHEET_MAX_SIDE);
    g->width = (int)width;
    g->height = (int)height;
    return CR_OK;
}

/* ------------------------------------------------------------ marks */

static void mark(cr_canvas *sheet, double x0, double y0, double x1, double y1, double width)
{
    cr_line_paint line = {x0, y0, x1, y1, width, {0, 0, 0, 255}, 1.0};
    cr_error ignored; /* a hairline layer is small; out of memory leaves the mark out */
    cr_paint_line(sheet, &line, &ignored);
}

/* Along every cut, in the margins: each card edge extended outwards. */
static void crop_marks(cr_canvas *sheet, const sheet_geometry *g)
{
    double width = fmax(1.0, mark_width_mm * g->dpi / 25.4);
    double length = g->margin - mark_clearance_mm * g->dpi / 25.4;
    if (length <= 0)
        return;
    for (int c = 0; c < g->columns; c++) {
        int x, y;
        slot_origin(g, c, 0, &x, &y);
        for (int edge = 0; edge < 2; edge++) {
            double cut = x + edge * g->card_width;
            mark(sheet, cut, 0, cut, length, width);
            mark(sheet, cut, g->height - length, cut, g->height, width);
        }
    }
    for (int r = 0; r < g->rows; r++) {
        int x, y;
        slot_origin(g, 0, r, &x, &y);
        for (int edge = 0; edge < 2; edge++) {
            double cut = y + edge * g->card_height;
            mark(sheet, 0, cut, length, cut, width);
            mark(sheet, g->width - length, cut, g->width, cut, width);
        }
    }
}

/* ----------------------------------------------------------- impose */

static bool any_panel(const cr_image *const *cards, size_t count, cr_panel panel)
{
    for (size_t i = 0; i < count; i++)
        if (cards[i] && cards[i]->panels[panel])
            return true;
    return false;
}

static cr_status impose_colour(const cr_image *const *cards, size_t count, const sheet_geometry *g,
                               cr_canvas *sheet, cr_error *err)
{
    static const cr_color white = {255, 255, 255, 255};
    cr_status status = cr_canvas_init(sheet, g->width, g->height, err);
    if (status != CR_OK)
        return status;
    cr_canvas_fill(sheet, white);
    for (size_t i = 0; i < count; i++) {
        int x, y;
        slot_origin(g, (int)(i % (size_t)g->columns), (int)(i / (size_t)g->columns), &x, &y);
        if (cards[i])
            cr_canvas_blit(sheet, &cards[i]->canvas, x, y);
    }
    crop_marks(sheet, g);
    return CR_OK;
}

static cr_status impose_bits(const cr_image *const *cards, size_t count, cr_panel panel,
                             const sheet_geometry *g, cr_image *sheet, cr_error *err)
{
    cr_image *bits = calloc(1, sizeof *bits);
    if (!bits)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for a sheet panel");
    bits->dpi = g->dpi;
    cr_status status = cr_bitmap_init(&bits->bitmap, g->width, g->height, err);
    for (size_t i = 0; i < count && status == CR_OK; i++) {
        int x, y;
        slot_origin(g, (int)(i % (size_t)g->columns), (int)(i / (size_t)g->columns), &x, &y);
        if (cards[i] && cards[i]->panels[panel])
            cr_bitmap_blit(&bits->bitmap, &cards[i]->panels[panel]->bitmap, x, y);
    }
    if (status != CR_OK) {
        free(bits);
        return status;
    }
    sheet->panels[panel] = bits;
    return CR_OK;
}

static void mirror_sheet(cr_image *sheet)
{
    cr_canvas_mirror(&sheet->canvas);
    for (int p = 0; p < CR_PANEL_COUNT; p++)
        if (p != CR_PANEL_COLOR && sheet->panels[p])
            cr_bitmap_mirror(&sheet->panels[p]->bitmap);
}

cr_image *cr_sheet_impose(const cr_image *const *cards, size_t count,
                          const cr_sheet_options *options, cr_error *err)
{
    cr_error_clear(err);
    cr_sheet_options o;
    cr_sheet_options_init(&o);
    if (cr_options_take(&o, sizeof o, options, "cr_sheet_options", err) != CR_OK)
        return NULL;
    sheet_geometry g;
    if (!cards || check_options(&o, count, err) != CR_OK ||
        check_cards(cards, count, err) != CR_OK ||
        measure(first_card(cards, count), &o, &g, err) != CR_OK) {
        if (!cards)
            cr_fail(err, CR_ERR_ARGUMENT, "cr_sheet_impose needs cards");
        return NULL;
    }
    cr_image *sheet = calloc(1, sizeof *sheet);
    if (!sheet) {
        cr_fail(err, CR_ERR_NOMEM, "out of memory for the sheet");
        return NULL;
    }
    sheet->dpi = g.dpi;
    cr_status status = impose_colour(cards, count, &g, &sheet->canvas, err);
    for (int p = CR_PANEL_K; p < CR_PANEL_COUNT && status == CR_OK; p++)
        if (any_panel(cards, count, (cr_panel)p))
            status = impose_bits(cards, count, (cr_panel)p, &g, sheet, err);
    if (status != CR_OK) {
        cr_image_destroy(sheet);
        return NULL;
    }
    if (o.mirror)
        mirror_sheet(sheet);
    return sheet;
}
