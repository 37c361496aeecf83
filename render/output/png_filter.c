/* Paeth filtering (png_filter.h) in 16-bit lanes with GCC's vector
 * extensions: eight bytes at a time in one SSE2 or NEON register, sixteen
 * in one AVX2 register; and where the CPU has AVX2, thirty-two at a time
 * in bytes with its intrinsics. All are checked against the plain version
 * in tests/test_png_plan.c. */
#include "png_filter.h"

#include <string.h>

/* The predictor of the PNG specification (section 9.4): the neighbour
 * nearest to left + above - upper left, ties to left, then above. */
static uint8_t paeth_predictor(int left, int above, int upper_left)
{
    int p = left + above - upper_left;
    int distance_left = p > left ? p - left : left - p;
    int distance_above = p > above ? p - above : above - p;
    int distance_upper_left = p > upper_left ? p - upper_left : upper_left - p;
    if (distance_left <= distance_above && distance_left <= distance_upper_left)
        return (uint8_t)left;
    return (uint8_t)(distance_above <= distance_upper_left ? above : upper_left);
}

void png_filter_paeth_plain(const uint8_t *row, const uint8_t *above, size_t from, size_t to,
                            uint8_t *out)
{
    for (size_t i = from; i < to; i++) {
        int left = i >= CR_PNG_PIXEL_BYTES ? row[i - CR_PNG_PIXEL_BYTES] : 0;
        int up = above ? above[i] : 0;
        int upper_left = above && i >= CR_PNG_PIXEL_BYTES ? above[i - CR_PNG_PIXEL_BYTES] : 0;
        out[i - from] = (uint8_t)(row[i] - paeth_predictor(left, up, upper_left));
    }
}

/* Paeth on the vector's width of bytes at row + i (i >= 3: the left
 * neighbours exist) into out, in lanes of type WIDE (int16) loaded from
 * and stored as NARROW (uint8) vectors: one body for every width. Written
 * as a macro so that no function passes a vector wider than the baseline's
 * registers by value. |p - left| = |up - upper_left| and so on, with
 * p = left + up - upper_left. */
#define LOAD_WIDE(WIDE, NARROW, p, v)                                                              \
    do {                                                                                           \
        NARROW bytes_;                                                                             \
        memcpy(&bytes_, (p), sizeof bytes_);                                                       \
        (v) = __builtin_convertvector(bytes_, WIDE);                                               \
    } while (0)
#define ABSOLUTE(v) (((v) ^ ((v) >> 15)) - ((v) >> 15))
#define PAETH_VECTOR(WIDE, NARROW, row, above, i, out)                                             \
    do {                                                                                           \
        WIDE left, up, upper_left;                                                                 \
        LOAD_WIDE(WIDE, NARROW, (row) + (i)-CR_PNG_PIXEL_BYTES, left);                             \
        LOAD_WIDE(WIDE, NARROW, (above) + (i), up);                                                \
        LOAD_WIDE(WIDE, NARROW, (above) + (i)-CR_PNG_PIXEL_BYTES, upper_left);                     \
        WIDE to_up = up - upper_left, to_left = left - upper_left, to_both = to_up + to_left;      \
        WIDE distance_left = ABSOLUTE(to_up), distance_above = ABSOLUTE(to_left);                  \
        WIDE distance_upper_left = ABSOLUTE(to_both);                                              \
        WIDE take_left =                                                                           \
            (distance_left <= distance_above) & (distance_left <= distance_upper_left);            \
        WIDE take_above = ~take_left & (distance_above <= distance_upper_left);                    \
        WIDE predicted =                                                                           \
            (left & take_left) | (up & take_above) | (upper_left & ~(take_left | take_above));     \
        NARROW x;                                                                                  \
        memcpy(&x, (row) + (i), sizeof x);                                                         \
        x -= __builtin_convertvector(predicted, NARROW);                                           \
        memcpy((out), &x, sizeof x);                                                               \
    } while (0)

typedef uint8_t u8x8 __attribute__((vector_size(8)));
typedef int16_t i16x8 __attribute__((vector_size(16)));

/* The first pixel has no left neighbour, the first row no row above: there
 * Paeth is the left pixel alone (a subtraction). Returns where the rest
 * begins. */
static size_t filter_edges(const uint8_t *row, const uint8_t *above, size_t from, size_t to,
                           uint8_t *out)
{
    size_t i = from;
    if (i < CR_PNG_PIXEL_BYTES) {
        size_t end = to < CR_PNG_PIXEL_BYTES ? to : CR_PNG_PIXEL_BYTES;
        png_filter_paeth_plain(row, above, i, end, out);
        i = end;
    }
    if (!above) {
        for (; i < to; i++)
            out[i - from] = (uint8_t)(row[i] - row[i - CR_PNG_PIXEL_BYTES]);
    }
    return i;
}

