/* RGB8 canvas and its compositing primitives. All blending goes through
 * blend_channel() with integer rounding, so a card renders to the same bytes
 * on every machine. */
#include "raster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "error.h"
#include "pixel_memory.h"

enum { CANVAS_MAX_SIDE = 20000 };

cr_status cr_canvas_init(cr_canvas *canvas, int width, int height, cr_error *err)
{
    if (!canvas)
        return cr_fail(err, CR_ERR_ARGUMENT, "no canvas given");
    memset(canvas, 0, sizeof *canvas);
    if (width <= 0 || height <= 0 || width > CANVAS_MAX_SIDE || height > CANVAS_MAX_SIDE)
        return cr_fail(err, CR_ERR_ARGUMENT,
                       "canvas size %dx%d is not between 1x1 and %dx%d pixels", width, height,
                       CANVAS_MAX_SIDE, CANVAS_MAX_SIDE);
    int stride = width * 3;
    /* Starts black (all zero): every caller paints its own background. */
    uint8_t *pixels = cr_pixel_memory_alloc((size_t)height * (size_t)stride, true);
    if (!pixels)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for a %dx%d canvas", width, height);
    canvas->width = width;
    canvas->height = height;
    canvas->stride = stride;
    canvas->pixels = pixels;
    return CR_OK;
}

void cr_canvas_free(cr_canvas *canvas)
{
    if (!canvas)
        return;
    cr_pixel_memory_free(canvas->pixels);
    memset(canvas, 0, sizeof *canvas);
}

static inline uint8_t blend_channel(uint8_t src, uint8_t dst, unsigned alpha)
{
    return (uint8_t)cr_div255(src * alpha + dst * (255 - alpha));
}

/* The alpha a pixel gets from its 8-bit coverage and the colour's alpha. */
static inline unsigned effective_alpha(unsigned coverage, cr_color color)
{
    return cr_div255(coverage * color.a);
}

static inline void blend_pixel(uint8_t *px, cr_color color, unsigned alpha)
{
    if (alpha == 0)
        return;
    if (alpha >= 255) {
        px[0] = color.r;
        px[1] = color.g;
        px[2] = color.b;
        return;
    }
    px[0] = blend_channel(color.r, px[0], alpha);
    px[1] = blend_channel(color.g, px[1], alpha);
    px[2] = blend_channel(color.b, px[2], alpha);
}

/* `count` pixels from px, all at one alpha. */
static void blend_span(uint8_t *px, int count, cr_color color, unsigned alpha)
{
    if (alpha == 0 || count <= 0)
        return;
    if (alpha < 255) {
        for (int i = 0; i < count; i++)
            blend_pixel(px + 3 * i, color, alpha);
        return;
    }
    if (color.r == color.g && color.g == color.b) {
        memset(px, color.r, (size_t)count * 3);
        return;
    }
    for (int i = 0; i < count; i++) {
        px[3 * i] = color.r;
        px[3 * i + 1] = color.g;
        px[3 * i + 2] = color.b;
    }
}

void cr_canvas_fill(cr_canvas *canvas, cr_color color)
{
    if (!canvas || !canvas->pixels)
        return;
    unsigned alpha = effective_alpha(255, color);
    for (int y = 0; y < canvas->height; y++)
        blend_span(canvas->pixels + (size_t)y * (size_t)canvas->stride, canvas->width, color,
                   alpha);
}

static int clamp_int(long long v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : (int)v;
}

/* One row of a glyph's coverage (the text of a card spends most of its
 * drawing time here). Most of a glyph's box is empty: eight empty bytes
 * are passed over at once. */
