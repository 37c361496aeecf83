/* The PNG writer's pixel coding (png_plan.h): plans, segment coding, the
 * splicing of codes into one deflate block, and the threads that share
 * the coding of one image. */
#include "png_plan.h"

#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "array.h"
#include "png_deflate.h"
#include "png_filter.h"
#include "workers.h"

enum { MAX_THREADS = CR_WORKERS_MAX };

/* [start, end) of the filtered stream, where row y's filter type byte is
 * at y * row_bytes and its pixel byte i at y * row_bytes + 1 + i. */
typedef struct png_segment {
    size_t start, end;
    bool runs; /* a live chunk of a box with runs: coded by png_splice_runs */
} png_segment;

/* A segment's code: bits [first, end) of bytes (whose owner outlives the
 * use), and the Adler-32 of the segment's `length` filtered bytes alone. */
typedef struct segment_code {
    const uint8_t *bytes;
    size_t first, end;
    uint32_t adler;
    size_t length;
} segment_code;

/* The reference's code of a segment, in the plan's own buffer. */
typedef struct kept_code {
    size_t first, end; /* bits of the plan's kept_bytes */
    uint32_t adler;
} kept_code;

struct cr_png_plan {
    atomic_int references;
    int width, height;
    size_t row_bytes;
    png_segment *segments;
    size_t count;
    cr_canvas reference; /* pixels NULL: none */
    kept_code *kept;     /* one per segment, with a reference */
    uint8_t *kept_bytes;
};

/* -------------------------------------------------------------- plans */

static size_t row_bytes_of(int width)
{
    return 1 + (size_t)width * CR_PNG_PIXEL_BYTES;
}

static int clamp(int v, int low, int high)
{
    return v < low ? low : v > high ? high : v;
}

/* The bytes of a row that live boxes can change: [start, end) of its
 * filtered bytes, coded as runs or not. */
typedef struct live_span {
    size_t start, end;
    bool runs, whole;
} live_span;

/* The spans of row y, in order, those that meet or touch joined (a span of
 * a box with runs and one without: runs): the bytes of each box that
 * covers the row or the row above it (Paeth reads the row above), over
 * its columns and the one to its right (Paeth reads the pixel to the
 * left). Returns their count; out has room for one per box. */
static size_t row_live_spans(const cr_png_plan *plan, const cr_png_box *boxes, size_t count, int y,
                             live_span *out)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        const cr_png_box *box = &boxes[i];
        int x0 = clamp(box->x0, 0, plan->width), x1 = clamp(box->x1 + 1, 0, plan->width);
        int y0 = clamp(box->y0, 0, plan->height), y1 = clamp(box->y1 + 1, 0, plan->height);
        if (x0 >= x1 || y < y0 || y >= y1)
            continue;
        /* from the row's first pixel: its filter type byte too, rather
         * than a segment of one byte */
        size_t first = x0 ? 1 + (size_t)x0 * CR_PNG_PIXEL_BYTES : 0;
        live_span span = {first, 1 + (size_t)x1 * CR_PNG_PIXEL_BYTES, box->runs, box->whole};
        size_t at = n++;
        for (; at > 0 && out[at - 1].start > span.start; at--)
            out[at] = out[at - 1];
        out[at] = span;
    }
    size_t joined = 0;
    for (size_t i = 0; i < n; i++) {
        live_span *last = joined ? &out[joined - 1] : NULL;
        if (last && out[i].start <= last->end) {
            last->end = out[i].end > last->end ? out[i].end : last->end;
            last->runs = last->runs || out[i].runs;
            last->whole = last->whole && out[i].whole;
        } else {
            out[joined++] = out[i];
        }
    }
    return joined;
}

static bool add_segment(cr_png_plan *plan, size_t *capacity, size_t start, size_t end, bool runs)
{
    if (!cr_reserve((void **)&plan->segments, capacity, plan->count + 1, sizeof *plan->segments))
        return false;
    plan->segments[plan->count++] = (png_segment){start, end, runs};
    return true;
}

/* The static bytes [*open, to) as segments of up to CR_PNG_SEGMENT_BYTES,
 * each cut where a chunk of CR_PNG_CHUNK_BYTES of its row begins (as an
 * image with no live box is cut); *open becomes to. */
static bool add_static(cr_png_plan *plan, size_t *capacity, size_t *open, size_t to)
{
    while (to - *open > CR_PNG_SEGMENT_BYTES) {
        size_t limit = *open + CR_PNG_SEGMENT_BYTES,
               row = limit / plan->row_bytes * plan->row_bytes;
        size_t cut = row + (limit - row) / CR_PNG_CHUNK_BYTES * CR_PNG_CHUNK_BYTES;
        if (!add_segment(plan, capacity, *open, cut, false))
            return false;
        *open = cut;
    }
    if (to > *open && !add_segment(plan, capacity, *open, to, false))
        return false;
    *open = to;
    return true;
}

