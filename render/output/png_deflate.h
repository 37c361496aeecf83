/* The deflate behind the PNG writer (png_io.c), chosen when the library is
 * built: ISA-L's igzip (png_deflate_isal.c, the default: many times faster)
 * or zlib (png_deflate_zlib.c, `make PNG_DEFLATE=zlib`, for machines with
 * no ISA-L package). The Makefile compiles exactly one of the two.
 *
 * The writer cuts the image into segments of whole rows; each is a raw
 * deflate stream of its own (no zlib header, nothing before it referred
 * to) ended by a full flush, so its bytes depend on its input alone and a
 * segment deflated once can be copied into other files. Both backends
 * give valid streams of the same pixels; their bytes differ. */
#ifndef CR_PNG_DEFLATE_H
#define CR_PNG_DEFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct png_deflater png_deflater;

/* NULL when out of memory. */
png_deflater *png_deflater_create(void);
void png_deflater_destroy(png_deflater *d);

/* Starts a new segment. */
void png_deflater_begin(png_deflater *d);

/* The segment's next input, at most 1 GiB, read by the runs that follow
 * until it is all taken; `last` ends the segment with a full flush. */
void png_deflater_input(png_deflater *d, const uint8_t *in, size_t length, bool last);

typedef enum {
    PNG_DEFLATE_MORE,   /* out was filled: empty it and run again */
    PNG_DEFLATE_DONE,   /* the input is taken (and, if last, flushed) */
    PNG_DEFLATE_FAILED, /* why says so */
} png_deflate_result;

/* Deflates what it can of the input into out[0, capacity); *written is how
 * much came out. */
png_deflate_result png_deflater_run(png_deflater *d, uint8_t *out, size_t capacity, size_t *written,
                                    char *why, size_t why_size);

/* The checksums the PNG needs, the backend's own where it has faster ones:
 * CRC-32 of the chunks, Adler-32 of the zlib stream (start both at their
 * initial values, 0 and 1). */
uint32_t png_crc32(uint32_t crc, const uint8_t *bytes, size_t length);
uint32_t png_adler32(uint32_t adler, const uint8_t *bytes, size_t length);

#endif
