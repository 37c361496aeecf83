/* Separable resampling in fixed point (resample.h), on two paths:
 *
 *   opaque (resample_opaque.c): when every source pixel the call reads has
 *     alpha 255, which is every JPEG photo, there is nothing to premultiply:
 *     colour is filtered straight from the bytes with int16 weights summing
 *     to 2^14 and int16 values between the passes (1/128 of a level), two
 *     taps of four channels per pmaddwd. It exists for speed. Its clamp
 *     ranges are the exact path's; only rounding differs, by at most one
 *     level (measured on the test pictures and the portraits);
 *   exact (this file): premultiplied alpha, below; every other picture,
 *     and the fallback when the int16 weights would not fit.
 *
 * Why Lanczos-3 with the range clamp is the default, both ways (measured by
 * tests/test_resample.c, which prints these on every run; opaque pictures,
 * so the opaque path):
 *   enlarging a 50 -> 200 step 4x, overshoot / undershoot in 8-bit levels:
 *     Lanczos-3 18 / 18, Lanczos-2 12 / 12, Mitchell 5 / 5, any clamped: 0 / 0;
 *     10-90 % rise: 2 output px for both Lanczos, 4 for Mitchell;
 *   halving the portrait then doubling it back, mean abs. difference:
 *     Lanczos-3 1.38, Lanczos-2 1.71, Mitchell 2.45, box 2.98;
 *   reducing 1-px stripes 4x or 4.2x, worst deviation from the mean grey
 *     away from the picture's edge: <= 0.65 for every filter but box (26 at
 *     4.2x). Outputs whose window is cut by the edge deviate up to 11: the
 *     window is renormalised over the pixels that exist.
 * The clamp costs a compare per tap and removes halos without the blur of
 * a gentler filter.
 *
 * Exact path, representation between the passes: per channel a uint16
 * holding the premultiplied value in units of 1/65025 (colour c * a, alpha
 * a * 255 for 8-bit c and a), so premultiplying loses nothing. Weights are
 * integers summing exactly to 2^20, so a constant input stays exactly
 * constant, and everything after the weights is integer arithmetic: the
 * same bytes on every machine (a weight could only change if libm's sin()
 * differed by an ulp right at a rounding boundary of 2^-20). The SIMD
 * versions add the same integer products in doubles, which hold them
 * exactly: AVX2, SSE2 and plain C give the same bytes (checked on the
 * benchmark card and the golden cases by building with CR_RESAMPLE_NO_AVX2
 * / CR_RESAMPLE_SCALAR, which also turns the opaque path's SIMD off; the
 * tests force each path and version with cr_resample_force_path).
 *
 * Speed (bench/card photo, 358x441 into 307x378 at 300 dpi, median of 50,
 * AVX2): 9.4 ms with the earlier per-channel int64 loop, 1.45 ms on the
 * exact path, 0.32 ms on the opaque path (0.46 ms when the weights are not
 * in the plan cache of resample_plan.c: the kernels' sin() calls); into
 * 614x756 at 600 dpi 5.0 ms exact, 0.79 ms (1.03 ms) opaque. The opaque
 * SSSE3 version takes about twice the AVX2 time, its portable C about 20
 * times. */
#include "resample.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "resample_opaque.h"
#include "resample_plan.h"

#define WEIGHT_BITS CR_WEIGHT_BITS
#define WEIGHT_ONE CR_WEIGHT_ONE
#define FULL 65025 /* 255 * 255: an opaque, full-scale premultiplied value */

/* ------------------------------------------------------------- filtering */

/* One output pixel: taps source pixels `stride` values apart (4 for a row,
 * a band row's length for a column), weighted, settled to four uint16.
 * Three versions with the same result: AVX2 (chosen at run time), SSE2
 * (every x86-64) and portable C. CR_RESAMPLE_NO_AVX2 and CR_RESAMPLE_SCALAR
 * build without the first or without both, to compare them. */

#if defined(__SSE2__) && !defined(CR_RESAMPLE_SCALAR)
#include <emmintrin.h>

/* Every product is a 21-bit weight times a 16-bit value and every sum stays
 * below 2^42, so doubles hold them exactly: the same integers as the int64
 * path, two channels per instruction. Value ranges are tracked as int16
 * with the sign bit flipped, since SSE2 only has signed 16-bit min / max. */

