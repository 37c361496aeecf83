/* Pictures and shapes composed in premultiplied layers (see paint.h). */
#include "paint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pixel_memory.h"
#include "resample_opaque.h"

/* ------------------------------------------------------------- boxes */

/* Far beyond any canvas, well inside int: boxes are clipped to the canvas
 * later, and coordinates this large only need to stay off it. */
static const double coordinate_limit = 1e8;

static int round_coordinate(double v)
{
    if (!(v > -coordinate_limit)) /* also NaN */
        return (int)-coordinate_limit;
    return v < coordinate_limit ? (int)lround(v) : (int)coordinate_limit;
}

cr_pixel_box cr_pixel_box_round(double x, double y, double width, double height)
{
    return (cr_pixel_box){round_coordinate(x), round_coordinate(y), round_coordinate(x + width),
                          round_coordinate(y + height)};
}

bool cr_pixel_box_empty(cr_pixel_box box)
{
    return box.x1 <= box.x0 || box.y1 <= box.y0;
}

cr_pixel_box cr_pixel_box_intersect(cr_pixel_box a, cr_pixel_box b)
{
    return (cr_pixel_box){a.x0 > b.x0 ? a.x0 : b.x0, a.y0 > b.y0 ? a.y0 : b.y0,
                          a.x1 < b.x1 ? a.x1 : b.x1, a.y1 < b.y1 ? a.y1 : b.y1};
}

/* Whole pixels that touch [x0, x1) x [y0, y1), clamped to a sane range
 * before converting (the canvas clips them further). */
static cr_pixel_box bounding_pixels(double x0, double y0, double x1, double y1)
{
    return (cr_pixel_box){round_coordinate(floor(x0)), round_coordinate(floor(y0)),
                          round_coordinate(ceil(x1)), round_coordinate(ceil(y1))};
}

/* ------------------------------------------------------------ layers */

/* Premultiplied RGBA8 over `box` (already clipped to the canvas). */
typedef cr_layer layer;

static unsigned to_8bit(double fraction)
{
    double scaled = fraction * 255.0 + 0.5;
    return scaled >= 255.0 ? 255u : scaled > 0.0 ? (unsigned)scaled : 0u;
}

/* *empty is set, and nothing allocated, when box misses the clip (the
 * canvas's pixels). */
static cr_status layer_init(layer *l, cr_pixel_box box, cr_pixel_box clip, bool *empty,
                            cr_error *err)
{
    memset(l, 0, sizeof *l);
    l->box = cr_pixel_box_intersect(box, clip);
    *empty = cr_pixel_box_empty(l->box);
    if (*empty)
        return CR_OK;
    l->width = l->box.x1 - l->box.x0;
    l->height = l->box.y1 - l->box.y0;
    l->rgba = cr_pixel_memory_alloc((size_t)l->width * (size_t)l->height * 4, true);
    if (!l->rgba)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for a %dx%d layer", l->width, l->height);
    return CR_OK;
}

static uint8_t *layer_at(const layer *l, int x, int y)
{
    return l->rgba + ((size_t)(y - l->box.y0) * (size_t)l->width + (size_t)(x - l->box.x0)) * 4;
}

void cr_layer_blend(const cr_layer *l, cr_canvas *canvas)
{
    if (l->rgba)
        cr_canvas_blend_premultiplied(canvas, l->rgba, l->width, l->height, l->width * 4, l->box.x0,
                                      l->box.y0, l->opacity);
}

void cr_layer_free(cr_layer *l)
{
    if (!l)
        return;
    cr_pixel_memory_free(l->rgba);
    memset(l, 0, sizeof *l);
}

static cr_pixel_box canvas_clip(const cr_canvas *canvas)
{
    return (cr_pixel_box){0, 0, canvas->width, canvas->height};
}

/* Blends a composed layer (when status is CR_OK) and frees it: together
 * with composing, the same as painting directly. */
static cr_status blend_composed(cr_canvas *canvas, cr_layer *l, cr_status status)
{
    if (status == CR_OK)
        cr_layer_blend(l, canvas);
    cr_layer_free(l);
    return status;
}

/* A straight-alpha colour at alpha over one premultiplied pixel. Colour
 * never exceeds alpha in the result, because it did not before. */