static void blend_mask_row_c(uint8_t *dst, const uint8_t *coverage, int count, cr_color color)
{
    for (int from = 0; from < count; from += 8) {
        int to = count - from < 8 ? count : from + 8;
        uint64_t eight;
        if (to - from == 8 && (memcpy(&eight, coverage + from, sizeof eight), eight == 0))
            continue;
        for (int i = from; i < to; i++)
            if (coverage[i])
                blend_pixel(dst + (size_t)i * 3, color, effective_alpha(coverage[i], color));
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RASTER_SSSE3 __attribute__((target("ssse3")))

/* Eight pixels (24 bytes) of an opaque colour at once, in 16-bit lanes:
 * (c * a + d * (255 - a) + 127) / 255 is (v + 128 + ((v + 128) >> 8)) >> 8
 * for every v = c * a + d * (255 - a) <= 65025 (checked exhaustively), so
 * the bytes are blend_pixel's; a coverage of 0 gives d back, 255 gives c. */
RASTER_SSSE3 static inline __m128i blend_lanes(__m128i colour, __m128i alpha, __m128i dst)
{
    const __m128i full = _mm_set1_epi16(255), half = _mm_set1_epi16(128);
    __m128i v = _mm_add_epi16(_mm_mullo_epi16(colour, alpha),
                              _mm_mullo_epi16(dst, _mm_sub_epi16(full, alpha)));
    v = _mm_add_epi16(v, half);
    return _mm_srli_epi16(_mm_add_epi16(v, _mm_srli_epi16(v, 8)), 8);
}

/* 16 channel bytes: low 8 and high 8 blended, packed back. */
RASTER_SSSE3 static inline __m128i blend_bytes(__m128i colour, __m128i alpha, __m128i dst)
{
    const __m128i zero = _mm_setzero_si128();
    __m128i low = blend_lanes(_mm_unpacklo_epi8(colour, zero), _mm_unpacklo_epi8(alpha, zero),
                              _mm_unpacklo_epi8(dst, zero));
    __m128i high = blend_lanes(_mm_unpackhi_epi8(colour, zero), _mm_unpackhi_epi8(alpha, zero),
                               _mm_unpackhi_epi8(dst, zero));
    return _mm_packus_epi16(low, high);
}

/* Eight pixels (24 bytes at dst) blended at the coverages in the low 8
 * bytes of eight; nothing is read or written when all are 0. */
RASTER_SSSE3 static inline void blend_eight_ssse3(uint8_t *dst, __m128i eight, __m128i colour_low,
                                                  __m128i colour_high)
{
    /* Each coverage byte three times: pixels 0-5 (and a third of 5) in the
     * first 16 channel bytes, the rest of 5 and 6-7 in the next 8. */
    const __m128i spread_low = _mm_setr_epi8(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5);
    const __m128i spread_high = _mm_setr_epi8(5, 5, 6, 6, 6, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0, 0);
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(eight, _mm_setzero_si128())) == 0xffff)
        return;
    __m128i low = _mm_loadu_si128((const __m128i *)dst);
    __m128i high = _mm_loadl_epi64((const __m128i *)(dst + 16));
    low = blend_bytes(colour_low, _mm_shuffle_epi8(eight, spread_low), low);
    high = blend_bytes(colour_high, _mm_shuffle_epi8(eight, spread_high), high);
    _mm_storeu_si128((__m128i *)dst, low);
    _mm_storel_epi64((__m128i *)(dst + 16), high);
}

/* Eight pixels of the colour, as blend_eight_ssse3 takes them. */
typedef struct colour_eight {
    __m128i low, high;
} colour_eight;

RASTER_SSSE3 static colour_eight colour_eight_of(cr_color color)
{
    uint8_t pattern[24];
    for (int i = 0; i < 24; i += 3) {
        pattern[i] = color.r;
        pattern[i + 1] = color.g;
        pattern[i + 2] = color.b;
    }
    return (colour_eight){_mm_loadu_si128((const __m128i *)pattern),
                          _mm_loadl_epi64((const __m128i *)(pattern + 16))};
}

