/* The opaque fast path of the resampler: arithmetic in resample_opaque.h.
 *
 * Three versions of each pass give the same bytes (integer arithmetic, the
 * same sums, the same ranges): portable C (the reference, a channel at a
 * time, exactly as the header states it), SSSE3 and AVX2 (chosen at run
 * time; the build assumes only SSE2). tests/test_resample_paths.c compares
 * them.
 *
 * Pass 1 in SIMD reads 4-pixel blocks (16 bytes); each pair of pixels is
 * shuffled into int16 [r0 r1 g0 g1 b0 b1 a0 a1] and one pmaddwd against
 * (w0 w1 w0 w1 ...) adds two taps of all four channels into int32. Every
 * output has the same number of blocks (row_tables): its last block ends at
 * its last tap, the pixels an earlier block covered weighted 0, and an
 * output with fewer blocks repeats its last one at weight 0. Neither
 * changes the sum or the range, and no pixel outside the row is read. The
 * range is the min / max of the raw bytes, folded at the end; an output with
 * fewer than 4 taps, or with taps that do not count, masks the other pixels
 * out. SSSE3 does two outputs a step, AVX2 four.
 *
 * Pass 2: two band rows interleaved (unpack) and one pmaddwd against (w_a,
 * w_b) add two taps of a pixel's four channels; taps that do not count are
 * skipped (they weigh 0 here too) and an odd one out pairs its row with
 * itself at weight 0. SSSE3 does 4 pixels a step, AVX2 8. Band rows are made
 * as the output rows need them, into a ring that stays in the cache. */
#include "resample_opaque.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

#define PAD 8           /* band rows and pass-1 tables cover a multiple of 8 outputs */
#define LEVEL_ONE 128   /* pass-1 values are in units of 1/128 of an 8-bit level */
#define TOP (255 * 128) /* the largest pass-1 value */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(CR_RESAMPLE_SCALAR)
#define OPAQUE_X86 1
#include <immintrin.h>
#endif

static cr_resample_path forced_path = CR_RESAMPLE_PATH_AUTO;

/* (sum + 2^(bits - 1)) >> bits, the shift arithmetic (a floor), as GCC and
 * Clang define it for negative values. */
static inline int32_t shift_round(int32_t sum, int bits)
{
    return (sum + (1 << (bits - 1))) >> bits;
}

static inline int32_t clamp(int32_t value, int32_t lo, int32_t hi)
{
    return value < lo ? lo : value > hi ? hi : value;
}

static int padded(int count)
{
    return (count + PAD - 1) / PAD * PAD;
}