static void over(uint8_t *dst, const uint8_t rgb[3], unsigned alpha)
{
    if (alpha == 0)
        return;
    if (alpha == 255) { /* opaque (every photo pixel): the formula below gives rgb */
        memcpy(dst, rgb, 3);
        dst[3] = 255;
        return;
    }
    unsigned keep = 255 - alpha;
    for (int c = 0; c < 3; c++)
        dst[c] = (uint8_t)cr_div255(rgb[c] * alpha + dst[c] * keep);
    dst[3] = (uint8_t)(alpha + cr_div255(dst[3] * keep));
}

static void over_color(uint8_t *dst, cr_color color, unsigned coverage)
{
    const uint8_t rgb[3] = {color.r, color.g, color.b};
    over(dst, rgb, cr_div255(coverage * color.a));
}

/* ------------------------------------------------------------ rects */

static double ring_coverage(const cr_rect_paint *p, double outer, int px, int py)
{
    double s = p->stroke_width;
    double inner = cr_rounded_rect_coverage(p->x + s, p->y + s, p->width - 2 * s, p->height - 2 * s,
                                            fmax(p->corner_radius - s, 0), px, py);
    return outer > inner ? outer - inner : 0.0;
}

/* Whether pixel (px, py) lies wholly inside the inner edge (the box less
 * the stroke), clear of the rounded corners: there the fill covers it fully
 * and the stroke not at all, with no area to compute. */
static bool deep_inside(const cr_rect_paint *p, double inset, int px, int py)
{
    double x0 = p->x + inset, y0 = p->y + inset;
    double x1 = p->x + p->width - inset, y1 = p->y + p->height - inset;
    double r = fmax(p->corner_radius - inset, 0);
    bool across = px >= x0 + r && px + 1 <= x1 - r && py >= y0 && py + 1 <= y1;
    bool down = py >= y0 + r && py + 1 <= y1 - r && px >= x0 && px + 1 <= x1;
    return across || down;
}

cr_status cr_compose_rect(cr_pixel_box clip, const cr_rect_paint *p, cr_layer *out, cr_error *err)
{
    memset(out, 0, sizeof *out);
    if (!p)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_compose_rect: NULL argument");
    bool stroked = p->stroke.a > 0 && p->stroke_width > 0;
    if (!(p->width > 0 && p->height > 0) || (p->fill.a == 0 && !stroked))
        return CR_OK;
    layer l;
    bool empty;
    cr_status status = layer_init(
        &l, bounding_pixels(p->x, p->y, p->x + p->width, p->y + p->height), clip, &empty, err);
    if (status != CR_OK || empty)
        return status;
    double inset = stroked ? p->stroke_width : 0;
    for (int y = l.box.y0; y < l.box.y1; y++)
        for (int x = l.box.x0; x < l.box.x1; x++) {
            uint8_t *px = layer_at(&l, x, y);
            if (deep_inside(p, inset, x, y)) {
                over_color(px, p->fill, 255);
                continue;
            }
            double outer =
                cr_rounded_rect_coverage(p->x, p->y, p->width, p->height, p->corner_radius, x, y);
            if (outer <= 0)
                continue;
            over_color(px, p->fill, to_8bit(outer));
            if (stroked)
                over_color(px, p->stroke, to_8bit(ring_coverage(p, outer, x, y)));
        }
    l.opacity = to_8bit(p->opacity);
    *out = l;
    return CR_OK;
}

cr_status cr_paint_rect(cr_canvas *canvas, const cr_rect_paint *p, cr_error *err)
{
    if (!canvas || !p)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_paint_rect: NULL argument");
    cr_layer l;
    return blend_composed(canvas, &l, cr_compose_rect(canvas_clip(canvas), p, &l, err));
}

/* ------------------------------------------------------------ lines */

/* Length of [a0, a1] ∩ [b0, b1]. */
static double overlap(double a0, double a1, double b0, double b1)
{
    double lo = fmax(a0, b0), hi = fmin(a1, b1);
    return hi > lo ? hi - lo : 0.0;
}

double cr_line_coverage(const cr_line_paint *line, int px, int py)
{
    double dx = line->x1 - line->x0, dy = line->y1 - line->y0;
    double length = hypot(dx, dy);
    if (!(length > 0) || !(line->width > 0))
        return 0.0;
    double cx = px + 0.5 - line->x0, cy = py + 0.5 - line->y0;
    double along = (cx * dx + cy * dy) / length;
    double across = (cx * dy - cy * dx) / length;
    double half = line->width / 2;
    return overlap(along - 0.5, along + 0.5, 0, length) *
           overlap(across - 0.5, across + 0.5, -half, half);
}