RASTER_SSSE3 static inline void blend_mask_row_ssse3(uint8_t *dst, const uint8_t *coverage,
                                                     int count, cr_color color, colour_eight colour)
{
    const __m128i colour_low = colour.low, colour_high = colour.high;
    int i = 0;
    for (; i + 8 <= count; i += 8)
        blend_eight_ssse3(dst + (size_t)i * 3, _mm_loadl_epi64((const __m128i *)(coverage + i)),
                          colour_low, colour_high);
    if (i == count)
        return;
    if (count < 8) {
        blend_mask_row_c(dst + (size_t)i * 3, coverage + i, count - i, color);
        return;
    }
    /* The last 8 pixels again, those already blended at coverage 0 (which
     * leaves a pixel as it is): no pixel past the row is read. */
    __m128i done = _mm_cvtsi32_si128(8 * (8 - (count - i)));
    __m128i last = _mm_loadl_epi64((const __m128i *)(coverage + count - 8));
    blend_eight_ssse3(dst + (size_t)(count - 8) * 3, _mm_sll_epi64(_mm_srl_epi64(last, done), done),
                      colour_low, colour_high);
}

/* The rows of a mask, its colour laid out once for all of them (once a
 * row, it was a fifth of the rows' time: a glyph's rows are short). With
 * `blocks`, each row is that many whole blocks of 8, the mask's zeros
 * past its width blending nothing (a coverage of 0 leaves a pixel as it
 * is): no shorter block at the end, which overlapped the block before
 * and read what it had just stored. */
RASTER_SSSE3 static void blend_mask_rows_ssse3(uint8_t *dst, size_t stride, const uint8_t *coverage,
                                               ptrdiff_t pitch, int count, int rows, int blocks,
                                               cr_color color)
{
    colour_eight colour = colour_eight_of(color);
    for (int row = 0; row < rows; row++) {
        uint8_t *to = dst + (size_t)row * stride;
        const uint8_t *from = coverage + (ptrdiff_t)row * pitch;
        if (!blocks) {
            blend_mask_row_ssse3(to, from, count, color, colour);
            continue;
        }
        for (int b = 0; b < blocks; b++)
            blend_eight_ssse3(to + (size_t)b * 24, _mm_loadl_epi64((const __m128i *)(from + 8 * b)),
                              colour.low, colour.high);
    }
}
#endif

static void blend_mask_rows(uint8_t *dst, size_t stride, const uint8_t *coverage, ptrdiff_t pitch,
                            int count, int rows, int blocks, cr_color color)
{
#ifdef RASTER_SSSE3
    if (color.a == 255 && __builtin_cpu_supports("ssse3")) {
        blend_mask_rows_ssse3(dst, stride, coverage, pitch, count, rows, blocks, color);
        return;
    }
#endif
    for (int row = 0; row < rows; row++)
        blend_mask_row_c(dst + (size_t)row * stride, coverage + (ptrdiff_t)row * pitch, count,
                         color);
}

/* With `padded`, rows are readable and 0 from width to pitch (a multiple of
 * 8): blocks of 8 are blended whole where the canvas row has room. */
static void blend_mask(cr_canvas *canvas, const uint8_t *mask, int width, int rows, int pitch,
                       int x, int y, cr_color color, bool padded)
{
    if (!canvas || !canvas->pixels || !mask || width <= 0 || rows <= 0 || color.a == 0)
        return;
    /* 64-bit sums: x + width must not overflow for far-off positions. */
    int x_from = clamp_int(x, 0, canvas->width);
    int x_to = clamp_int((long long)x + width, 0, canvas->width);
    int y_from = clamp_int(y, 0, canvas->height);
    int y_to = clamp_int((long long)y + rows, 0, canvas->height);
    if (x_from >= x_to || y_from >= y_to)
        return;
    int count = x_to - x_from, skip = x_from - x, blocks = (count + 7) / 8;
    if (!padded || skip + 8 * blocks > pitch || x_from + 8 * blocks > canvas->width)
        blocks = 0; /* no room: rows end in a shorter block */
    blend_mask_rows(canvas->pixels + (size_t)y_from * (size_t)canvas->stride + (size_t)x_from * 3,
                    (size_t)canvas->stride, mask + (ptrdiff_t)(y_from - y) * pitch + skip, pitch,
                    count, y_to - y_from, blocks, color);
}

void cr_canvas_blend_mask(cr_canvas *canvas, const uint8_t *mask, int width, int rows, int pitch,
                          int x, int y, cr_color color)
{
    blend_mask(canvas, mask, width, rows, pitch, x, y, color, false);
}

