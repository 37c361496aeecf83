/* Photos and card artwork: decoding JPEG and PNG files into RGBA pixmaps.
 *
 * Pixel format of a cr_pixmap: 8-bit RGBA, 4 bytes a pixel in the order
 * R, G, B, A, rows top to bottom; colour values are sRGB-encoded as stored in
 * the file (no gamma or ICC conversion) and alpha is STRAIGHT (not
 * premultiplied): a half-transparent red is (255, 0, 0, 128). A fully
 * transparent pixel's colour carries no meaning; the decoders and the
 * resampler set it to 0. Straight alpha keeps 8-bit colour exact for the
 * adjustments; the resampler premultiplies internally.
 *
 * The format is detected from the first bytes, never from the file name:
 * JPEG (baseline, progressive, grayscale, RGB, CMYK, YCCK; EXIF orientation
 * applied so the result is upright) and PNG (every colour type and bit depth,
 * interlaced, tRNS). Anything else is refused with a message naming what the
 * data looks like ("GIF", "WebP", "BMP", "TIFF", "text", "unknown", ...).
 *
 * Decoding is strict: a truncated or corrupt file is an error even where the
 * libraries would hand back a partly grey picture, because a half-decoded
 * photo is a wasted card. Errors name the file:
 *   photos/a.jpg: JPEG data is truncated (premature end of data)
 */
#ifndef CR_IMAGE_H
#define CR_IMAGE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "cardrender.h"

typedef struct cr_pixmap {
    int width, height;
    int stride;    /* bytes per row, = 4 * width for pixmaps made here */
    uint8_t *rgba; /* straight-alpha RGBA8, owned: free with cr_pixmap_free */
    /* Every pixel's alpha is 255, known from how it was made (a JPEG's
     * decode, the resampler's opaque path), so nobody need look; false:
     * not known. Whoever changes alpha in place clears it. */
    bool opaque;
} cr_pixmap;

/* Guards against hostile files; a field of 0 takes the default. Checked
 * against the sizes the header declares, before any pixel memory is
 * allocated or any image data decoded. */
typedef struct cr_decode_limits {
    uint64_t max_pixels;     /* width * height; default CR_DEFAULT_MAX_PIXELS */
    uint64_t max_file_bytes; /* default CR_DEFAULT_MAX_FILE_BYTES */
    /* Not a guard but a wish: a JPEG may come out reduced by 2, 4 or 8
     * (libjpeg's scaling inside the DCT: a camera's 12-megapixel photo for
     * a 26 x 32 mm box decodes many times faster and in a 64th of the
     * memory) as long as the upright picture stays at least this wide and
     * this tall. 0 (either): full size. PNGs always come out full size. */
    int reduce_to_width, reduce_to_height;
    /* Asked, when set, before the pixels are allocated, with the most the
     * decode will hold (the data, the pixels, a turned copy): CR_OK to go
     * on (it may wait for memory), else an error that stops the decode. */
    cr_status (*admit)(void *admit_data, uint64_t bytes, const char *name, cr_error *err);
    void *admit_data;
} cr_decode_limits;

#define CR_DEFAULT_MAX_PIXELS 40000000u        /* 40 megapixels */
#define CR_DEFAULT_MAX_FILE_BYTES (256u << 20) /* 256 MiB */

/* Decodes the JPEG or PNG file at path into *out (which the caller later
 * frees with cr_pixmap_free). limits may be NULL for the defaults. On
 * failure *out is zeroed and err names the path: CR_ERR_IO when the file
 * cannot be read (missing, a directory, unreadable), CR_ERR_IMAGE when its
 * contents are not a decodable image within the limits, CR_ERR_NOMEM. */
cr_status cr_image_decode_file(const char *path, const cr_decode_limits *limits, cr_pixmap *out,
                               cr_error *err);

/* The same from a file the caller opened (and closes), e.g. one opened
 * confined to an asset folder; path names it in messages. */
cr_status cr_image_decode_fd(int fd, const char *path, const cr_decode_limits *limits,
                             cr_pixmap *out, cr_error *err);

/* The same from memory; name (may be NULL: "<memory>") is used in messages
 * where a file's path would be. Data longer than limits->max_file_bytes is
 * refused as a file that long is. */
cr_status cr_image_decode_memory(const uint8_t *data, size_t size, const char *name,
                                 const cr_decode_limits *limits, cr_pixmap *out, cr_error *err);

/* What the data looks like, from its first bytes: "JPEG", "PNG", "GIF",
 * "WebP", "BMP", "TIFF", "JPEG 2000", "HEIF/AVIF", "PDF", "SVG", "text",
 * "empty" or "unknown". */
const char *cr_image_sniff_format(const uint8_t *data, size_t size);

/* How many pictures this process has started to decode (JPEG or PNG data
 * recognised, whatever came of it): a statistic that lets tests see that a
 * photo two fields show was decoded once. */
uint64_t cr_image_decodes_started(void);

/* A zero-filled (transparent) pixmap; width and height must be > 0. */
cr_status cr_pixmap_init(cr_pixmap *pixmap, int width, int height, cr_error *err);

/* The same with its pixels not cleared, for a caller that writes every
 * one (the resampler: clearing a photo's 400 KB first took 0.6% of a card). */
cr_status cr_pixmap_init_unset(cr_pixmap *pixmap, int width, int height, cr_error *err);

/* Frees the pixels and zeroes the struct; NULL and zeroed pixmaps are fine. */
void cr_pixmap_free(cr_pixmap *pixmap);

/* The pixel at (x, y); no bounds check. */
static inline uint8_t *cr_pixmap_at(const cr_pixmap *pixmap, int x, int y)
{
    return pixmap->rgba + (size_t)y * (size_t)pixmap->stride + (size_t)x * 4;
}

/* Makes *out the upright picture of src stored with the given EXIF
 * Orientation (1-8: 1 upright, 3 turned 180, 6 needs 90 degrees clockwise,
 * 8 needs 90 counter-clockwise, 2/4/5/7 the mirrored ones). Any other value
 * is treated as 1. */
cr_status cr_pixmap_apply_orientation(const cr_pixmap *src, int orientation, cr_pixmap *out,
                                      cr_error *err);

/* The EXIF Orientation (1-8) in an APP1 payload that starts "Exif\0\0", or 0
 * when there is none or the data is malformed. Never reads outside
 * data[0..size). */
int cr_exif_orientation(const uint8_t *data, size_t size);

#endif
