/* Paeth filtering (png_filter.h) in 16-bit lanes with GCC's vector
 * extensions (no intrinsics): eight bytes at a time in one SSE2 or NEON
 * register, sixteen in one AVX2 register where the CPU has it. Both are
 * checked against the plain version in tests/test_png_filter.c. */
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
/* Sixteen bytes at a time in one AVX2 register: the same body, compiled
 * for it. */
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int16_t i16x16 __attribute__((vector_size(32)));

__attribute__((target("avx2"))) static size_t paeth_avx2(const uint8_t *row, const uint8_t *above,
                                                         size_t i, size_t to, uint8_t *out)
{
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
        size_t i = filter_edges(row, above, from, to, out);
        i = paeth_avx2(row, above, i, to, out + (i - from));
        png_filter_paeth_plain(row, above, i, to, out + (i - from));
        return;
    }
#endif
    png_filter_paeth_vector8(row, above, from, to, out);
}
