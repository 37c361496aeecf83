/* The PNG writer's deflate with ISA-L's igzip (png_deflate.h), many times
 * faster than zlib at a similar size; CRC-32 and Adler-32 are ISA-L's too
 * (zlib's polynomial, with carry-less multiply where the CPU has it, about
 * 9x zlib's here). */
#include "png_deflate.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

/* ISA-L's AVX2 and AVX-512 code returns without VZEROUPPER (intel/isa-l
 * issue 24): SSE code that runs next (the filter in png_io.c, the render of
 * the next card) then runs several times slower (measured: a filter loop
 * 5x). Every ISA-L call is followed by this. */
#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx"))) static void clear_upper_registers(void)
{
    if (__builtin_cpu_supports("avx"))
        _mm256_zeroupper();
}
#else
static void clear_upper_registers(void) {}
#endif

/* Level 0 with one Huffman code for every image, built once from symbol
 * counts of rendered edition cards (png_huffman_table.h, `make png-table`).
 * Measured on the benchmark card, which the counts never saw, against
 * level 1 (a code fitted to each image): 3-5% larger files, 8% less time
 * in deflate, and no per-block statistics to build; ISA-L's own default
 * code for level 0 gives files a fifth larger. Level 2 is under 1% smaller
 * than level 1 and slower. Every symbol has a code, so any image encodes.
 * The one code is also what lets the writer splice (png_deflate.h). */
enum { DEFLATE_LEVEL = 0 };

/* card_code and card_code_splices: the code, built from the counts of
 * png_huffman_table.h by scripts/png_card_code.c when the library is
 * built (building it here took 0.7 ms of every process). */
#include "png_card_code.h"

struct png_deflater {
    struct isal_zstream stream;
};

png_deflater *png_deflater_create(void)
{
    return calloc(1, sizeof(png_deflater));
}

void png_deflater_destroy(png_deflater *d)
{
    free(d);
}

/* A fresh igzip stream: it refers to nothing before it. */
void png_deflater_begin(png_deflater *d)
{
    isal_deflate_init(&d->stream);
    d->stream.level = DEFLATE_LEVEL;
    d->stream.gzip_flag = IGZIP_DEFLATE; /* raw: png_plan.c writes the zlib framing */
    isal_deflate_set_hufftables(&d->stream, &card_code, IGZIP_HUFFTABLE_CUSTOM);
    clear_upper_registers();
}

void png_deflater_input(png_deflater *d, const uint8_t *in, size_t length, bool last)
{
    d->stream.next_in = (uint8_t *)in; /* igzip only reads it */
    d->stream.avail_in = (uint32_t)length;
    d->stream.end_of_stream = last;
    d->stream.flush = NO_FLUSH;
}

png_deflate_result png_deflater_run(png_deflater *d, uint8_t *out, size_t capacity, size_t *written,
                                    char *why, size_t why_size)
{
    d->stream.next_out = out;
    d->stream.avail_out = (uint32_t)capacity;
    int result = isal_deflate(&d->stream);
    clear_upper_registers();
    *written = capacity - d->stream.avail_out;
    if (result != COMP_OK) {
        snprintf(why, why_size, "igzip failed (error %d)", result);
        return PNG_DEFLATE_FAILED;
    }
    if (d->stream.end_of_stream)
        return d->stream.internal_state.state == ZSTATE_END ? PNG_DEFLATE_DONE : PNG_DEFLATE_MORE;
    return d->stream.avail_out > 0 && d->stream.avail_in == 0 ? PNG_DEFLATE_DONE : PNG_DEFLATE_MORE;
}

/* ------------------------------------------------------------ splicing */

bool png_deflate_splices(void)
{
    return card_code_splices;
}

static size_t head_bits(void)
{
    return (size_t)card_code.deflate_hdr_count * 8 + card_code.deflate_hdr_extra_bits;
}

/* The header's last byte (its extra bits are in one more) leaves the
 * splicer room to read past it in ISA-L's array (CARD_CODE_HEAD_BYTES:
 * scripts/png_card_code.c). */
