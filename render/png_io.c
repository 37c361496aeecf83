/* PNG files through libpng. Output depends only on the pixels and the dpi
 * (no time stamps, fixed zlib settings), so golden files compare byte for
 * byte; files appear under their name only once complete. */
#include "png_io.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <png.h>

#include "error.h"

enum { PNG_ZLIB_LEVEL = 6, PNG_MAX_SIDE = 20000 };

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

/* Where encoded bytes go: a growing buffer or a file descriptor. */
typedef struct png_sink {
    int fd; /* -1: memory */
    uint8_t *data;
    size_t size, capacity;
    int write_errno; /* first failure of write(), 0 if none */
    bool out_of_memory;
} png_sink;

static bool sink_append(png_sink *sink, const uint8_t *bytes, size_t length)
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
    memcpy(sink->data + sink->size, bytes, length);
    sink->size += length;
    return true;
}

static bool sink_write_fd(png_sink *sink, const uint8_t *bytes, size_t length)
{
    while (length > 0) {
        ssize_t n = write(sink->fd, bytes, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            sink->write_errno = n < 0 ? errno : EIO;
            return false;
        }
        bytes += n;
        length -= (size_t)n;
        sink->size += (size_t)n;
    }
    return true;
}

static void on_png_write(png_structp png, png_bytep bytes, size_t length)
{
    png_sink *sink = png_get_io_ptr(png);
    bool ok = sink->fd < 0 ? sink_append(sink, bytes, length) : sink_write_fd(sink, bytes, length);
    if (!ok)
        png_error(png, sink->out_of_memory ? "out of memory" : "write failed");
}

static void on_png_flush(png_structp png) {}

/* ------------------------------------------------------------- writing */

static png_uint_32 pixels_per_metre(int dpi)
{
    return (png_uint_32)lround(dpi / 0.0254);
}

static void write_header(png_structp png, png_infop info, const cr_canvas *canvas, int dpi)
{
    png_set_IHDR(png, info, (png_uint_32)canvas->width, (png_uint_32)canvas->height, 8,
                 PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, PNG_ZLIB_LEVEL);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_ALL_FILTERS);
    if (dpi > 0) {
        png_uint_32 ppm = pixels_per_metre(dpi);
        png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    }
    png_set_sRGB(png, info, PNG_sRGB_INTENT_PERCEPTUAL);
    png_write_info(png, info);
}

/* Encodes into the sink; on failure failure->message says why. */
static bool encode_png(const cr_canvas *canvas, int dpi, png_sink *sink, png_failure *failure)
{
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, failure, on_png_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(failure->message, sizeof failure->message, "out of memory");
        return false;
    }
    /* Nothing that changes after setjmp is read after a longjmp, so no
     * local needs to be volatile here. */
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, sink, on_png_write, on_png_flush);
    write_header(png, info, canvas, dpi);
    for (int y = 0; y < canvas->height; y++)
        png_write_row(png, canvas->pixels + (size_t)y * (size_t)canvas->stride);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return true;
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
    if (!data || !size)
        return cr_fail(err, CR_ERR_ARGUMENT, "cannot write PNG: no output buffer given");
    *data = NULL;
    *size = 0;
    cr_status status = check_write_args(canvas, dpi, CR_NO_LOCATION, err);
    if (status != CR_OK)
        return status;
    png_sink sink = {.fd = -1};
    png_failure failure = {""};
    if (!encode_png(canvas, dpi, &sink, &failure)) {
        free(sink.data);
        if (sink.out_of_memory)
            return cr_fail(err, CR_ERR_NOMEM, "cannot write PNG: out of memory");
        return cr_fail(err, CR_ERR_IMAGE, "cannot write PNG: %s", failure.message);
    }
    *data = sink.data;
    *size = sink.size;
    return CR_OK;
}

/* Creates "PATH.XXXXXX.tmp" beside path with O_EXCL and mode 0666, so the
 * kernel applies the umask exactly as for any new file (mkstemp would make
 * it 0600, and reading the umask is not thread-safe). */
static int create_temporary(const char *path, char **temp_path)
{
    static atomic_uint counter;
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    size_t size = strlen(path) + 16;
    char *name = malloc(size);
    if (!name) {
        errno = ENOMEM;
        return -1;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    unsigned seed = (unsigned)now.tv_nsec ^ ((unsigned)getpid() << 16);
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned bits = seed ^ (atomic_fetch_add(&counter, 1) * 2654435761u);
        char suffix[7];
        for (int i = 0; i < 6; i++, bits /= 36)
            suffix[i] = letters[bits % 36];
        suffix[6] = '\0';
        snprintf(name, size, "%s.%s.tmp", path, suffix);
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            *temp_path = name;
            return fd;
        }
        if (errno != EEXIST)
            break;
    }
    int saved = errno;
    free(name);
    errno = saved;
    return -1;
}

static cr_status file_error(cr_error *err, const char *path, const char *what, int error_number)
{
    cr_location where = CR_NO_LOCATION;
    where.file = path;
    return cr_error_set(err, error_number == ENOMEM ? CR_ERR_NOMEM : CR_ERR_IO, where,
                        "cannot write PNG: %s: %s", what, strerror(error_number));
}

/* Encodes straight into the open temporary file, closes and renames it. */
static cr_status finish_file(const cr_canvas *canvas, int dpi, const char *path, int fd,
                             const char *temp_path, cr_error *err)
{
    png_sink sink = {.fd = fd};
    png_failure failure = {""};
    bool encoded = encode_png(canvas, dpi, &sink, &failure);
    int close_errno = close(fd) == 0 ? 0 : errno;
    if (!encoded && sink.write_errno)
        return file_error(err, path, "writing the temporary file failed", sink.write_errno);
    if (!encoded) {
        cr_location where = CR_NO_LOCATION;
        where.file = path;
        return cr_error_set(err, CR_ERR_IMAGE, where, "cannot write PNG: %s", failure.message);
    }
    if (close_errno)
        return file_error(err, path, "closing the temporary file failed", close_errno);
    if (rename(temp_path, path) != 0)
        return file_error(err, path, "renaming the temporary file failed", errno);
    return CR_OK;
}

cr_status cr_png_write_file(const cr_canvas *canvas, int dpi, const char *path, cr_error *err)
{
    if (!path || !path[0])
        return cr_fail(err, CR_ERR_ARGUMENT, "cannot write PNG: no file name given");
    cr_location where = CR_NO_LOCATION;
    where.file = path;
    cr_status status = check_write_args(canvas, dpi, where, err);
    if (status != CR_OK)
        return status;
    char *temp_path = NULL;
    int fd = create_temporary(path, &temp_path);
    if (fd < 0)
        return file_error(err, path, "cannot create a temporary file beside it", errno);
    status = finish_file(canvas, dpi, path, fd, temp_path, err);
    if (status != CR_OK)
        unlink(temp_path);
    free(temp_path);
    return status;
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
    r->file = fopen(path, "rb");
    if (!r->file)
        return read_error(err, path, CR_ERR_IO, strerror(errno));
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