bool cr_opaque_region(const cr_pixmap *src, int x0, int x1, int y0, int y1)
{
    typedef uint8_t u8x16 __attribute__((vector_size(16)));
    size_t bytes = (size_t)(x1 - x0) * 4;
    for (int y = y0; y < y1; y++) {
        const uint8_t *p = cr_pixmap_at(src, x0, y);
        u8x16 all = ~(u8x16){0};
        size_t i = 0;
        for (; i + 16 <= bytes; i += 16) {
            u8x16 chunk;
            memcpy(&chunk, p + i, sizeof chunk);
            all &= chunk;
        }
        unsigned alpha = all[3] & all[7] & all[11] & all[15];
        for (; i < bytes; i += 4)
            alpha &= p[i + 3];
        if (alpha != 255)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------ portable C */

static void row_line_c(const uint8_t *row, const cr_opaque_axis *axis, bool allow_ringing,
                       int16_t *out)
{
    for (int x = 0; x < axis->out_size; x++, out += 4) {
        const uint8_t *source = row + (size_t)axis->first[x] * 4;
        const int16_t *weight = axis->weight + (size_t)x * (size_t)axis->stride;
        const int32_t *counts = axis->exact_weight + (size_t)x * (size_t)axis->stride;
        for (int c = 0; c < 4; c++) {
            int32_t sum = 0;
            int lo = 255, hi = 0;
            for (int t = 0; t < axis->taps[x]; t++) {
                int value = source[t * 4 + c];
                sum += weight[t] * value;
                if (counts[t] == 0)
                    continue; /* does not widen the range */
                lo = value < lo ? value : lo;
                hi = value > hi ? value : hi;
            }
            if (allow_ringing)
                lo = 0, hi = 255;
            out[c] = (int16_t)clamp(shift_round(sum, 7), lo * LEVEL_ONE, hi * LEVEL_ONE);
        }
    }
}

/* Output row `index` of pass 2 from its band rows rows[0 .. taps). */
static void column_line_c(const int16_t *const *rows, const cr_opaque_axis *axis, int index,
                          int width, bool allow_ringing, uint8_t *out)
{
    const int16_t *weight = axis->weight + (size_t)index * (size_t)axis->stride;
    const int32_t *counts = axis->exact_weight + (size_t)index * (size_t)axis->stride;
    int taps = axis->taps[index];
    for (size_t i = 0; i < (size_t)width * 4; i++) {
        int32_t sum = 0;
        int lo = TOP, hi = 0;
        for (int t = 0; t < taps; t++) {
            int value = rows[t][i];
            sum += weight[t] * value;
            if (counts[t] == 0)
                continue; /* does not widen the range */
            lo = value < lo ? value : lo;
            hi = value > hi ? value : hi;
        }
        if (allow_ringing)
            lo = 0, hi = TOP;
        int32_t level = shift_round(clamp(shift_round(sum, 14), lo, hi), 7);
        out[i] = i % 4 == 3 ? 255 : (uint8_t)clamp(level, 0, 255);
    }
}

/* ------------------------------------------------------------ SIMD tables */

/* Whether an output needs the masked code: fewer than 4 taps, or a tap
 * that does not count in the range. */
static bool needs_mask(const int32_t *counts, int taps)
{
    if (taps < 4)
        return true;
    for (int t = 0; t < taps; t++)
        if (counts[t] == 0)
            return true;
    return false;
}

/* Pass 1 reads 4-pixel blocks (16 bytes), every output the same number:
 * output x's block b starts at source pixel index[b * width + x]; its
 * weights are weight[((2 * b + h) * width + x) * 8 ...] = (w0, w1) four
 * times for pixels 0 and 1 (h = 0), then (w2, w3) for pixels 2 and 3. With
 * `masked`, masked_output[x] is 1 for an output that needs_mask(), and
 * outside[(b * width + x) * 16 ...] is 0xff on the bytes of the block's
 * pixels that its range leaves out (those outputs, usually a few at the
 * picture's edges, take the slower masked code). Outputs past out_size
 * repeat the last. */
typedef struct row_tables {
    int width, blocks;
    bool masked; /* some output needs_mask() */
    int32_t *index;
    int16_t *weight;
    uint8_t *masked_output, *outside;
} row_tables;

static void row_tables_free(row_tables *tables)
{
    free(tables->index);
    free(tables->weight);
    free(tables->masked_output);
    free(tables->outside);
}

static void set_block(row_tables *tables, int b, int x, int32_t index, const int16_t w[4],
                      const bool counted[4])
{
    size_t at = (size_t)b * (size_t)tables->width + (size_t)x, width = (size_t)tables->width;
    tables->index[at] = index;
    for (int h = 0; h < 2; h++) {
        int16_t *pair = tables->weight + ((size_t)(2 * b + h) * width + (size_t)x) * 8;
        for (int lane = 0; lane < 8; lane += 2)
            pair[lane] = w[2 * h], pair[lane + 1] = w[2 * h + 1];
    }
    if (tables->masked)
        for (int k = 0; k < 16; k++)
            tables->outside[at * 16 + (size_t)k] = counted[k / 4] ? 0 : 0xff;
}

/* The blocks of one output with `taps` taps from `first`. From 4 taps on,
 * the blocks lie inside the taps: the last one ends at the last tap, its
 * pixels that an earlier block covered weighted 0. With fewer, the one
 * block covers other pixels too, shifted left at the row's end. Only taps
 * that count are in the range. */
static int output_blocks(row_tables *tables, int x, int in_size, int first, int taps,
                         const int16_t *weight, const int32_t *counts)
{
    int blocks = taps < 4 ? 1 : (taps + 3) / 4;
    for (int b = 0; b < blocks; b++) {
        int start; /* in taps from first */
        if (taps < 4)
            start = (first < in_size - 4 ? first : in_size - 4) - first;
        else
            start = b < blocks - 1 ? 4 * b : taps - 4;
        int16_t w[4];
        bool counted[4];
        for (int k = 0; k < 4; k++) {
            int t = start + k;
            bool tap = t >= 0 && t < taps;
            counted[k] = tap && counts[t] != 0;
            w[k] = tap && (taps < 4 || t >= 4 * b) ? weight[t] : 0;
        }
        set_block(tables, b, x, first + start, w, counted);
    }
    return blocks;
}

/* Needs axis->in_size >= 4 (a block fits in a row). */
static bool row_tables_build(const cr_opaque_axis *axis, row_tables *tables)
{
    tables->blocks = 1;
    for (int i = 0; i < axis->out_size; i++) {
        int taps = axis->taps[i];
        tables->blocks = (taps + 3) / 4 > tables->blocks ? (taps + 3) / 4 : tables->blocks;
        tables->masked |= needs_mask(axis->exact_weight + (size_t)i * (size_t)axis->stride, taps);
    }
    tables->width = padded(axis->out_size);
    size_t count = (size_t)tables->blocks * (size_t)tables->width;
    tables->index = malloc(sizeof *tables->index * count);
    tables->weight = malloc(sizeof *tables->weight * 16 * count);
    tables->masked_output = tables->masked ? malloc((size_t)tables->width) : NULL;
    tables->outside = tables->masked ? malloc(16 * count) : NULL;
    if (!tables->index || !tables->weight ||
        (tables->masked && (!tables->masked_output || !tables->outside))) {
        row_tables_free(tables);
        return false;
    }
    const int16_t none[4] = {0, 0, 0, 0};
    for (int x = 0; x < tables->width; x++) {
        int i = x < axis->out_size ? x : axis->out_size - 1;
        size_t at = (size_t)i * (size_t)axis->stride;
        if (tables->masked)
            tables->masked_output[x] = needs_mask(axis->exact_weight + at, axis->taps[i]);
        int blocks = output_blocks(tables, x, axis->in_size, axis->first[i], axis->taps[i],
                                   axis->weight + at, axis->exact_weight + at);
        size_t last = (size_t)(blocks - 1) * (size_t)tables->width + (size_t)x;
        bool counted[4];
        for (int k = 0; k < 4; k++)
            counted[k] = !tables->masked || !tables->outside[last * 16 + (size_t)k * 4];
        for (int b = blocks; b < tables->blocks; b++) /* the last again, weighing nothing */
            set_block(tables, b, x, tables->index[last], none, counted);
    }
    return true;
}

/* Pass 2: the band rows and packed weights (w_a, w_b) of one output row. */
typedef struct column_pair {
    const int16_t *a, *b;
    int32_t weights; /* w_a in the low 16 bits, as pmaddwd reads them */
} column_pair;

static int column_pairs(const int16_t *const *rows, const cr_opaque_axis *axis, int index,
                        column_pair *pairs)
{
    const int16_t *w = axis->weight + (size_t)index * (size_t)axis->stride;
    const int32_t *counts = axis->exact_weight + (size_t)index * (size_t)axis->stride;
    int count = 0, waiting = -1; /* a tap without a partner yet */
    for (int t = 0; t < axis->taps[index]; t++) {
        if (counts[t] == 0)
            continue; /* does not widen the range (and weighs 0 here too) */
        if (waiting < 0) {
            waiting = t;
            continue;
        }
        int16_t both[2] = {w[waiting], w[t]};
        pairs[count] = (column_pair){rows[waiting], rows[t], 0};
        memcpy(&pairs[count++].weights, both, sizeof both);
        waiting = -1;
    }
    if (waiting >= 0) { /* paired with itself */
        int16_t both[2] = {w[waiting], 0};
        pairs[count] = (column_pair){rows[waiting], rows[waiting], 0};
        memcpy(&pairs[count++].weights, both, sizeof both);
    }
    return count;
}

#ifdef OPAQUE_X86

/* ----------------------------------------------------------------- SSSE3 */

#define SSSE3 __attribute__((target("ssse3")))
#define INLINE inline __attribute__((always_inline))

/* Bytes of pixels 0 and 1 (of 8) to [r0 r1 g0 g1 b0 b1 a0 a1] in int16. */
#define SPREAD_PAIR(o)                                                                             \
    (o), -1, (o) + 4, -1, (o) + 1, -1, (o) + 5, -1, (o) + 2, -1, (o) + 6, -1, (o) + 3, -1,         \
        (o) + 7, -1
/* Bytes 0-3 and 8-11 (two folded ranges) to int16 * 256. */
#define SPREAD_RANGE -1, 0, -1, 1, -1, 2, -1, 3, -1, 8, -1, 9, -1, 10, -1, 11

/* Folds the byte ranges of two outputs' pixel pairs [a0 a1 | b0 b1] into
 * int16 [a b] * 128, the units of pass 1. */
SSSE3 static INLINE __m128i range_ssse3(__m128i bytes, bool high)
{
    __m128i shifted = _mm_srli_epi64(bytes, 32);
    bytes = high ? _mm_max_epu8(bytes, shifted) : _mm_min_epu8(bytes, shifted);
    return _mm_srli_epi16(_mm_shuffle_epi8(bytes, _mm_setr_epi8(SPREAD_RANGE)), 1);
}

/* One output's block: its range (bytes, over the taps) and weighted sum. */
SSSE3 static INLINE void block_ssse3(const uint8_t *row, const row_tables *tables, size_t at,
                                     const int16_t *weight, bool masked, bool allow_ringing,
                                     __m128i *sum, __m128i *lo, __m128i *hi)
{
    const __m128i spread01 = _mm_setr_epi8(SPREAD_PAIR(0)),
                  spread23 = _mm_setr_epi8(SPREAD_PAIR(8));
    __m128i pixels = _mm_loadu_si128((const __m128i *)(row + (size_t)tables->index[at] * 4));
    if (!allow_ringing && masked) {
        __m128i outside = _mm_loadu_si128((const __m128i *)(tables->outside + at * 16));
        *lo = _mm_min_epu8(*lo, _mm_or_si128(pixels, outside));
        *hi = _mm_max_epu8(*hi, _mm_andnot_si128(outside, pixels));
    } else if (!allow_ringing) {
        *lo = _mm_min_epu8(*lo, pixels);
        *hi = _mm_max_epu8(*hi, pixels);
    }
    size_t half = (size_t)tables->width * 8;
    __m128i both = _mm_add_epi32(_mm_madd_epi16(_mm_shuffle_epi8(pixels, spread01),
                                                _mm_loadu_si128((const __m128i *)weight)),
                                 _mm_madd_epi16(_mm_shuffle_epi8(pixels, spread23),
                                                _mm_loadu_si128((const __m128i *)(weight + half))));
    *sum = _mm_add_epi32(*sum, both);
}

/* Outputs x and x + 1 of pass 1. */
SSSE3 static INLINE void row_two_ssse3(const uint8_t *row, const row_tables *tables, int x,
                                       bool masked, bool allow_ringing, int16_t *out)
{
    size_t width = (size_t)tables->width;
    __m128i sum_a = _mm_setzero_si128(), sum_b = sum_a;
    __m128i lo_a = _mm_set1_epi8(-1), lo_b = lo_a, hi_a = _mm_setzero_si128(), hi_b = hi_a;
    for (int b = 0; b < tables->blocks; b++) {
        size_t at = (size_t)b * width + (size_t)x;
        const int16_t *weight = tables->weight + ((size_t)(2 * b) * width + (size_t)x) * 8;
        block_ssse3(row, tables, at, weight, masked, allow_ringing, &sum_a, &lo_a, &hi_a);
        block_ssse3(row, tables, at + 1, weight + 8, masked, allow_ringing, &sum_b, &lo_b, &hi_b);
    }
    const __m128i half = _mm_set1_epi32(LEVEL_ONE / 2);
    __m128i v = _mm_packs_epi32(_mm_srai_epi32(_mm_add_epi32(sum_a, half), 7),
                                _mm_srai_epi32(_mm_add_epi32(sum_b, half), 7));
    if (allow_ringing) {
        v = _mm_min_epi16(_mm_max_epi16(v, _mm_setzero_si128()), _mm_set1_epi16(TOP));
    } else {
        /* 4 pixels to 2 (bytes 0-7) per output, then both outputs side by side */
        lo_a = _mm_min_epu8(lo_a, _mm_srli_si128(lo_a, 8));
        lo_b = _mm_min_epu8(lo_b, _mm_srli_si128(lo_b, 8));
        hi_a = _mm_max_epu8(hi_a, _mm_srli_si128(hi_a, 8));
        hi_b = _mm_max_epu8(hi_b, _mm_srli_si128(hi_b, 8));
        v = _mm_max_epi16(v, range_ssse3(_mm_unpacklo_epi64(lo_a, lo_b), false));
        v = _mm_min_epi16(v, range_ssse3(_mm_unpacklo_epi64(hi_a, hi_b), true));
    }
    _mm_storeu_si128((__m128i *)out, v);
}

SSSE3 static void row_line_ssse3(const uint8_t *row, const row_tables *tables, bool allow_ringing,
                                 int16_t *out)
{
    for (int x = 0; x < tables->width; x += 2, out += 8)
        if (allow_ringing)
            row_two_ssse3(row, tables, x, false, true, out);
        else if (tables->masked && (tables->masked_output[x] | tables->masked_output[x + 1]))
            row_two_ssse3(row, tables, x, true, false, out);
        else
            row_two_ssse3(row, tables, x, false, false, out);
}

/* u = clamp((S2 + 2^13) >> 14) for the pixels of `sums` (int32, one pixel
 * each), packed to int16 like the band; then to bytes. */
SSSE3 static INLINE __m128i settle_two_ssse3(__m128i sum_a, __m128i sum_b, __m128i lo, __m128i hi)
{
    const __m128i half = _mm_set1_epi32(1 << 13);
    __m128i u = _mm_packs_epi32(_mm_srai_epi32(_mm_add_epi32(sum_a, half), 14),
                                _mm_srai_epi32(_mm_add_epi32(sum_b, half), 14));
    u = _mm_min_epi16(_mm_max_epi16(u, lo), hi);
    return _mm_srai_epi16(_mm_add_epi16(u, _mm_set1_epi16(LEVEL_ONE / 2)), 7);
}

/* Pixels x .. x + 3 of a pass-2 row into 16 bytes. */
SSSE3 static INLINE __m128i column_four_ssse3(const column_pair *pairs, int count, size_t x,
                                              bool allow_ringing)
{
    __m128i sum0 = _mm_setzero_si128(), sum1 = sum0, sum2 = sum0, sum3 = sum0;
    __m128i lo0 = _mm_set1_epi16(TOP), lo1 = lo0, hi0 = _mm_setzero_si128(), hi1 = hi0;
    for (int k = 0; k < count; k++) {
        __m128i a0 = _mm_loadu_si128((const __m128i *)(pairs[k].a + x * 4));
        __m128i a1 = _mm_loadu_si128((const __m128i *)(pairs[k].a + x * 4 + 8));
        __m128i b0 = _mm_loadu_si128((const __m128i *)(pairs[k].b + x * 4));
        __m128i b1 = _mm_loadu_si128((const __m128i *)(pairs[k].b + x * 4 + 8));
        __m128i w = _mm_set1_epi32(pairs[k].weights);
        if (!allow_ringing) {
            lo0 = _mm_min_epi16(lo0, _mm_min_epi16(a0, b0));
            hi0 = _mm_max_epi16(hi0, _mm_max_epi16(a0, b0));
            lo1 = _mm_min_epi16(lo1, _mm_min_epi16(a1, b1));
            hi1 = _mm_max_epi16(hi1, _mm_max_epi16(a1, b1));
        }
        sum0 = _mm_add_epi32(sum0, _mm_madd_epi16(_mm_unpacklo_epi16(a0, b0), w));
        sum1 = _mm_add_epi32(sum1, _mm_madd_epi16(_mm_unpackhi_epi16(a0, b0), w));
        sum2 = _mm_add_epi32(sum2, _mm_madd_epi16(_mm_unpacklo_epi16(a1, b1), w));
        sum3 = _mm_add_epi32(sum3, _mm_madd_epi16(_mm_unpackhi_epi16(a1, b1), w));
    }
    if (allow_ringing) {
        lo0 = lo1 = _mm_setzero_si128();
        hi0 = hi1 = _mm_set1_epi16(TOP);
    }
    __m128i bytes = _mm_packus_epi16(settle_two_ssse3(sum0, sum1, lo0, hi0),
                                     settle_two_ssse3(sum2, sum3, lo1, hi1));
    return _mm_or_si128(bytes, _mm_set1_epi32((int)0xff000000u));
}

SSSE3 static void column_line_ssse3(const column_pair *pairs, int count, int width,
                                    bool allow_ringing, uint8_t *out)
{
    int x = 0;
    for (; x < width; x += 4) {
        __m128i bytes = allow_ringing ? column_four_ssse3(pairs, count, (size_t)x, true)
                                      : column_four_ssse3(pairs, count, (size_t)x, false);
        if (x + 4 <= width) {
            _mm_storeu_si128((__m128i *)(out + (size_t)x * 4), bytes);
        } else {
            uint8_t rest[16];
            _mm_storeu_si128((__m128i *)rest, bytes);
            memcpy(out + (size_t)x * 4, rest, (size_t)(width - x) * 4);
        }
    }
}

/* ------------------------------------------------------------------ AVX2 */

#define AVX2 __attribute__((target("avx2")))

AVX2 static INLINE __m256i range_avx2(__m256i bytes, bool high)
{
    const __m256i spread = _mm256_setr_epi8(SPREAD_RANGE, SPREAD_RANGE);
    __m256i shifted = _mm256_srli_epi64(bytes, 32);
    bytes = high ? _mm256_max_epu8(bytes, shifted) : _mm256_min_epu8(bytes, shifted);
    return _mm256_srli_epi16(_mm256_shuffle_epi8(bytes, spread), 1);
}

/* The blocks of outputs x and x + 1 (lanes 0 and 1): range and sum. */
AVX2 static INLINE void block_pair_avx2(const uint8_t *row, const row_tables *tables, size_t at,
                                        const int16_t *weight, bool masked, bool allow_ringing,
                                        __m256i *sum, __m256i *lo, __m256i *hi)
{
    const __m256i spread01 = _mm256_setr_epi8(SPREAD_PAIR(0), SPREAD_PAIR(0));
    const __m256i spread23 = _mm256_setr_epi8(SPREAD_PAIR(8), SPREAD_PAIR(8));
    const int32_t *index = tables->index + at;
    __m256i pixels = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(row + (size_t)index[0] * 4))),
        _mm_loadu_si128((const __m128i *)(row + (size_t)index[1] * 4)), 1);
    if (!allow_ringing && masked) {
        __m256i outside = _mm256_loadu_si256((const __m256i *)(tables->outside + at * 16));
        *lo = _mm256_min_epu8(*lo, _mm256_or_si256(pixels, outside));
        *hi = _mm256_max_epu8(*hi, _mm256_andnot_si256(outside, pixels));
    } else if (!allow_ringing) {
        *lo = _mm256_min_epu8(*lo, pixels);
        *hi = _mm256_max_epu8(*hi, pixels);
    }
    size_t half = (size_t)tables->width * 8;
    __m256i both =
        _mm256_add_epi32(_mm256_madd_epi16(_mm256_shuffle_epi8(pixels, spread01),
                                           _mm256_loadu_si256((const __m256i *)weight)),
                         _mm256_madd_epi16(_mm256_shuffle_epi8(pixels, spread23),
                                           _mm256_loadu_si256((const __m256i *)(weight + half))));
    *sum = _mm256_add_epi32(*sum, both);
}

