/* The PNG writer's deflate with zlib (png_deflate.h), for machines with no
 * ISA-L package (`make PNG_DEFLATE=zlib`): several times slower than
 * igzip, the same pixels. zlib has no way to code with a code fixed in
 * advance, so nothing is spliced: each image is one stream. */
#include "png_deflate.h"

#include <stdio.h>
#include <stdlib.h>

#include <zlib.h>

/* Level 1, the fastest that matches strings: the writer's speed is mostly
 * its deflate's (README, "The PNG writer"). */
enum { DEFLATE_LEVEL = 1, RAW_WINDOW_BITS = -15, MEMORY_LEVEL = 8 };

struct png_deflater {
    z_stream stream;
    int flush;
};

png_deflater *png_deflater_create(void)
{
    png_deflater *d = calloc(1, sizeof *d);
    if (d && deflateInit2(&d->stream, DEFLATE_LEVEL, Z_DEFLATED, RAW_WINDOW_BITS, MEMORY_LEVEL,
                          Z_DEFAULT_STRATEGY) != Z_OK) {
        free(d);
        return NULL;
    }
    return d;
}

void png_deflater_destroy(png_deflater *d)
{
    if (!d)
        return;
    deflateEnd(&d->stream);
    free(d);
}

/* Reset, not ended and made again: the same stream, its window forgotten. */
void png_deflater_begin(png_deflater *d)
{
    deflateReset(&d->stream);
}

void png_deflater_input(png_deflater *d, const uint8_t *in, size_t length, bool last)
{
    d->stream.next_in = (Bytef *)in; /* zlib only reads it */
    d->stream.avail_in = (uInt)length;
    d->flush = last ? Z_FINISH : Z_NO_FLUSH;
}

png_deflate_result png_deflater_run(png_deflater *d, uint8_t *out, size_t capacity, size_t *written,
                                    char *why, size_t why_size)
{
    d->stream.next_out = out;
    d->stream.avail_out = (uInt)capacity;
    int result = deflate(&d->stream, d->flush);
    *written = capacity - d->stream.avail_out;
    /* Z_BUF_ERROR: no progress was possible, which is no error here. */
    if (result != Z_OK && result != Z_BUF_ERROR && result != Z_STREAM_END) {
        snprintf(why, why_size, "zlib's deflate failed (error %d)", result);
        return PNG_DEFLATE_FAILED;
    }
    if (d->flush == Z_FINISH)
        return result == Z_STREAM_END ? PNG_DEFLATE_DONE : PNG_DEFLATE_MORE;
    return d->stream.avail_out > 0 && d->stream.avail_in == 0 ? PNG_DEFLATE_DONE : PNG_DEFLATE_MORE;
}

bool png_deflate_splices(void)
{
    return false;
}

void png_splice_head(const uint8_t **bits, size_t *bit_count)
{
    *bits = NULL;
    *bit_count = 0;
}

void png_splice_end(uint32_t *code, unsigned *bit_count)
{
    *code = 0;
    *bit_count = 0;
}

bool png_splice_symbols(const uint8_t *out, size_t size, size_t *first, size_t *end)
{
    return false;
}

size_t png_splice_runs(const uint8_t *bytes, size_t length, uint8_t *out)
{
    return 0;
}

size_t png_splice_runs_plain(const uint8_t *bytes, size_t length, uint8_t *out)
{
    return png_splice_runs(bytes, length, out);
}

unsigned png_literal_bits(uint8_t byte)
{
    return 0;
}

unsigned png_zero_copy_bits(unsigned length)
{
    return 0;
}

void png_count_runs(const uint8_t *bytes, size_t length, png_symbol_counts *counts) {}

void png_count_deflated(const uint8_t *bytes, size_t length, png_symbol_counts *counts) {}

uint32_t png_crc32(uint32_t crc, const uint8_t *bytes, size_t length)
{
    return (uint32_t)crc32_z(crc, bytes, length);
}

uint32_t png_adler32(uint32_t adler, const uint8_t *bytes, size_t length)
{
    return (uint32_t)adler32_z(adler, bytes, length);
}
