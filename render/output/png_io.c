/* PNG files. Writing: the PNG container is assembled here around the
 * pixel coding of png_plan.c (the speed of writing cards is mostly the
 * speed of that); reading: libpng, which also decodes our own files in the
 * tests.
 * Output depends only on the pixels, the dpi and the plan (no time stamps,
 * fixed filters, code and chunk sizes), so the same card is the same bytes;
 * files appear under their name only once complete. */
#include "png_io.h"
#include "input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <png.h>

#include "atomic_file.h"
#include "error.h"
#include "png_deflate.h"
#include "png_plan.h"

enum { PNG_MAX_SIDE = 20000 };

/* libpng reports errors through a callback that must not return; the text
 * is kept here for the cr_error. */
typedef struct png_failure {
    char message[256];
} png_failure;

static void on_png_error(png_structp png, png_const_charp message)
{
    png_failure *failure = png_get_error_ptr(png);
    if (failure)
        snprintf(failure->message, sizeof failure->message, "%s", message);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp message)
{
    /* Warnings (an odd ancillary chunk, a CRC in a chunk we do not use) do
     * not stop reading; the result is checked by its own means. */
}

/* ---------------------------------------------------------------- sink */

/* Where encoded bytes go: a growing buffer or a file (atomic_file.h). */
typedef struct png_sink {
    cr_atomic_file *file; /* NULL: memory */
    uint8_t *data;
    size_t size, capacity;
    const char *write_failed; /* the step that failed writing the file, or NULL */
    int write_errno;
    bool out_of_memory;
} png_sink;

/* Room for `length` more bytes in a memory sink. */
static bool sink_reserve(png_sink *sink, size_t length)
{
    if (length > sink->capacity - sink->size) {
        size_t capacity = sink->capacity ? sink->capacity : 64 * 1024;
        while (capacity - sink->size < length)
            capacity *= 2;
        uint8_t *bigger = realloc(sink->data, capacity);
        if (!bigger) {
            sink->out_of_memory = true;
            return false;
        }
        sink->data = bigger;
        sink->capacity = capacity;
    }
    return true;
}

static bool sink_append(png_sink *sink, const uint8_t *bytes, size_t length)
{
    if (!sink_reserve(sink, length))
        return false;
    memcpy(sink->data + sink->size, bytes, length);
    sink->size += length;
    return true;
}

static bool sink_write_file(png_sink *sink, const uint8_t *bytes, size_t length)
{
    sink->write_failed = cr_atomic_file_write(sink->file, bytes, length, &sink->write_errno);
    sink->size += sink->write_failed ? 0 : length;
    return !sink->write_failed;
}

static bool sink_put(png_sink *sink, const uint8_t *bytes, size_t length)
{
    return sink->file ? sink_write_file(sink, bytes, length) : sink_append(sink, bytes, length);
}

/* -------------------------------------------------------------- chunks */

static uint32_t chunk_crc(const uint8_t *bytes, size_t length)
{
    return png_crc32(0, bytes, length);
}

static void put_be32(uint8_t *p, uint32_t value)
{
    p[0] = (uint8_t)(value >> 24);
    p[1] = (uint8_t)(value >> 16);
    p[2] = (uint8_t)(value >> 8);
    p[3] = (uint8_t)value;
}

/* Lays out a chunk around data already at p + 8 (length bytes): the
 * length and type before it, the CRC of type and data after it. Returns
 * the chunk's whole size. */
static size_t frame_chunk(uint8_t *p, const char type[4], size_t length)
{
    put_be32(p, (uint32_t)length);
    memcpy(p + 4, type, 4);
    put_be32(p + 8 + length, chunk_crc(p + 4, length + 4));
    return length + 12;
}

static size_t append_chunk(uint8_t *p, const char type[4], const uint8_t *data, size_t length)
{
    memcpy(p + 8, data, length);
    return frame_chunk(p, type, length);
}

static uint32_t pixels_per_metre(int dpi)
{
    return (uint32_t)lround(dpi / 0.0254);
}

/* Signature, IHDR (8-bit RGB, not interlaced), pHYs and sRGB, in one write. */
static bool write_head(png_sink *sink, const cr_canvas *canvas, int dpi)
{
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    uint8_t head[sizeof signature + 12 + 13 + 12 + 9 + 12 + 1]; /* chunk framing is 12 */
    memcpy(head, signature, sizeof signature);
    size_t size = sizeof signature;
    uint8_t ihdr[13] = {0, 0, 0, 0, 0, 0, 0, 0, 8, 2 /* RGB */, 0, 0, 0};
    put_be32(ihdr, (uint32_t)canvas->width);
    put_be32(ihdr + 4, (uint32_t)canvas->height);
    size += append_chunk(head + size, "IHDR", ihdr, sizeof ihdr);
    if (dpi > 0) {
        uint8_t phys[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1 /* metre */};
        put_be32(phys, pixels_per_metre(dpi));
        put_be32(phys + 4, pixels_per_metre(dpi));
        size += append_chunk(head + size, "pHYs", phys, sizeof phys);
    }
    const uint8_t perceptual = 0;
    size += append_chunk(head + size, "sRGB", &perceptual, 1);
    return sink_put(sink, head, size);
}

