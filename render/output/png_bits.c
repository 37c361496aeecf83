/* 1-bit PNG writing (png_bits.h). Encoded into memory first, so the file
 * step is one write of finished bytes. */
#include "png_bits.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <png.h>

#include "atomic_file.h"
#include "error.h"

typedef struct buffer {
    uint8_t *data;
    size_t size, capacity;
    char failure[256];
} buffer;

static void on_error(png_structp png, png_const_charp message)
{
    buffer *out = png_get_error_ptr(png);
    snprintf(out->failure, sizeof out->failure, "%s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {}

static void on_write(png_structp png, png_bytep bytes, size_t length)
{
    buffer *out = png_get_io_ptr(png);
    if (length > out->capacity - out->size) {
        size_t capacity = out->capacity ? out->capacity : 16 * 1024;
        while (capacity - out->size < length)
            capacity *= 2;
        uint8_t *bigger = realloc(out->data, capacity);
        if (!bigger)
            png_error(png, "out of memory");
        out->data = bigger;
        out->capacity = capacity;
    }
    memcpy(out->data + out->size, bytes, length);
    out->size += length;
}

static void on_flush(png_structp png) {}

static void write_image(png_structp png, png_infop info, const cr_bitmap *bitmap, int dpi)
{
    png_set_IHDR(png, info, (png_uint_32)bitmap->width, (png_uint_32)bitmap->height, 1,
                 PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, 9);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE); /* filters do little for 1 bit */
    png_uint_32 ppm = (png_uint_32)lround(dpi / 0.0254);
    png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    png_write_info(png, info);
    png_set_invert_mono(png); /* a set bit prints: black, 0 in a gray PNG */
    for (int y = 0; y < bitmap->height; y++)
        png_write_row(png, bitmap->bits + (size_t)y * (size_t)bitmap->stride);
    png_write_end(png, info);
}

/* Nothing that changes after setjmp is read after a longjmp: the buffer
 * lives in the caller's frame and is reached through a pointer. */
static bool encode(const cr_bitmap *bitmap, int dpi, buffer *out)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, out, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(out->failure, sizeof out->failure, "out of memory");
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, out, on_write, on_flush);
    write_image(png, info, bitmap, dpi);
    png_destroy_write_struct(&png, &info);
    return true;
}

static bool usable(const cr_bitmap *bitmap)
{
    return bitmap && bitmap->bits && bitmap->width > 0 && bitmap->height > 0 &&
           bitmap->stride >= (bitmap->width + 7) / 8;
}

cr_status cr_png_write_gray1_memory(const cr_bitmap *bitmap, int dpi, uint8_t **data, size_t *size,
                                    cr_error *err)
{
    if (!data || !size)
        return cr_fail(err, CR_ERR_ARGUMENT, "cannot write PNG: no output buffer given");
    *data = NULL;
    *size = 0;
    if (!usable(bitmap))
        return cr_fail(err, CR_ERR_ARGUMENT, "cannot write PNG: empty panel");
    if (dpi <= 0 || dpi > 100000)
        return cr_fail(err, CR_ERR_ARGUMENT, "cannot write PNG: %d dpi is invalid", dpi);
    buffer out = {NULL, 0, 0, ""};
    if (!encode(bitmap, dpi, &out)) {
        free(out.data);
        return cr_fail(err, strcmp(out.failure, "out of memory") ? CR_ERR_IMAGE : CR_ERR_NOMEM,
                       "cannot write PNG: %s", out.failure);
    }
    *data = out.data;
    *size = out.size;
    return CR_OK;
}

static cr_status store(const char *path, const uint8_t *data, size_t size, bool sync, cr_error *err)
{
    cr_atomic_file file;
    int error_number, commit_errno;
    const char *failed = cr_atomic_file_open(&file, path, sync, &error_number);
    if (failed)
        return cr_atomic_file_error(path, failed, error_number, err);
    failed = cr_atomic_file_write(&file, data, size, &error_number);
    const char *commit_failed = cr_atomic_file_commit(&file, !failed, &commit_errno);
    if (failed)
        return cr_atomic_file_error(path, failed, error_number, err);
    return commit_failed ? cr_atomic_file_error(path, commit_failed, commit_errno, err) : CR_OK;
}

cr_status cr_png_write_gray1_file(const cr_bitmap *bitmap, int dpi, const char *path, bool sync,
                                  cr_error *err)
{
    if (!path || !path[0])
        return cr_fail(err, CR_ERR_ARGUMENT, "cannot write PNG: no file name given");
    uint8_t *data;
    size_t size;
    cr_status status = cr_png_write_gray1_memory(bitmap, dpi, &data, &size, err);
    if (status != CR_OK)
        return status;
    status = store(path, data, size, sync, err);
    free(data);
    return status;
}
