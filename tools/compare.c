/* Perceptual comparison: every difference is first discounted by half the
 * local contrast both images share, so only what no sub-pixel movement can
 * explain is scored (the definition and its calibration are in compare.h). */
#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* How much of the local contrast a pixel may move through without counting.
 * A quarter-pixel shift moves an anti-aliased edge pixel at most about a
 * quarter of the way to its neighbours, a hairline pixel up to half of it;
 * a whole-pixel shift moves it all the way and so keeps half the contrast. */
#define SHIFT_ALLOWANCE 0.5

/* Per-pixel errors (score units, percent) at or above this are "visible":
 * about five 8-bit levels, where a change on a flat area starts to show. */
#define VISIBLE_ERROR 2.0

/* Errors at or above this are drawn fully red in the diff picture; visible
 * ones below it get at least MIN_RED so none is lost in the faded image. */
#define FULL_RED_ERROR 25.0
#define MIN_RED 0.25

typedef struct window {
    int x0, x1, y0, y1; /* inclusive 3x3 neighbourhood, clipped to the image */
} window;

static inline const uint8_t *pixel_at(const cr_canvas *canvas, int x, int y)
{
    return canvas->pixels + (size_t)y * (size_t)canvas->stride + (size_t)x * 3;
}

static window window_around(const cr_canvas *canvas, int x, int y)
{
    window w = {x - 1, x + 1, y - 1, y + 1};
    if (w.x0 < 0)
        w.x0 = 0;
    if (w.y0 < 0)
        w.y0 = 0;
    if (w.x1 >= canvas->width)
        w.x1 = canvas->width - 1;
    if (w.y1 >= canvas->height)
        w.y1 = canvas->height - 1;
    return w;
}

/* max - min of one channel over the window. */
static int local_range(const cr_canvas *canvas, window w, int channel)
{
    int lo = 255, hi = 0;
    for (int y = w.y0; y <= w.y1; y++)
        for (int x = w.x0; x <= w.x1; x++) {
            int v = pixel_at(canvas, x, y)[channel];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    return hi - lo;
}

/* The weighted error at (x, y) in score units: the largest channel
 * difference left after the shift allowance. Contrast counts only where
 * both images have it, so a stroke present in one image alone is scored in
 * full however sharp its surroundings in the other. */
static double pixel_error(const cr_canvas *expected, const cr_canvas *actual, int x, int y)
{
    const uint8_t *e = pixel_at(expected, x, y), *a = pixel_at(actual, x, y);
    window w = window_around(expected, x, y);
    double worst = 0;
    for (int c = 0; c < 3; c++) {
        int difference = abs(e[c] - a[c]);
        if (difference == 0 || difference <= worst)
            continue;
        int range_e = local_range(expected, w, c), range_a = local_range(actual, w, c);
        int shared = range_e < range_a ? range_e : range_a;
        double left = difference - SHIFT_ALLOWANCE * shared;
        worst = left > worst ? left : worst;
    }
    return worst * 100.0 / 255.0;
}

/* Light gray from the expected pixel's luma: 191..255, dark stays visible. */
static uint8_t faded(const uint8_t *rgb)
{
    unsigned luma = (2u * rgb[0] + 5u * rgb[1] + rgb[2] + 4u) / 8u;
    return (uint8_t)(255u - (255u - luma) / 4u);
}

static void paint_diff(uint8_t *out, uint8_t gray, double error)
{
    double red = 0;
    if (error >= VISIBLE_ERROR)
        red = fmax(MIN_RED, fmin(1.0, error / FULL_RED_ERROR));
    out[0] = (uint8_t)lround(gray + (255 - gray) * red);
    out[1] = (uint8_t)lround(gray * (1 - red));
    out[2] = out[1];
}

static void compare_same_size(const cr_canvas *expected, const cr_canvas *actual,
                              cr_compare_result *result, cr_canvas *diff)
{
    for (int y = 0; y < expected->height; y++)
        for (int x = 0; x < expected->width; x++) {
            double error = pixel_error(expected, actual, x, y);
            if (error > result->score)
                result->score = error;
            if (error >= VISIBLE_ERROR)
                result->differing_pixels++;
            if (diff)
                paint_diff(diff->pixels + (size_t)y * (size_t)diff->stride + (size_t)x * 3,
                           faded(pixel_at(expected, x, y)), error);
        }
}

static bool inside(const cr_canvas *canvas, int x, int y)
{
    return x < canvas->width && y < canvas->height;
}

/* Sizes differ: nothing is compared. The picture covers both images; where
 * they overlap it shows the expected one faded, the rest is red. */
static void mark_size_mismatch(const cr_canvas *expected, const cr_canvas *actual,
                               cr_compare_result *result, cr_canvas *diff)
{
    int width = expected->width > actual->width ? expected->width : actual->width;
    int height = expected->height > actual->height ? expected->height : actual->height;
    result->score = 100.0;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            bool shared = inside(expected, x, y) && inside(actual, x, y);
            if (!shared)
                result->differing_pixels++;
            if (diff)
                paint_diff(diff->pixels + (size_t)y * (size_t)diff->stride + (size_t)x * 3,
                           shared ? faded(pixel_at(expected, x, y)) : 255, shared ? 0 : 100);
        }
}

static bool usable(const cr_canvas *canvas)
{
    return canvas && canvas->pixels && canvas->width > 0 && canvas->height > 0 &&
           canvas->stride >= 3 * canvas->width;
}

static cr_status check_arguments(const cr_canvas *expected, const cr_canvas *actual,
                                 double tolerance, const cr_compare_result *result, cr_error *err)
{
    if (!usable(expected) || !usable(actual))
        return cr_fail(err, CR_ERR_ARGUMENT, "cannot compare: an image is empty");
    if (!result)
        return cr_fail(err, CR_ERR_ARGUMENT, "cannot compare: no result given");
    if (!(tolerance >= 0))
        return cr_fail(err, CR_ERR_ARGUMENT, "cannot compare: tolerance %g is not >= 0", tolerance);
    return CR_OK;
}

cr_status cr_compare_images(const cr_canvas *expected, const cr_canvas *actual, double tolerance,
                            cr_compare_result *result, cr_canvas *diff, cr_error *err)
{
    if (diff)
        memset(diff, 0, sizeof *diff);
    if (result)
        memset(result, 0, sizeof *result);
    cr_status status = check_arguments(expected, actual, tolerance, result, err);
    if (status != CR_OK)
        return status;
    result->same_size = expected->width == actual->width && expected->height == actual->height;
    if (diff) {
        int width = expected->width > actual->width ? expected->width : actual->width;
        int height = expected->height > actual->height ? expected->height : actual->height;
        status = cr_canvas_init(diff, width, height, err);
        if (status != CR_OK)
            return status;
    }
    if (result->same_size)
        compare_same_size(expected, actual, result, diff);
    else
        mark_size_mismatch(expected, actual, result, diff);
    result->ok = result->same_size && result->score <= tolerance;
    return CR_OK;
}