/* Each row's live spans cut into chunks of CR_PNG_CHUNK_BYTES from the
 * span's first byte, each a segment (the chunks of a box begin at its
 * edge: on the benchmark card 16% fewer bytes to code than chunks on a
 * grid of the whole row, which took in the artwork beside the boxes), a
 * picture's span one segment (up to CR_PNG_SEGMENT_BYTES), and the static
 * bytes between joined. */
static bool cut_segments(cr_png_plan *plan, const cr_png_box *boxes, size_t count)
{
    size_t capacity = 0, open = 0; /* the first static byte not in a segment */
    live_span *spans = malloc((count ? count : 1) * sizeof *spans);
    bool ok = spans != NULL;
    for (int y = 0; ok && y < plan->height; y++) {
        size_t row = (size_t)y * plan->row_bytes, n = row_live_spans(plan, boxes, count, y, spans);
        for (size_t i = 0; ok && i < n; i++) {
            size_t end = row + spans[i].end;
            ok = add_static(plan, &capacity, &open, row + spans[i].start);
            size_t piece = spans[i].whole ? CR_PNG_SEGMENT_BYTES : CR_PNG_CHUNK_BYTES;
            for (size_t at = open; ok && at < end; at += piece)
                ok = add_segment(plan, &capacity, at, end - at > piece ? at + piece : end,
                                 spans[i].runs);
            open = end;
        }
    }
    free(spans);
    return ok && add_static(plan, &capacity, &open, plan->row_bytes * (size_t)plan->height);
}

static void plan_free(cr_png_plan *plan)
{
    free(plan->segments);
    free(plan->kept);
    free(plan->kept_bytes);
    cr_canvas_free(&plan->reference);
    free(plan);
}

cr_png_plan *cr_png_plan_ref(cr_png_plan *plan)
{
    if (plan)
        atomic_fetch_add(&plan->references, 1);
    return plan;
}

void cr_png_plan_unref(cr_png_plan *plan)
{
    if (plan && atomic_fetch_sub(&plan->references, 1) == 1)
        plan_free(plan);
}

size_t cr_png_plan_segments(const cr_png_plan *plan)
{
    return plan ? plan->count : 0;
}

bool cr_png_plan_segment(const cr_png_plan *plan, size_t i, size_t *start, size_t *end, bool *runs)
{
    if (!plan || i >= plan->count)
        return false;
    *start = plan->segments[i].start;
    *end = plan->segments[i].end;
    *runs = plan->segments[i].runs;
    return true;
}

const cr_canvas *cr_png_plan_reference(const cr_png_plan *plan)
{
    return plan && plan->kept ? &plan->reference : NULL;
}

size_t cr_png_plan_runs_segments(const cr_png_plan *plan)
{
    size_t count = 0;
    for (size_t i = 0; plan && i < plan->count; i++)
        count += plan->segments[i].runs;
    return count;
}

static bool keep_reference(cr_png_plan *plan, const cr_canvas *reference);

cr_png_plan *cr_png_plan_create(int width, int height, const cr_png_box *live_boxes,
                                size_t box_count, const cr_canvas *reference)
{
    if (width <= 0 || height <= 0)
        return NULL;
    cr_png_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return NULL;
    atomic_init(&plan->references, 1);
    plan->width = width;
    plan->height = height;
    plan->row_bytes = row_bytes_of(width);
    bool ok = cut_segments(plan, live_boxes, box_count);
    if (ok && reference)
        ok = reference->width == width && reference->height == height &&
             keep_reference(plan, reference);
    if (!ok) {
        plan_free(plan);
        return NULL;
    }
    return plan;
}

/* ----------------------------------------------------------- segments */

/* The filtered bytes of a segment into out (room for its length). */
static size_t filter_segment(const cr_canvas *c, size_t row_bytes, png_segment s, uint8_t *out)
{
    size_t n = 0;
    for (size_t at = s.start; at < s.end;) {
        size_t y = at / row_bytes, from = at % row_bytes;
        size_t to = s.end - y * row_bytes < row_bytes ? s.end - y * row_bytes : row_bytes;
        const uint8_t *row = c->pixels + y * (size_t)c->stride;
        if (from == 0) {
            out[n++] = CR_PNG_FILTER_PAETH;
            from = 1;
        }
        if (to > from) {
            png_filter_paeth(row, y ? row - c->stride : NULL, from - 1, to - 1, out + n);
            n += to - from;
        }
        at = y * row_bytes + to;
    }
    return n;
}

/* Whether pixel bytes [from, to) of row y are as the reference's. */
typedef bool row_same(const void *context, size_t y, size_t from, size_t to);

/* Whether every row part of segment s passes `same`: in each of its rows,
 * its pixel bytes and the pixel before them, there and in the row above
 * (what its filtered bytes are made of). A row above that an earlier part
 * of the segment already passed over the same bytes is not tried again.
 * Inlined with `same` a constant. */
