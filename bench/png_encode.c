/* PNG encoding alone, on the same pixels: the engine's writer on one
 * thread and on two (one card's latency), against libpng with the settings
 * Cairo's cairo_surface_write_to_png leaves it (zlib level 6, libpng's
 * per-row choice among all five filters). The card is rendered once
 * through the public API; each encoder then writes it into memory `runs`
 * times, and the median time is printed.
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

static int engine_threads = 1;

static size_t engine_encode(const cr_image *image)
{
    unsigned char *data = NULL;
    size_t size = 0;
    cr_error err;
    cr_write_options options;
    cr_write_options_init(&options);
    options.threads = engine_threads;
    if (cr_image_write_png_memory_with(image, &data, &size, &options, &err) != CR_OK) {
        fprintf(stderr, "png_encode: %s\n", err.message);
        exit(1);
    }
    free(data);
    return size;
}

/* Median milliseconds of `runs` encodings; *bytes gets the size. */
static double median_ms(size_t (*encode)(const cr_image *), const cr_image *image, int runs,
                        size_t *bytes)
{
    double *times = calloc((size_t)runs, sizeof *times);
    for (int i = 0; i < runs; i++) {
        double start = seconds_now();
        *bytes = encode(image);
        times[i] = (seconds_now() - start) * 1e3;
    }
    qsort(times, (size_t)runs, sizeof *times, compare_doubles);
    double median = times[runs / 2];
    free(times);
    return median;
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
    size_t engine_bytes = 0, engine2_bytes = 0, libpng_bytes = 0;
    double engine_ms = median_ms(engine_encode, image, runs, &engine_bytes);
    engine_threads = 2;
    double engine2_ms = median_ms(engine_encode, image, runs, &engine2_bytes);
    double libpng_ms = median_ms(libpng_encode, image, runs, &libpng_bytes);
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
