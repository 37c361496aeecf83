/* Perceptual image comparison for golden-image tests: the difference at
 * each pixel is weighed against the local contrast of the images, so
 * anti-aliasing noise along an edge counts little and a missing stroke on a
 * flat background counts a lot.
 *
 * The score. At each pixel and colour channel the difference |actual -
 * expected| is reduced by half the local contrast, the smaller of the two
 * images' ranges (max - min) over the pixel's 3x3 neighbourhood; what is left
 * is the part no sub-pixel movement explains. The score is the largest such
 * remainder over the image, in percent of the full 0..255 range: 1.0 means
 * 2.55 levels of unexplained difference at the worst pixel, 100 a black dot
 * where a flat white area was expected. Identical images score exactly 0.
 * Being a maximum, it does not depend on the image size: a missing full
 * stop scores the same on a test swatch and on a 600 dpi card, where a mean
 * or a percentile would let the card's flat background dilute it away.
 *   - A sub-pixel shift moves an edge pixel part of the way between values
 *     its neighbours have in both images, within the allowance.
 *   - A stroke or speck present in one image only meets flat ground in the
 *     other: the shared range is 0 and the whole difference counts.
 *   - A whole-pixel shift keeps half the edge contrast: about 50 for black on
 *     white, 20 for a light gray (100 levels) on white.
 *
 * Measured on FreeType text (DejaVu Sans, Noto Sans, Noto Sans CJK, OCR-B;
 * hinted and not; black on white; shifts re-rasterised, not resampled):
 *                              10-12 px      16-60 px (6 pt at 300 dpi = 25 px)
 *   shift 1/4 px, x or y       0 .. 14.7     0 .. 3.5
 *   shift 1/4 px, x and y      4.7 .. 19.2   0 .. 11.4
 *   shift 1/2 px               19.8 .. 37.3  0.2 .. 21.4
 *   shift 1 px                 46.7 .. 50    48.4 .. 50
 *   one glyph missing          46.7 .. 100   76.5 .. 100
 *   gray (100 levels) text moved 1 px: 18.2 .. 19.6; one such glyph
 *   missing: 33 .. 39. A one-pixel speck on white scores its depth in
 *   percent: 15 levels 5.9, 60 levels 23.5.
 * Through the engine (Noto Sans 9 pt at 300 dpi, the field's box moved):
 * 1/4 px 0, 1/2 px 2.9, 1 px 49.6.
 *
 * Default tolerance 15: quarter-pixel jitter (rounding in a new FreeType or
 * HarfBuzz) passes for text of 16 px and more with room to spare, while a
 * whole-pixel move, a missing glyph, a stray mark deeper than 38 levels
 * (15% of full scale) or a 1 px move even of light-gray text fails.
 * Limits: microtext under 16 px may exceed it after a diagonal quarter-pixel
 * shift; and text colour changes hide in strokes thinner than about 3 px
 * (black to #505050 scores 0..16 there, 31 on wider strokes).
 *
 * A pixel's error is "visible" from 2.0 on (about five levels): those are
 * counted in differing_pixels and drawn red in the diff picture. */
#ifndef CR_COMPARE_H
#define CR_COMPARE_H

#include <stdbool.h>

#include "raster.h"

/* Scores at or below this pass by default. */
#define CR_COMPARE_DEFAULT_TOLERANCE 15.0

typedef struct cr_compare_result {
    bool same_size;
    double score;          /* 0 = identical .. 100; 100 when the sizes differ */
    long differing_pixels; /* pixels whose weighted error is visible; when the
                              sizes differ, those covered by one image only */
    bool ok;               /* same_size && score <= tolerance */
} cr_compare_result;

/* Compares; when diff is not NULL it is initialised and receives a picture of
 * the differences (the expected image faded to light gray, visible errors in
 * red, the stronger the redder, full red from 25); the caller frees it with
 * cr_canvas_free. When the sizes differ nothing is compared: the picture
 * spans both sizes and is red where only one image has pixels. Returns
 * CR_ERR_ARGUMENT for an empty image, no result or a tolerance that is not
 * >= 0, CR_ERR_NOMEM; on failure *diff is zeroed. */
cr_status cr_compare_images(const cr_canvas *expected, const cr_canvas *actual, double tolerance,
                            cr_compare_result *result, cr_canvas *diff, cr_error *err);

#endif
