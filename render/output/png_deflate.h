/* The deflate behind the PNG writer (png_plan.c), chosen when the library
 * is built: ISA-L's igzip (png_deflate_isal.c, the default: many times
 * faster) or zlib (png_deflate_zlib.c, `make PNG_DEFLATE=zlib`, for
 * machines with no ISA-L package). The Makefile compiles exactly one.
 *
 * A deflater codes one stream at a time, each begun afresh (nothing before
 * it referred to) and ended as a final block.
 *
 * With igzip the writer splices (png_deflate_splices): every stream is
 * coded with one fixed Huffman code, the same for every image, as one
 * block; the symbols between that block's header and its end code are a
 * bit string that means the same wherever it stands in a block of that
 * code. The writer cuts an image into segments, codes each on its own and
 * joins their symbols into the one block of its file, so a segment coded
 * once (a template's static parts) is copied into the files of other cards
 * instead of coded again. With zlib the writer codes each image as one
 * stream. Both give valid streams of the same pixels; their bytes differ. */
#ifndef CR_PNG_DEFLATE_H
#define CR_PNG_DEFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Eight bytes of a bit string as one number, its first bit in bit 0 (deflate
 * writes bits least significant first), on a machine of either byte
 * order: the writers of png_plan.c and png_splice_runs move bits 64 at a
 * time with these. */
static inline uint64_t png_load_le64(const uint8_t *bytes)
{
    uint64_t v;
    memcpy(&v, bytes, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline void png_store_le64(uint8_t *bytes, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(bytes, &v, sizeof v);
}

typedef struct png_deflater png_deflater;

/* NULL when out of memory. */
png_deflater *png_deflater_create(void);
void png_deflater_destroy(png_deflater *d);

/* Starts a new stream. */
void png_deflater_begin(png_deflater *d);

/* The stream's next input, at most 1 GiB, read by the runs that follow
 * until it is all taken; `last` ends the stream (a final block). */
void png_deflater_input(png_deflater *d, const uint8_t *in, size_t length, bool last);

typedef enum {
    PNG_DEFLATE_MORE,   /* out was filled: empty it and run again */
    PNG_DEFLATE_DONE,   /* the input is taken (and, if last, the stream ended) */
    PNG_DEFLATE_FAILED, /* why says so */
} png_deflate_result;

/* Deflates what it can of the input into out[0, capacity); *written is how
 * much came out. */
png_deflate_result png_deflater_run(png_deflater *d, uint8_t *out, size_t capacity, size_t *written,
                                    char *why, size_t why_size);

/* Whether streams can be spliced (above): igzip yes, zlib no. */
bool png_deflate_splices(void);

/* Bytes past the end of a bit string of codes (the header below, a
 * segment's code) that the splicer may read, and drops: it takes a
 * string's last bits 64 at a time, like the rest. */
enum { PNG_CODE_READ_SLACK = 16 };

/* The shared block's header (bit strings are least significant bit first,
 * as deflate writes them; the final-block bit is set) and its end code.
 * *bits has PNG_CODE_READ_SLACK bytes past the header. */
void png_splice_head(const uint8_t **bits, size_t *bit_count);
void png_splice_end(uint32_t *code, unsigned *bit_count);

/* Where a whole stream's symbols are: bits [*first, *end) of its output
 * out[0, size). False when the output is not one block of the shared code
 * (never seen; the writer then fails rather than write a wrong file). */
bool png_splice_symbols(const uint8_t *out, size_t size, size_t *first, size_t *end);

/* The symbols of a stream of `length` bytes in the shared code, written
 * from bit 0 of out (room for 2 * length + 16 bytes), as literals and runs
 * of zero bytes only (a run: copies of the zero before it, at distance 1);
 * returns their bit count. Faster than the deflater, whose matches it
 * does not look for: on a card's filtered rows (a photograph, text over
 * artwork) about one and a half to twice the speed for 2-10% more bits
 * (png_plan.c codes the live boxes with it).
 * Without splicing (zlib) there is no shared code: nothing is written and
 * 0 returned. */
size_t png_splice_runs(const uint8_t *bytes, size_t length, uint8_t *out);

/* The same, always with the code built for the baseline CPU: where the CPU
 * has BMI2, png_splice_runs runs a copy compiled for it (the tests compare
 * the two). */
size_t png_splice_runs_plain(const uint8_t *bytes, size_t length, uint8_t *out);

/* The bits the shared code spends on literal `byte`, and on a copy of
 * `length` (3-258) at distance 1 with its extra bits: what the tests hold
 * the runs coder's choice between copies and literal zeros to. Without
 * splicing (zlib): 0. */
unsigned png_literal_bits(uint8_t byte);
unsigned png_zero_copy_bits(unsigned length);

/* The runs coder takes a run of zeros (after the zero it copies) as a
 * copy only from the shortest one whose copy saves this many bits against
 * literal zeros, and codes shorter ones as literals; scripts/png_card_code.c
 * finds that length from the code (CARD_CODE_SHORTEST_RUN). Each run costs
 * the coder some 15 ns of branches whatever it saves, and a literal under
 * a nanosecond. With today's code a copy saves 4 bits from 4 zeros, 7
 * from 5, 10 from 6 (a literal zero is 3 bits, a copy of 4-6 is 8).
 * Measured on the benchmark card, one encode (bench/png_encode's pixels,
 * 2026-12-08), with the copies taken from 4, 5, 6, 7, 8, 12 and 16 zeros:
 * 1.12, 1.07, 1.02, 1.01, 1.03, 1.00 and 1.01 ms at 300 dpi for 807,978,
 * 809,264, 811,966, 813,617, 814,519, 821,478 and 825,633 bytes; at 600
 * dpi, from 4 zeros and from 6, 4.22 and 3.82 ms for 1,936,601 and
 * 1,947,405 bytes. From 6 takes nearly all the time there is to take for
 * half a percent of the file. */
enum { PNG_RUN_SAVING_BITS = 10 };

/* Deflate's symbol counts, literal/length (0-285) and distance (0-29). */
enum { PNG_LIT_LEN_SYMBOLS = 286, PNG_DIST_SYMBOLS = 30 };
typedef struct png_symbol_counts {
    uint64_t lit_len[PNG_LIT_LEN_SYMBOLS];
    uint64_t dist[PNG_DIST_SYMBOLS];
} png_symbol_counts;

/* Adds to counts the symbols of a stream of `length` bytes: exactly those
 * png_splice_runs writes, or an estimate of those the deflater writes
 * (ISA-L's own histogram of a parse like its fast levels'). What `make
 * png-table` trains the shared code on. Without splicing (zlib): nothing
 * counted. */
void png_count_runs(const uint8_t *bytes, size_t length, png_symbol_counts *counts);
void png_count_deflated(const uint8_t *bytes, size_t length, png_symbol_counts *counts);

/* The checksums the PNG needs, the backend's own where it has faster ones:
 * CRC-32 of the chunks, Adler-32 of the zlib stream (start both at their
 * initial values, 0 and 1). */
uint32_t png_crc32(uint32_t crc, const uint8_t *bytes, size_t length);
uint32_t png_adler32(uint32_t adler, const uint8_t *bytes, size_t length);

#endif