static inline __attribute__((always_inline)) bool
segment_rows_pass(size_t row_bytes, png_segment s, row_same *same, const void *context)
{
    size_t done_row = SIZE_MAX, done_from = 0, done_to = 0;
    for (size_t at = s.start; at < s.end;) {
        size_t y = at / row_bytes, from = at % row_bytes;
        size_t to = s.end - y * row_bytes < row_bytes ? s.end - y * row_bytes : row_bytes;
        at = y * row_bytes + to;
        if (to <= 1)
            continue; /* the filter type byte alone */
        size_t low = from > 1 + CR_PNG_PIXEL_BYTES ? from - 1 - CR_PNG_PIXEL_BYTES : 0,
               high = to - 1;
        if (!same(context, y, low, high))
            return false;
        bool above_done = done_row + 1 == y && done_from <= low && done_to >= high;
        if (y > 0 && !above_done && !same(context, y - 1, low, high))
            return false;
        done_row = y, done_from = low, done_to = high;
    }
    return true;
}

typedef struct canvas_pair {
    const cr_canvas *card, *reference;
} canvas_pair;

static bool same_bytes(const void *context, size_t y, size_t from, size_t to)
{
    const canvas_pair *pair = context;
    const cr_canvas *a = pair->card, *b = pair->reference;
    return memcmp(a->pixels + y * (size_t)a->stride + from,
                  b->pixels + y * (size_t)b->stride + from, to - from) == 0;
}

/* Whether the canvas's pixels that segment s reads equal the reference's. */
static bool segment_matches(const cr_canvas *c, const cr_canvas *ref, size_t row_bytes,
                            png_segment s)
{
    canvas_pair pair = {c, ref};
    return segment_rows_pass(row_bytes, s, same_bytes, &pair);
}

/* The changed boxes (cr_png_changes) as a bit a pixel: row y's bits are
 * words[y * per_row ...], pixel x in bit x % 64 of word x / 64, and are
 * valid only where touched[y] (a row no box reaches is never cleared).
 * Until 2026-12-08 each row held its boxes' column spans, put in order
 * and joined: 22 us of every 300-dpi encode of the benchmark card (173
 * glyph and picture boxes, 4,662 box rows) before any thread began, 2% of
 * one thread's encode and 4% of two's; marking bits takes a few. */
typedef struct changed_rows {
    uint64_t *words;
    uint8_t *touched;
    size_t per_row;
} changed_rows;

static void changed_rows_free(changed_rows *r)
{
    free(r->words);
    free(r->touched);
}

/* Box b clipped to width x height; empty boxes have x0 >= x1 or y0 >= y1. */
static cr_png_box clipped_box(const cr_png_box *b, int width, int height)
{
    return (cr_png_box){clamp(b->x0, 0, width),
                        clamp(b->y0, 0, height),
                        clamp(b->x1, 0, width),
                        clamp(b->y1, 0, height),
                        b->runs,
                        b->whole};
}

/* The bits of pixels [x0, x1) (x0 < x1) of a row: the first and last
 * words they lie in and those words' masks (one word: both masks in the
 * first); every word between is whole. */
typedef struct pixel_range_masks {
    size_t first, last;
    uint64_t first_mask, last_mask;
} pixel_range_masks;

static pixel_range_masks range_masks(size_t x0, size_t x1)
{
    pixel_range_masks m = {x0 / 64, (x1 - 1) / 64, ~UINT64_C(0) << (x0 % 64),
                           ~UINT64_C(0) >> (63 - (x1 - 1) % 64)};
    if (m.first == m.last)
        m.first_mask &= m.last_mask;
    return m;
}

static void mark_row(uint64_t *row, const pixel_range_masks *m)
{
    row[m->first] |= m->first_mask;
    if (m->last == m->first)
        return;
    for (size_t w = m->first + 1; w < m->last; w++)
        row[w] = ~UINT64_C(0);
    row[m->last] |= m->last_mask;
}

static bool changed_rows_make(changed_rows *r, const cr_png_changes *changes, int width, int height)
{
    r->per_row = ((size_t)width + 63) / 64;
    r->words = malloc((size_t)height * r->per_row * sizeof *r->words);
    r->touched = calloc((size_t)height, 1);
    if (!r->words || !r->touched)
        return false;
    for (size_t i = 0; i < changes->count; i++) {
        cr_png_box b = clipped_box(&changes->boxes[i], width, height);
        if (b.x0 >= b.x1)
            continue;
        pixel_range_masks m = range_masks((size_t)b.x0, (size_t)b.x1);
        for (int y = b.y0; y < b.y1; y++) {
            uint64_t *row = r->words + (size_t)y * r->per_row;
            if (!r->touched[y]) {
                memset(row, 0, r->per_row * sizeof *row);
                r->touched[y] = 1;
            }
            mark_row(row, &m);
        }
    }
    return true;
}

/* Whether no changed box holds a pixel of pixel bytes [from, to) of row y. */
static bool row_unchanged(const void *context, size_t y, size_t from, size_t to)
{
    const changed_rows *r = context;
    size_t c0 = from / CR_PNG_PIXEL_BYTES, c1 = (to + CR_PNG_PIXEL_BYTES - 1) / CR_PNG_PIXEL_BYTES;
    if (!r->touched[y] || c0 >= c1)
        return true;
    const uint64_t *row = r->words + y * r->per_row;
    pixel_range_masks m = range_masks(c0, c1);
    uint64_t any = row[m.first] & m.first_mask;
    for (size_t w = m.first + 1; !any && w <= m.last; w++)
        any = row[w] & (w == m.last ? m.last_mask : ~UINT64_C(0));
    return !any;
}