/* -------------------------------------------------------------- pixels */

/* IDAT chunks are cut at a fixed size, so the bytes depend on the pixels
 * (and the plan) only. */
enum { IDAT_DATA_BYTES = 256 * 1024 };

/* The zlib stream on its way into IDAT chunks, coded straight into the
 * chunk being made: for a file, in the writer's own buffer, written out
 * when full; in memory, in place in the sink's buffer, so the stream is
 * never copied (png_plan.h). A chunk has room past its data for the CRC
 * and the coder's 8 bytes of slack, where the few bytes the coder hands
 * over past a full chunk wait while the CRC is laid, and move on to the
 * next chunk's start. */
enum { CHUNK_ROOM = 8 + IDAT_DATA_BYTES + 16 };

typedef struct idat_writer {
    png_sink *sink;
    uint8_t *chunk; /* length, type, data, CRC: own, or in the sink's buffer */
    size_t used;    /* data bytes in chunk */
    bool failed;
    uint8_t own[CHUNK_ROOM]; /* a file's chunk; a failed memory sink's scratch */
} idat_writer;

/* A new chunk, in the sink's buffer when writing into memory. */
static void idat_start(idat_writer *w)
{
    w->used = 0;
    w->chunk = w->own;
    if (w->sink->file || w->failed)
        return;
    if (sink_reserve(w->sink, CHUNK_ROOM))
        w->chunk = w->sink->data + w->sink->size;
    else
        w->failed = true;
}

/* Frames the chunk and hands it on (a memory sink's is already in place). */
static bool idat_emit(idat_writer *w)
{
    if (w->used == 0 || w->failed)
        return !w->failed;
    size_t size = frame_chunk(w->chunk, "IDAT", w->used);
    if (w->sink->file)
        w->failed = !sink_write_file(w->sink, w->chunk, size);
    else
        w->sink->size += size;
    return !w->failed;
}

static uint8_t *idat_room(void *target, size_t *capacity)
{
    idat_writer *w = target;
    *capacity = IDAT_DATA_BYTES - w->used;
    return w->chunk + 8 + w->used;
}

static bool idat_done(void *target, size_t length)
{
    idat_writer *w = target;
    w->used += length;
    if (w->used >= IDAT_DATA_BYTES && !w->failed) {
        uint8_t over[8]; /* the coder hands over at most 7 bytes past its room */
        size_t excess = w->used - IDAT_DATA_BYTES;
        memcpy(over, w->chunk + 8 + IDAT_DATA_BYTES, excess);
        w->used = IDAT_DATA_BYTES;
        if (idat_emit(w))
            idat_start(w);
        memcpy(w->chunk + 8, over, excess);
        w->used = excess;
    }
    return !w->failed; /* after a failure the coder asks only for room */
}

/* The image's zlib stream (png_plan.h) in IDAT chunks. */
static bool write_pixels(const cr_canvas *canvas, const cr_png_params *params, png_sink *sink,
                         png_failure *failure)
{
    idat_writer *w = malloc(sizeof *w);
    if (!w) {
        sink->out_of_memory = true;
        return false;
    }
    w->sink = sink; /* not zeroed whole: own is 256 KiB */
    w->failed = false;
    idat_start(w);
    cr_png_out out = {idat_room, idat_done, w};
    bool ok = !w->failed &&
              cr_png_code_pixels(canvas, params ? params->plan : NULL,
                                 params ? params->changes : NULL, params ? params->threads : 1,
                                 &out, failure->message, sizeof failure->message) &&
              idat_emit(w);
    free(w);
    return ok;
}

/* Encodes into the sink; on failure failure->message says why (or the
 * sink's out_of_memory / write_errno). */
static bool encode_png(const cr_canvas *canvas, int dpi, const cr_png_params *params,
                       png_sink *sink, png_failure *failure)
{
    static const uint8_t iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    bool ok = write_head(sink, canvas, dpi) && write_pixels(canvas, params, sink, failure) &&
              sink_put(sink, iend, sizeof iend);
    if (!ok && !failure->message[0])
        snprintf(failure->message, sizeof failure->message, "%s",
                 sink->out_of_memory ? "out of memory" : "write failed");
    return ok;
}

static bool usable_canvas(const cr_canvas *canvas)
{
    return canvas && canvas->pixels && canvas->width > 0 && canvas->height > 0 &&
           canvas->stride >= canvas->width * 3;
}