void cr_canvas_blend_mask_padded(cr_canvas *canvas, const uint8_t *mask, int width, int rows,
                                 int pitch, int x, int y, cr_color color)
{
    blend_mask(canvas, mask, width, rows, pitch, x, y, color, pitch % CR_MASK_PAD_PIXELS == 0);
}

/* ------------------------------------------------------- rounded rects */

/* Length of [a0, a1] ∩ [b0, b1]. */
static double overlap(double a0, double a1, double b0, double b1)
{
    double lo = a0 > b0 ? a0 : b0;
    double hi = a1 < b1 ? a1 : b1;
    return hi > lo ? hi - lo : 0.0;
}

/* Antiderivative of sqrt(r² - u²). */
static double circle_integral(double r, double u)
{
    double ratio = u / r;
    ratio = ratio > 1.0 ? 1.0 : ratio < -1.0 ? -1.0 : ratio;
    double root = r * r - u * u;
    return 0.5 * (u * sqrt(root > 0 ? root : 0) + r * r * asin(ratio));
}

/* Area of the quarter disc {u, v >= 0, u² + v² <= r²} inside the box
 * [u0, u1] x [v0, v1], a box within [0, r]². Exact: the part of the box
 * under the arc is a rectangle up to where the arc leaves the top edge,
 * then the integral of the arc down to where it meets the bottom edge. */
static double quarter_disc_area(double r, double u0, double u1, double v0, double v1)
{
    double arc_at_top = sqrt(r * r - v1 * v1); /* where the arc crosses v = v1 */
    double arc_at_bottom = sqrt(r * r - v0 * v0);
    double area = (v1 - v0) * overlap(u0, u1, 0.0, arc_at_top);
    double lo = u0 > arc_at_top ? u0 : arc_at_top;
    double hi = u1 < arc_at_bottom ? u1 : arc_at_bottom;
    if (hi > lo)
        area += circle_integral(r, hi) - circle_integral(r, lo) - v0 * (hi - lo);
    return area;
}

typedef struct rounded_rect {
    double x0, y0, x1, y1, r;
} rounded_rect;

/* Interval [p0, p1] of one pixel axis in a corner's own frame, where the
 * corner's centre is 0 and its outward direction is positive; clipped to
 * the corner square [0, r]. Returns false when they do not meet. */
static bool corner_interval(double p0, double p1, double centre, int outward, double r, double *lo,
                            double *hi)
{
    double a = outward > 0 ? p0 - centre : centre - p1;
    double b = outward > 0 ? p1 - centre : centre - p0;
    *lo = a > 0 ? a : 0;
    *hi = b < r ? b : r;
    return *hi > *lo;
}

/* The part of the pixel inside the corner square but outside the arc. */
static double corner_notch(const rounded_rect *rr, int px, int py, double cx, double cy, int sx,
                           int sy)
{
    double u0, u1, v0, v1;
    if (!corner_interval(px, px + 1.0, cx, sx, rr->r, &u0, &u1) ||
        !corner_interval(py, py + 1.0, cy, sy, rr->r, &v0, &v1))
        return 0.0;
    return (u1 - u0) * (v1 - v0) - quarter_disc_area(rr->r, u0, u1, v0, v1);
}

/* Fraction of the pixel (px, py) inside the rounded rectangle: the plain
 * rectangle's area less the four corner notches (which never overlap,
 * because the radius is at most half of either side). */
static double pixel_coverage(const rounded_rect *rr, int px, int py)
{
    double area = overlap(px, px + 1.0, rr->x0, rr->x1) * overlap(py, py + 1.0, rr->y0, rr->y1);
    if (area <= 0.0 || rr->r <= 0.0)
        return area;
    double left = rr->x0 + rr->r, right = rr->x1 - rr->r;
    double top = rr->y0 + rr->r, bottom = rr->y1 - rr->r;
    area -= corner_notch(rr, px, py, left, top, -1, -1);
    area -= corner_notch(rr, px, py, right, top, +1, -1);
    area -= corner_notch(rr, px, py, left, bottom, -1, +1);
    area -= corner_notch(rr, px, py, right, bottom, +1, +1);
    return area > 0.0 ? area : 0.0;
}