/* Whether no pixel that segment_matches would compare for s is changed. */
static bool segment_untouched(const changed_rows *r, size_t row_bytes, png_segment s)
{
    return segment_rows_pass(row_bytes, s, row_unchanged, r);
}

/* What codes segments: a deflater, the filtered bytes of one segment, and
 * the deflater's output for every segment it coded, in blocks that never
 * move: thread 0 splices a code while the coder that made it goes on. */
typedef struct segment_coder {
    png_deflater *deflater; /* made when a segment first needs it (coder_deflater) */
    uint8_t *filtered;      /* CR_PNG_SEGMENT_BYTES + CR_PNG_CHUNK_BYTES */
    uint8_t *out;           /* the block codes go into now */
    size_t out_size, out_capacity;
    uint8_t **full; /* the blocks before, freed with the coder */
    size_t full_count, full_capacity;
    char why[160];
} segment_coder;

/* A block's size: a 300-dpi card's codes take two to four. Every buffer
 * of codes (a block, the plan's kept codes) has PNG_CODE_READ_SLACK bytes
 * past its end (png_deflate.h). */
enum { CODE_BLOCK_BYTES = 256 * 1024 };

static bool coder_init(segment_coder *k)
{
    memset(k, 0, sizeof *k);
    k->filtered = malloc(CR_PNG_SEGMENT_BYTES + CR_PNG_CHUNK_BYTES);
    return k->filtered;
}

/* The coder's deflater, made on first use: a card's live segments are
 * coded by the runs coder, and igzip's state is 80 KB to clear (made for
 * every thread of every encode, 3-5 us each, before the threads began). */
static bool coder_deflater(segment_coder *k)
{
    if (!k->deflater)
        k->deflater = png_deflater_create();
    if (!k->deflater)
        snprintf(k->why, sizeof k->why, "out of memory");
    return k->deflater;
}

static void coder_free(segment_coder *k)
{
    png_deflater_destroy(k->deflater);
    free(k->filtered);
    free(k->out);
    for (size_t i = 0; i < k->full_count; i++)
        free(k->full[i]);
    free(k->full);
}

/* Room for `more` bytes past the coder's output, whose bytes from *start
 * on are the code being made. A block without the room stays as it is
 * (codes made before point into it) and a new one takes the code so far;
 * *start moves with it. */
static bool coder_room(segment_coder *k, size_t *start, size_t more)
{
    if (k->out_capacity - k->out_size >= more)
        return true;
    size_t partial = k->out_size - *start;
    size_t capacity = partial + more > CODE_BLOCK_BYTES ? partial + more : CODE_BLOCK_BYTES;
    uint8_t *block = malloc(capacity + PNG_CODE_READ_SLACK);
    bool kept = block && (!k->out || cr_reserve((void **)&k->full, &k->full_capacity,
                                                k->full_count + 1, sizeof *k->full));
    if (!kept) {
        free(block);
        snprintf(k->why, sizeof k->why, "out of memory");
        return false;
    }
    if (k->out) {
        memcpy(block, k->out + *start, partial);
        k->full[k->full_count++] = k->out;
    }
    k->out = block;
    k->out_size = partial;
    k->out_capacity = capacity;
    *start = 0;
    return true;
}

/* A runs segment's symbols, appended to the coder's output. */
static bool code_runs(segment_coder *k, size_t length, segment_code *code)
{
    size_t start = k->out_size;
    if (!coder_room(k, &start, 2 * length + 16))
        return false;
    size_t bits = png_splice_runs(k->filtered, length, k->out + start);
    k->out_size += (bits + 7) / 8;
    *code = (segment_code){k->out, start * 8, start * 8 + bits, code->adler, length};
    return true;
}

/* Codes segment s of the canvas as a stream of its own, appended to the
 * coder's output. */
static bool code_segment(segment_coder *k, const cr_canvas *c, size_t row_bytes, png_segment s,
                         segment_code *code)
{
    size_t length = filter_segment(c, row_bytes, s, k->filtered);
    code->adler = png_adler32(1, k->filtered, length);
    if (s.runs)
        return code_runs(k, length, code);
    size_t start = k->out_size;
    if (!coder_deflater(k))
        return false;
    png_deflater_begin(k->deflater);
    png_deflater_input(k->deflater, k->filtered, length, true);
    /* codes are at most 15 bits a byte, plus the header and the end */
    size_t room = length * 2 + 1024;
    for (;;) {
        if (!coder_room(k, &start, room))
            return false;
        size_t written = 0;
        png_deflate_result result =
            png_deflater_run(k->deflater, k->out + k->out_size, k->out_capacity - k->out_size,
                             &written, k->why, sizeof k->why);
        k->out_size += written;
        if (result == PNG_DEFLATE_FAILED)
            return false;
        if (result == PNG_DEFLATE_DONE)
            break;
        room = k->out_capacity; /* more than that: grow */
    }
    size_t first, end;
    if (!png_splice_symbols(k->out + start, k->out_size - start, &first, &end)) {
        snprintf(k->why, sizeof k->why, "igzip's output is not one block of the PNG code");
        return false;
    }
    *code = (segment_code){k->out, start * 8 + first, start * 8 + end, code->adler, length};
    return true;
}