cr_status cr_compose_line(cr_pixel_box clip, const cr_line_paint *p, cr_layer *out, cr_error *err)
{
    memset(out, 0, sizeof *out);
    if (!p)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_compose_line: NULL argument");
    if (p->color.a == 0 || !(p->width > 0))
        return CR_OK;
    double margin = p->width / 2 + 1; /* the turned unit pixel reaches ~0.71 px out */
    layer l;
    bool empty;
    cr_status status =
        layer_init(&l,
                   bounding_pixels(fmin(p->x0, p->x1) - margin, fmin(p->y0, p->y1) - margin,
                                   fmax(p->x0, p->x1) + margin, fmax(p->y0, p->y1) + margin),
                   clip, &empty, err);
    if (status != CR_OK || empty)
        return status;
    for (int y = l.box.y0; y < l.box.y1; y++)
        for (int x = l.box.x0; x < l.box.x1; x++)
            over_color(layer_at(&l, x, y), p->color, to_8bit(cr_line_coverage(p, x, y)));
    l.opacity = to_8bit(p->opacity);
    *out = l;
    return CR_OK;
}

cr_status cr_paint_line(cr_canvas *canvas, const cr_line_paint *p, cr_error *err)
{
    if (!canvas || !p)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_paint_line: NULL argument");
    cr_layer l;
    return blend_composed(canvas, &l, cr_compose_line(canvas_clip(canvas), p, &l, err));
}

/* ----------------------------------------------------------- pictures */

