/* The engine's side of the benchmark: renders the benchmark card N times in
 * one process through the public API, the way a production program does,
 * and writes each card's PNG to a file. Per card: the record is read from
 * its JSON file, the card rendered (the photo decoded and scaled from its
 * JPEG on every card) and the PNG written; the engine and template (fonts,
 * artwork) load once, before the clock starts. Card i goes to a new file of
 * its own, as in a batch; with NAMES > 0 to name i % NAMES, replacing an
 * earlier card's file (what the benchmark did before: see bench/run).
 * Card 0 is rendered and written first, timed on its own: what the engine
 * loads or builds on first use (fonts, the template's static layers and
 * PNG plan at this resolution); the clock of the N cards after it measures
 * the rate a long batch keeps. The Pango program does the same.
 *   engine_card TEMPLATE RECORD OUT_DIR DPI N [NAMES]
 * Prints "cards N seconds S cards_per_s R png_bytes B first_card_ms F". */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "cardrender.h"

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Reads the record, renders and writes card number i. */
static int render_one(cr_engine *engine, const cr_template *tpl, const char *record_path,
                      const cr_render_options *options, const char *out_path, cr_error *err)
{
    cr_record *record = cr_record_load_file(record_path, err);
    cr_image *image = record ? cr_render(engine, tpl, record, options, err) : NULL;
    int ok = image && cr_image_write_png_file(image, out_path, err) == CR_OK;
    cr_image_destroy(image);
    cr_record_destroy(record);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: %s TEMPLATE RECORD OUT_DIR DPI N [NAMES]\n", argv[0]);
        return 2;
    }
    int cards = atoi(argv[5]);
    int names = argc == 7 ? atoi(argv[6]) : 0; /* 0: every card its own new file */
    cr_render_options options = {.struct_size = sizeof options, .dpi = atoi(argv[4])};
    cr_error err;
    cr_engine *engine = cr_engine_create(NULL, &err);
    cr_template *tpl = engine ? cr_template_load_file(engine, argv[1], &err) : NULL;
    if (!tpl) {
        fprintf(stderr, "engine_card: %s\n", err.message);
        return 1;
    }
    char out_path[4096];
    double first = seconds_now(), start = first;
    for (int i = 0; i <= cards; i++) {
        if (i == 1)
            start = seconds_now();
        snprintf(out_path, sizeof out_path, "%s/card-%05d.png", argv[3], names > 0 ? i % names : i);
        if (!render_one(engine, tpl, argv[2], &options, out_path, &err)) {
            fprintf(stderr, "engine_card: %s\n", err.message);
            return 1;
        }
    }
    double elapsed = seconds_now() - start;
    printf("cards %d seconds %.3f cards_per_s %.1f png_bytes %ld first_card_ms %.1f\n", cards,
           elapsed, cards / elapsed, file_size(out_path), (start - first) * 1e3);
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);
    return 0;
}