bool cr_png_count_symbols(const cr_canvas *canvas, const cr_png_plan *plan,
                          png_symbol_counts *counts)
{
    if (!png_deflate_splices() || !plan || plan->width != canvas->width ||
        plan->height != canvas->height)
        return false;
    uint8_t *filtered = malloc(CR_PNG_SEGMENT_BYTES + CR_PNG_CHUNK_BYTES);
    if (!filtered)
        return false;
    for (size_t i = 0; i < plan->count; i++) {
        size_t length = filter_segment(canvas, plan->row_bytes, plan->segments[i], filtered);
        if (plan->segments[i].runs)
            png_count_runs(filtered, length, counts);
        else
            png_count_deflated(filtered, length, counts);
    }
    counts->lit_len[256]++;
    free(filtered);
    return true;
}

/* ------------------------------------------------------- bit writing */

/* Bits into bytes, least significant first, written into the buffers
 * out's room() gives, whole bytes handed to its done() each time one
 * fills. bytes has 8 bytes of room past capacity. */
typedef struct bit_writer {
    uint8_t *bytes;
    size_t capacity, used;
    uint64_t pending; /* fewer than 8 bits, not yet in bytes */
    unsigned pending_bits;
    const cr_png_out *out;
    bool failed;
} bit_writer;

static void writer_init(bit_writer *w, const cr_png_out *out)
{
    *w = (bit_writer){.out = out};
    w->bytes = out->room(out->target, &w->capacity);
}

static void writer_drain(bit_writer *w)
{
    if (!w->failed && w->used > 0)
        w->failed = !w->out->done(w->out->target, w->used);
    w->used = 0;
    w->bytes = w->out->room(w->out->target, &w->capacity);
}

/* Up to 56 bits of value (the bits above `count` zero). */
static void put_bits(bit_writer *w, uint64_t value, unsigned count)
{
    uint64_t all = w->pending | value << w->pending_bits;
    unsigned total = w->pending_bits + count, whole = total / 8;
    png_store_le64(w->bytes + w->used, all);
    w->used += whole;
    w->pending = whole < 8 ? all >> (whole * 8) : 0;
    w->pending_bits = total % 8;
    if (w->used >= w->capacity)
        writer_drain(w);
}

/* The 64 bits from bit `shift` (0-7) of p on: reads p[0, 9), at most 8
 * bytes past the last whole byte of a code, into its PNG_CODE_READ_SLACK. */
static inline uint64_t bits_from(const uint8_t *p, unsigned shift)
{
    /* shift 0: the second load gives the same bits again */
    return png_load_le64(p) >> shift | png_load_le64(p + 1) << (8 - shift);
}

static inline uint64_t bits_at(const uint8_t *bytes, size_t at)
{
    return bits_from(bytes + at / 8, at % 8);
}

/* Whole 64-bit words of bits [first, end) of bytes after the writer's
 * pending bits, while they last and the writer has room (no drain inside
 * the loop); returns the bits taken. The words after the first all start
 * at the same bit of a byte, so each is two loads and two shifts of its
 * own, with nothing carried from one to the next. */
static size_t put_words(bit_writer *w, const uint8_t *bytes, size_t first, size_t end)
{
    size_t keep = w->pending_bits, room = (w->capacity + 8 - w->used) / 8 - 1;
    size_t words = (end - first + keep) / 64;
    words = words < room ? words : room;
    if (words == 0)
        return 0;
    uint8_t *out = w->bytes + w->used;
    png_store_le64(out, w->pending | bits_at(bytes, first) << keep);
    const uint8_t *p = bytes + (first + 64 - keep) / 8;
    unsigned shift = (first + 64 - keep) % 8;
    size_t i = 1;
#if defined(__SSE2__) && defined(__ORDER_LITTLE_ENDIAN__) &&                                       \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Two words at once, each lane bits_from's own two loads and shifts
     * (they read what two bits_from calls read, no further). */
    const __m128i down = _mm_cvtsi32_si128((int)shift), up = _mm_cvtsi32_si128((int)(8 - shift));
    for (; i + 2 <= words; i += 2, p += 16) {
        __m128i low = _mm_loadu_si128((const __m128i *)p),
                high = _mm_loadu_si128((const __m128i *)(p + 1));
        _mm_storeu_si128((__m128i *)(out + 8 * i),
                         _mm_or_si128(_mm_srl_epi64(low, down), _mm_sll_epi64(high, up)));
    }
#endif
    for (; i < words; i++, p += 8)
        png_store_le64(out + 8 * i, bits_from(p, shift));
    w->used += 8 * words;
    w->pending = 0;
    w->pending_bits = 0;
    return 64 * words - keep;
}