static inline __m128i max_i32(__m128i a, __m128i b)
{
    __m128i greater = _mm_cmpgt_epi32(a, b);
    return _mm_or_si128(_mm_and_si128(greater, a), _mm_andnot_si128(greater, b));
}

static inline __m128i min_i32(__m128i a, __m128i b)
{
    __m128i greater = _mm_cmpgt_epi32(a, b);
    return _mm_or_si128(_mm_and_si128(greater, b), _mm_andnot_si128(greater, a));
}

/* Fixed point back to integers, rounded: (max(total, 0) + 2^19) >> 20. The
 * sum is exact, the scale a power of two, truncation of a positive value a
 * floor: exactly the integer path's arithmetic. */
static inline __m128i settle_totals(__m128d rg, __m128d ba)
{
    const __m128d zero = _mm_setzero_pd(), half = _mm_set1_pd(WEIGHT_ONE / 2);
    const __m128d unit = _mm_set1_pd(1.0 / WEIGHT_ONE);
    __m128i low = _mm_cvttpd_epi32(_mm_mul_pd(_mm_add_pd(_mm_max_pd(rg, zero), half), unit));
    __m128i high = _mm_cvttpd_epi32(_mm_mul_pd(_mm_add_pd(_mm_max_pd(ba, zero), half), unit));
    return _mm_unpacklo_epi64(low, high);
}

