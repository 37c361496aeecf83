/* The render stage: paints a template's layers for one record onto a canvas
 * and exposes the result through the public image API. */
#include <stdlib.h>

#include "draw_fields.h"
#include "engine.h"
#include "error.h"
#include "glyph_cache.h"
#include "layout.h"
#include "png_io.h"
#include "raster.h"
#include "template.h"

#define CR_DPI_MIN 72
#define CR_DPI_MAX 1200

static const cr_color white = {255, 255, 255, 255};

/* Splits a 26.6 coordinate into a whole pixel and a subpixel phase, rounding
 * to the nearest phase so glyphs never drift by more than 1/8 px. */
static void split_subpixel(int32_t x, int *pixel, int *phase)
{
    int32_t whole = x >= 0 ? x / 64 : -((-x + 63) / 64);
    int32_t frac = x - whole * 64;
    int32_t p = (frac * CR_GLYPH_SUBPIXELS + 32) / 64;
    if (p == CR_GLYPH_SUBPIXELS) {
        whole++;
        p = 0;
    }
    *pixel = (int)whole;
    *phase = (int)p;
}

static cr_status draw_glyphs(cr_engine *engine, cr_canvas *canvas, const cr_text_layout *layout,
                             cr_color color, cr_error *err)
{
    for (size_t i = 0; i < layout->glyph_count; i++) {
        const cr_glyph_pos *g = &layout->glyphs[i];
        int px, phase;
        split_subpixel(g->x, &px, &phase);
        int py = (int)((g->y + 32) >> 6);
        const cr_glyph_bitmap *bm = cr_glyph_cache_get(engine->glyphs, g->face, g->glyph_id, g->ppem,
                                                       g->x_scale, g->rotation, phase, err);
        if (!bm)
            return err ? err->code : CR_ERR_INTERNAL;
        if (bm->width > 0 && bm->rows > 0)
            cr_canvas_blend_mask(canvas, bm->coverage, bm->width, bm->rows, bm->pitch,
                                 px + bm->left, py - bm->top, color);
    }
    return CR_OK;
}

/* The layout's warnings (characters drawn as .notdef), then the overflow,
 * each with the field's location. */
static void warn_layout(const cr_template *tpl, const cr_field *field, const cr_text_layout *layout,
                        const cr_render_options *options)
{
    if (!options || !options->warning)
        return;
    cr_error warning;
    cr_location where = {tpl->path, field->line, field->column, field->index, field->name};
    for (size_t i = 0; i < layout->warning_count; i++) {
        cr_error_set(&warning, CR_ERR_FONT, where, "%s", layout->warnings[i].message);
        options->warning(options->warning_data, &warning);
    }
    if (!layout->overflow)
        return;
    cr_error_set(&warning, CR_ERR_TEXT, where, "text does not fit its box: %s",
                 layout->overflow_reason);
    options->warning(options->warning_data, &warning);
}

static void report_field(const cr_field *field, const cr_text_layout *layout,
                         const cr_render_options *options)
{
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

static cr_status render_text_field(cr_engine *engine, const cr_template *tpl,
                                   const cr_field *field, const cr_record *record, int dpi,
                                   cr_canvas *canvas, const cr_render_options *options,
                                   cr_error *err)
{
    const char *text = cr_field_text(tpl, field, record, err);
    if (!text)
        return err ? err->code : CR_ERR_RECORD;
    cr_text_layout layout;
    cr_status status = cr_layout_text(engine, tpl, field, text, dpi, &layout, err);
    if (status != CR_OK)
        return status;
    warn_layout(tpl, field, &layout, options);
    report_field(field, &layout, options);
    status = draw_glyphs(engine, canvas, &layout, field->color, err);
    cr_text_layout_free(&layout);
    return status;
}

static cr_status paint_card(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                            int dpi, cr_canvas *canvas, const cr_render_options *options,
                            cr_error *err)
{
    /* Outside the rounded corners is paper white: the card is punched there. */
    cr_canvas_fill(canvas, white);
    cr_canvas_fill_rounded_rect(canvas, 0, 0, cr_mm_to_px(tpl->width_mm, dpi),
                                cr_mm_to_px(tpl->height_mm, dpi),
                                cr_mm_to_px(tpl->corner_radius_mm, dpi), tpl->background);
    cr_status background = cr_draw_background_image(tpl, dpi, canvas, err);
    if (background != CR_OK)
        return background;
    for (size_t i = 0; i < tpl->field_count; i++) {
        const cr_field *field = &tpl->fields[i];
        cr_status status = CR_OK;
        switch (field->type) {
        case CR_FIELD_TEXT:
            status = render_text_field(engine, tpl, field, record, dpi, canvas, options, err);
            break;
        case CR_FIELD_IMAGE:
            status = cr_draw_image_field(tpl, field, record, dpi, options, canvas, err);
            break;
        case CR_FIELD_RECT:
            status = cr_draw_rect_field(field, dpi, canvas, err);
            break;
        case CR_FIELD_LINE:
            status = cr_draw_line_field(field, dpi, canvas, err);
            break;
        }
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

cr_image *cr_render(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                    const cr_render_options *options, cr_error *err)
{
    cr_error_clear(err);
    if (!engine || !tpl) {
        cr_fail(err, CR_ERR_ARGUMENT, "cr_render needs an engine and a template");
        return NULL;
    }
    int dpi = options && options->dpi ? options->dpi : tpl->dpi;
    if (dpi < CR_DPI_MIN || dpi > CR_DPI_MAX) {
        cr_fail(err, CR_ERR_ARGUMENT, "resolution %d dpi is out of range (%d to %d)", dpi,
                CR_DPI_MIN, CR_DPI_MAX);
        return NULL;
    }
    cr_image *image = calloc(1, sizeof *image);
    if (!image) {
        cr_fail(err, CR_ERR_NOMEM, "out of memory for the image");
        return NULL;
    }
    image->dpi = dpi;
    int width, height;
    cr_template_pixel_size(tpl, dpi, &width, &height);
    if (cr_canvas_init(&image->canvas, width, height, err) != CR_OK ||
        paint_card(engine, tpl, record, dpi, &image->canvas, options, err) != CR_OK) {
        cr_image_destroy(image);
        return NULL;
    }
    return image;
}

int cr_image_width(const cr_image *image)
{
    return image->canvas.width;
}

int cr_image_height(const cr_image *image)
{
    return image->canvas.height;
}

int cr_image_stride(const cr_image *image)
{
    return image->canvas.stride;
}

int cr_image_dpi(const cr_image *image)
{
    return image->dpi;
}

const uint8_t *cr_image_pixels(const cr_image *image)
{
    return image->canvas.pixels;
}

cr_status cr_image_write_png_file(const cr_image *image, const char *path, cr_error *err)
{
    cr_error_clear(err);
    if (!image || !path)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_image_write_png_file needs an image and a path");
    return cr_png_write_file(&image->canvas, image->dpi, path, err);
}

cr_status cr_image_write_png_memory(const cr_image *image, uint8_t **data, size_t *size,
                                    cr_error *err)
{
    cr_error_clear(err);
    if (!image || !data || !size)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_image_write_png_memory needs an image and outputs");
    return cr_png_write_memory(&image->canvas, image->dpi, data, size, err);
}

void cr_image_destroy(cr_image *image)
{
    if (!image)
        return;
    cr_canvas_free(&image->canvas);
    free(image);
}
