/* PNG encoding alone, on the same pixels: the engine's writer on one
 * thread and on two (one card's latency), against libpng with the settings
 * Cairo's cairo_surface_write_to_png leaves it (zlib level 6, libpng's
 * per-row choice among all five filters). The card is rendered once
 * through the public API; the engine's writer then writes it into memory
 * `runs` times on one thread and `runs` times on two, in blocks of
 * BLOCK_RUNS in turns (a slow spell of the machine falls on both alike,
 * and within a block the second thread is awake, as in a stream of
 * cards: one asleep for 5 ms or more takes about 1 ms to wake on the
 * development VM, bench/HISTORY.md), then libpng `runs` times;
 * each one's median time is printed.
 *
 * Before each block, what two threads can do at once on this machine:
 * integer arithmetic that keeps a core's ports busy (eight independent
 * xorshift chains, as the coder's table lookups, shifts and ors do), on
 * one thread and then on two at once; printed as the median of two's
 * work per second over one's. On a machine whose two cores are its own
 * that is 2; on the development VM it has also been far lower (1.34 and
 * 1.47 in two of eight readings on 2026-12-08, 1.85-1.97 in the others;
 * bench/HISTORY.md), presumably when the host puts the two
 * virtual CPUs on the halves of one hyperthreaded core or lets another
 * guest share one. An encode on two threads gains no more than that, but
 * for the machine changing speed between the two.
 *   png_encode TEMPLATE RECORD DPI RUNS
 * Prints "engine_ms T engine2_ms T engine_bytes B libpng_ms T libpng_bytes B
 * two_cores R". */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
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

/* Eight xorshift chains for `rounds` rounds: CORE_ROUNDS is about 2 ms
 * here, work no compiler can skip (the result is printed, in effect). */
static uint64_t core_work(uint64_t seed, long rounds)
{
    uint64_t x[8];
    for (int k = 0; k < 8; k++)
        x[k] = seed + (uint64_t)k * 0x9E3779B97F4A7C15u;
    for (long r = 0; r < rounds; r++)
        for (int k = 0; k < 8; k++) {
            x[k] ^= x[k] << 13;
            x[k] ^= x[k] >> 7;
            x[k] ^= x[k] << 17;
        }
    return x[0] ^ x[1] ^ x[2] ^ x[3] ^ x[4] ^ x[5] ^ x[6] ^ x[7];
}

enum { CORE_ROUNDS = 400000 };

/* The second thread of a two-core trial. Woken at the barrier, outside
 * the clock (waking a thread asleep has taken a millisecond on the VM),
 * it then waits for `go` spinning, works, and says it is done. */
typedef struct core_trial {
    pthread_barrier_t awake;
    atomic_int go, done; /* the trial's number */
    uint64_t result;
    bool quit;
} core_trial;

static void *core_helper(void *data)
{
    core_trial *t = data;
    for (int trial = 1;; trial++) {
        pthread_barrier_wait(&t->awake);
        if (t->quit)
            return NULL;
        while (atomic_load(&t->go) != trial)
            ;
        t->result ^= core_work(t->result, CORE_ROUNDS);
        atomic_store(&t->done, trial);
    }
}

/* Two threads' work per second over one's, once (trial numbers from 1). */
static double two_cores_once(core_trial *t, int trial, uint64_t *sink)
{
    double start = seconds_now();
    *sink ^= core_work(*sink, CORE_ROUNDS);
    double one = seconds_now() - start;
    pthread_barrier_wait(&t->awake);
    start = seconds_now();
    atomic_store(&t->go, trial);
    *sink ^= core_work(*sink + 1, CORE_ROUNDS);
    while (atomic_load(&t->done) != trial)
        ;
    double two = seconds_now() - start;
    return 2 * one / two;
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
    core_trial trial = {.result = 1};
    atomic_init(&trial.go, 0);
    atomic_init(&trial.done, 0);
    pthread_t helper;
    pthread_barrier_init(&trial.awake, NULL, 2);
    if (pthread_create(&helper, NULL, core_helper, &trial) != 0) {
        fprintf(stderr, "png_encode: cannot start a thread\n");
        return 1;
    }
    int blocks = (runs + BLOCK_RUNS - 1) / BLOCK_RUNS, trials = 0;
    double *two_cores = calloc((size_t)blocks * 3, sizeof *two_cores);
    uint64_t sink = 7;
    for (int block = 0; block < runs; block += BLOCK_RUNS) {
        for (int k = 0; k < 3; k++, trials++)
            two_cores[trials] = two_cores_once(&trial, trials + 1, &sink);
        for (int e = ENGINE_1; e <= ENGINE_2; e++)
            for (int i = block; i < block + BLOCK_RUNS && i < runs; i++)
                bytes[e] = encode_timed(e, image, &times[e][i]);
    }
    trial.quit = true;
    pthread_barrier_wait(&trial.awake);
    pthread_join(helper, NULL);
    double cores = median(two_cores, trials);
    free(two_cores);
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
    printf("engine_ms %.2f engine2_ms %.2f engine_bytes %zu libpng_ms %.2f libpng_bytes %zu "
           "two_cores %.2f%s\n",
           engine_ms, engine2_ms, engine_bytes, libpng_ms, libpng_bytes, cores,
           sink == 0 ? " " : ""); /* sink used: the work is not optimised away */
    cr_image_destroy(image);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);
    return 0;
}