/* Bits [first, end) of bytes (a code in a buffer with PNG_CODE_READ_SLACK).
 * Where the buffer has no room for a whole word (the last bytes of an IDAT
 * chunk), 56 bits at a time until it fills. */
static void put_bit_string(bit_writer *w, const uint8_t *bytes, size_t first, size_t end)
{
    while (end - first >= 64) {
        size_t taken = put_words(w, bytes, first, end);
        first += taken;
        if (w->used >= w->capacity) {
            writer_drain(w);
        } else if (taken == 0) {
            put_bits(w, bits_at(bytes, first) & ((UINT64_C(1) << 56) - 1), 56);
            first += 56;
        }
    }
    for (; first < end; first += 56) {
        unsigned take = end - first < 56 ? (unsigned)(end - first) : 56;
        put_bits(w, bits_at(bytes, first) & ((UINT64_C(1) << take) - 1), take);
    }
}

/* The last byte, its unused bits zero. */
static void align_to_byte(bit_writer *w)
{
    if (w->pending_bits)
        put_bits(w, 0, 8 - w->pending_bits);
}

/* ----------------------------------------------------------- splicing */

/* Copies the bytes of the reference's code of segment i to the end of the
 * plan's buffer (`used` bytes of `capacity`) and keeps where its bits are. */
static bool keep_code(cr_png_plan *plan, size_t i, const segment_code *code, size_t *used,
                      size_t *capacity)
{
    size_t from = code->first / 8, bytes = (code->end + 7) / 8 - from;
    if (!cr_reserve((void **)&plan->kept_bytes, capacity, *used + bytes + PNG_CODE_READ_SLACK, 1))
        return false;
    memcpy(plan->kept_bytes + *used, code->bytes + from, bytes);
    size_t first = *used * 8 + code->first % 8;
    plan->kept[i] = (kept_code){first, first + (code->end - code->first), code->adler};
    *used += bytes;
    return true;
}

/* The reference's code of every segment, kept in the plan: each code's
 * bytes copied into the plan's one buffer as it is made, and the coder's
 * block used again for the next. */
static bool keep_reference(cr_png_plan *plan, const cr_canvas *reference)
{
    if (!png_deflate_splices())
        return true; /* nothing to keep: zlib codes whole images */
    segment_coder k;
    bool ok = coder_init(&k) &&
              cr_canvas_init(&plan->reference, reference->width, reference->height, NULL) == CR_OK;
    plan->kept = ok ? calloc(plan->count, sizeof *plan->kept) : NULL;
    ok = ok && plan->kept;
    for (size_t y = 0; ok && y < (size_t)reference->height; y++)
        memcpy(plan->reference.pixels + y * (size_t)plan->reference.stride,
               reference->pixels + y * (size_t)reference->stride,
               (size_t)reference->width * CR_PNG_PIXEL_BYTES);
    size_t used = 0, capacity = 0;
    for (size_t i = 0; ok && i < plan->count; i++) {
        segment_code code;
        ok = code_segment(&k, &plan->reference, plan->row_bytes, plan->segments[i], &code) &&
             keep_code(plan, i, &code, &used, &capacity);
        k.out_size = 0;
    }
    coder_free(&k);
    /* The plan lives as long as its template: give back what doubling left. */
    uint8_t *fitted = ok ? realloc(plan->kept_bytes, used + PNG_CODE_READ_SLACK) : NULL;
    if (fitted)
        plan->kept_bytes = fitted;
    return ok;
}

/* The Adler-32 (RFC 1950) of a stream from its pieces', in order: for a
 * piece of n bytes, A gains the piece's A - 1 and B the piece's B plus
 * n (A - 1), A and B being the stream's so far. B is reduced modulo 65521
 * only when it nears overflow, not for every piece as zlib's
 * adler32_combine does (some 4,000 pieces a card: 2% of its coding). */
enum { ADLER_BASE = 65521 };

typedef struct adler_join {
    uint64_t a; /* below ADLER_BASE */
    uint64_t b;
} adler_join;

static void adler_join_add(adler_join *j, uint32_t piece, size_t length)
{
    j->b += (piece >> 16) + (uint64_t)length * (j->a + ADLER_BASE - 1);
    j->a += (piece & 0xFFFF) + ADLER_BASE - 1;
    j->a -= j->a >= ADLER_BASE ? ADLER_BASE : 0;
    j->a -= j->a >= ADLER_BASE ? ADLER_BASE : 0;
    if (j->b >= UINT64_C(1) << 62)
        j->b %= ADLER_BASE;
}

static uint32_t adler_join_value(const adler_join *j)
{
    return (uint32_t)(j->b % ADLER_BASE) << 16 | (uint32_t)j->a;
}

/* The work of one image: its segments' codes, made by the threads a few
 * segments (a take) at a time, and spliced in order by thread 0 as they
 * come, into its writer and so into the file. */