/* Outputs x .. x + 3 of pass 1, as two lane pairs [x | x + 1] and [x + 2 |
 * x + 3]; packing them gives [x, x + 2 | x + 1, x + 3]. */
AVX2 static INLINE void row_four_avx2(const uint8_t *row, const row_tables *tables, int x,
                                      bool masked, bool allow_ringing, int16_t *out)
{
    size_t width = (size_t)tables->width;
    __m256i sum_ab = _mm256_setzero_si256(), sum_cd = sum_ab;
    __m256i lo_ab = _mm256_set1_epi8(-1), lo_cd = lo_ab, hi_ab = _mm256_setzero_si256(),
            hi_cd = hi_ab;
    for (int b = 0; b < tables->blocks; b++) {
        size_t at = (size_t)b * width + (size_t)x;
        const int16_t *weight = tables->weight + ((size_t)(2 * b) * width + (size_t)x) * 8;
        block_pair_avx2(row, tables, at, weight, masked, allow_ringing, &sum_ab, &lo_ab, &hi_ab);
        block_pair_avx2(row, tables, at + 2, weight + 16, masked, allow_ringing, &sum_cd, &lo_cd,
                        &hi_cd);
    }
    const __m256i half = _mm256_set1_epi32(LEVEL_ONE / 2);
    __m256i v = _mm256_packs_epi32(_mm256_srai_epi32(_mm256_add_epi32(sum_ab, half), 7),
                                   _mm256_srai_epi32(_mm256_add_epi32(sum_cd, half), 7));
    if (allow_ringing) {
        v = _mm256_min_epi16(_mm256_max_epi16(v, _mm256_setzero_si256()), _mm256_set1_epi16(TOP));
    } else {
        lo_ab = _mm256_min_epu8(lo_ab, _mm256_srli_si256(lo_ab, 8));
        lo_cd = _mm256_min_epu8(lo_cd, _mm256_srli_si256(lo_cd, 8));
        hi_ab = _mm256_max_epu8(hi_ab, _mm256_srli_si256(hi_ab, 8));
        hi_cd = _mm256_max_epu8(hi_cd, _mm256_srli_si256(hi_cd, 8));
        v = _mm256_max_epi16(v, range_avx2(_mm256_unpacklo_epi64(lo_ab, lo_cd), false));
        v = _mm256_min_epi16(v, range_avx2(_mm256_unpacklo_epi64(hi_ab, hi_cd), true));
    }
    _mm256_storeu_si256((__m256i *)out, _mm256_permute4x64_epi64(v, _MM_SHUFFLE(3, 1, 2, 0)));
}