void png_filter_paeth_vector8(const uint8_t *row, const uint8_t *above, size_t from, size_t to,
                              uint8_t *out)
{
    size_t i = filter_edges(row, above, from, to, out);
    for (; i + 8 <= to; i += 8)
        PAETH_VECTOR(i16x8, u8x8, row, above, i, out + (i - from));
    png_filter_paeth_plain(row, above, i, to, out + (i - from));
}

#if defined(__x86_64__) || defined(__i386__)
#define PAETH_AVX2 1
#include <immintrin.h>

/* Sixteen bytes at a time in one AVX2 register: the same body, compiled
 * for it. */
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int16_t i16x16 __attribute__((vector_size(32)));

/* Thirty-two bytes at a time in bytes, not 16-bit lanes: the distances
 * |up - upper_left| and |left - upper_left| are exact as max - min, and the
 * third, |(up - upper_left) + (left - upper_left)|, is their sum when the
 * two differences have one sign (saturated at 255: it then exceeds both
 * others anyway, so every comparison comes out the same) and the
 * difference of the two when not. A byte is unsigned a <= b as
 * min(a, b) == a. About three times the 16-lane body's speed (the filter
 * was 5% of a benchmark card). */
__attribute__((target("avx2"))) static inline __m256i distance_u8(__m256i a, __m256i b)
{
    return _mm256_sub_epi8(_mm256_max_epu8(a, b), _mm256_min_epu8(a, b));
}

__attribute__((target("avx2"))) static inline __m256i at_most_u8(__m256i a, __m256i b)
{
    return _mm256_cmpeq_epi8(_mm256_min_epu8(a, b), a);
}

__attribute__((target("avx2"))) static size_t paeth_avx2(const uint8_t *row, const uint8_t *above,
                                                         size_t i, size_t to, uint8_t *out)
{
    for (; i + 32 <= to; i += 32, out += 32) {
        __m256i left = _mm256_loadu_si256((const __m256i *)(row + i - CR_PNG_PIXEL_BYTES));
        __m256i up = _mm256_loadu_si256((const __m256i *)(above + i));
        __m256i upper_left = _mm256_loadu_si256((const __m256i *)(above + i - CR_PNG_PIXEL_BYTES));
        __m256i distance_left = distance_u8(up, upper_left);    /* |p - left| */
        __m256i distance_above = distance_u8(left, upper_left); /* |p - up| */
        __m256i one_sign =
            ~_mm256_xor_si256(at_most_u8(upper_left, up), at_most_u8(upper_left, left));
        __m256i distance_upper_left =
            _mm256_blendv_epi8(distance_u8(distance_left, distance_above),
                               _mm256_adds_epu8(distance_left, distance_above), one_sign);
        __m256i take_left = _mm256_and_si256(at_most_u8(distance_left, distance_above),
                                             at_most_u8(distance_left, distance_upper_left));
        __m256i take_above = at_most_u8(distance_above, distance_upper_left);
        __m256i predicted =
            _mm256_blendv_epi8(_mm256_blendv_epi8(upper_left, up, take_above), left, take_left);
        __m256i x = _mm256_loadu_si256((const __m256i *)(row + i));
        _mm256_storeu_si256((__m256i *)out, _mm256_sub_epi8(x, predicted));
    }
    for (; i + 16 <= to; i += 16, out += 16)
        PAETH_VECTOR(i16x16, u8x16, row, above, i, out);
    return i;
}
#endif

void png_filter_paeth(const uint8_t *row, const uint8_t *above, size_t from, size_t to,
                      uint8_t *out)
{
#ifdef PAETH_AVX2
    if (above && __builtin_cpu_supports("avx2")) {
        size_t first = filter_edges(row, above, from, to, out);
        size_t i = paeth_avx2(row, above, first, to, out + (first - from));
        /* The last bytes again in one 32 that ends at `to`, not one at a
         * time: filtering a byte twice writes it twice the same. The
         * plain code took 0.8% of a card on the ends of its segments. */
        if (i < to && to - first >= 32)
            i = paeth_avx2(row, above, to - 32, to, out + (to - 32 - from));
        png_filter_paeth_plain(row, above, i, to, out + (i - from));
        return;
    }
#endif
    png_filter_paeth_vector8(row, above, from, to, out);
}