_Static_assert(sizeof card_code.deflate_hdr >= CARD_CODE_HEAD_BYTES + PNG_CODE_READ_SLACK,
               "the PNG code's header leaves no room to read past it");

void png_splice_head(const uint8_t **bits, size_t *bit_count)
{
    *bits = card_code.deflate_hdr; /* its first bit, BFINAL, is set */
    *bit_count = head_bits();
}

void png_splice_end(uint32_t *code, unsigned *bit_count)
{
    *code = card_code.lit_table[256];
    *bit_count = card_code.lit_table_sizes[256];
}

/* n <= 32 bits of p from bit `at` on, the first in bit 0. */
static uint32_t read_bits(const uint8_t *p, size_t at, unsigned n)
{
    uint32_t value = 0;
    for (unsigned i = 0; i < n; i++)
        value |= (uint32_t)(p[(at + i) >> 3] >> ((at + i) & 7) & 1) << i;
    return value;
}

/* A final block of the card code: its header, the symbols, the end code
 * (whose last bit is 1) and zeros up to the byte. igzip writes no other
 * block at level 0 with a code of ours, however long or random the input
 * (tested with up to 300 KB of random bytes); anything else is refused. */
bool png_splice_symbols(const uint8_t *out, size_t size, size_t *first, size_t *end)
{
    size_t head = head_bits();
    unsigned end_length = card_code.lit_table_sizes[256];
    if (!card_code_splices || size * 8 < head + end_length ||
        memcmp(out, card_code.deflate_hdr, card_code.deflate_hdr_count) != 0)
        return false;
    size_t last = size;
    while (last > 0 && out[last - 1] == 0)
        last--;
    if (last == 0)
        return false;
    unsigned top = 7;
    while (!(out[last - 1] >> top & 1))
        top--;
    size_t stop = (last - 1) * 8 + top + 1; /* just after the end code */
    if (size - last > 0 || stop < head + end_length || size * 8 - stop >= 8)
        return false; /* zero bytes after the block, or no room for it */
    if (read_bits(out, stop - end_length, end_length) != card_code.lit_table[256])
        return false;
    *first = head;
    *end = stop - end_length;
    return true;
}

/* -------------------------------------------------- literals and runs */

/* Bits on their way into bytes, least significant first. A flush stores
 * eight bytes and keeps fewer than 8 bits back, so up to 56 bits may be
 * added between flushes: LITERALS_PER_FLUSH literals or one length and
 * distance. */
typedef struct run_bits {
    uint64_t pending;
    unsigned count;
    uint8_t *out;
} run_bits;

/* The card code's literals are at most 11 bits (15 is deflate's limit):
 * five fit in the 56 bits, where 15-bit ones would allow three. */
enum { LITERALS_PER_FLUSH = 56 / CARD_CODE_LITERAL_BITS_MAX };
_Static_assert(LITERALS_PER_FLUSH >= 3, "a length and distance must fit between flushes");

static inline void run_bits_flush(run_bits *b)
{
    png_store_le64(b->out, b->pending);
    b->out += b->count / 8;
    b->pending >>= b->count & ~7u;
    b->count &= 7;
}

static inline void run_bits_add(run_bits *b, uint64_t code, unsigned length)
{
    b->pending |= code << b->count;
    b->count += length;
}

static inline void add_literal(run_bits *b, uint8_t byte)
{
    run_bits_add(b, card_code.lit_table[byte], card_code.lit_table_sizes[byte]);
}

/* The codes of two literals in a row, indexed by the first byte plus 256
 * times the second: both codes in bits 0-21 (the first's first, as they go
 * out), the sum of their lengths from bit PAIR_LENGTH_SHIFT on. Two bytes
 * take one table load, shift and add where add_literal takes two of each:
 * the coder 7% faster on the benchmark card's coded chunks (675 -> 628 us,
 * the same bits). 256 KiB, made once (make_run_codes). */
