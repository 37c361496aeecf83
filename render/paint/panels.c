/* 1-bit panels and print geometry (panels.h). */
#include "panels.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "paint.h"
#include "pixel_memory.h"

enum { PANEL_MAX_SIDE = 20000 };

cr_status cr_bitmap_init(cr_bitmap *bitmap, int width, int height, cr_error *err)
{
    memset(bitmap, 0, sizeof *bitmap);
    if (width <= 0 || height <= 0 || width > PANEL_MAX_SIDE || height > PANEL_MAX_SIDE)
        return cr_fail(err, CR_ERR_ARGUMENT, "panel size %dx%d is not between 1x1 and %dx%d pixels",
                       width, height, PANEL_MAX_SIDE, PANEL_MAX_SIDE);
    int stride = (width + 7) / 8;
    bitmap->bits = calloc((size_t)height, (size_t)stride);
    if (!bitmap->bits)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for a %dx%d panel", width, height);
    bitmap->width = width;
    bitmap->height = height;
    bitmap->stride = stride;
    return CR_OK;
}

void cr_bitmap_free(cr_bitmap *bitmap)
{
    if (!bitmap)
        return;
    free(bitmap->bits);
    memset(bitmap, 0, sizeof *bitmap);
}

/* ----------------------------------------------------------- K panel */

static const uint8_t *pixel_at(const cr_canvas *c, int x, int y)
{
    return c->pixels + (size_t)y * (size_t)c->stride + (size_t)x * 3;
}

static void threshold_rows(const cr_canvas *canvas, unsigned threshold, cr_bitmap *out)
{
    for (int y = 0; y < canvas->height; y++)
        for (int x = 0; x < canvas->width; x++)
            if (cr_luminance(pixel_at(canvas, x, y)) < threshold)
                cr_bitmap_set(out, x, y);
}

/* The classic recursive 8x8 Bayer matrix: levels 0..63. */
static const uint8_t bayer8[8][8] = {
    {0, 32, 8, 40, 2, 34, 10, 42},  {48, 16, 56, 24, 50, 18, 58, 26},
    {12, 44, 4, 36, 14, 46, 6, 38}, {60, 28, 52, 20, 62, 30, 54, 22},
    {3, 35, 11, 43, 1, 33, 9, 41},  {51, 19, 59, 27, 49, 17, 57, 25},
    {15, 47, 7, 39, 13, 45, 5, 37}, {63, 31, 55, 23, 61, 29, 53, 21},
};

/* Each level's threshold sits mid-way in its 1/64 step: white (255) never
 * prints, black (0) always does. */
static void ordered_rows(const cr_canvas *canvas, cr_bitmap *out)
{
    for (int y = 0; y < canvas->height; y++)
        for (int x = 0; x < canvas->width; x++)
            if (cr_luminance(pixel_at(canvas, x, y)) < 4u * bayer8[y & 7][x & 7] + 2u)
                cr_bitmap_set(out, x, y);
}

/* Division by 16 rounded half away from zero, never a shift of a negative. */
static int div16(int v)
{
    return v >= 0 ? (v + 8) / 16 : -((-v + 8) / 16);
}

/* One row of Floyd-Steinberg: errors in 1/16 are read from here[] and
 * spread 7 right, 3 down-left, 5 down, 1 down-right. here/below have room
 * for one column either side. */
static void diffuse_row(const cr_canvas *canvas, int y, int *here, int *below, cr_bitmap *out)
{
    for (int x = 0; x < canvas->width; x++) {
        int value = (int)cr_luminance(pixel_at(canvas, x, y)) + div16(here[x + 1]);
        int printed = value < 128;
        int error = value - (printed ? 0 : 255);
        if (printed)
            cr_bitmap_set(out, x, y);
        here[x + 2] += error * 7;
        below[x] += error * 3;
        below[x + 1] += error * 5;
        below[x + 2] += error;
    }
}

static cr_status diffuse_rows(const cr_canvas *canvas, cr_bitmap *out, cr_error *err)
{
    size_t columns = (size_t)canvas->width + 2;
    int *here = calloc(columns, sizeof *here), *below = calloc(columns, sizeof *below);
    if (!here || !below) {
        free(here);
        free(below);
        return cr_fail(err, CR_ERR_NOMEM, "out of memory dithering the K panel");
    }
    for (int y = 0; y < canvas->height; y++) {
        diffuse_row(canvas, y, here, below, out);
        int *done = here;
        here = below;
        below = done;
        memset(below, 0, columns * sizeof *below);
    }
    free(here);
    free(below);
    return CR_OK;
}

cr_status cr_bitmap_from_canvas(const cr_canvas *canvas, cr_k_mode mode, int threshold,
                                cr_bitmap *out, cr_error *err)
{
    cr_status status = cr_bitmap_init(out, canvas->width, canvas->height, err);
    if (status != CR_OK)
        return status;
    switch (mode) {
    case CR_K_THRESHOLD:
        threshold_rows(canvas, (unsigned)threshold, out);
        break;
    case CR_K_ORDERED:
        ordered_rows(canvas, out);
        break;
    case CR_K_DITHER:
        status = diffuse_rows(canvas, out, err);
        break;
    }
    if (status != CR_OK)
        cr_bitmap_free(out);
    return status;
}

/* ----------------------------------------------------------- overlay */

/* Whether pixel (x, y) is at least half inside the w x h outline with
 * corner radius r; only pixels by a corner or an edge need the area. */
