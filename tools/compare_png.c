/* PNG pictures compared (compare_png.h). */
#include "compare_png.h"

#include <string.h>

#include "compare.h"
#include "png_io.h"

/* A canvas that views the image's pixels (RGB8, as canvases are). */
static cr_canvas view_of(const cr_image *image)
{
    cr_canvas canvas = {cr_image_width(image), cr_image_height(image), cr_image_stride(image),
                        (uint8_t *)cr_image_pixels(image)};
    return canvas;
}

/* Pixels of two same-sized canvases that differ in any channel; each one
 * the perceptual diff left gray (below its visible threshold) is painted red
 * in diff, so an exact failure always shows where. */
static long mark_changed_pixels(const cr_canvas *expected, const cr_canvas *actual, cr_canvas *diff)
{
    long count = 0;
    for (int y = 0; y < expected->height; y++) {
        const uint8_t *e = expected->pixels + (size_t)y * (size_t)expected->stride;
        const uint8_t *a = actual->pixels + (size_t)y * (size_t)actual->stride;
        uint8_t *d = diff && diff->pixels ? diff->pixels + (size_t)y * (size_t)diff->stride : NULL;
        for (int x = 0; x < expected->width; x++, e += 3, a += 3) {
            if (!memcmp(e, a, 3))
                continue;
            count++;
            uint8_t *p = d ? d + (size_t)x * 3 : NULL;
            if (p && p[0] == p[1] && p[1] == p[2])
                p[0] = 255, p[1] = p[2] = 0;
        }
    }
    return count;
}

static cr_status measure(const cr_canvas *expected, const cr_canvas *actual, double tolerance,
                         const char *diff_path, int dpi, cr_png_comparison *out, cr_error *err)
{
    cr_compare_result result;
    cr_canvas diff = {0};
    cr_status status =
        cr_compare_images(expected, actual, tolerance, &result, diff_path ? &diff : NULL, err);
    if (status != CR_OK)
        return status;
    long changed =
        result.same_size ? mark_changed_pixels(expected, actual, diff_path ? &diff : NULL) : 0;
    bool ok = tolerance == 0 ? result.same_size && changed == 0 : result.ok;
    *out = (cr_png_comparison){
        true, result.same_size, result.score,     result.differing_pixels, changed,
        ok,   expected->width,  expected->height, actual->width,           actual->height};
    if (diff_path)
        status = cr_png_write_file(&diff, dpi, diff_path, err);
    cr_canvas_free(&diff);
    return status;
}

cr_status cr_compare_png(const char *expected_path, const char *actual_path,
                         const cr_image *actual_image, double tolerance, const char *diff_path,
                         cr_png_comparison *out, cr_error *err)
{
    *out = (cr_png_comparison){0};
    cr_canvas expected, actual;
    int dpi = 0;
    cr_status status = cr_png_read_rgb(expected_path, &expected, &dpi, err);
    if (status != CR_OK)
        return status;
    if (actual_path) {
        status = cr_png_read_rgb(actual_path, &actual, NULL, err);
        if (status == CR_OK) {
            status = measure(&expected, &actual, tolerance, diff_path, dpi, out, err);
            cr_canvas_free(&actual);
        }
    } else {
        actual = view_of(actual_image);
        status =
            measure(&expected, &actual, tolerance, diff_path, cr_image_dpi(actual_image), out, err);
    }
    cr_canvas_free(&expected);
    return status;
}