enum { PAIR_LENGTH_SHIFT = 27 };
_Static_assert(2 * CARD_CODE_LITERAL_BITS_MAX <= PAIR_LENGTH_SHIFT,
               "two codes fit below the length");
static uint32_t literal_pair_codes[1 << 16];

static void make_literal_pair_codes(void)
{
    for (unsigned second = 0; second < 256; second++)
        for (unsigned first = 0; first < 256; first++) {
            unsigned length = card_code.lit_table_sizes[first];
            literal_pair_codes[first | second << 8] =
                (uint32_t)card_code.lit_table[first] |
                (uint32_t)card_code.lit_table[second] << length |
                (length + card_code.lit_table_sizes[second]) << PAIR_LENGTH_SHIFT;
        }
}

static inline void add_literal_pair(run_bits *b, const uint8_t *bytes)
{
    uint32_t pair = literal_pair_codes[bytes[0] | bytes[1] << 8];
    run_bits_add(b, pair & ((UINT32_C(1) << PAIR_LENGTH_SHIFT) - 1), pair >> PAIR_LENGTH_SHIFT);
}

/* The bits are a local copy while the literals are written: the stores go
 * through a byte pointer, which may alias anything but a local whose
 * address is never taken, so the copy stays in registers (on the caller's
 * struct each store reloaded it: the coder ran at half the speed). The
 * last few literals, fewer than a flush takes, go in one pass of the
 * flush's length, each added with no bits where it is past the end: a
 * loop over them missed its end about once a run (the run-length coder
 * 5% faster on the benchmark card's rows without it). Nothing past the
 * literals is read. */
static inline __attribute__((always_inline)) void code_literals(run_bits *b, const uint8_t *bytes,
                                                                size_t count)
{
    if (count == 0)
        return;
    run_bits w = *b;
    size_t i = 0;
    for (; i + LITERALS_PER_FLUSH <= count; i += LITERALS_PER_FLUSH) {
#pragma GCC unroll 8
        for (size_t k = 0; k + 2 <= LITERALS_PER_FLUSH; k += 2)
            add_literal_pair(&w, bytes + i + k);
        if (LITERALS_PER_FLUSH % 2)
            add_literal(&w, bytes[i + LITERALS_PER_FLUSH - 1]);
        run_bits_flush(&w);
    }
    size_t rest = count - i;
#pragma GCC unroll 8
    for (size_t k = 0; k + 1 < LITERALS_PER_FLUSH; k++) {
        bool in = k < rest;
        uint8_t byte = bytes[in ? i + k : count - 1];
        uint64_t keep = in ? ~UINT64_C(0) : 0;
        run_bits_add(&w, card_code.lit_table[byte] & keep,
                     card_code.lit_table_sizes[byte] & (unsigned)keep);
    }
    run_bits_flush(&w);
    *b = w;
}

/* A copy of the byte before, `length` (3 to 258) times: the length's code
 * with its extra bits, then distance 1's code (igzip's tables hold both
 * ready to write, the bit count in bits 4:0). */
static unsigned copy_bits(unsigned length)
{
    return (card_code.len_table[length - 3] & 31) + (card_code.dist_table[0] & 31);
}

static void code_copy(run_bits *b, unsigned length)
{
    uint32_t len = card_code.len_table[length - 3], dist = card_code.dist_table[0];
    run_bits_add(b, len >> 5, len & 31);
    run_bits_add(b, dist >> 5, dist & 31);
    run_bits_flush(b);
}

/* Deflate's length symbol for a copy of `length` (RFC 1951, 3.2.5). */
static unsigned length_symbol(unsigned length)
{
    static const uint16_t first_length[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                              15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                              67, 83, 99, 115, 131, 163, 195, 227, 258};
    unsigned symbol = 0;
    while (symbol < 28 && first_length[symbol + 1] <= length)
        symbol++;
    return 257 + symbol;
}

/* Where the runs coder's symbols go: written in the card code (b), or
 * counted (counts, for `make png-table`). Each function below is inlined
 * with `counting` a constant, so the coder carries no test for it. */