static unsigned coverage_to_8bit(double coverage)
{
    double scaled = coverage * 255.0 + 0.5;
    return scaled >= 255.0 ? 255u : scaled <= 0.0 ? 0u : (unsigned)scaled;
}

/* Pixel column where x falls, clamped to [0, limit]; doubles far outside
 * the int range are clamped before converting. */
static int column_floor(double x, int limit)
{
    double f = floor(x);
    return f <= 0 ? 0 : f >= limit ? limit : (int)f;
}

static int column_ceil(double x, int limit)
{
    double c = ceil(x);
    return c <= 0 ? 0 : c >= limit ? limit : (int)c;
}

static void fill_rounded_row(cr_canvas *canvas, const rounded_rect *rr, int py, cr_color color)
{
    uint8_t *row = canvas->pixels + (size_t)py * (size_t)canvas->stride;
    bool in_corner_band = rr->r > 0 && (overlap(py, py + 1.0, rr->y0, rr->y0 + rr->r) > 0 ||
                                        overlap(py, py + 1.0, rr->y1 - rr->r, rr->y1) > 0);
    double inset = in_corner_band ? rr->r : 0.0;
    int from = column_floor(rr->x0, canvas->width);
    int to = column_ceil(rr->x1, canvas->width);
    /* Columns wholly inside the straight part share one coverage: the row's
     * vertical overlap. They are painted as a single span. */
    int span_from = column_ceil(rr->x0 + inset, canvas->width);
    int span_to = column_floor(rr->x1 - inset, canvas->width);
    if (span_to < span_from)
        span_from = span_to = to;
    for (int px = from; px < span_from; px++)
        blend_pixel(row + 3 * px, color,
                    effective_alpha(coverage_to_8bit(pixel_coverage(rr, px, py)), color));
    unsigned span_cover = coverage_to_8bit(overlap(py, py + 1.0, rr->y0, rr->y1));
    blend_span(row + 3 * span_from, span_to - span_from, color, effective_alpha(span_cover, color));
    for (int px = span_to > from ? span_to : from; px < to; px++)
        blend_pixel(row + 3 * px, color,
                    effective_alpha(coverage_to_8bit(pixel_coverage(rr, px, py)), color));
}

static bool make_rounded_rect(double x, double y, double width, double height, double radius,
                              rounded_rect *rr)
{
    if (!(width > 0) || !(height > 0) || !isfinite(x) || !isfinite(y) || !isfinite(width) ||
        !isfinite(height))
        return false;
    double max_radius = (width < height ? width : height) / 2;
    double r = radius > 0 ? radius : 0; /* also turns NaN into 0 */
    *rr = (rounded_rect){x, y, x + width, y + height, r < max_radius ? r : max_radius};
    return true;
}

void cr_canvas_fill_rounded_rect(cr_canvas *canvas, double x, double y, double width, double height,
                                 double radius, cr_color color)
{
    rounded_rect rr;
    if (!canvas || !canvas->pixels || color.a == 0 ||
        !make_rounded_rect(x, y, width, height, radius, &rr))
        return;
    int row_from = column_floor(rr.y0, canvas->height);
    int row_to = column_ceil(rr.y1, canvas->height);
    for (int py = row_from; py < row_to; py++)
        fill_rounded_row(canvas, &rr, py, color);
}

double cr_rounded_rect_coverage(double x, double y, double width, double height, double radius,
                                int px, int py)
{
    rounded_rect rr;
    if (!make_rounded_rect(x, y, width, height, radius, &rr))
        return 0.0;
    return pixel_coverage(&rr, px, py);
}

/* ------------------------------------------------- premultiplied layers */

/* One premultiplied pixel over an RGB one. colour <= alpha * 255 keeps every
 * sum below 255 * 255 + 255, so the result never exceeds 255. */
