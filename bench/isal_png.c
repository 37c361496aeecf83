/* A PNG writer around ISA-L, as a C developer who wants speed would write
 * one (isal_png.h): signature, IHDR (8-bit RGB), IDAT chunks of up to
 * 256 KiB, IEND. Cairo's xRGB words become RGB bytes row by row, with the
 * Up filter on every row but the first (filter None); blocks of 16 filtered
 * rows stream through igzip at level 1 with the zlib framing. */
#include "isal_png.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

enum { BLOCK_ROWS = 16, IDAT_BYTES = 256 * 1024 };

/* ISA-L's AVX2 and AVX-512 code returns without VZEROUPPER (intel/isa-l
 * issue 24); SSE code that runs next (the filter loop, pixman and Cairo on
 * the next card) can then run slower. As in the engine (png_deflate_isal.c),
 * every ISA-L call is followed by this. On the AMD EPYC development machine
 * (AVX-512; other work running) it made no difference beyond the noise: CPU
 * time, median of 9, 0.89 s with it and 0.91 s without for 100 cards at
 * 300 dpi, 1.02 s both for 40 cards at 600 dpi. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
__attribute__((target("avx"))) static void clear_upper_registers(void)
{
    if (__builtin_cpu_supports("avx"))
        _mm256_zeroupper();
}
#else
static void clear_upper_registers(void) {}
#endif

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void write_chunk(FILE *file, const char *type, const uint8_t *data, uint32_t length)
{
    uint8_t head[8], crc[4];
    put_u32(head, length);
    memcpy(head + 4, type, 4);
    uint32_t sum = crc32_gzip_refl(crc32_gzip_refl(0, head + 4, 4), data, length);
    clear_upper_registers();
    put_u32(crc, sum);
    fwrite(head, 1, 8, file);
    fwrite(data, 1, length, file);
    fwrite(crc, 1, 4, file);
}

cairo_status_t isal_png_write(cairo_surface_t *surface, const char *path)
{
    cairo_surface_flush(surface);
    const uint8_t *pixels = cairo_image_surface_get_data(surface);
    int width = cairo_image_surface_get_width(surface);
    int height = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface);
    size_t row_bytes = (size_t)width * 3 + 1; /* the filter type, then RGB */

    uint8_t *block = malloc(row_bytes * BLOCK_ROWS), *out = malloc(IDAT_BYTES);
    uint8_t *level_buf = malloc(ISAL_DEF_LVL1_DEFAULT);
    FILE *file = fopen(path, "wb");
    cairo_status_t status = file ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_WRITE_ERROR;
    if (!block || !out || !level_buf || !file)
        goto done;
    status = CAIRO_STATUS_WRITE_ERROR;

    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13] = {[8] = 8, [9] = 2}; /* 8 bits, RGB; deflate, no interlace */
    put_u32(ihdr, (uint32_t)width);
    put_u32(ihdr + 4, (uint32_t)height);
    fwrite(signature, 1, sizeof signature, file);
    write_chunk(file, "IHDR", ihdr, sizeof ihdr);

    struct isal_zstream stream;
    isal_deflate_init(&stream);
    stream.level = 1;
    stream.level_buf = level_buf;
    stream.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
    stream.gzip_flag = IGZIP_ZLIB;
    stream.next_out = out;
    stream.avail_out = IDAT_BYTES;
    for (int y = 0; y < height;) {
        uint8_t *next = block;
        for (int r = 0; r < BLOCK_ROWS && y < height; r++, y++) {
            const uint32_t *in = (const uint32_t *)(pixels + (size_t)y * stride);
            const uint32_t *above = y > 0 ? (const uint32_t *)((const uint8_t *)in - stride) : NULL;
            *next++ = above ? 2 : 0; /* Up, or None on the first row */
            for (int x = 0; x < width; x++, next += 3) {
                uint32_t p = in[x], q = above ? above[x] : 0; /* byte differences mod 256 */
                next[0] = (uint8_t)((p >> 16) - (q >> 16));
                next[1] = (uint8_t)((p >> 8) - (q >> 8));
                next[2] = (uint8_t)(p - q);
            }
        }
        stream.next_in = block;
        stream.avail_in = (uint32_t)(next - block);
        stream.end_of_stream = y == height;
        do {
            int result = isal_deflate(&stream);
            clear_upper_registers();
            if (result != COMP_OK)
                goto done;
            if (stream.avail_out == 0) {
                write_chunk(file, "IDAT", out, IDAT_BYTES);
                stream.next_out = out;
                stream.avail_out = IDAT_BYTES;
            }
        } while (stream.avail_in > 0 ||
                 (stream.end_of_stream && stream.internal_state.state != ZSTATE_END));
    }
    if (stream.avail_out < IDAT_BYTES)
        write_chunk(file, "IDAT", out, IDAT_BYTES - stream.avail_out);
    write_chunk(file, "IEND", NULL, 0);
    status = ferror(file) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
done:
    if (file && fclose(file) != 0)
        status = CAIRO_STATUS_WRITE_ERROR;
    free(level_buf);
    free(out);
    free(block);
    return status;
}