typedef struct run_sink {
    run_bits *b;
    png_symbol_counts *counts;
} run_sink;

static inline __attribute__((always_inline)) void sink_literals(run_sink *sink, bool counting,
                                                                const uint8_t *bytes, size_t count)
{
    if (!counting) {
        code_literals(sink->b, bytes, count);
        return;
    }
    for (size_t i = 0; i < count; i++)
        sink->counts->lit_len[bytes[i]]++;
}

static inline __attribute__((always_inline)) void sink_copy(run_sink *sink, bool counting,
                                                            unsigned length)
{
    if (!counting) {
        code_copy(sink->b, length);
        return;
    }
    sink->counts->lit_len[length_symbol(length)]++;
    sink->counts->dist[0]++;
}

/* `count` zero bytes that follow a zero: copies of up to 258 where they
 * cost fewer bits than literal zeros (short runs may not), the last never
 * left shorter than 3. */
static inline __attribute__((always_inline)) void zero_run(run_sink *sink, bool counting,
                                                           size_t count)
{
    while (count >= 3) {
        size_t take = count > 258 ? 258 : count;
        if (count - take > 0 && count - take < 3)
            take = count - 3;
        if (copy_bits((unsigned)take) >= take * card_code.lit_table_sizes[0])
            break;
        sink_copy(sink, counting, (unsigned)take);
        count -= take;
    }
    /* Fewer than 258 left: a copy of 258 (at most 30 bits) always beats 258
     * literals of at least a bit each, so the loop stops only on short runs. */
    static const uint8_t zeros[258];
    sink_literals(sink, counting, zeros, count);
}

/* What zero_run writes for n <= 258 zeros, made once: its bits and their
 * count (at most 35: a length with its extra bits and distance 1, or a
 * few literal zeros). The parse writes a run from here in one go instead
 * of deciding again, on a card, some 17,000 times. */
typedef struct zero_run_code {
    uint64_t bits;
    unsigned count;
} zero_run_code;

static zero_run_code zero_run_codes[259];

static void make_zero_run_codes(void)
{
    for (size_t n = 0; n <= 258; n++) {
        uint8_t out[64] = {0};
        run_bits b = {0, 0, out};
        run_sink sink = {&b, NULL};
        zero_run(&sink, false, n);
        run_bits_flush(&b);
        size_t count = (size_t)(b.out - out) * 8 + b.count;
        zero_run_codes[n] = (zero_run_code){png_load_le64(out), (unsigned)count};
    }
}

/* The coder's tables, made once: the literal pairs first (zero_run codes
 * short runs as literals). */
static pthread_once_t run_codes_made = PTHREAD_ONCE_INIT;

static void make_run_codes(void)
{
    make_literal_pair_codes();
    make_zero_run_codes();
}

/* The code of a run of n zeros, n <= 258. */
static inline void code_zero_run(run_bits *b, size_t n)
{
    run_bits_add(b, zero_run_codes[n].bits, zero_run_codes[n].count);
    run_bits_flush(b);
}

/* Bit i set where bytes[i] is 0, for 16 bytes. */
static inline unsigned zero_mask16(const uint8_t *bytes)
{
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)bytes);
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
#else
    unsigned mask = 0;
    for (int i = 0; i < 16; i++)
        mask |= (unsigned)(bytes[i] == 0) << i;
    return mask;
#endif
}

/* The end of the zero bytes from `at` on. */
static size_t zeros_end(const uint8_t *bytes, size_t at, size_t length)
{
    for (; at + 16 <= length; at += 16) {
        unsigned mask = zero_mask16(bytes + at);
        if (mask != 0xFFFF)
            return at + (size_t)__builtin_ctz(~mask);
    }
    while (at < length && bytes[at] == 0)
        at++;
    return at;
}

/* Bit i set where p[i] is 0, for 64 bytes. */
static inline uint64_t zero_mask_of64(const uint8_t *p)
{
    return (uint64_t)zero_mask16(p) | (uint64_t)zero_mask16(p + 16) << 16 |
           (uint64_t)zero_mask16(p + 32) << 32 | (uint64_t)zero_mask16(p + 48) << 48;
}