static inline void filter_pixel_sse2(const uint16_t *source, size_t stride,
                                     const cr_axis_plan *plan, int index, bool allow_ringing,
                                     uint16_t *out)
{
    const __m128i flip = _mm_set1_epi16((short)0x8000), zero = _mm_setzero_si128();
    const double *pair = plan->pair + (size_t)index * (size_t)plan->max_taps * 2;
    __m128d rg = _mm_setzero_pd(), ba = _mm_setzero_pd();
    __m128i lo = _mm_set1_epi16(0x7fff), hi = flip;
    for (int t = 0; t < plan->taps[index]; t++, source += stride, pair += 2) {
        if (pair[0] == 0.0)
            continue; /* a weight rounded to zero does not widen the range */
        __m128i value = _mm_loadl_epi64((const __m128i *)source);
        __m128i flipped = _mm_xor_si128(value, flip);
        lo = _mm_min_epi16(lo, flipped);
        hi = _mm_max_epi16(hi, flipped);
        __m128i wide = _mm_unpacklo_epi16(value, zero);
        __m128d weight = _mm_loadu_pd(pair);
        rg = _mm_add_pd(rg, _mm_mul_pd(_mm_cvtepi32_pd(wide), weight));
        ba = _mm_add_pd(ba, _mm_mul_pd(_mm_cvtepi32_pd(_mm_srli_si128(wide, 8)), weight));
    }
    __m128i low = allow_ringing ? zero : _mm_unpacklo_epi16(_mm_xor_si128(lo, flip), zero);
    __m128i high =
        allow_ringing ? _mm_set1_epi32(FULL) : _mm_unpacklo_epi16(_mm_xor_si128(hi, flip), zero);
    __m128i value = min_i32(max_i32(settle_totals(rg, ba), low), high);
    value = min_i32(value, _mm_shuffle_epi32(value, _MM_SHUFFLE(3, 3, 3, 3))); /* colour <= alpha */
    __m128i biased = _mm_sub_epi32(value, _mm_set1_epi32(32768)); /* unsigned pack via signed */
    _mm_storel_epi64((__m128i *)out, _mm_xor_si128(_mm_packs_epi32(biased, biased), flip));
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(CR_RESAMPLE_NO_AVX2)
#include <immintrin.h>
#define RESAMPLE_AVX2 __attribute__((target("avx2,fma")))

/* The same arithmetic four channels at a time. A fused multiply-add of
 * exact integers is exact too, so both versions give the same bytes. Two
 * pixels are filtered side by side: each one's sum is a chain of dependent
 * multiply-adds, and two chains keep the multiplier busy. */
typedef struct pixel_sum {
    __m256d total;
    __m128i lo, hi;
} pixel_sum;

RESAMPLE_AVX2 static inline pixel_sum pixel_sum_start(void)
{
    return (pixel_sum){_mm256_setzero_pd(), _mm_set1_epi32(0xffff), _mm_setzero_si128()};
}

RESAMPLE_AVX2 static inline void pixel_sum_add(pixel_sum *sum, const uint16_t *source,
                                               const double *weight)
{
    if (*weight == 0.0)
        return; /* a weight rounded to zero does not widen the range */
    __m128i value = _mm_cvtepu16_epi32(_mm_loadl_epi64((const __m128i *)source));
    sum->lo = _mm_min_epi32(sum->lo, value);
    sum->hi = _mm_max_epi32(sum->hi, value);
    sum->total =
        _mm256_fmadd_pd(_mm256_cvtepi32_pd(value), _mm256_broadcast_sd(weight), sum->total);
}

RESAMPLE_AVX2 static inline void pixel_sum_settle(const pixel_sum *sum, bool allow_ringing,
                                                  uint16_t *out)
{
    const __m256d half = _mm256_set1_pd(WEIGHT_ONE / 2), unit = _mm256_set1_pd(1.0 / WEIGHT_ONE);
    __m256d scaled =
        _mm256_mul_pd(_mm256_add_pd(_mm256_max_pd(sum->total, _mm256_setzero_pd()), half), unit);
    __m128i low = allow_ringing ? _mm_setzero_si128() : sum->lo;
    __m128i high = allow_ringing ? _mm_set1_epi32(FULL) : sum->hi;
    __m128i value = _mm_min_epi32(_mm_max_epi32(_mm256_cvttpd_epi32(scaled), low), high);
    value = _mm_min_epi32(value, _mm_shuffle_epi32(value, _MM_SHUFFLE(3, 3, 3, 3)));
    _mm_storel_epi64((__m128i *)out, _mm_packus_epi32(value, value));
}

/* Output pixels x and x + 1 of a first-pass row (each reads its own taps). */
RESAMPLE_AVX2 static inline void row_pair_avx2(const uint16_t *in, const cr_axis_plan *plan, int x,
                                               bool allow_ringing, uint16_t *out)
{
    size_t row_taps = (size_t)plan->max_taps * 2;
    const double *weight_a = plan->pair + (size_t)x * row_taps, *weight_b = weight_a + row_taps;
    const uint16_t *a = in + (size_t)plan->first[x] * 4, *b = in + (size_t)plan->first[x + 1] * 4;
    int taps_a = plan->taps[x], taps_b = plan->taps[x + 1];
    pixel_sum sum_a = pixel_sum_start(), sum_b = pixel_sum_start();
    int t = 0;
    for (; t < taps_a && t < taps_b; t++) {
        pixel_sum_add(&sum_a, a + t * 4, weight_a + t * 2);
        pixel_sum_add(&sum_b, b + t * 4, weight_b + t * 2);
    }
    for (int rest = t; rest < taps_a; rest++)
        pixel_sum_add(&sum_a, a + rest * 4, weight_a + rest * 2);
    for (int rest = t; rest < taps_b; rest++)
        pixel_sum_add(&sum_b, b + rest * 4, weight_b + rest * 2);
    pixel_sum_settle(&sum_a, allow_ringing, out);
    pixel_sum_settle(&sum_b, allow_ringing, out + 4);
}

RESAMPLE_AVX2 static inline void filter_pixel_avx2(const uint16_t *source, size_t stride,
                                                   const cr_axis_plan *plan, int index,
                                                   bool allow_ringing, uint16_t *out)
{
    const double *weight = plan->pair + (size_t)index * (size_t)plan->max_taps * 2;
    pixel_sum sum = pixel_sum_start();
    for (int t = 0; t < plan->taps[index]; t++, source += stride, weight += 2)
        pixel_sum_add(&sum, source, weight);
    pixel_sum_settle(&sum, allow_ringing, out);
}

RESAMPLE_AVX2 static void row_line_avx2(const uint16_t *in, const cr_axis_plan *plan,
                                        bool allow_ringing, uint16_t *out)
{
    int x = 0;
    for (; x + 1 < plan->out_size; x += 2)
        row_pair_avx2(in, plan, x, allow_ringing, out + (size_t)x * 4);
    if (x < plan->out_size)
        filter_pixel_avx2(in + (size_t)plan->first[x] * 4, 4, plan, x, allow_ringing,
                          out + (size_t)x * 4);
}

/* A second-pass row: pixels x and x + 1 share their weights and rows. */
RESAMPLE_AVX2 static void column_line_avx2(const uint16_t *top, size_t stride,
                                           const cr_axis_plan *plan, int index, int width,
                                           bool allow_ringing, uint16_t *out)
{
    const double *weights = plan->pair + (size_t)index * (size_t)plan->max_taps * 2;
    int taps = plan->taps[index], x = 0;
    for (; x + 1 < width; x += 2, top += 8, out += 8) {
        pixel_sum sum_a = pixel_sum_start(), sum_b = pixel_sum_start();
        const uint16_t *source = top;
        for (int t = 0; t < taps; t++, source += stride) {
            pixel_sum_add(&sum_a, source, weights + t * 2);
            pixel_sum_add(&sum_b, source + 4, weights + t * 2);
        }
        pixel_sum_settle(&sum_a, allow_ringing, out);
        pixel_sum_settle(&sum_b, allow_ringing, out + 4);
    }
    if (x < width)
        filter_pixel_avx2(top, stride, plan, index, allow_ringing, out);
}
#endif

#endif

/* The portable version: every build has it, so the tests can compare the
 * SIMD ones with it. Accumulated value of one channel plus the range of
 * what went into it. */
typedef struct channel_sum {
    int64_t total;
    int lo, hi;
} channel_sum;

static void channel_add(channel_sum *sum, int32_t weight, int value)
{
    if (weight == 0)
        return;
    sum->total += (int64_t)weight * value;
    sum->lo = value < sum->lo ? value : sum->lo;
    sum->hi = value > sum->hi ? value : sum->hi;
}

/* Back from fixed point, rounded, clamped to the contributors' range (or
 * just to the valid range when ringing is allowed). */
static int channel_settle(const channel_sum *sum, bool allow_ringing)
{
    int lo = allow_ringing ? 0 : sum->lo, hi = allow_ringing ? FULL : sum->hi;
    int64_t value = sum->total <= 0 ? 0 : (sum->total + WEIGHT_ONE / 2) >> WEIGHT_BITS;
    return value < lo ? lo : value > hi ? hi : (int)value;
}

static void filter_pixel_c(const uint16_t *source, size_t stride, const cr_axis_plan *plan,
                           int index, bool allow_ringing, uint16_t *out)
{
    channel_sum sums[4];
    for (int c = 0; c < 4; c++)
        sums[c] = (channel_sum){0, FULL, 0};
    const int32_t *weight = plan->weight + (size_t)index * (size_t)plan->max_taps;
    for (int t = 0; t < plan->taps[index]; t++, source += stride)
        for (int c = 0; c < 4; c++)
            channel_add(&sums[c], weight[t], source[c]);
    int alpha = channel_settle(&sums[3], allow_ringing);
    for (int c = 0; c < 3; c++) {
        int value = channel_settle(&sums[c], allow_ringing);
        out[c] = (uint16_t)(value < alpha ? value : alpha); /* colour <= alpha */
    }
    out[3] = (uint16_t)alpha;
}

/* Whole lines of output pixels, one version per pixel filter: a row of the
 * first pass (pixel x reads from its own first source pixel) and a row of
 * the second (pixel x reads column x of the band, every pixel with the same
 * weights). */
typedef void row_line_fn(const uint16_t *in, const cr_axis_plan *plan, bool allow_ringing,
                         uint16_t *out);
typedef void column_line_fn(const uint16_t *top, size_t stride, const cr_axis_plan *plan, int index,
                            int width, bool allow_ringing, uint16_t *out);
typedef struct line_filters {
    row_line_fn *row;
    column_line_fn *column;
} line_filters;

#define DEFINE_LINE_FILTERS(suffix, attributes)                                                    \
    attributes static void row_line_##suffix(const uint16_t *in, const cr_axis_plan *plan,         \
                                             bool allow_ringing, uint16_t *out)                    \
    {                                                                                              \
        for (int x = 0; x < plan->out_size; x++, out += 4)                                         \
            filter_pixel_##suffix(in + (size_t)plan->first[x] * 4, 4, plan, x, allow_ringing,      \
                                  out);                                                            \
    }                                                                                              \
    attributes static void column_line_##suffix(const uint16_t *top, size_t stride,                \
                                                const cr_axis_plan *plan, int index, int width,    \
                                                bool allow_ringing, uint16_t *out)                 \
    {                                                                                              \
        for (int x = 0; x < width; x++, top += 4, out += 4)                                        \
            filter_pixel_##suffix(top, stride, plan, index, allow_ringing, out);                   \
    }

