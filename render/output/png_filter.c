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
        int left = i >= PNG_PIXEL_BYTES ? row[i - PNG_PIXEL_BYTES] : 0;
        int up = above ? above[i] : 0;
        int upper_left = above && i >= PNG_PIXEL_BYTES ? above[i - PNG_PIXEL_BYTES] : 0;
        out[i - from] = (uint8_t)(row[i] - paeth_predictor(left, up, upper_left));
    }
}

typedef uint8_t u8x8 __attribute__((vector_size(8)));
typedef int16_t i16x8 __attribute__((vector_size(16)));

static i16x8 load_wide(const uint8_t *p)
{
    u8x8 v;
    memcpy(&v, p, sizeof v);
    return __builtin_convertvector(v, i16x8);
}

static i16x8 absolute(i16x8 v)
{
    i16x8 sign = v >> 15;
    return (v ^ sign) - sign;
}

/* Eight filtered bytes at row + i, i >= 3 (the left neighbours exist). */
static void paeth_8(const uint8_t *row, const uint8_t *above, size_t i, uint8_t *out)
{
    i16x8 left = load_wide(row + i - PNG_PIXEL_BYTES), up = load_wide(above + i);
    i16x8 upper_left = load_wide(above + i - PNG_PIXEL_BYTES);
    /* |p - left| = |up - upper_left| and so on, with p = left + up - upper_left */
    i16x8 distance_left = absolute(up - upper_left);
    i16x8 distance_above = absolute(left - upper_left);
    i16x8 distance_upper_left = absolute(left + up - upper_left - upper_left);
    i16x8 take_left = (distance_left <= distance_above) & (distance_left <= distance_upper_left);
    i16x8 take_above = ~take_left & (distance_above <= distance_upper_left);
    i16x8 predicted =
        (left & take_left) | (up & take_above) | (upper_left & ~(take_left | take_above));
    u8x8 x;
    memcpy(&x, row + i, sizeof x);
    x -= __builtin_convertvector(predicted, u8x8);
    memcpy(out, &x, sizeof x);
}

/* The first pixel has no left neighbour, the first row no row above: there
 * Paeth is the left pixel alone (a subtraction); the rest from `start`. */
static size_t filter_edges(const uint8_t *row, const uint8_t *above, size_t from, size_t to,
                           uint8_t *out)
{
    size_t i = from;
    if (i < PNG_PIXEL_BYTES) {
        size_t end = to < PNG_PIXEL_BYTES ? to : PNG_PIXEL_BYTES;
        png_filter_paeth_plain(row, above, i, end, out);
        i = end;
    }
    if (!above) {
        for (; i < to; i++)
            out[i - from] = (uint8_t)(row[i] - row[i - PNG_PIXEL_BYTES]);
    }
    return i;
}

void png_filter_paeth_vector8(const uint8_t *row, const uint8_t *above, size_t from, size_t to,
                              uint8_t *out)
{
    size_t i = filter_edges(row, above, from, to, out);
    for (; i + 8 <= to; i += 8)
        paeth_8(row, above, i, out + (i - from));
    png_filter_paeth_plain(row, above, i, to, out + (i - from));
}

#if defined(__x86_64__) || defined(__i386__)
#define PAETH_AVX2 1
/* Sixteen bytes at a time in one AVX2 register: the same vector code,
 * compiled for it. No helper returns a 32-byte vector (which would change
 * the calling convention of code built without AVX). */
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int16_t i16x16 __attribute__((vector_size(32)));

#define LOAD_WIDE_16(p, v)                                                                         \
    do {                                                                                           \
        u8x16 bytes_;                                                                              \
        memcpy(&bytes_, (p), sizeof bytes_);                                                       \
        (v) = __builtin_convertvector(bytes_, i16x16);                                             \
    } while (0)
#define ABSOLUTE_16(v) (((v) ^ ((v) >> 15)) - ((v) >> 15))

__attribute__((target("avx2"))) static size_t paeth_avx2(const uint8_t *row, const uint8_t *above,
                                                         size_t i, size_t to, uint8_t *out)
{
    for (; i + 16 <= to; i += 16, out += 16) {
        i16x16 left, up, upper_left;
        LOAD_WIDE_16(row + i - PNG_PIXEL_BYTES, left);
        LOAD_WIDE_16(above + i, up);
        LOAD_WIDE_16(above + i - PNG_PIXEL_BYTES, upper_left);
        i16x16 d_up = up - upper_left, d_left = left - upper_left, d_sum = d_up + d_left;
        i16x16 distance_left = ABSOLUTE_16(d_up), distance_above = ABSOLUTE_16(d_left);
        i16x16 distance_upper_left = ABSOLUTE_16(d_sum);
        i16x16 take_left =
            (distance_left <= distance_above) & (distance_left <= distance_upper_left);
        i16x16 take_above = ~take_left & (distance_above <= distance_upper_left);
        i16x16 predicted =
            (left & take_left) | (up & take_above) | (upper_left & ~(take_left | take_above));
        u8x16 x;
        memcpy(&x, row + i, sizeof x);
        x -= __builtin_convertvector(predicted, u8x16);
        memcpy(out, &x, sizeof x);
    }
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