static double clamp_unit(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* Canvas pixels per picture pixel across and down. */
static void fit_scale(int width, int height, int box_width, int box_height, cr_image_fit fit,
                      double none_scale, double *sx, double *sy)
{
    double across = (double)box_width / width, down = (double)box_height / height;
    switch (fit) {
    case CR_IMAGE_STRETCH:
        *sx = across, *sy = down;
        return;
    case CR_IMAGE_CONTAIN:
        *sx = *sy = fmin(across, down);
        return;
    case CR_IMAGE_NONE:
        *sx = *sy = none_scale > 0 ? none_scale : 1.0;
        return;
    case CR_IMAGE_COVER:
        break;
    }
    *sx = *sy = fmax(across, down);
}

cr_image_placement cr_image_place(int width, int height, cr_pixel_box box, cr_image_fit fit,
                                  double focus_x, double focus_y, double none_scale)
{
    cr_image_placement place = {{0, 0, 0, 0}, {0, 0, 0, 0}};
    int box_width = box.x1 - box.x0, box_height = box.y1 - box.y0;
    if (width <= 0 || height <= 0 || box_width <= 0 || box_height <= 0)
        return place;
    double sx, sy;
    fit_scale(width, height, box_width, box_height, fit, none_scale, &sx, &sy);
    /* The whole picture's rectangle on the canvas, focus point on focus point. */
    double x = box.x0 + (box_width - width * sx) * clamp_unit(focus_x);
    double y = box.y0 + (box_height - height * sy) * clamp_unit(focus_y);
    cr_pixel_box shown =
        cr_pixel_box_intersect(cr_pixel_box_round(x, y, width * sx, height * sy), box);
    if (cr_pixel_box_empty(shown))
        return place;
    /* Back to picture pixels, kept inside the picture against rounding. */
    double x0 = fmax((shown.x0 - x) / sx, 0), y0 = fmax((shown.y0 - y) / sy, 0);
    double x1 = fmin((shown.x1 - x) / sx, width), y1 = fmin((shown.y1 - y) / sy, height);
    if (!(x1 > x0 && y1 > y0))
        return place;
    place.source = (cr_rectd){x0, y0, x1 - x0, y1 - y0};
    place.target = shown;
    return place;
}

/* An area of the picture turned clockwise by `turns` quarters, as the same
 * area of the unturned picture (width x height). */
static cr_rectd unturned_area(cr_rectd a, int width, int height, int turns)
{
    switch (turns) {
    case 1:
        return (cr_rectd){a.y, height - a.x - a.width, a.height, a.width};
    case 2:
        return (cr_rectd){width - a.x - a.width, height - a.y - a.height, a.width, a.height};
    case 3:
        return (cr_rectd){width - a.y - a.height, a.x, a.height, a.width};
    }
    return a;
}

/* Keeps an area inside the picture against rounding in the arithmetic. */
static cr_rectd inside_picture(cr_rectd a, const cr_pixmap *picture)
{
    double x0 = fmax(a.x, 0), y0 = fmax(a.y, 0);
    double x1 = fmin(a.x + a.width, picture->width), y1 = fmin(a.y + a.height, picture->height);
    return (cr_rectd){x0, y0, x1 - x0, y1 - y0};
}

static bool adjusts_anything(const cr_adjustments *a)
{
    return a->brightness != 0 || a->contrast != 0 || (a->gamma != 0 && a->gamma != 1) ||
           a->grayscale;
}

/* The shown part of the picture, turned and scaled to the target size: only
 * the small result is turned, never the (possibly huge) source. *view is
 * set when *out is no copy but points into the picture (shown unturned and
 * unadjusted at its own size, where scaling gives its pixels back: a
 * template's artwork at the card's dpi): not to be freed. */
static cr_status scale_picture(const cr_pixmap *picture, const cr_image_placement *place, int turns,
                               const cr_adjustments *adjust, cr_pixmap *out, bool *view,
                               cr_error *err)
{
    int width = place->target.x1 - place->target.x0;
    int height = place->target.y1 - place->target.y0;
    cr_rectd area = inside_picture(
        unturned_area(place->source, picture->width, picture->height, turns), picture);
    int x, y;
    *view = turns == 0 && !adjusts_anything(adjust) &&
            cr_pixmap_resample_is_copy(picture, area, width, height, NULL, &x, &y);
    if (*view) {
        *out = (cr_pixmap){width, height, picture->stride, cr_pixmap_at(picture, x, y),
                           picture->opaque};
        return CR_OK;
    }
    cr_pixmap scaled;
    cr_status status =
        turns % 2 ? cr_pixmap_resample_area(picture, area, height, width, NULL, &scaled, err)
                  : cr_pixmap_resample_area(picture, area, width, height, NULL, &scaled, err);
    if (status == CR_OK && turns) {
        status = cr_pixmap_rotate90(&scaled, turns, out, err);
        cr_pixmap_free(&scaled);
    } else {
        *out = scaled;
    }
    if (status == CR_OK && adjusts_anything(adjust))
        status = cr_pixmap_adjust(out, adjust, err);
    if (status != CR_OK)
        cr_pixmap_free(out);
    return status;
}

/* Narrows a placement to the pixels inside `visible`, so only the part of
 * the picture that lands on the canvas is scaled. The mapping from target
 * pixels to source is linear, so the kept pixels sample exactly where they
 * would have. Returns false when nothing is left. */
static bool clip_placement(cr_image_placement *place, cr_pixel_box visible)
{
    cr_pixel_box kept = cr_pixel_box_intersect(place->target, visible);
    if (cr_pixel_box_empty(kept))
        return false;
    const cr_pixel_box t = place->target;
    double sx = place->source.width / (t.x1 - t.x0), sy = place->source.height / (t.y1 - t.y0);
    place->source =
        (cr_rectd){place->source.x + (kept.x0 - t.x0) * sx, place->source.y + (kept.y0 - t.y0) * sy,
                   (kept.x1 - kept.x0) * sx, (kept.y1 - kept.y0) * sy};
    place->target = kept;
    return true;
}

static void compose_picture(layer *l, const cr_pixmap *scaled, cr_pixel_box target)
{
    cr_pixel_box part = cr_pixel_box_intersect(target, l->box);
    int count = part.x1 - part.x0;
    for (int y = part.y0; y < part.y1; y++) {
        const uint8_t *src = cr_pixmap_at(scaled, part.x0 - target.x0, y - target.y0);
        uint8_t *dst = layer_at(l, part.x0, y);
        for (int i = 0; i < count; i++, src += 4, dst += 4) {
            /* over() an opaque pixel gives it back: a photo's rows copied */
            int run = cr_rgba_opaque_run(src, count - i);
            memcpy(dst, src, (size_t)run * 4);
            i += run, src += 4 * run, dst += 4 * run;
            if (i == count)
                break;
            over(dst, src, src[3]);
        }
    }
}

static void fill_layer(layer *l, cr_color color)
{
    for (int y = l->box.y0; y < l->box.y1; y++)
        for (int x = l->box.x0; x < l->box.x1; x++)
            over_color(layer_at(l, x, y), color, 255);
}

static void clip_rounded_span(layer *l, cr_pixel_box box, double radius, int y, int from, int to)
{
    double width = box.x1 - box.x0, height = box.y1 - box.y0;
    for (int x = from; x < to; x++) {
        unsigned c = to_8bit(cr_rounded_rect_coverage(box.x0, box.y0, width, height, radius, x, y));
        if (c == 255)
            continue;
        uint8_t *px = layer_at(l, x, y);
        for (int i = 0; i < 4; i++)
            px[i] = (uint8_t)cr_div255(px[i] * c);
    }
}

/* Rounds off the box's corners: every channel times the pixel's coverage.
 * The layer lies within the box, so a pixel's coverage is below 1 only in
 * the squares of the corners' arcs (radius at most half a side): only those
 * pixels are looked at, a pixel more on every side against rounding. */
static int corner_reach(cr_pixel_box box, double radius)
{
    double side = fmin(box.x1 - box.x0, box.y1 - box.y0) / 2;
    return (int)ceil(fmin(radius, side)) + 1;
}

/* Whether row y of the box lies between the corners' squares, where
 * clip_rounded leaves every pixel as it is. */
static bool between_corners(cr_pixel_box box, double radius, int y)
{
    if (radius <= 0)
        return true;
    int reach = corner_reach(box, radius);
    return y >= box.y0 + reach && y < box.y1 - reach;
}

static void clip_rounded(layer *l, cr_pixel_box box, double radius)
{
    int reach = corner_reach(box, radius);
    for (int y = l->box.y0; y < l->box.y1; y++) {
        if (between_corners(box, radius, y))
            continue;
        int left_end = box.x0 + reach < l->box.x0   ? l->box.x0
                       : box.x0 + reach < l->box.x1 ? box.x0 + reach
                                                    : l->box.x1;
        clip_rounded_span(l, box, radius, y, l->box.x0, left_end);
        int right_from = box.x1 - reach > left_end ? box.x1 - reach : left_end;
        clip_rounded_span(l, box, radius, y, right_from, l->box.x1);
    }
}

/* The layer of a picture that fills it, scaled and opaque (every photo in
 * a "cover" box): the scaled pixels themselves, opaque straight alpha
 * being premultiplied too, taken over instead of composed into a cleared
 * layer (the photo at 300 dpi: 400 KB cleared and 400 KB copied a card).
 * compose_picture would give the same bytes. false, and scaled left as it
 * is, when the picture does not qualify. */
static bool take_scaled(layer *l, cr_pixel_box box, cr_pixmap *scaled, cr_pixel_box target)
{
    int width = box.x1 - box.x0, height = box.y1 - box.y0;
    if (target.x0 != box.x0 || target.y0 != box.y0 || target.x1 != box.x1 || target.y1 != box.y1 ||
        scaled->width != width || scaled->height != height || scaled->stride != width * 4 ||
        !(scaled->opaque || cr_opaque_region(scaled, 0, width, 0, height)))
        return false;
    *l = (layer){.box = box, .width = width, .height = height, .rgba = scaled->rgba};
    memset(scaled, 0, sizeof *scaled);
    return true;
}

cr_status cr_compose_image(cr_pixel_box clip, const cr_pixmap *picture, const cr_image_paint *p,
                           cr_layer *out, cr_error *err)
{
    memset(out, 0, sizeof *out);
    if (!picture || !picture->rgba || !p)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_compose_image: NULL argument");
    int turns = ((p->quarter_turns % 4) + 4) % 4;
    int width = turns % 2 ? picture->height : picture->width;
    int height = turns % 2 ? picture->width : picture->height;
    cr_image_placement place =
        cr_image_place(width, height, p->box, p->fit, p->focus_x, p->focus_y, p->none_scale);
    cr_pixel_box box = cr_pixel_box_intersect(p->box, clip);
    if (cr_pixel_box_empty(box))
        return CR_OK;
    bool placed = clip_placement(&place, box), view = false;
    cr_pixmap scaled = {0};
    cr_status status = CR_OK;
    if (placed)
        status = scale_picture(picture, &place, turns, &p->adjust, &scaled, &view, err);
    layer l = {0};
    bool taken = status == CR_OK && placed && !view && p->pad.a == 0 &&
                 take_scaled(&l, box, &scaled, place.target);
    if (status == CR_OK && !taken) {
        bool empty;
        status = layer_init(&l, p->box, clip, &empty, err);
        if (status == CR_OK && p->pad.a > 0)
            fill_layer(&l, p->pad);
        if (status == CR_OK && placed)
            compose_picture(&l, &scaled, place.target);
    }
    if (!view)
        cr_pixmap_free(&scaled);
    if (status == CR_OK && p->corner_radius > 0)
        clip_rounded(&l, p->box, p->corner_radius);
    if (status != CR_OK) {
        cr_layer_free(&l);
        return status;
    }
    l.opacity = to_8bit(p->opacity);
    *out = l;
    return CR_OK;
}

/* Where a picture shown pixel for pixel lands: the canvas pixels it covers
 * and the picture pixel at the first of them. */
typedef struct copy_placement {
    cr_pixel_box target;
    int x, y;
} copy_placement;

/* True when the picture lands on the canvas pixel for pixel (unturned,
 * unadjusted, at its own size, opaque: artwork at the card's dpi), as
 * scale_picture's view; *copy says where. */
static bool shown_as_copy(const cr_pixmap *picture, const cr_image_paint *p, cr_pixel_box clip,
                          copy_placement *copy)
{
    if (p->quarter_turns % 4 != 0 || adjusts_anything(&p->adjust))
        return false;
    cr_image_placement place = cr_image_place(picture->width, picture->height, p->box, p->fit,
                                              p->focus_x, p->focus_y, p->none_scale);
    if (!clip_placement(&place, cr_pixel_box_intersect(p->box, clip)))
        return false;
    cr_rectd area =
        inside_picture(unturned_area(place.source, picture->width, picture->height, 0), picture);
    copy->target = place.target;
    return cr_pixmap_resample_is_copy(picture, area, place.target.x1 - place.target.x0,
                                      place.target.y1 - place.target.y0, NULL, &copy->x, &copy->y);
}

/* Row y of a picture shown pixel for pixel at full opacity with no pad,
 * where no corner is rounded: composed, each pixel (opaque: the copy test
 * required it) would be itself over a clear layer, and blended at full
 * opacity its colour, so the colour is copied, the same bytes in a
 * fraction of the time (the edition artwork: 2.5 ms to about 0.5). */
static bool copies_row(const cr_image_paint *p, const copy_placement *copy, int y)
{
    return y >= copy->target.y0 && y < copy->target.y1 && to_8bit(p->opacity) == 255 &&
           p->pad.a == 0 && between_corners(p->box, p->corner_radius, y);
}

static void copy_row(cr_canvas *canvas, const cr_pixmap *picture, const copy_placement *copy, int y)
{
    int width = copy->target.x1 - copy->target.x0;
    const uint8_t *src = cr_pixmap_at(picture, copy->x, copy->y + (y - copy->target.y0));
    uint8_t *dst =
        canvas->pixels + (size_t)y * (size_t)canvas->stride + (size_t)copy->target.x0 * 3;
    for (int i = 0; i < width; i++, src += 4, dst += 3)
        memcpy(dst, src, 3);
}

/* Rows a strip of a picture painted pixel for pixel holds: its layer stays
 * small and is reused from the heap, where a whole card's layer (2.6 MB at
 * 300 dpi) would be fresh pages, faulted in one by one, for one use. */
enum { COPY_STRIP_ROWS = 32 };

cr_status cr_paint_image(cr_canvas *canvas, const cr_pixmap *picture, const cr_image_paint *p,
                         cr_error *err)
{
    if (!canvas || !picture || !picture->rgba || !p)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_paint_image: NULL argument");
    cr_pixel_box clip = canvas_clip(canvas);
    cr_layer l;
    copy_placement copy;
    if (!shown_as_copy(picture, p, clip, &copy))
        return blend_composed(canvas, &l, cr_compose_image(clip, picture, p, &l, err));
    /* Each pixel's compose and blend depend on that pixel alone, so rows
     * copied and strips of the rest give the bytes the whole layer would. */
    for (int y = clip.y0; y < clip.y1;) {
        if (copies_row(p, &copy, y)) {
            copy_row(canvas, picture, &copy, y++);
            continue;
        }
        int end = y + 1;
        while (end < clip.y1 && end - y < COPY_STRIP_ROWS && !copies_row(p, &copy, end))
            end++;
        cr_pixel_box strip = {clip.x0, y, clip.x1, end};
        cr_status status = blend_composed(canvas, &l, cr_compose_image(strip, picture, p, &l, err));
        if (status != CR_OK)
            return status;
        y = end;
    }
    return CR_OK;
}