static bool inside_outline(double w, double h, double r, int x, int y)
{
    bool by_corner = (x < r + 1 || x + 1 > w - r - 1) && (y < r + 1 || y + 1 > h - r - 1);
    if (!by_corner && x + 1 <= w && y + 1 <= h)
        return true;
    return cr_rounded_rect_coverage(0, 0, w, h, r, x, y) >= 0.5;
}

static void punch_hole(cr_bitmap *mask, const double hole_mm[4], int dpi)
{
    cr_pixel_box box =
        cr_pixel_box_round(cr_mm_to_px(hole_mm[0], dpi), cr_mm_to_px(hole_mm[1], dpi),
                           cr_mm_to_px(hole_mm[2], dpi), cr_mm_to_px(hole_mm[3], dpi));
    for (int y = box.y0 < 0 ? 0 : box.y0; y < box.y1 && y < mask->height; y++)
        for (int x = box.x0 < 0 ? 0 : box.x0; x < box.x1 && x < mask->width; x++)
            cr_bitmap_put(mask, x, y, false);
}

cr_status cr_overlay_mask(const cr_template *tpl, int dpi, int width, int height, cr_bitmap *out,
                          cr_error *err)
{
    cr_status status = cr_bitmap_init(out, width, height, err);
    if (status != CR_OK)
        return status;
    double w = cr_mm_to_px(tpl->width_mm, dpi), h = cr_mm_to_px(tpl->height_mm, dpi);
    double r = cr_mm_to_px(tpl->corner_radius_mm, dpi);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            if (inside_outline(w, h, r, x, y))
                cr_bitmap_set(out, x, y);
    for (size_t i = 0; i < tpl->print.hole_count; i++)
        punch_hole(out, tpl->print.holes_mm[i], dpi);
    return CR_OK;
}

/* ---------------------------------------------------------- geometry */

cr_status cr_canvas_copy(const cr_canvas *src, cr_canvas *out, cr_error *err)
{
    memset(out, 0, sizeof *out);
    size_t size = (size_t)src->stride * (size_t)src->height;
    uint8_t *pixels = cr_pixel_memory_alloc(size, false);
    if (!pixels)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for a %dx%d canvas", src->width,
                       src->height);
    memcpy(pixels, src->pixels, size);
    *out = *src;
    out->pixels = pixels;
    return CR_OK;
}

cr_status cr_bitmap_copy(const cr_bitmap *src, cr_bitmap *out, cr_error *err)
{
    cr_status status = cr_bitmap_init(out, src->width, src->height, err);
    if (status == CR_OK)
        memcpy(out->bits, src->bits, (size_t)src->stride * (size_t)src->height);
    return status;
}

void cr_canvas_blit(cr_canvas *dst, const cr_canvas *src, int x, int y)
{
    for (int row = 0; row < src->height; row++)
        memcpy(dst->pixels + (size_t)(y + row) * (size_t)dst->stride + (size_t)x * 3,
               src->pixels + (size_t)row * (size_t)src->stride, (size_t)src->width * 3);
}

void cr_bitmap_blit(cr_bitmap *dst, const cr_bitmap *src, int x, int y)
{
    for (int row = 0; row < src->height; row++)
        for (int col = 0; col < src->width; col++)
            cr_bitmap_put(dst, x + col, y + row, cr_bitmap_get(src, col, row));
}

static bool fits(int card_width, int card_height, int width, int height, int x, int y)
{
    return x >= 0 && y >= 0 && (long long)x + card_width <= width &&
           (long long)y + card_height <= height;
}

static cr_status placement_error(int card_width, int card_height, int width, int height, int x,
                                 int y, cr_error *err)
{
    return cr_fail(err, CR_ERR_ARGUMENT,
                   "the %dx%d card placed at (%d, %d) does not lie wholly on the %dx%d canvas",
                   card_width, card_height, x, y, width, height);
}

static const cr_color white = {255, 255, 255, 255};

cr_status cr_canvas_place(const cr_canvas *card, int width, int height, int x, int y,
                          cr_canvas *out, cr_error *err)
{
    if (!fits(card->width, card->height, width, height, x, y))
        return placement_error(card->width, card->height, width, height, x, y, err);
    cr_status status = cr_canvas_init(out, width, height, err);
    if (status != CR_OK)
        return status;
    cr_canvas_fill(out, white);
    cr_canvas_blit(out, card, x, y);
    return CR_OK;
}

cr_status cr_bitmap_place(const cr_bitmap *card, int width, int height, int x, int y,
                          cr_bitmap *out, cr_error *err)
{
    if (!fits(card->width, card->height, width, height, x, y))
        return placement_error(card->width, card->height, width, height, x, y, err);
    cr_status status = cr_bitmap_init(out, width, height, err);
    if (status != CR_OK)
        return status;
    cr_bitmap_blit(out, card, x, y);
    return CR_OK;
}

void cr_canvas_mirror(cr_canvas *canvas)
{
    for (int y = 0; y < canvas->height; y++) {
        uint8_t *row = canvas->pixels + (size_t)y * (size_t)canvas->stride;
        for (int l = 0, r = canvas->width - 1; l < r; l++, r--)
            for (int c = 0; c < 3; c++) {
                uint8_t keep = row[l * 3 + c];
                row[l * 3 + c] = row[r * 3 + c];
                row[r * 3 + c] = keep;
            }
    }
}

void cr_bitmap_mirror(cr_bitmap *bitmap)
{
    for (int y = 0; y < bitmap->height; y++)
        for (int l = 0, r = bitmap->width - 1; l < r; l++, r--) {
            bool left = cr_bitmap_get(bitmap, l, y);
            cr_bitmap_put(bitmap, l, y, cr_bitmap_get(bitmap, r, y));
            cr_bitmap_put(bitmap, r, y, left);
        }
}