AVX2 static void row_line_avx2(const uint8_t *row, const row_tables *tables, bool allow_ringing,
                               int16_t *out)
{
    for (int x = 0; x < tables->width; x += 4, out += 16) {
        uint32_t masked = 0;
        if (tables->masked)
            memcpy(&masked, tables->masked_output + x, sizeof masked);
        if (allow_ringing)
            row_four_avx2(row, tables, x, false, true, out);
        else if (masked)
            row_four_avx2(row, tables, x, true, false, out);
        else
            row_four_avx2(row, tables, x, false, false, out);
    }
}

AVX2 static INLINE __m256i settle_four_avx2(__m256i sum_a, __m256i sum_b, __m256i lo, __m256i hi)
{
    const __m256i half = _mm256_set1_epi32(1 << 13);
    __m256i u = _mm256_packs_epi32(_mm256_srai_epi32(_mm256_add_epi32(sum_a, half), 14),
                                   _mm256_srai_epi32(_mm256_add_epi32(sum_b, half), 14));
    u = _mm256_min_epi16(_mm256_max_epi16(u, lo), hi);
    return _mm256_srai_epi16(_mm256_add_epi16(u, _mm256_set1_epi16(LEVEL_ONE / 2)), 7);
}

/* Pixels x .. x + 7 of a pass-2 row into 32 bytes. Unpacking works within
 * 128-bit lanes: sum0 holds pixels [0 | 2], sum1 [1 | 3], and packing them
 * gives [0 1 | 2 3] again, the order of the loaded band. */
