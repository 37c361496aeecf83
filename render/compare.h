/* Perceptual image comparison for golden-image tests: the difference at
 * each pixel is weighed against the local contrast of the expected image, so
 * anti-aliasing noise along an edge counts little and a missing stroke on a
 * flat background counts a lot. */
#ifndef CR_COMPARE_H
#define CR_COMPARE_H

#include <stdbool.h>

#include "raster.h"

/* Scores at or below this pass by default. */
#define CR_COMPARE_DEFAULT_TOLERANCE 2.0

typedef struct cr_compare_result {
    bool same_size;
    double score;           /* 0 = identical; grows with visible difference */
    long differing_pixels;  /* pixels whose weighted error is visible */
    bool ok;                /* same_size && score <= tolerance */
} cr_compare_result;

/* Compares; when diff is not NULL it is initialised and receives a picture of
 * the differences (the expected image faded, errors in red). */
cr_status cr_compare_images(const cr_canvas *expected, const cr_canvas *actual,
                            double tolerance, cr_compare_result *result, cr_canvas *diff,
                            cr_error *err);

#endif