static cr_status check_write_args(const cr_canvas *canvas, int dpi, cr_location where,
                                  cr_error *err)
{
    if (!usable_canvas(canvas))
        return cr_error_set(err, CR_ERR_ARGUMENT, where, "cannot write PNG: empty canvas");
    if (dpi < 0 || dpi > 100000)
        return cr_error_set(err, CR_ERR_ARGUMENT, where, "cannot write PNG: %d dpi is invalid",
                            dpi);
    return CR_OK;
}

cr_status cr_png_write_memory(const cr_canvas *canvas, int dpi, uint8_t **data, size_t *size,
                              cr_error *err)
{
    return cr_png_write_memory_with(canvas, dpi, NULL, data, size, err);
}

cr_status cr_png_write_memory_with(const cr_canvas *canvas, int dpi, const cr_png_params *params,
                                   uint8_t **data, size_t *size, cr_error *err)
{
    if (!data || !size)
        return cr_fail(err, CR_ERR_ARGUMENT, "cannot write PNG: no output buffer given");
    *data = NULL;
    *size = 0;
    cr_status status = check_write_args(canvas, dpi, CR_NO_LOCATION, err);
    if (status != CR_OK)
        return status;
    /* Room for half the pixel bytes at once (a card's PNG is about 40% of
     * them) and a whole IDAT chunk past them, as the last chunk is coded
     * in place: no copying as the buffer grows, on the thread that joins. */
    png_sink sink = {.file = NULL};
    size_t guess = (size_t)canvas->width * (size_t)canvas->height * 3 / 2 + CHUNK_ROOM;
    if (guess > 64 * 1024 && (sink.data = malloc(guess)))
        sink.capacity = guess;
    png_failure failure = {""};
    if (!encode_png(canvas, dpi, params, &sink, &failure)) {
        free(sink.data);
        if (sink.out_of_memory)
            return cr_fail(err, CR_ERR_NOMEM, "cannot write PNG: out of memory");
        return cr_fail(err, CR_ERR_IMAGE, "cannot write PNG: %s", failure.message);
    }
    *data = sink.data;
    *size = sink.size;
    return CR_OK;
}

/* Encodes straight into the open file and finishes it. */
static cr_status finish_file(const cr_canvas *canvas, int dpi, const cr_png_params *params,
                             const char *path, cr_atomic_file *file, cr_error *err)
{
    png_sink sink = {.file = file};
    png_failure failure = {""};
    bool encoded = encode_png(canvas, dpi, params, &sink, &failure);
    int error_number = 0;
    const char *failed = cr_atomic_file_commit(file, encoded, &error_number);
    if (!encoded && sink.write_failed)
        return cr_atomic_file_error(path, sink.write_failed, sink.write_errno, err);
    if (!encoded) {
        cr_location where = CR_NO_LOCATION;
        where.file = path;
        return cr_error_set(err, CR_ERR_IMAGE, where, "cannot write PNG: %s", failure.message);
    }
    return failed ? cr_atomic_file_error(path, failed, error_number, err) : CR_OK;
}

cr_status cr_png_write_file(const cr_canvas *canvas, int dpi, const char *path, cr_error *err)
{
    return cr_png_write_file_with(canvas, dpi, NULL, path, err);
}

cr_status cr_png_write_file_with(const cr_canvas *canvas, int dpi, const cr_png_params *params,
                                 const char *path, cr_error *err)
{
    if (!path || !path[0])
        return cr_fail(err, CR_ERR_ARGUMENT, "cannot write PNG: no file name given");
    cr_location where = CR_NO_LOCATION;
    where.file = path;
    cr_status status = check_write_args(canvas, dpi, where, err);
    if (status != CR_OK)
        return status;
    cr_atomic_file file;
    int error_number;
    const char *failed = cr_atomic_file_open(&file, path, params && params->sync, &error_number);
    if (failed)
        return cr_atomic_file_error(path, failed, error_number, err);
    return finish_file(canvas, dpi, params, path, &file, err);
}

/* ------------------------------------------------------------- reading */

static cr_status read_error(cr_error *err, const char *path, cr_status code, const char *what)
{
    cr_location where = CR_NO_LOCATION;
    where.file = path;
    return cr_error_set(err, code, where, "cannot read PNG: %s", what);
}

/* Asks libpng for 8-bit RGBA whatever the file holds. */
static void request_rgba8(png_structp png, png_infop info)
{
    int color_type = png_get_color_type(png, info);
    if (png_get_bit_depth(png, info) == 16)
        png_set_scale_16(png);
    png_set_expand(png); /* palette -> RGB, gray < 8 bits -> 8, tRNS -> alpha */
    if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA)
        png_set_gray_to_rgb(png);
    png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER); /* no effect when alpha exists */
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
}

