/* The opaque fast path of the resampler (internal to resample.c and the
 * tests): scaling of pictures whose every pixel read has alpha 255, which
 * is every JPEG photo. Nothing to premultiply, so the colour is filtered
 * straight from the source bytes in 16-bit integers:
 *
 *   weights: the same real kernel values and taps as the exact path,
 *     quantised to int16 summing to exactly 2^14 (remainder to the largest);
 *   pass 1, along rows: S = sum w_t c_t (int32); v = (S + 64) >> 7, i.e. in
 *     units of 1/128 of an 8-bit level, clamped to [lo * 128, hi * 128]
 *     (min / max of the channel over the output's taps, those that count:
 *     see exact_weight below) or, when ringing is allowed, to [0, 255 * 128];
 *     stored as int16, four lanes a pixel;
 *   pass 2, along columns: S2 = sum w_t v_t (int32); u = (S2 + 2^13) >> 14
 *     clamped to [min v_t, max v_t] over the taps that count (or to
 *     [0, 255 * 128]); c = (u + 64) >> 7; alpha 255.
 *
 * Shifts are arithmetic (floor). Every sum fits in int32 because a plan is
 * only used when sum |w| <= 2^16 for every output (so sum |w| * 32640 <
 * 2^31); the caller checks that and falls back to the exact path. All
 * arithmetic is exact integer arithmetic, so the portable C version and the
 * SIMD versions (SSSE3, AVX2: chosen at run time) give the same bytes. */
#ifndef CR_RESAMPLE_OPAQUE_H
#define CR_RESAMPLE_OPAQUE_H

#include <stdbool.h>
#include <stdint.h>

#include "cardrender.h"
#include "image.h"

#define CR_OPAQUE_WEIGHT_BITS 14
#define CR_OPAQUE_WEIGHT_ONE (1 << CR_OPAQUE_WEIGHT_BITS)
#define CR_OPAQUE_MAX_ABS_SUM (1 << 16) /* largest sum of |weights| of one output */

/* One axis of a resampling plan: output i reads taps[i] source samples from
 * first[i] on, with weights weight[i * stride + t] (int16, summing to
 * CR_OPAQUE_WEIGHT_ONE). Tap t counts in the output's clamp range if
 * exact_weight[i * stride + t], its weight on the exact path (units of
 * 2^-20), is not 0: both paths clamp to the same ranges. (A weight that
 * rounds to 0 at 2^-14 but not at 2^-20 adds nothing here, but dropping its
 * pixel from the range would move a clamped output by up to several levels
 * from the exact path's.) */
typedef struct cr_opaque_axis {
    int in_size, out_size, stride;
    const int *first, *taps;
    const int16_t *weight;
    const int32_t *exact_weight;
} cr_opaque_axis;

/* Whether every pixel of rows [y0, y1), columns [x0, x1) of src has alpha
 * 255. */
bool cr_opaque_region(const cr_pixmap *src, int x0, int x1, int y0, int y1);

/* Scales src along the two axes into *out, already initialised to
 * across->out_size x down->out_size. Every source pixel the plans read must
 * be opaque (cr_opaque_region). CR_ERR_NOMEM on a failed allocation. */
cr_status cr_resample_opaque(const cr_pixmap *src, const cr_opaque_axis *across,
                             const cr_opaque_axis *down, bool allow_ringing, cr_pixmap *out,
                             cr_error *err);

/* Which code scales: for the tests, which compare them (an internal
 * switch, not in the public API). AUTO (the default) takes the opaque path
 * when it applies, with the fastest version this processor runs; EXACT
 * never takes it; OPAQUE_* force that version of the opaque path wherever
 * it applies; EXACT_* never take the opaque path and run that version of
 * the exact one (the SSE2 one otherwise never runs on an AVX2 machine). Not
 * thread-safe: set it before any rendering starts. Returns false (and
 * changes nothing) for a version this processor or build does not have. */
typedef enum cr_resample_path {
    CR_RESAMPLE_PATH_AUTO = 0,
    CR_RESAMPLE_PATH_EXACT,
    CR_RESAMPLE_PATH_OPAQUE_C,
    CR_RESAMPLE_PATH_OPAQUE_SSSE3,
    CR_RESAMPLE_PATH_OPAQUE_AVX2,
    CR_RESAMPLE_PATH_EXACT_C,
    CR_RESAMPLE_PATH_EXACT_SSE2,
    CR_RESAMPLE_PATH_EXACT_AVX2
} cr_resample_path;

bool cr_resample_force_path(cr_resample_path path);
cr_resample_path cr_resample_forced_path(void);

/* Whether this build and processor have that EXACT_* version (resample.c). */
bool cr_resample_exact_version_available(cr_resample_path path);

#endif