AVX2 static INLINE __m256i column_eight_avx2(const column_pair *pairs, int count, size_t x,
                                             bool allow_ringing)
{
    __m256i sum0 = _mm256_setzero_si256(), sum1 = sum0, sum2 = sum0, sum3 = sum0;
    __m256i lo0 = _mm256_set1_epi16(TOP), lo1 = lo0, hi0 = _mm256_setzero_si256(), hi1 = hi0;
    for (int k = 0; k < count; k++) {
        __m256i a0 = _mm256_loadu_si256((const __m256i *)(pairs[k].a + x * 4));
        __m256i a1 = _mm256_loadu_si256((const __m256i *)(pairs[k].a + x * 4 + 16));
        __m256i b0 = _mm256_loadu_si256((const __m256i *)(pairs[k].b + x * 4));
        __m256i b1 = _mm256_loadu_si256((const __m256i *)(pairs[k].b + x * 4 + 16));
        __m256i w = _mm256_set1_epi32(pairs[k].weights);
        if (!allow_ringing) {
            lo0 = _mm256_min_epi16(lo0, _mm256_min_epi16(a0, b0));
            hi0 = _mm256_max_epi16(hi0, _mm256_max_epi16(a0, b0));
            lo1 = _mm256_min_epi16(lo1, _mm256_min_epi16(a1, b1));
            hi1 = _mm256_max_epi16(hi1, _mm256_max_epi16(a1, b1));
        }
        sum0 = _mm256_add_epi32(sum0, _mm256_madd_epi16(_mm256_unpacklo_epi16(a0, b0), w));
        sum1 = _mm256_add_epi32(sum1, _mm256_madd_epi16(_mm256_unpackhi_epi16(a0, b0), w));
        sum2 = _mm256_add_epi32(sum2, _mm256_madd_epi16(_mm256_unpacklo_epi16(a1, b1), w));
        sum3 = _mm256_add_epi32(sum3, _mm256_madd_epi16(_mm256_unpackhi_epi16(a1, b1), w));
    }
    if (allow_ringing) {
        lo0 = lo1 = _mm256_setzero_si256();
        hi0 = hi1 = _mm256_set1_epi16(TOP);
    }
    /* [0 1 4 5 | 2 3 6 7] after packing: put the pixels in order */
    __m256i bytes = _mm256_packus_epi16(settle_four_avx2(sum0, sum1, lo0, hi0),
                                        settle_four_avx2(sum2, sum3, lo1, hi1));
    bytes = _mm256_permute4x64_epi64(bytes, _MM_SHUFFLE(3, 1, 2, 0));
    return _mm256_or_si256(bytes, _mm256_set1_epi32((int)0xff000000u));
}