/* zero_mask_of64 of a stream shorter than 64 bytes, copied into zeros
 * first, the bits past it clear; out of line, out of the parse's way. */
static __attribute__((noinline)) uint64_t zero_mask_short(const uint8_t *bytes, size_t length)
{
    uint8_t padded[64];
    memset(padded, 0, sizeof padded);
    memcpy(padded, bytes, length);
    return zero_mask_of64(padded) & ((UINT64_C(1) << length) - 1);
}

/* Bit i set where bytes[at + i] is 0, for the bytes of [at, at + 64)
 * before length (the bits past it clear). A block cut short by the end is
 * read as the last 64 bytes of the stream, shifted down: at the end of
 * every 384-byte segment, bit by bit it took a tenth of the coder's parse.
 * Always inlined: GCC left it out of line (9.3% of an encode in calls). */
static inline __attribute__((always_inline)) uint64_t zero_mask64(const uint8_t *bytes, size_t at,
                                                                  size_t length)
{
    if (at >= length)
        return 0;
    size_t left = length - at;
    if (left >= 64)
        return zero_mask_of64(bytes + at);
    if (length >= 64)
        return zero_mask_of64(bytes + length - 64) >> (64 - left);
    return zero_mask_short(bytes + at, left); /* a stream shorter than 64 */
}

/* The end of the zeros from `from` on, where `from` is 1 to 64 bytes past
 * `at` and zeros, next are the masks of the 64 bytes from at and from
 * at + 64: read off the masks when the zeros end within them, else
 * searched from at + 128 on. */
static inline size_t zeros_end_masked(const uint8_t *bytes, size_t length, size_t at, size_t from,
                                      uint64_t zeros, uint64_t next)
{
    unsigned shift = (unsigned)(from - at); /* 1..64 */
    uint64_t others = shift == 64 ? ~next : ~zeros >> shift | ~next << (64 - shift);
    if (others)
        return from + (size_t)__builtin_ctzll(others);
    uint64_t rest = shift == 64 ? 0 : ~next >> shift; /* the bits from at + 128 - shift on */
    if (rest)
        return from + 64 + (size_t)__builtin_ctzll(rest);
    return zeros_end(bytes, at + 128, length);
}

/* A run begins at a zero followed by RUN_AFTER more: the shortest run of
 * zeros whose copy saves PNG_RUN_SAVING_BITS against literal zeros, and
 * so does every longer one (found from the card code by
 * scripts/png_card_code.c; png_deflate.h says what was measured). Shorter
 * ones are literals: each run costs the parse some 15 ns of branches and
 * masks whatever it codes. At most 16, so that a run's zeros lie before
 * the stream's end. */
enum { RUN_AFTER = CARD_CODE_SHORTEST_RUN < 16 ? CARD_CODE_SHORTEST_RUN : 16 };

/* Literals up to where a run of zeros begins, then the run, and so on. A
 * run begins after a zero followed by RUN_AFTER more (the zero a literal,
 * the run copies of the byte before: Paeth-filtered flat areas are runs of
 * zeros) and goes on while the zeros do; none begins in the last 16 bytes.
 * No other matches are looked for: that is what makes it fast. The zeros
 * are found 64 bytes at a time, and the literals up to a run coded in one
 * go (a card's text over artwork has some 40 between runs). */