static inline void blend_premultiplied_pixel(uint8_t *dst, const uint8_t *src, unsigned opacity)
{
    unsigned alpha = cr_div255(src[3] * opacity);
    if (alpha == 0)
        return;
    if (alpha == 255) { /* opaque source at full opacity: the formula gives src */
        memcpy(dst, src, 3);
        return;
    }
    unsigned keep = 255 - alpha;
    for (int c = 0; c < 3; c++) {
        unsigned v = cr_div255(src[c] * opacity + dst[c] * keep);
        dst[c] = (uint8_t)(v > 255 ? 255 : v);
    }
}

int cr_rgba_opaque_run(const uint8_t *rgba, int count)
{
    int n = 0;
#if defined(__SSE2__)
    /* Four pixels a step: a photo's rows are all opaque, 300 or more
     * pixels each, looked at on every card. */
    const __m128i alpha = _mm_set1_epi32((int)0xff000000u);
    for (; n + 4 <= count; n += 4) {
        __m128i four = _mm_and_si128(_mm_loadu_si128((const __m128i *)(rgba + 4 * n)), alpha);
        if (_mm_movemask_epi8(_mm_cmpeq_epi32(four, alpha)) != 0xffff)
            break;
    }
#endif
    while (n < count && rgba[4 * n + 3] == 255)
        n++;
    return n;
}

static void copy_colour_c(uint8_t *dst, const uint8_t *rgba, int count)
{
    for (int i = 0; i < count; i++, dst += 3, rgba += 4)
        memcpy(dst, rgba, 3);
}

#ifdef RASTER_SSSE3
/* Four pixels at a time: 16 bytes in, their 12 colour bytes out (a 16-byte
 * store whose last 4 bytes the next four overwrite, so two pixels more
 * than that must follow within the row). */
RASTER_SSSE3 static void copy_colour_ssse3(uint8_t *dst, const uint8_t *rgba, int count)
{
    const __m128i colour = _mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    int i = 0;
    for (; i + 6 <= count; i += 4, dst += 12, rgba += 16)
        _mm_storeu_si128((__m128i *)dst,
                         _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)rgba), colour));
    copy_colour_c(dst, rgba, count - i);
}
#endif

/* Opaque pixels at full opacity: what blend_premultiplied_pixel gives,
 * their colour, copied. */
static void copy_colour(uint8_t *dst, const uint8_t *rgba, int count)
{
#ifdef RASTER_SSSE3
    if (count >= 6 && __builtin_cpu_supports("ssse3")) {
        copy_colour_ssse3(dst, rgba, count);
        return;
    }
#endif
    copy_colour_c(dst, rgba, count);
}

static void blend_premultiplied_row(uint8_t *dst, const uint8_t *src, int count, unsigned opacity)
{
    for (int i = 0; i < count; i++, src += 4, dst += 3) {
        if (opacity == 255) { /* a photo's rows: all opaque */
            int run = cr_rgba_opaque_run(src, count - i);
            copy_colour(dst, src, run);
            i += run, src += 4 * run, dst += 3 * run;
            if (i == count)
                break;
        }
        blend_premultiplied_pixel(dst, src, opacity);
    }
}

void cr_canvas_blend_premultiplied(cr_canvas *canvas, const uint8_t *rgba, int width, int rows,
                                   int pitch, int x, int y, unsigned opacity)
{
    if (!canvas || !canvas->pixels || !rgba || width <= 0 || rows <= 0 || opacity == 0)
        return;
    if (opacity > 255)
        opacity = 255;
    int x_from = clamp_int(x, 0, canvas->width);
    int x_to = clamp_int((long long)x + width, 0, canvas->width);
    int y_from = clamp_int(y, 0, canvas->height);
    int y_to = clamp_int((long long)y + rows, 0, canvas->height);
    for (int cy = y_from; cy < y_to; cy++) {
        const uint8_t *src = rgba + (ptrdiff_t)(cy - y) * pitch + (ptrdiff_t)(x_from - x) * 4;
        uint8_t *dst = canvas->pixels + (size_t)cy * (size_t)canvas->stride + (size_t)x_from * 3;
        blend_premultiplied_row(dst, src, x_to - x_from, opacity);
    }
}
