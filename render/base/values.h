/* Small value types every stage passes around (model, paint, image,
 * output): a colour, millimetres to pixels, a resampling filter choice, a rectangle of source
 * pixels and tone adjustments. Kept apart so a header that needs only one of them (raster.h for
 * cr_color, resample_plan.h for a filter) does not pull in the template model. */
#ifndef CR_VALUES_H
#define CR_VALUES_H

#include <stdbool.h>
#include <stdint.h>

/* An sRGB colour with straight alpha, as "#rrggbb[aa]" in a template. */
typedef struct cr_color {
    uint8_t r, g, b, a;
} cr_color;

/* Millimetres to pixels at dpi. */
static inline double cr_mm_to_px(double mm, int dpi)
{
    return mm * dpi / 25.4;
}

typedef enum cr_resample_filter {
    CR_RESAMPLE_DEFAULT = 0, /* Lanczos-3, clamped (see resample.c for the measurements) */
    CR_RESAMPLE_LANCZOS3,    /* windowed sinc, 3 lobes: sharpest, rings most */
    CR_RESAMPLE_LANCZOS2,    /* 2 lobes: a little softer, rings less */
    CR_RESAMPLE_MITCHELL,    /* Mitchell-Netravali cubic, B = C = 1/3: soft, barely rings */
    CR_RESAMPLE_BOX          /* area average when reducing, nearest pixel when enlarging */
} cr_resample_filter;

typedef struct cr_resample_options {
    cr_resample_filter upscale;   /* for an axis that grows (or keeps its size) */
    cr_resample_filter downscale; /* for an axis that shrinks */
    bool allow_ringing;           /* true: skip the clamp to the contributing pixels' range */
} cr_resample_options;

/* A rectangle of source pixels in pixel units; need not be whole pixels.
 * Pixel (i, j) covers [i, i + 1) x [j, j + 1). */
typedef struct cr_rectd {
    double x, y, width, height;
} cr_rectd;

/* Tone adjustments; a zeroed struct changes nothing. Applied in this order:
 * grayscale, contrast, brightness, gamma; alpha is left alone. */
typedef struct cr_adjustments {
    double brightness; /* -1..1: added to every channel, as a fraction of full scale */
    double contrast;   /* -1..1 exclusive of 1: slope (1 + c) / (1 - c) about mid-grey */
    double gamma;      /* 0 or 1: none; 0.1..10: out = in^(1/gamma), > 1 lightens */
    bool grayscale;    /* Rec. 601 luma (the weights JPEG uses) into R, G and B */
} cr_adjustments;

#endif
