/* Pictures on disk compared for the CLI (`cardrender compare`, `golden`):
 * PNG files read, measured with compare.h's perceptual score and the diff
 * picture written. Only public types, so the CLI needs no internal header. */
#ifndef CR_COMPARE_PNG_H
#define CR_COMPARE_PNG_H

#include <stdbool.h>

#include "cardrender.h"

#define CR_COMPARE_DEFAULT_TOLERANCE 15.0

typedef struct cr_png_comparison {
    bool compared;         /* false: an error stopped it before the measure */
    bool same_size;        /* the two pictures are one size */
    double score;          /* compare.h: 0 = identical .. 100 */
    long differing_pixels; /* pixels whose error is visible */
    long changed_pixels;   /* pixels that differ in any channel at all */
    /* same_size, and score <= tolerance; tolerance 0 asks for equal pixels
     * (changed_pixels 0): the diff picture then shows every changed pixel,
     * in red where the perceptual diff left it gray. */
    bool ok;
    int expected_width, expected_height, actual_width, actual_height;
} cr_png_comparison;

/* The 8-bit RGB(A) PNG at expected_path against the PNG at actual_path, or,
 * when that is NULL, against actual_image (a rendered card). With
 * diff_path, the diff picture (compare.h) is written there at the dpi of
 * expected_path's PNG, or of actual_image. Fills *out as far as it got;
 * CR_OK, or the error reading a picture or writing the diff. */
cr_status cr_compare_png(const char *expected_path, const char *actual_path,
                         const cr_image *actual_image, double tolerance, const char *diff_path,
                         cr_png_comparison *out, cr_error *err);

#endif