typedef struct coding_job {
    const cr_canvas *canvas;
    const cr_png_plan *plan;
    bool use_reference;
    bool changes_known; /* changed: where the canvas may differ from the reference */
    changed_rows changed;
    segment_code *codes;
    atomic_bool *made; /* one per take: its codes are made */
    bit_writer *w;     /* thread 0's, like spliced and adler */
    size_t spliced;    /* segments spliced */
    adler_join adler;  /* of the filtered bytes of the segments spliced */
    /* Each on a cache line of its own: with `failed` beside `next`, every
     * take by one thread made the other's next look at `failed` miss. */
    alignas(64) atomic_size_t next;
    alignas(64) atomic_bool failed;
    alignas(64) segment_coder coders[MAX_THREADS];
} coding_job;

/* Segments a thread takes at once: a card has some 4,000, and a take is an
 * atomic add both threads contend for (and the codes of neighbouring takes
 * share cache lines). Measured at 300 dpi, one card's whole PNG on 2
 * threads against 1 (bench/png_encode, quiet machine): 8 a take with
 * `failed` beside `next`, 1.47x; 16 or 32 on lines of their own, 1.64x to
 * 1.77x. */
enum { SEGMENTS_PER_TAKE = 32 };

/* Whether segment s gets the reference's code. Told the changes, a segment
 * that reads none of them does, and one that reads any is coded without
 * comparing: the changes are each glyph's and picture's box, so such a
 * segment almost never matches (2 in 2,400 on the benchmark card at 300
 * dpi), and the comparison, of a reference no longer in the cache, cost
 * more than coding those few (coding equal pixels gives the kept code
 * anyway: the file is the same). Not told them, every segment is compared. */
static bool takes_kept_code(const coding_job *job, png_segment s)
{
    const cr_png_plan *plan = job->plan;
    if (!job->use_reference)
        return false;
    if (job->changes_known)
        return segment_untouched(&job->changed, plan->row_bytes, s);
    return segment_matches(job->canvas, &plan->reference, plan->row_bytes, s);
}

/* Codes the take from segment `first` on with thread `index`'s coder. Each
 * segment is coded alone, never with its neighbours, so its code is the
 * same whether or not the plan has a reference: a card's file does not
 * depend on the cache. */
static bool code_take(coding_job *job, int index, size_t first)
{
    const cr_png_plan *plan = job->plan;
    for (size_t i = first; i < first + SEGMENTS_PER_TAKE && i < plan->count; i++) {
        if (takes_kept_code(job, plan->segments[i])) {
            const kept_code *kept = &plan->kept[i];
            size_t length = plan->segments[i].end - plan->segments[i].start;
            job->codes[i] =
                (segment_code){plan->kept_bytes, kept->first, kept->end, kept->adler, length};
        } else if (!code_segment(&job->coders[index], job->canvas, plan->row_bytes,
                                 plan->segments[i], &job->codes[i])) {
            return false;
        }
    }
    return true;
}

/* Thread 0: splices the takes made so far, in order; with `wait`, waits
 * for those other threads are making, until every segment is spliced or a
 * coder failed. */
static void splice_made(coding_job *job, bool wait)
{
    size_t count = job->plan->count;
    while (job->spliced < count && !atomic_load_explicit(&job->failed, memory_order_relaxed)) {
        if (!atomic_load_explicit(&job->made[job->spliced / SEGMENTS_PER_TAKE],
                                  memory_order_acquire)) {
            if (!wait)
                return;
            sched_yield(); /* a take another thread is making */
            continue;
        }
        size_t end = job->spliced + SEGMENTS_PER_TAKE;
        for (end = end < count ? end : count; job->spliced < end; job->spliced++) {
            const segment_code *code = &job->codes[job->spliced];
            put_bit_string(job->w, code->bytes, code->first, code->end);
            adler_join_add(&job->adler, code->adler, code->length);
        }
    }
}

/* One thread's share: takes until none are left or one failed; thread 0
 * splices between its takes what is ready, so that splicing and writing
 * the file overlap the other threads' coding, then what is left. */
static void code_and_splice(void *data, int index)
{
    coding_job *job = data;
    for (;;) {
        if (index == 0)
            splice_made(job, false);
        size_t first = atomic_fetch_add(&job->next, SEGMENTS_PER_TAKE);
        if (first >= job->plan->count || atomic_load(&job->failed))
            break;
        if (!code_take(job, index, first)) {
            atomic_store(&job->failed, true);
            break;
        }
        atomic_store_explicit(&job->made[first / SEGMENTS_PER_TAKE], true, memory_order_release);
    }
    if (index == 0)
        splice_made(job, true);
}

/* The block: header, every segment's symbols in order, end code; then the
 * stream's Adler-32. */