static inline __attribute__((always_inline)) void parse_runs(run_sink *sink, bool counting,
                                                             const uint8_t *bytes, size_t length)
{
    size_t literal = 0; /* the first byte not yet coded */
    if (length >= 17) {
        size_t last = length - 17; /* the last place for a run's zero before it */
        size_t at = 0;
        uint64_t zeros = zero_mask64(bytes, 0, length);
        while (at <= last) {
            uint64_t next = zero_mask64(bytes, at + 64, length);
            uint64_t starts = zeros; /* zeros followed by RUN_AFTER more */
#pragma GCC unroll 16
            for (unsigned k = 1; k <= RUN_AFTER; k++)
                starts &= zeros >> k | next << (64 - k);
            if (last - at < 63)
                starts &= (UINT64_C(2) << (last - at)) - 1;
            if (!starts) {
                at += 64;
                zeros = next;
                continue;
            }
            size_t zero = at + (size_t)__builtin_ctzll(starts);
            sink_literals(sink, counting, bytes + literal, zero + 1 - literal);
            size_t end = zeros_end_masked(bytes, length, at, zero + 1, zeros, next);
            if (!counting && end - zero - 1 <= 258)
                code_zero_run(sink->b, end - zero - 1);
            else
                zero_run(sink, counting, end - zero - 1);
            literal = at = end; /* bytes[end] is not 0 */
            zeros = zero_mask64(bytes, at, length);
        }
    }
    sink_literals(sink, counting, bytes + literal, length - literal);
}

static inline __attribute__((always_inline)) size_t splice_runs(const uint8_t *bytes, size_t length,
                                                                uint8_t *out)
{
    run_bits b = {0, 0, out};
    run_sink sink = {&b, NULL};
    parse_runs(&sink, false, bytes, length);
    run_bits_flush(&b); /* stores the last, partial byte too */
    return (size_t)(b.out - out) * 8 + b.count;
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__BMI2__)
/* The same with BMI2's shifts by a register (shlx, shrx), where the CPU has
 * them: the coder's every bit count is a shift, and without them each
 * needs its count moved into CL first. */
__attribute__((target("bmi2"))) static size_t splice_runs_bmi2(const uint8_t *bytes, size_t length,
                                                               uint8_t *out)
{
    return splice_runs(bytes, length, out);
}
#define SPLICE_RUNS_BMI2 1
#endif

size_t png_splice_runs_plain(const uint8_t *bytes, size_t length, uint8_t *out)
{
    pthread_once(&run_codes_made, make_run_codes);
    return splice_runs(bytes, length, out);
}

size_t png_splice_runs(const uint8_t *bytes, size_t length, uint8_t *out)
{
    pthread_once(&run_codes_made, make_run_codes);
#ifdef SPLICE_RUNS_BMI2
    if (__builtin_cpu_supports("bmi2"))
        return splice_runs_bmi2(bytes, length, out);
#endif
    return splice_runs(bytes, length, out);
}

unsigned png_literal_bits(uint8_t byte)
{
    return card_code.lit_table_sizes[byte];
}

unsigned png_zero_copy_bits(unsigned length)
{
    return copy_bits(length);
}

void png_count_runs(const uint8_t *bytes, size_t length, png_symbol_counts *counts)
{
    run_sink sink = {NULL, counts};
    parse_runs(&sink, true, bytes, length);
}

/* ISA-L's own histogram of the symbols a parse like its fast levels'
 * would give: an estimate of what level 0 writes, not an exact count
 * (igzip does not report the symbols it writes). */
void png_count_deflated(const uint8_t *bytes, size_t length, png_symbol_counts *counts)
{
    struct isal_huff_histogram histogram;
    memset(&histogram, 0, sizeof histogram);
    isal_update_histogram((uint8_t *)bytes, (int)length, &histogram); /* only reads them */
    clear_upper_registers();
    for (int i = 0; i < PNG_LIT_LEN_SYMBOLS; i++)
        counts->lit_len[i] += histogram.lit_len_histogram[i];
    for (int i = 0; i < PNG_DIST_SYMBOLS; i++)
        counts->dist[i] += histogram.dist_histogram[i];
}

uint32_t png_crc32(uint32_t crc, const uint8_t *bytes, size_t length)
{
    crc = crc32_gzip_refl(crc, bytes, length);
    clear_upper_registers();
    return crc;
}

uint32_t png_adler32(uint32_t adler, const uint8_t *bytes, size_t length)
{
    adler = isal_adler32(adler, bytes, length);
    clear_upper_registers();
    return adler;
}
