/* Scaling, cropping, turning and tone adjustments of RGBA pixmaps (photos,
 * card artwork) before they are composited onto the card.
 *
 * Scaling is separable (rows, then columns) and computed on PREMULTIPLIED
 * alpha in integer fixed point, so a fully transparent pixel's colour never
 * bleeds into its neighbours, and the result is the same on every machine
 * for the same weights. A picture whose every pixel read is opaque (every
 * JPEG photo) takes a faster path (about 4.5x) in 16-bit integers with
 * nothing to premultiply, also the same bytes on every machine, within a
 * level of the premultiplied path's (resample.c). Input and output pixmaps
 * are straight-alpha RGBA8 (image.h); colour values are filtered as stored
 * (sRGB-encoded), not in linear light.
 *
 * Filters, per axis: enlarging uses the filter as is; reducing widens it by
 * the reduction factor, so every source pixel contributes its share of area
 * (no aliasing, no skipped pixels). By default every filtered value is then
 * clamped to the range of the source values that contributed to it, which
 * removes the overshoot (ringing, halos) windowed-sinc filters produce next
 * to hard edges, while keeping their sharpness. A constant image stays
 * exactly constant at any scale.
 */
#ifndef CR_RESAMPLE_H
#define CR_RESAMPLE_H

#include <stdbool.h>

#include "cardrender.h"
#include "image.h"
#include "values.h"

/* Scales all of src to width x height into *out (freed with cr_pixmap_free).
 * options may be NULL for the defaults. */
cr_status cr_pixmap_resample(const cr_pixmap *src, int width, int height,
                             const cr_resample_options *options, cr_pixmap *out, cr_error *err);

/* Scales the part `area` of src (inside src's bounds) to width x height.
 * Filters near the area's edge still read the source pixels just outside
 * it, as they would when scaling the whole picture and then cropping. */
cr_status cr_pixmap_resample_area(const cr_pixmap *src, cr_rectd area, int width, int height,
                                  const cr_resample_options *options, cr_pixmap *out,
                                  cr_error *err);

/* Whether cr_pixmap_resample_area with these arguments gives src's own
 * pixels: the width x height of them from (*x, *y), byte for byte. So when
 * the area is that many whole pixels (a picture shown at its own size)
 * and every pixel the filter reads is opaque: each output then takes one
 * source pixel at full weight on the opaque path (resample_opaque.h),
 * which gives it back unchanged. A caller may then read src instead of
 * making the copy. */
bool cr_pixmap_resample_is_copy(const cr_pixmap *src, cr_rectd area, int width, int height,
                                const cr_resample_options *options, int *x, int *y);

/* The largest area of a src_width x src_height picture with the aspect
 * ratio of dst_width x dst_height ("cover" fit: fills the box, crops the
 * rest). align_x, align_y in [0, 1] place it: 0.5 centres, 0 keeps the
 * left / top edge. Pass it to cr_pixmap_resample_area. */
cr_rectd cr_fit_cover(int src_width, int src_height, int dst_width, int dst_height, double align_x,
                      double align_y);

/* Copies the whole-pixel rectangle (x, y, width, height), which must lie
 * inside src, into *out. */
cr_status cr_pixmap_crop(const cr_pixmap *src, int x, int y, int width, int height, cr_pixmap *out,
                         cr_error *err);

/* Turns src clockwise by quarter_turns * 90 degrees (negative: counter-
 * clockwise) into *out. */
cr_status cr_pixmap_rotate90(const cr_pixmap *src, int quarter_turns, cr_pixmap *out,
                             cr_error *err);

/* Adjusts pixmap in place. CR_ERR_ARGUMENT for a value out of range. */
cr_status cr_pixmap_adjust(cr_pixmap *pixmap, const cr_adjustments *adjustments, cr_error *err);

/* Rec. 601 luma of an sRGB-encoded colour, rounded: what cr_pixmap_adjust
 * writes for grayscale. */
uint8_t cr_luma601(uint8_t r, uint8_t g, uint8_t b);

#endif
