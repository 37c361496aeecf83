/* The PNG writer's row filter: Paeth (filter type 4) on every row, the
 * first one against a row of zeros (where Paeth predicts from the left
 * pixel alone, as Sub does). Measured on rendered cards (bench/card at 300
 * dpi, igzip level 0 with the writer's code): Paeth's files are 8-9%
 * smaller than Up's for the same deflate time, and with the vector version
 * below the filter itself costs a few percent of it. The filtered bytes of
 * pixel bytes [from, to) depend on those bytes and the three before them,
 * in the row and the row above, and nothing else: the writer relies on
 * that to code parts of rows on their own (png_plan.h). */
#ifndef CR_PNG_FILTER_H
#define CR_PNG_FILTER_H

#include <stddef.h>
#include <stdint.h>

enum { CR_PNG_FILTER_PAETH = 4, CR_PNG_PIXEL_BYTES = 3 };

/* Pixel bytes [from, to) of row (3 bytes a pixel), Paeth-filtered against
 * above (NULL: the first row) into out[0, to - from). */
void png_filter_paeth(const uint8_t *row, const uint8_t *above, size_t from, size_t to,
                      uint8_t *out);

/* The same eight bytes at a time on any CPU (png_filter_paeth takes AVX2
 * where it can), and a byte at a time as the PNG specification writes it:
 * the reference the vector versions are tested against. */
void png_filter_paeth_vector8(const uint8_t *row, const uint8_t *above, size_t from, size_t to,
                              uint8_t *out);
void png_filter_paeth_plain(const uint8_t *row, const uint8_t *above, size_t from, size_t to,
                            uint8_t *out);

#endif