static bool code_spliced(bit_writer *w, const cr_canvas *canvas, const cr_png_plan *plan,
                         const cr_png_changes *changes, int threads, char *why, size_t why_size)
{
    threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
    size_t takes = plan->count / SEGMENTS_PER_TAKE + 1;
    coding_job *job = calloc(1, sizeof *job);
    bool ok = job != NULL;
    int ready = 0;
    if (ok) {
        job->canvas = canvas;
        job->plan = plan;
        job->w = w;
        job->adler = (adler_join){1, 0};
        job->use_reference = plan->reference.pixels != NULL;
        job->changes_known = job->use_reference && changes;
        job->codes = malloc(plan->count * sizeof *job->codes);
        job->made = malloc(takes * sizeof *job->made);
        ok = job->codes && job->made &&
             (!job->changes_known ||
              changed_rows_make(&job->changed, changes, canvas->width, canvas->height));
        for (size_t t = 0; ok && t < takes; t++)
            atomic_init(&job->made[t], false);
        for (; ok && ready < threads; ready++)
            ok = coder_init(&job->coders[ready]);
    }
    if (ok) {
        const uint8_t *head;
        size_t head_bits;
        png_splice_head(&head, &head_bits);
        put_bit_string(w, head, 0, head_bits);
        cr_workers_run(code_and_splice, job, threads);
        ok = !atomic_load(&job->failed);
    }
    if (!ok)
        snprintf(why, why_size, "out of memory");
    for (int i = 0; !ok && i < ready; i++)
        if (job->coders[i].why[0])
            snprintf(why, why_size, "%s", job->coders[i].why);
    for (int i = 0; i < ready; i++)
        coder_free(&job->coders[i]);
    uint32_t adler = job ? adler_join_value(&job->adler) : 1;
    if (job) {
        changed_rows_free(&job->changed);
        free(job->codes);
        free((void *)job->made);
    }
    free(job);
    if (ok) {
        uint32_t end_code;
        unsigned end_bits;
        png_splice_end(&end_code, &end_bits);
        put_bits(w, end_code, end_bits);
        align_to_byte(w);
        for (int shift = 24; shift >= 0; shift -= 8)
            put_bits(w, (adler >> shift) & 0xFF, 8);
    }
    return ok;
}

/* ------------------------------------------------- whole (zlib) stream */

/* One stream of all rows, without splicing (zlib). */
static bool code_whole(bit_writer *w, const cr_canvas *canvas, char *why, size_t why_size)
{
    size_t row_bytes = row_bytes_of(canvas->width);
    segment_coder k;
    bool ok = coder_init(&k) && coder_deflater(&k);
    uint32_t adler = 1;
    if (ok)
        png_deflater_begin(k.deflater);
    size_t rows_per_block = CR_PNG_SEGMENT_BYTES / row_bytes ? CR_PNG_SEGMENT_BYTES / row_bytes : 1;
    uint8_t *block = ok ? malloc(rows_per_block * row_bytes) : NULL;
    ok = ok && block;
    for (size_t y = 0; ok && y < (size_t)canvas->height;) {
        size_t rows = (size_t)canvas->height - y < rows_per_block ? (size_t)canvas->height - y
                                                                  : rows_per_block;
        png_segment s = {y * row_bytes, (y + rows) * row_bytes, false};
        size_t length = filter_segment(canvas, row_bytes, s, block);
        adler = png_adler32(adler, block, length);
        y += rows;
        png_deflater_input(k.deflater, block, length, y == (size_t)canvas->height);
        for (png_deflate_result result = PNG_DEFLATE_MORE; ok && result == PNG_DEFLATE_MORE;) {
            size_t written = 0;
            size_t start = 0;
            ok = coder_room(&k, &start, 64 * 1024);
            result = ok ? png_deflater_run(k.deflater, k.out, k.out_capacity, &written, k.why,
                                           sizeof k.why)
                        : PNG_DEFLATE_FAILED;
            ok = result != PNG_DEFLATE_FAILED;
            put_bit_string(w, k.out, 0, written * 8);
        }
    }
    if (!ok)
        snprintf(why, why_size, "%s", k.why[0] ? k.why : "out of memory");
    free(block);
    coder_free(&k);
    for (int shift = 24; ok && shift >= 0; shift -= 8)
        put_bits(w, (adler >> shift) & 0xFF, 8);
    return ok;
}

bool cr_png_code_pixels(const cr_canvas *canvas, const cr_png_plan *plan,
                        const cr_png_changes *changes, int threads, const cr_png_out *out,
                        char *why, size_t why_size)
{
    why[0] = '\0';
    bit_writer writer, *w = &writer;
    writer_init(w, out);
    put_bits(w, 0x78 | 0x01 << 8, 16); /* zlib: deflate, 32 KiB window, fastest */
    cr_png_plan *own = NULL;
    bool ok;
    if (png_deflate_splices()) {
        if (!plan || plan->width != canvas->width || plan->height != canvas->height) {
            plan = own = cr_png_plan_create(canvas->width, canvas->height, NULL, 0, NULL);
            changes = NULL; /* they were of the plan's reference */
        }
        ok = plan && code_spliced(w, canvas, plan, changes, threads, why, why_size);
        if (!plan)
            snprintf(why, why_size, "out of memory");
    } else {
        ok = code_whole(w, canvas, why, why_size);
    }
    cr_png_plan_unref(own);
    writer_drain(w);
    return ok && !w->failed;
}