AVX2 static void column_line_avx2(const column_pair *pairs, int count, int width,
                                  bool allow_ringing, uint8_t *out)
{
    for (int x = 0; x < width; x += 8) {
        __m256i bytes = allow_ringing ? column_eight_avx2(pairs, count, (size_t)x, true)
                                      : column_eight_avx2(pairs, count, (size_t)x, false);
        if (x + 8 <= width) {
            _mm256_storeu_si256((__m256i *)(out + (size_t)x * 4), bytes);
        } else {
            uint8_t rest[32];
            _mm256_storeu_si256((__m256i *)rest, bytes);
            memcpy(out + (size_t)x * 4, rest, (size_t)(width - x) * 4);
        }
    }
}

#endif /* OPAQUE_X86 */

/* ------------------------------------------------------------- dispatch */

typedef void simd_row_fn(const uint8_t *row, const row_tables *tables, bool allow_ringing,
                         int16_t *out);
typedef void simd_column_fn(const column_pair *pairs, int count, int width, bool allow_ringing,
                            uint8_t *out);

static bool path_available(cr_resample_path path)
{
    switch (path) {
    case CR_RESAMPLE_PATH_AUTO:
    case CR_RESAMPLE_PATH_EXACT:
    case CR_RESAMPLE_PATH_OPAQUE_C:
        return true;
    case CR_RESAMPLE_PATH_EXACT_C:
    case CR_RESAMPLE_PATH_EXACT_SSE2:
    case CR_RESAMPLE_PATH_EXACT_AVX2:
        return cr_resample_exact_version_available(path);
#ifdef OPAQUE_X86
    case CR_RESAMPLE_PATH_OPAQUE_SSSE3:
        return __builtin_cpu_supports("ssse3");
    case CR_RESAMPLE_PATH_OPAQUE_AVX2:
        return __builtin_cpu_supports("avx2");
#endif
    default:
        return false;
    }
}

