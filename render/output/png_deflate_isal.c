/* The PNG writer's deflate with ISA-L's igzip (png_deflate.h), many times
 * faster than zlib at a similar size; CRC-32 and Adler-32 are ISA-L's too
 * (zlib's polynomial, with carry-less multiply where the CPU has it, about
 * 9x zlib's here). */
#include "png_deflate.h"

#include <pthread.h>
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
 * than level 1 and slower. Every symbol has a code, so any image encodes. */
enum { DEFLATE_LEVEL = 0 };

#include "png_huffman_table.h"

static struct isal_hufftables card_code;
static pthread_once_t card_code_once = PTHREAD_ONCE_INIT;

static void build_card_code(void)
{
    struct isal_huff_histogram counts;
    memset(&counts, 0, sizeof counts);
    for (int i = 0; i < ISAL_DEF_LIT_LEN_SYMBOLS; i++)
        counts.lit_len_histogram[i] = card_lit_len_counts[i];
    for (int i = 0; i < ISAL_DEF_DIST_SYMBOLS; i++)
        counts.dist_histogram[i] = card_dist_counts[i];
    isal_create_hufftables(&card_code, &counts);
    clear_upper_registers();
}

struct png_deflater {
    struct isal_zstream stream;
};

png_deflater *png_deflater_create(void)
{
    pthread_once(&card_code_once, build_card_code);
    return calloc(1, sizeof(png_deflater));
}

void png_deflater_destroy(png_deflater *d)
{
    free(d);
}

/* A fresh igzip stream: a segment refers to nothing before it. */
void png_deflater_begin(png_deflater *d)
{
    isal_deflate_init(&d->stream);
    d->stream.level = DEFLATE_LEVEL;
    d->stream.gzip_flag = IGZIP_DEFLATE; /* raw: png_io.c writes the zlib framing */
    isal_deflate_set_hufftables(&d->stream, &card_code, IGZIP_HUFFTABLE_CUSTOM);
    clear_upper_registers();
}

void png_deflater_input(png_deflater *d, const uint8_t *in, size_t length, bool last)
{
    d->stream.next_in = (uint8_t *)in; /* igzip only reads it */
    d->stream.avail_in = (uint32_t)length;
    d->stream.flush = last ? FULL_FLUSH : NO_FLUSH;
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
    /* Room left over and no input: all taken, and a flush asked for done. */
    return d->stream.avail_out > 0 && d->stream.avail_in == 0 ? PNG_DEFLATE_DONE : PNG_DEFLATE_MORE;
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