DEFINE_LINE_FILTERS(c, )
#if defined(__SSE2__) && !defined(CR_RESAMPLE_SCALAR)
DEFINE_LINE_FILTERS(sse2, )
#endif

static bool have_avx2(void)
{
#ifdef RESAMPLE_AVX2
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

bool cr_resample_exact_version_available(cr_resample_path path)
{
    switch (path) {
    case CR_RESAMPLE_PATH_EXACT_C:
        return true;
#if defined(__SSE2__) && !defined(CR_RESAMPLE_SCALAR)
    case CR_RESAMPLE_PATH_EXACT_SSE2:
        return true;
#endif
    case CR_RESAMPLE_PATH_EXACT_AVX2:
        return have_avx2();
    default:
        return false;
    }
}

/* The fastest version this processor runs, unless the tests force one
 * (cr_resample_force_path); all give the same bytes. */
static line_filters choose_line_filters(void)
{
    cr_resample_path forced = cr_resample_forced_path();
    if (forced == CR_RESAMPLE_PATH_EXACT_C)
        return (line_filters){row_line_c, column_line_c};
#if defined(__SSE2__) && !defined(CR_RESAMPLE_SCALAR)
#ifdef RESAMPLE_AVX2
    if (forced != CR_RESAMPLE_PATH_EXACT_SSE2 && have_avx2())
        return (line_filters){row_line_avx2, column_line_avx2};
#endif
    return (line_filters){row_line_sse2, column_line_sse2};
#else
    return (line_filters){row_line_c, column_line_c};
#endif
}

static void premultiply_row(const uint8_t *rgba, int width, uint16_t *out)
{
    for (int x = 0; x < width; x++, rgba += 4, out += 4) {
        unsigned alpha = rgba[3];
        out[0] = (uint16_t)(rgba[0] * alpha);
        out[1] = (uint16_t)(rgba[1] * alpha);
        out[2] = (uint16_t)(rgba[2] * alpha);
        out[3] = (uint16_t)(alpha * 255);
    }
}

static bool row_is_opaque(const uint16_t *in, int width)
{
    for (int x = 0; x < width; x++)
        if (in[(size_t)x * 4 + 3] != FULL)
            return false;
    return true;
}

typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef uint8_t u8x8 __attribute__((vector_size(8)));

/* With alpha at full scale, (c * 255 + FULL / 2) / FULL = (c + 127) / 255
 * (checked for every c <= FULL), and y / 255 = (y + 1 + (y >> 8)) >> 8 for
 * y < 65280: no division, eight values (alpha too) at a time in 16 bits. */
static void unpremultiply_opaque_row(const uint16_t *in, int width, uint8_t *rgba)
{
    size_t count = (size_t)width * 4, i = 0;
    for (; i + 8 <= count; i += 8) {
        u16x8 y;
        memcpy(&y, in + i, sizeof y);
        y += 127;
        u8x8 bytes = __builtin_convertvector((y + 1 + (y >> 8)) >> 8, u8x8);
        memcpy(rgba + i, &bytes, sizeof bytes);
    }
    for (; i < count; i++) {
        unsigned y = in[i] + 127u;
        rgba[i] = (uint8_t)((y + 1 + (y >> 8)) >> 8);
    }
}

static void unpremultiply_row(const uint16_t *in, int width, uint8_t *rgba)
{
    if (row_is_opaque(in, width)) { /* every photo */
        unpremultiply_opaque_row(in, width, rgba);
        return;
    }
    for (int x = 0; x < width; x++, in += 4, rgba += 4) {
        unsigned alpha = in[3];
        unsigned alpha8 = (alpha + 127) / 255;
        if (alpha8 == 0) {
            memset(rgba, 0, 4);
            continue;
        }
        for (int c = 0; c < 3; c++) {
            unsigned value = (in[c] * 255u + alpha / 2) / alpha;
            rgba[c] = (uint8_t)(value > 255 ? 255 : value);
        }
        rgba[3] = (uint8_t)alpha8;
    }
}

/* The rows of the first pass, only those the second pass reads. */
typedef struct row_band {
    int first_row, row_count, width;
    uint16_t *values; /* row_count * width * 4 */
} row_band;

static const uint16_t *band_row(const row_band *band, int y)
{
    return band->values + (size_t)(y - band->first_row) * (size_t)band->width * 4;
}

static cr_status filter_rows(const cr_pixmap *src, const cr_axis_plan *across,
                             const cr_axis_plan *down, bool allow_ringing, line_filters lines,
                             row_band *band, cr_error *err)
{
    int y0, y1;
    cr_axis_plan_extent(down, &y0, &y1);
    band->first_row = y0;
    band->row_count = y1 - y0;
    band->width = across->out_size;
    band->values = malloc(sizeof *band->values * 4 * (size_t)band->width * band->row_count);
    uint16_t *premultiplied = malloc(sizeof *premultiplied * 4 * (size_t)src->width);
    if (!band->values || !premultiplied) {
        free(premultiplied);
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for resampling");
    }
    for (int i = 0; i < band->row_count; i++) {
        premultiply_row(cr_pixmap_at(src, 0, band->first_row + i), src->width, premultiplied);
        lines.row(premultiplied, across, allow_ringing,
                  band->values + (size_t)i * (size_t)band->width * 4);
    }
    free(premultiplied);
    return CR_OK;
}

static cr_status filter_columns(const row_band *band, const cr_axis_plan *down, bool allow_ringing,
                                line_filters lines, cr_pixmap *out, cr_error *err)
{
    size_t stride = (size_t)band->width * 4;
    uint16_t *row = malloc(sizeof *row * stride);
    if (!row)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for resampling");
    for (int y = 0; y < down->out_size; y++) {
        lines.column(band_row(band, down->first[y]), stride, down, y, band->width, allow_ringing,
                     row);
        unpremultiply_row(row, band->width, cr_pixmap_at(out, 0, y));
    }
    free(row);
    return CR_OK;
}

/* ------------------------------------------------------------ public API */

static cr_resample_filter choose_filter(const cr_resample_options *options, double span,
                                        int out_size)
{
    cr_resample_filter filter = CR_RESAMPLE_DEFAULT;
    if (options)
        filter = out_size >= span ? options->upscale : options->downscale;
    return filter == CR_RESAMPLE_DEFAULT ? CR_RESAMPLE_LANCZOS3 : filter;
}

static cr_status check_area(const cr_pixmap *src, cr_rectd area, int width, int height,
                            cr_error *err)
{
    const double slack = 1e-9;
    if (!src || !src->rgba || src->width <= 0 || src->height <= 0)
        return cr_fail(err, CR_ERR_ARGUMENT, "resample: empty source pixmap");
    if (width <= 0 || height <= 0 || width > (1 << 20) || height > (1 << 20))
        return cr_fail(err, CR_ERR_ARGUMENT, "resample: invalid target size %dx%d", width, height);
    if (!(area.width > 0 && area.height > 0 && area.x >= -slack && area.y >= -slack &&
          area.x + area.width <= src->width + slack && area.y + area.height <= src->height + slack))
        return cr_fail(err, CR_ERR_ARGUMENT,
                       "resample: area (%g, %g, %g x %g) is not inside the %dx%d source", area.x,
                       area.y, area.width, area.height, src->width, src->height);
    return CR_OK;
}

/* The opaque path (resample_opaque.h) runs when its weights fit and every
 * source pixel the plans read has alpha 255: every JPEG photo. */
static bool opaque_path_applies(const cr_pixmap *src, const cr_axis_plan *across,
                                const cr_axis_plan *down)
{
    cr_resample_path forced = cr_resample_forced_path();
    bool exact_forced = forced == CR_RESAMPLE_PATH_EXACT || forced >= CR_RESAMPLE_PATH_EXACT_C;
    if (!across->fits14 || !down->fits14 || exact_forced)
        return false;
    if (src->opaque)
        return true;
    int x0, x1, y0, y1;
    cr_axis_plan_extent(across, &x0, &x1);
    cr_axis_plan_extent(down, &y0, &y1);
    return cr_opaque_region(src, x0, x1, y0, y1);
}

static cr_opaque_axis opaque_axis(const cr_axis_plan *plan, int in_size)
{
    return (cr_opaque_axis){.in_size = in_size,
                            .out_size = plan->out_size,
                            .stride = plan->max_taps,
                            .first = plan->first,
                            .taps = plan->taps,
                            .weight = plan->weight14,
                            .exact_weight = plan->weight};
}

cr_status cr_pixmap_resample_area(const cr_pixmap *src, cr_rectd area, int width, int height,
                                  const cr_resample_options *options, cr_pixmap *out, cr_error *err)
{
    if (!out)
        return cr_fail(err, CR_ERR_ARGUMENT, "resample: out is NULL");
    memset(out, 0, sizeof *out);
    cr_status status = check_area(src, area, width, height, err);
    if (status != CR_OK)
        return status;
    bool allow_ringing = options && options->allow_ringing;
    line_filters lines = choose_line_filters();
    cr_axis_plan across, down;
    row_band band = {0};
    status = cr_axis_plan_get(src->width, area.x, area.width, width,
                              choose_filter(options, area.width, width), &across, err);
    if (status == CR_OK)
        status = cr_axis_plan_get(src->height, area.y, area.height, height,
                                  choose_filter(options, area.height, height), &down, err);
    else
        memset(&down, 0, sizeof down);
    bool opaque = status == CR_OK && opaque_path_applies(src, &across, &down);
    if (status == CR_OK && !opaque)
        status = cr_axis_plan_add_pairs(&across, err);
    if (status == CR_OK && !opaque)
        status = cr_axis_plan_add_pairs(&down, err);
    if (status == CR_OK && !opaque)
        status = filter_rows(src, &across, &down, allow_ringing, lines, &band, err);
    if (status == CR_OK) /* both paths write every pixel */
        status = cr_pixmap_init_unset(out, width, height, err);
    if (status == CR_OK && opaque) {
        cr_opaque_axis x = opaque_axis(&across, src->width), y = opaque_axis(&down, src->height);
        status = cr_resample_opaque(src, &x, &y, allow_ringing, out, err);
        out->opaque = status == CR_OK; /* the opaque path writes alpha 255 */
    } else if (status == CR_OK) {
        status = filter_columns(&band, &down, allow_ringing, lines, out, err);
    }
    if (status != CR_OK)
        cr_pixmap_free(out);
    free(band.values);
    cr_axis_plan_free(&across);
    cr_axis_plan_free(&down);
    return status;
}

/* The source index every output sample of plan takes whole, when each
 * takes one (its other taps weigh 0 on the opaque path) and the samples
 * are consecutive: the first one's; else -1. */
static int shifted_copy(const cr_axis_plan *plan)
{
    int start = -1;
    for (int i = 0; i < plan->out_size; i++) {
        int source = -1;
        for (int t = 0; t < plan->taps[i]; t++) {
            int16_t weight = plan->weight14[(size_t)i * (size_t)plan->max_taps + (size_t)t];
            if (weight == 0)
                continue;
            if (weight != CR_OPAQUE_WEIGHT_ONE || source >= 0)
                return -1;
            source = plan->first[i] + t;
        }
        if (source < 0 || (i > 0 && source != start + i))
            return -1;
        if (i == 0)
            start = source;
    }
    return start;
}

bool cr_pixmap_resample_is_copy(const cr_pixmap *src, cr_rectd area, int width, int height,
                                const cr_resample_options *options, int *x, int *y)
{
    if (check_area(src, area, width, height, NULL) != CR_OK)
        return false;
    cr_axis_plan across, down;
    memset(&across, 0, sizeof across);
    memset(&down, 0, sizeof down);
    bool copy = cr_axis_plan_get(src->width, area.x, area.width, width,
                                 choose_filter(options, area.width, width), &across, NULL) == CR_OK;
    if (copy)
        copy = cr_axis_plan_get(src->height, area.y, area.height, height,
                                choose_filter(options, area.height, height), &down, NULL) == CR_OK;
    if (copy && across.fits14 && down.fits14) {
        *x = shifted_copy(&across);
        *y = shifted_copy(&down);
        copy = *x >= 0 && *y >= 0 && opaque_path_applies(src, &across, &down);
    } else {
        copy = false;
    }
    cr_axis_plan_free(&across);
    cr_axis_plan_free(&down);
    return copy;
}

cr_status cr_pixmap_resample(const cr_pixmap *src, int width, int height,
                             const cr_resample_options *options, cr_pixmap *out, cr_error *err)
{
    if (!src)
        return cr_fail(err, CR_ERR_ARGUMENT, "resample: src is NULL");
    cr_rectd whole = {0, 0, src->width, src->height};
    return cr_pixmap_resample_area(src, whole, width, height, options, out, err);
}

static double clamp_unit(double value)
{
    return value < 0.0 ? 0.0 : value > 1.0 ? 1.0 : value;
}

cr_rectd cr_fit_cover(int src_width, int src_height, int dst_width, int dst_height, double align_x,
                      double align_y)
{
    cr_rectd area = {0, 0, src_width, src_height};
    if (src_width <= 0 || src_height <= 0 || dst_width <= 0 || dst_height <= 0)
        return area;
    double target = (double)dst_width / dst_height;
    if ((double)src_width / src_height > target) {
        area.width = src_height * target; /* too wide: trim the sides */
        area.x = (src_width - area.width) * clamp_unit(align_x);
    } else {
        area.height = src_width / target; /* too tall: trim top and bottom */
        area.y = (src_height - area.height) * clamp_unit(align_y);
    }
    return area;
}

cr_status cr_pixmap_crop(const cr_pixmap *src, int x, int y, int width, int height, cr_pixmap *out,
                         cr_error *err)
{
    if (!out || !src || !src->rgba)
        return cr_fail(err, CR_ERR_ARGUMENT, "crop: NULL pixmap");
    memset(out, 0, sizeof *out);
    if (x < 0 || y < 0 || width <= 0 || height <= 0 || width > src->width - x ||
        height > src->height - y)
        return cr_fail(err, CR_ERR_ARGUMENT,
                       "crop: rectangle (%d, %d, %d x %d) is not inside the %dx%d source", x, y,
                       width, height, src->width, src->height);
    cr_status status = cr_pixmap_init(out, width, height, err);
    if (status != CR_OK)
        return status;
    for (int row = 0; row < height; row++)
        memcpy(cr_pixmap_at(out, 0, row), cr_pixmap_at(src, x, y + row), (size_t)width * 4);
    return CR_OK;
}

cr_status cr_pixmap_rotate90(const cr_pixmap *src, int quarter_turns, cr_pixmap *out, cr_error *err)
{
    /* EXIF orientations that undo a stored turn: 6 turns clockwise, 8 back. */
    static const int orientation_for_turns[4] = {1, 6, 3, 8};
    int turns = ((quarter_turns % 4) + 4) % 4;
    return cr_pixmap_apply_orientation(src, orientation_for_turns[turns], out, err);
}

/* ------------------------------------------------------------ adjustments */

uint8_t cr_luma601(uint8_t r, uint8_t g, uint8_t b)
{
    return (uint8_t)((299u * r + 587u * g + 114u * b + 500u) / 1000u);
}

static cr_status check_adjustments(const cr_adjustments *a, cr_error *err)
{
    if (!(a->brightness >= -1.0 && a->brightness <= 1.0))
        return cr_fail(err, CR_ERR_ARGUMENT, "adjust: brightness %g is outside -1..1",
                       a->brightness);
    if (!(a->contrast >= -1.0 && a->contrast < 1.0))
        return cr_fail(err, CR_ERR_ARGUMENT, "adjust: contrast %g is outside -1..1 (exclusive)",
                       a->contrast);
    if (!(a->gamma == 0.0 || (a->gamma >= 0.1 && a->gamma <= 10.0)))
        return cr_fail(err, CR_ERR_ARGUMENT, "adjust: gamma %g is outside 0.1..10", a->gamma);
    return CR_OK;
}

static void build_tone_curve(const cr_adjustments *a, uint8_t curve[256])
{
    double slope = (1.0 + a->contrast) / (1.0 - a->contrast);
    double exponent = a->gamma > 0.0 ? 1.0 / a->gamma : 1.0;
    for (int i = 0; i < 256; i++) {
        double value = (i / 255.0 - 0.5) * slope + 0.5 + a->brightness;
        value = pow(clamp_unit(value), exponent);
        curve[i] = (uint8_t)lround(value * 255.0);
    }
}

cr_status cr_pixmap_adjust(cr_pixmap *pixmap, const cr_adjustments *adjustments, cr_error *err)
{
    if (!pixmap || !pixmap->rgba || !adjustments)
        return cr_fail(err, CR_ERR_ARGUMENT, "adjust: NULL argument");
    cr_status status = check_adjustments(adjustments, err);
    if (status != CR_OK)
        return status;
    uint8_t curve[256];
    build_tone_curve(adjustments, curve);
    for (int y = 0; y < pixmap->height; y++) {
        uint8_t *p = cr_pixmap_at(pixmap, 0, y);
        for (int x = 0; x < pixmap->width; x++, p += 4) {
            if (adjustments->grayscale)
                p[0] = p[1] = p[2] = cr_luma601(p[0], p[1], p[2]);
            for (int c = 0; c < 3; c++)
                p[c] = curve[p[c]];
        }
    }
    return CR_OK;
}