static int dpi_from_phys(png_structp png, png_infop info)
{
    png_uint_32 x_ppm = 0, y_ppm = 0;
    int unit = PNG_RESOLUTION_UNKNOWN;
    if (!png_get_pHYs(png, info, &x_ppm, &y_ppm, &unit) || unit != PNG_RESOLUTION_METER)
        return 0;
    return (int)lround(x_ppm * 0.0254);
}

/* Alpha over white, with the same rounding as the canvas blending. */
static void composite_over_white(const uint8_t *rgba, uint8_t *rgb, int width)
{
    for (int x = 0; x < width; x++, rgba += 4, rgb += 3) {
        unsigned alpha = rgba[3];
        for (int c = 0; c < 3; c++)
            rgb[c] = (uint8_t)((rgba[c] * alpha + 255u * (255u - alpha) + 127u) / 255u);
    }
}

typedef struct png_reader {
    png_failure failure;
    png_structp png;
    png_infop info;
    FILE *file;
    uint8_t *rgba;     /* whole decoded image */
    png_bytep *rows;   /* into rgba */
    cr_canvas *canvas; /* filled when the whole image is decoded */
} png_reader;

static void reader_cleanup(png_reader *r)
{
    png_destroy_read_struct(&r->png, &r->info, NULL);
    free(r->rows);
    free(r->rgba);
    if (r->file)
        fclose(r->file);
}

static bool allocate_rows(png_reader *r, int width, int height)
{
    size_t row_bytes = (size_t)width * 4;
    r->rgba = malloc(row_bytes * (size_t)height);
    r->rows = malloc(sizeof *r->rows * (size_t)height);
    if (!r->rgba || !r->rows)
        return false;
    for (int y = 0; y < height; y++)
        r->rows[y] = r->rgba + row_bytes * (size_t)y;
    return true;
}

/* Everything between setjmp and a possible longjmp. All state it changes is
 * in the heap-allocated reader, never in the frame that called setjmp, so
 * nothing there needs to be volatile. */
static cr_status decode(png_reader *r, const char *path, int *dpi, cr_error *err)
{
    png_set_user_limits(r->png, PNG_MAX_SIDE, PNG_MAX_SIDE);
    png_init_io(r->png, r->file);
    png_set_sig_bytes(r->png, 8);
    png_read_info(r->png, r->info);
    request_rgba8(r->png, r->info);
    int width = (int)png_get_image_width(r->png, r->info);
    int height = (int)png_get_image_height(r->png, r->info);
    if (!allocate_rows(r, width, height))
        return read_error(err, path, CR_ERR_NOMEM, "out of memory");
    png_read_image(r->png, r->rows);
    png_read_end(r->png, NULL);
    cr_status status = cr_canvas_init(r->canvas, width, height, err);
    if (status != CR_OK)
        return status;
    for (int y = 0; y < height; y++)
        composite_over_white(r->rows[y], r->canvas->pixels + (size_t)y * (size_t)r->canvas->stride,
                             width);
    if (dpi)
        *dpi = dpi_from_phys(r->png, r->info);
    return CR_OK;
}

static cr_status open_png(png_reader *r, const char *path, cr_error *err)
{
    const char *kind;
    r->file = cr_fopen_input(path, &kind);
    if (!r->file)
        return read_error(err, path, CR_ERR_IO, kind ? kind : strerror(errno));
    png_byte signature[8];
    if (fread(signature, 1, sizeof signature, r->file) != sizeof signature ||
        png_sig_cmp(signature, 0, sizeof signature) != 0)
        return read_error(err, path, CR_ERR_IMAGE, "not a PNG file");
    r->png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, &r->failure, on_png_error, on_png_warning);
    r->info = r->png ? png_create_info_struct(r->png) : NULL;
    if (!r->info)
        return read_error(err, path, CR_ERR_NOMEM, "out of memory");
    return CR_OK;
}

cr_status cr_png_read_rgb(const char *path, cr_canvas *out, int *dpi, cr_error *err)
{
    if (!path || !out)
        return cr_fail(err, CR_ERR_ARGUMENT, "cannot read PNG: no file or canvas given");
    memset(out, 0, sizeof *out);
    if (dpi)
        *dpi = 0;
    png_reader *const reader = calloc(1, sizeof *reader);
    if (!reader)
        return read_error(err, path, CR_ERR_NOMEM, "out of memory");
    reader->canvas = out;
    cr_status status = open_png(reader, path, err);
    if (status == CR_OK) {
        if (setjmp(png_jmpbuf(reader->png)))
            /* libpng says only "Read Error" when the data runs out. */
            status =
                read_error(err, path, CR_ERR_IMAGE,
                           feof(reader->file) ? "the file is truncated" : reader->failure.message);
        else
            status = decode(reader, path, dpi, err);
    }
    if (status != CR_OK)
        cr_canvas_free(out);
    reader_cleanup(reader);
    free(reader);
    return status;
}
