/* PNG encoding alone, on the same pixels: the engine's writer on one
 * thread and on two (one card's latency), against libpng with the settings
 * Cairo's cairo_surface_write_to_png leaves it (zlib level 6, libpng's
 * per-row choice among all five filters). The card is rendered once
 * through the public API; the engine's writer then writes it into memory
 * `runs` times on one thread and `runs` times on two, in blocks of
 * BLOCK_RUNS in turns (a slow spell of the machine falls on both alike,
 * and within a block the second thread is awake, as in a stream of
 * cards: one asleep for 5 ms or more takes about 1 ms to wake on the
 * development VM, README "Where it stands"), then libpng `runs` times;
 * each one's median time is printed.
 *   png_encode TEMPLATE RECORD DPI RUNS
 * Prints "engine_ms T engine2_ms T engine_bytes B libpng_ms T libpng_bytes B". */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <png.h>

#include "cardrender.h"

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct buffer {
    unsigned char *data;
    size_t size, capacity;
} buffer;

static void append(png_structp png, png_bytep bytes, size_t length)
{
    buffer *b = png_get_io_ptr(png);
    if (b->size + length > b->capacity) {
        b->capacity = (b->size + length) * 2;
        b->data = realloc(b->data, b->capacity);
    }
    memcpy(b->data + b->size, bytes, length);
    b->size += length;
}

static void no_flush(png_structp png) {}

/* What cairo_surface_write_to_png does with an RGB24 surface, minus the
 * conversion from Cairo's 32-bit pixels: libpng's defaults, RGB, pHYs. */
static size_t libpng_encode(const cr_image *image)
{
    buffer out = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "png_encode: libpng failed\n");
        exit(1);
    }
    png_set_write_fn(png, &out, append, no_flush);
    png_set_IHDR(png, info, cr_image_width(image), cr_image_height(image), 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < cr_image_height(image); y++)
        png_write_row(png, cr_image_pixels(image) + (size_t)y * cr_image_stride(image));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(out.data);
    return out.size;
}

static size_t engine_encode(const cr_image *image, int threads)
{
    unsigned char *data = NULL;
    size_t size = 0;
    cr_error err;
    cr_write_options options;
    cr_write_options_init(&options);
    options.threads = threads;
    if (cr_image_write_png_memory_with(image, &data, &size, &options, &err) != CR_OK) {
        fprintf(stderr, "png_encode: %s\n", err.message);
        exit(1);
    }
    free(data);
    return size;
}

enum { ENGINE_1, ENGINE_2, LIBPNG, ENCODERS, BLOCK_RUNS = 8 };

/* Encoder `which` once: its size, and its time in *ms. */
static size_t encode_timed(int which, const cr_image *image, double *ms)
{
    double start = seconds_now();
    size_t bytes = which == LIBPNG ? libpng_encode(image) : engine_encode(image, which + 1);
    *ms = (seconds_now() - start) * 1e3;
    return bytes;
}

static double median(double *times, int runs)
{
    qsort(times, (size_t)runs, sizeof *times, compare_doubles);
    return times[runs / 2];
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s TEMPLATE RECORD DPI RUNS\n", argv[0]);
        return 2;
    }
    cr_render_options options = {.struct_size = sizeof options, .dpi = atoi(argv[3])};
    int runs = atoi(argv[4]) > 0 ? atoi(argv[4]) : 1;
    cr_error err;
    cr_engine *engine = cr_engine_create(NULL, &err);
    cr_template *tpl = engine ? cr_template_load_file(engine, argv[1], &err) : NULL;
    cr_record *record = tpl ? cr_record_load_file(argv[2], &err) : NULL;
    cr_image *image = record ? cr_render(engine, tpl, record, &options, &err) : NULL;
    if (!image) {
        fprintf(stderr, "png_encode: %s\n", err.message);
        return 1;
    }
    double *times[ENCODERS];
    size_t bytes[ENCODERS] = {0};
    for (int e = 0; e < ENCODERS; e++)
        times[e] = calloc((size_t)runs, sizeof *times[e]);
    for (int block = 0; block < runs; block += BLOCK_RUNS)
        for (int e = ENGINE_1; e <= ENGINE_2; e++)
            for (int i = block; i < block + BLOCK_RUNS && i < runs; i++)
                bytes[e] = encode_timed(e, image, &times[e][i]);
    for (int i = 0; i < runs; i++)
        bytes[LIBPNG] = encode_timed(LIBPNG, image, &times[LIBPNG][i]);
    double engine_ms = median(times[ENGINE_1], runs), engine2_ms = median(times[ENGINE_2], runs);
    double libpng_ms = median(times[LIBPNG], runs);
    size_t engine_bytes = bytes[ENGINE_1], engine2_bytes = bytes[ENGINE_2];
    size_t libpng_bytes = bytes[LIBPNG];
    for (int e = 0; e < ENCODERS; e++)
        free(times[e]);
    if (engine2_bytes != engine_bytes) {
        fprintf(stderr, "png_encode: 2 threads wrote %zu bytes, 1 thread %zu\n", engine2_bytes,
                engine_bytes);
        return 1;
    }
    printf("engine_ms %.2f engine2_ms %.2f engine_bytes %zu libpng_ms %.2f libpng_bytes %zu\n",
           engine_ms, engine2_ms, engine_bytes, libpng_ms, libpng_bytes);
    cr_image_destroy(image);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);
    return 0;
}