bool cr_resample_force_path(cr_resample_path path)
{
    if (!path_available(path))
        return false;
    forced_path = path;
    return true;
}

cr_resample_path cr_resample_forced_path(void)
{
    return forced_path;
}

/* The SIMD version to run (NULL: the C one): the forced one, else the
 * fastest available. SIMD reads pixels in blocks of 4. */
static void choose_version(const cr_opaque_axis *across, simd_row_fn **row_fn,
                           simd_column_fn **column_fn)
{
    *row_fn = NULL, *column_fn = NULL;
#ifdef OPAQUE_X86
    cr_resample_path path = forced_path;
    if (path == CR_RESAMPLE_PATH_AUTO)
        path = path_available(CR_RESAMPLE_PATH_OPAQUE_AVX2)    ? CR_RESAMPLE_PATH_OPAQUE_AVX2
               : path_available(CR_RESAMPLE_PATH_OPAQUE_SSSE3) ? CR_RESAMPLE_PATH_OPAQUE_SSSE3
                                                               : CR_RESAMPLE_PATH_OPAQUE_C;
    if (across->in_size < 4)
        return;
    if (path == CR_RESAMPLE_PATH_OPAQUE_AVX2)
        *row_fn = row_line_avx2, *column_fn = column_line_avx2;
    else if (path == CR_RESAMPLE_PATH_OPAQUE_SSSE3)
        *row_fn = row_line_ssse3, *column_fn = column_line_ssse3;
#endif
}

/* ------------------------------------------------------------ the passes */

cr_status cr_resample_opaque(const cr_pixmap *src, const cr_opaque_axis *across,
                             const cr_opaque_axis *down, bool allow_ringing, cr_pixmap *out,
                             cr_error *err)
{
    simd_row_fn *row_fn;
    simd_column_fn *column_fn;
    choose_version(across, &row_fn, &column_fn);

    /* Band rows are made in order as the output rows need them and kept in
     * a ring of `window` rows: every row an output reads is among the last
     * `window` made, and the ring stays in the cache. */
    int window = 1, made_end = 0, next = down->first[0]; /* next: the next source row to filter */
    for (int y = 0; y < down->out_size; y++) {
        next = down->first[y] < next ? down->first[y] : next;
        int end = down->first[y] + down->taps[y];
        made_end = end > made_end ? end : made_end;
        window = made_end - down->first[y] > window ? made_end - down->first[y] : window;
    }
    size_t stride = (size_t)padded(across->out_size) * 4; /* int16 per band row */
    int16_t *ring = malloc(sizeof *ring * stride * (size_t)window);
    const int16_t **rows = malloc(sizeof *rows * (size_t)window);
    column_pair *pairs = malloc(sizeof *pairs * (size_t)window);
    row_tables tables = {0};
    if (!ring || !rows || !pairs || (row_fn && !row_tables_build(across, &tables))) {
        free(ring);
        free(rows);
        free(pairs);
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for resampling");
    }

    for (int y = 0; y < down->out_size; y++) {
        int first = down->first[y], taps = down->taps[y];
        for (; next < first + taps; next++) {
            const uint8_t *row = cr_pixmap_at(src, 0, next);
            int16_t *band = ring + (size_t)(next % window) * stride;
            if (row_fn)
                row_fn(row, &tables, allow_ringing, band);
            else
                row_line_c(row, across, allow_ringing, band);
        }
        for (int t = 0; t < taps; t++)
            rows[t] = ring + (size_t)((first + t) % window) * stride;
        uint8_t *line = cr_pixmap_at(out, 0, y);
        if (column_fn)
            column_fn(pairs, column_pairs(rows, down, y, pairs), across->out_size, allow_ringing,
                      line);
        else
            column_line_c(rows, down, y, across->out_size, allow_ringing, line);
    }
    row_tables_free(&tables);
    free(ring);
    free(rows);
    free(pairs);
    return CR_OK;
}
