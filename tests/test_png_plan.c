/* The PNG writer's pixel coding (png_plan.h, png_filter.h): the Paeth
 * filter's vector versions against the specification's formula, plans
 * whose reference codes are copied only where a card's pixels are the
 * reference's, the same file for any number of threads, and random images
 * with random live boxes (some coded as runs) and random changes, each
 * file decoded by plain libpng; and the coder of literals and runs
 * (png_splice_runs), its output inflated by zlib, and its symbol counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "png_deflate.h"
#include "png_filter.h"
#include "png_fixtures.h"
#include "png_io.h"
#include "png_plan.h"

/* ------------------------------------------------------------- filter */

/* Cases worked by hand from the PNG specification's predictor: left 10,
 * above 20, upper left 15: p = 15, distances 5, 5 and 0, so the upper left
 * predicts, and 100 is stored as 85. A tie between above and upper left
 * goes to above: left 25, above 10, upper left 20: p = 15, distances 10, 5
 * and 5, so 10 predicts and 100 is stored as 90 (80 had the tie gone the
 * other way). */
static void test_paeth_by_hand(void **state)
{
    const uint8_t above[6] = {15, 15, 15, 20, 20, 20}, row[6] = {10, 10, 10, 100, 100, 100};
    uint8_t out[6];
    png_filter_paeth_plain(row, above, 3, 6, out);
    assert_int_equal(out[0], 85);
    const uint8_t above2[6] = {20, 0, 0, 10, 0, 0}, row2[6] = {25, 0, 0, 100, 0, 0};
    png_filter_paeth_plain(row2, above2, 3, 4, out);
    assert_int_equal(out[0], 90);
    /* the first row: the left pixel alone (a Sub filter) */
    png_filter_paeth_plain(row, NULL, 0, 6, out);
    assert_int_equal(out[0], 10);
    assert_int_equal(out[3], 90);
}

/* Every start and end within rows of 1 to 40 pixels of random bytes, with
 * and without a row above: the vector versions (8, 16 and 32 bytes a step)
 * equal the plain one. */
static void test_paeth_vectors_equal_plain(void **state)
{
    uint32_t seed = 99;
    uint8_t row[120], above[120], plain[120], vector8[120], best[120];
    for (int pixels = 1; pixels <= 40; pixels++) {
        size_t bytes = (size_t)pixels * 3;
        for (size_t i = 0; i < bytes; i++) {
            row[i] = (uint8_t)(png_fix_next_random(&seed) >> 24);
            above[i] = (uint8_t)(png_fix_next_random(&seed) >> 24);
        }
        for (size_t from = 0; from < bytes; from++)
            for (size_t to = from + 1; to <= bytes; to++)
                for (int first_row = 0; first_row < 2; first_row++) {
                    const uint8_t *up = first_row ? NULL : above;
                    png_filter_paeth_plain(row, up, from, to, plain);
                    png_filter_paeth_vector8(row, up, from, to, vector8);
                    png_filter_paeth(row, up, from, to, best);
                    if (memcmp(plain, vector8, to - from) || memcmp(plain, best, to - from))
                        fail_msg("%d pixels, bytes [%zu, %zu)%s: vector filter differs", pixels,
                                 from, to, first_row ? ", first row" : "");
                }
    }
}

/* Every neighbourhood (left, above, upper left: 2^24 of them) and a random
 * byte, the vector versions against the plain one: neighbourhood k sits at
 * bytes 6k and 6k + 3 of a row and the row above, so none overlaps the
 * next. */
static void test_paeth_every_neighbourhood(void **state)
{
    enum { TRIPLES = 256 * 256, BYTES = 6 * TRIPLES };
    uint8_t *row = malloc(BYTES), *above = malloc(BYTES), *plain = malloc(BYTES),
            *best = malloc(BYTES), *vector8 = malloc(BYTES);
    assert_true(row && above && plain && best && vector8);
    uint32_t seed = 7;
    for (int left = 0; left < 256; left++) {
        for (int k = 0; k < TRIPLES; k++) {
            size_t at = 6 * (size_t)k;
            row[at] = (uint8_t)left;           /* left of byte at + 3 */
            above[at + 3] = (uint8_t)(k >> 8); /* above it */
            above[at] = (uint8_t)k;            /* upper left */
            row[at + 3] = (uint8_t)(png_fix_next_random(&seed) >> 24);
            row[at + 1] = row[at + 2] = row[at + 4] = row[at + 5] = (uint8_t)k;
            above[at + 1] = above[at + 2] = above[at + 4] = above[at + 5] = (uint8_t)left;
        }
        png_filter_paeth_plain(row, above, 0, BYTES, plain);
        png_filter_paeth(row, above, 0, BYTES, best);
        png_filter_paeth_vector8(row, above, 0, BYTES, vector8);
        if (memcmp(plain, best, BYTES) != 0 || memcmp(plain, vector8, BYTES) != 0)
            fail_msg("left %d: a vector filter differs from the formula", left);
    }
    free(row);
    free(above);
    free(plain);
    free(best);
    free(vector8);
}

/* -------------------------------------------------------------- plans */

static uint8_t *encode_changes(const cr_canvas *c, const cr_png_plan *plan,
                               const cr_png_changes *changes, int threads, size_t *size)
{
    cr_png_params params = {plan, threads, false, changes};
    uint8_t *png = NULL;
    cr_error err;
    if (cr_png_write_memory_with(c, 300, &params, &png, size, &err) != CR_OK)
        fail_msg("%s", err.message);
    return png;
}

static uint8_t *encode(const cr_canvas *c, const cr_png_plan *plan, int threads, size_t *size)
{
    return encode_changes(c, plan, NULL, threads, size);
}

static void copy_canvas(cr_canvas *to, const cr_canvas *from)
{
    assert_int_equal(cr_canvas_init(to, from->width, from->height, NULL), CR_OK);
    for (int y = 0; y < from->height; y++)
        memcpy(to->pixels + (size_t)y * to->stride, from->pixels + (size_t)y * from->stride,
               (size_t)from->width * 3);
}

/* The file through a plan with the reference's codes, for threads, equals
 * the file through the same plan without them, and decodes to the card. */
static void assert_plan_file(const cr_canvas *card, const cr_png_plan *kept,
                             const cr_png_plan *bare, int threads, const char *what)
{
    size_t size_kept, size_bare;
    uint8_t *a = encode(card, kept, threads, &size_kept);
    uint8_t *b = encode(card, bare, 1, &size_bare);
    if (size_kept != size_bare || memcmp(a, b, size_bare) != 0)
        fail_msg("%s, %d threads: the reference's codes give another file", what, threads);
    png_fix_assert_memory_decodes_to(card, a, size_kept);
    free(a);
    free(b);
}

enum { W = 300, H = 40 }; /* rows of 901 bytes: three chunks, the last short */

/* The first coded as literals and runs, the second by the deflater. */
static const cr_png_box BOXES[] = {{50, 5, 120, 12, true, false}, {200, 20, 260, 30, false, false}};

/* A card-like reference, and the plan of the one live box `live` with it. */
static cr_png_plan *one_box_plan(cr_canvas *reference, cr_png_box live)
{
    png_fix_make_canvas(reference, W, H);
    png_fix_fill_card_like(reference);
    cr_png_plan *kept = cr_png_plan_create(W, H, &live, 1, reference);
    assert_non_null(kept);
    return kept;
}

/* The card coded through kept, told its changes, on 1 and on 2 threads,
 * decodes to the card: no change was taken for the reference's. */
static void assert_told_file_is_card(const cr_canvas *card, const cr_png_plan *kept,
                                     const cr_png_changes *changes)
{
    for (int threads = 1; threads <= 2; threads++) {
        size_t size;
        uint8_t *png = encode_changes(card, kept, changes, threads, &size);
        png_fix_assert_memory_decodes_to(card, png, size);
        free(png);
    }
}

/* A card-like reference, and the plan of BOXES with it and without it. */
static void make_plans(cr_canvas *reference, cr_png_plan **kept, cr_png_plan **bare)
{
    png_fix_make_canvas(reference, W, H);
    png_fix_fill_card_like(reference);
    *kept = cr_png_plan_create(W, H, BOXES, 2, reference);
    *bare = cr_png_plan_create(W, H, BOXES, 2, NULL);
    assert_non_null(*kept);
    assert_non_null(*bare);
}

/* A reference that compresses in places (so codes are not trivial) and a
 * card changed in one place at a time: in a live box, outside every box
 * (text that strays), on either side of a chunk's edge (pixel 127's bytes
 * are 382-384 of the row: the edge at 384 cuts it; in rows 5-12 the live
 * chunk 0 ends there and a static segment begins), in the row above a
 * segment, in the first and the last row. */
static void test_plan_copies_only_what_matches(void **state)
{
    cr_canvas reference, card;
    cr_png_plan *kept, *bare;
    make_plans(&reference, &kept, &bare);
    assert_true(cr_png_plan_segments(bare) > 10);
    /* the runs box, pixels 50-119 (bytes 151-360 and the pixel after: chunk
     * 0) in rows 5-11 and the row below: 8 chunks */
    assert_int_equal(cr_png_plan_runs_segments(bare), 8);
    struct {
        int x, y;
        const char *what;
    } cases[] = {{-1, -1, "unchanged"},
                 {60, 8, "in a live box"},
                 {10, 35, "outside the boxes"},
                 {127, 8, "pixel 127, cut by a chunk edge"},
                 {128, 8, "pixel 128, after a chunk edge"},
                 {126, 8, "pixel 126, before it"},
                 {299, 19, "the row above a box"},
                 {0, 0, "the first pixel"},
                 {299, 39, "the last pixel"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        copy_canvas(&card, &reference);
        if (cases[k].x >= 0)
            card.pixels[(size_t)cases[k].y * card.stride + (size_t)cases[k].x * 3 + 1] ^= 0x5a;
        assert_plan_file(&card, kept, bare, 1, cases[k].what);
        assert_plan_file(&card, kept, bare, 3, cases[k].what);
        cr_canvas_free(&card);
    }
    /* the plan cuts the stream: another file than one without a plan
     * (with zlib, which cannot splice, plans are not used) */
    size_t size_plan, size_none;
    uint8_t *with_plan = encode(&reference, bare, 1, &size_plan);
    uint8_t *without = encode(&reference, NULL, 1, &size_none);
    bool differ = size_plan != size_none || memcmp(with_plan, without, size_none) != 0;
    assert_true(differ == png_deflate_splices());
#ifdef CR_TEST_PNG_DEFLATE_isal
    /* The code scripts/png_card_code.c builds must splice: otherwise every
     * PNG is coded whole, correct but with nothing kept from the cache. */
    assert_true(png_deflate_splices());
#endif
    free(with_plan);
    free(without);
    cr_png_plan_unref(kept);
    cr_png_plan_unref(bare);
    cr_canvas_free(&reference);
}

/* Where the caller says a card may differ from the reference (its fields'
 * boxes as painted), segments are coded; elsewhere the reference's code is
 * taken without looking. Shown by a card that breaks the promise: changed inside a declared box
 * and, in a static segment far from it, outside. The file decodes to the card inside the box and to
 * the reference outside (with igzip; zlib keeps nothing); without the boxes, to the card
 * everywhere. Changes given to a plan without a reference are ignored. */
static void test_changes_spare_the_comparison(void **state)
{
    cr_canvas reference, card;
    cr_png_plan *kept, *bare;
    make_plans(&reference, &kept, &bare);
    copy_canvas(&card, &reference);
    /* on the declared box's last row: the row below reads it too */
    uint8_t *inside = card.pixels + (size_t)9 * card.stride + (size_t)60 * 3;
    uint8_t *outside = card.pixels + (size_t)35 * card.stride + (size_t)10 * 3; /* static */
    inside[0] ^= 0x5a;
    outside[1] ^= 0x33;
    const cr_png_box painted[] = {{55, 6, 70, 10, false, false}};
    cr_png_changes changes = {painted, 1};
    for (int threads = 1; threads <= 2; threads++) {
        size_t size;
        uint8_t *png = encode_changes(&card, kept, &changes, threads, &size);
        cr_canvas expected;
        copy_canvas(&expected, &card);
        if (png_deflate_splices()) /* zlib codes every image whole: nothing is kept */
            expected.pixels[(size_t)35 * expected.stride + (size_t)10 * 3 + 1] ^= 0x33; /* unseen */
        png_fix_assert_memory_decodes_to(&expected, png, size);
        free(png);
        png = encode_changes(&card, kept, NULL, threads, &size);
        png_fix_assert_memory_decodes_to(&card, png, size);
        free(png);
        png = encode_changes(&card, bare, &changes, threads, &size);
        png_fix_assert_memory_decodes_to(&card, png, size);
        free(png);
        cr_canvas_free(&expected);
    }
    cr_canvas_free(&card);
    cr_png_plan_unref(kept);
    cr_png_plan_unref(bare);
    cr_canvas_free(&reference);
}

/* A text's changes are its glyphs' boxes: dozens, overlapping, in any
 * order. The writer puts each row's in order and joins those that overlap
 * or meet; a card changed at every pixel of every box decodes to itself,
 * through a plan whose every row is live chunks of 128 pixels (so a span
 * lost from a row shows: its chunk would take the reference's code). Rows
 * 0-29 hold random boxes; rows 32, 34, 36 and 38 one case each (the row
 * between keeps one case's row above out of the next's), laid by hand: boxes
 * given right to left, one reaching past another's end from inside it,
 * one inside another, two meeting at a chunk's edge. */
static void test_changes_as_glyph_boxes(void **state)
{
    cr_canvas reference, card;
    cr_png_plan *kept = one_box_plan(&reference, (cr_png_box){0, 0, W, H, true, false});
    cr_png_box boxes[64] = {
        {200, 32, 260, 33, false, false},
        {10, 32, 20, 33, false, false}, /* right to left */
        {100, 34, 140, 35, false, false},
        {120, 34, 200, 35, false, false}, /* reaching past */
        {100, 36, 200, 37, false, false},
        {110, 36, 120, 37, false, false}, /* inside */
        {100, 38, 128, 39, false, false},
        {128, 38, 140, 39, false, false}, /* meeting at pixel 128 */
    };
    size_t count = 8;
    uint32_t seed = 12345;
    for (; count < sizeof boxes / sizeof boxes[0]; count++) {
        int v[4];
        for (int k = 0; k < 4; k++) {
            seed = seed * 1103515245u + 12345u;
            v[k] = (int)(seed >> 16);
        }
        int x0 = v[0] % (W - 1), y0 = v[1] % 29, w = 1 + v[2] % 30, h = 1 + v[3] % 12;
        boxes[count] = (cr_png_box){x0, y0, x0 + w, y0 + h < 30 ? y0 + h : 30, false, false};
    }
    copy_canvas(&card, &reference);
    for (size_t i = 0; i < count; i++)
        for (int y = boxes[i].y0; y < boxes[i].y1; y++)
            for (int x = boxes[i].x0; x < boxes[i].x1 && x < W; x++)
                card.pixels[(size_t)y * card.stride + (size_t)x * 3 + 2] = (uint8_t)(x * 7 + y);
    cr_png_changes changes = {boxes, count};
    assert_told_file_is_card(&card, kept, &changes);
    cr_canvas_free(&card);
    cr_png_plan_unref(kept);
    cr_canvas_free(&reference);
}

/* A live span from a row's first pixel takes the filter type byte, so its
 * chunks of 384 bytes end inside a pixel: pixel 127 is bytes 381-383, the
 * first chunk holds two of them. A change told to be that pixel alone is
 * looked up for both chunks, and the file is the card's. */
static void test_changes_in_a_pixel_a_chunk_edge_cuts(void **state)
{
    cr_canvas reference, card;
    cr_png_plan *kept = one_box_plan(&reference, (cr_png_box){0, 0, W, 3, true, false});
    size_t start, end;
    bool runs;
    assert_true(cr_png_plan_segment(kept, 0, &start, &end, &runs));
    assert_int_equal(end, 384); /* bytes 381-383 of row 0's pixels: pixel 127 */
    copy_canvas(&card, &reference);
    card.pixels[(size_t)1 * card.stride + 127 * 3] ^= 0x5a; /* the part in the first chunk */
    const cr_png_box pixel = {127, 1, 128, 2, false, false};
    cr_png_changes changes = {&pixel, 1};
    assert_told_file_is_card(&card, kept, &changes);
    cr_canvas_free(&card);
    cr_png_plan_unref(kept);
    cr_canvas_free(&reference);
}

/* A plan made for another size is not used: the file is the one without. */
static void test_plan_for_another_size_is_ignored(void **state)
{
    cr_canvas c;
    png_fix_make_canvas(&c, W, H);
    png_fix_fill_random(&c, 5);
    cr_png_plan *other = cr_png_plan_create(W + 1, H, BOXES, 2, NULL);
    size_t size_other, size_none;
    uint8_t *a = encode(&c, other, 1, &size_other);
    uint8_t *b = encode(&c, NULL, 1, &size_none);
    assert_int_equal(size_other, size_none);
    assert_memory_equal(a, b, size_none);
    assert_ptr_equal(cr_png_plan_ref(other), other); /* a second reference */
    cr_png_plan_unref(other);
    cr_png_plan_unref(other);
    free(a);
    free(b);
    cr_canvas_free(&c);
    /* no image, and a reference of another size: no plan */
    cr_canvas small;
    png_fix_make_canvas(&small, 3, 3);
    assert_null(cr_png_plan_create(0, H, NULL, 0, NULL));
    assert_null(cr_png_plan_create(W, H, NULL, 0, &small));
    cr_canvas_free(&small);
}

/* A card-sized image, its plan with three boxes and the reference, one to
 * eight threads: one file. */
static void test_threads_give_one_file(void **state)
{
    cr_canvas reference, card;
    png_fix_make_canvas(&reference, 1011, 638);
    png_fix_fill_card_like(&reference);
    copy_canvas(&card, &reference);
    for (int y = 100; y < 300; y++) /* a "photo" the reference lacks */
        for (int x = 700; x < 950; x++)
            card.pixels[(size_t)y * card.stride + (size_t)x * 3] ^= (uint8_t)(x * y);
    const cr_png_box boxes[] = {{690, 90, 960, 310, true, false},
                                {40, 80, 600, 130, false, false},
                                {40, 400, 650, 600, false, false}};
    cr_png_plan *plan = cr_png_plan_create(1011, 638, boxes, 3, &reference);
    assert_non_null(plan);
    size_t size_one;
    uint8_t *one = encode(&card, plan, 1, &size_one);
    png_fix_assert_memory_decodes_to(&card, one, size_one);
    for (int threads = 2; threads <= 8; threads *= 2) {
        size_t size;
        uint8_t *more = encode(&card, plan, threads, &size);
        assert_int_equal(size, size_one);
        assert_memory_equal(more, one, size);
        free(more);
    }
    free(one);
    cr_png_plan_unref(plan);
    cr_canvas_free(&card);
    cr_canvas_free(&reference);
}

/* A random box, sometimes partly or wholly off the image. */
static cr_png_box random_box(uint32_t *seed, int width, int height)
{
    int x = (int)(png_fix_next_random(seed) % (unsigned)(width + 20)) - 10;
    int y = (int)(png_fix_next_random(seed) % (unsigned)(height + 20)) - 10;
    int w = (int)(png_fix_next_random(seed) % 200), h = (int)(png_fix_next_random(seed) % 40);
    unsigned flags = png_fix_next_random(seed); /* runs, and a picture's whole rows */
    return (cr_png_box){x, y, x + w, y + h, flags % 2 == 0, flags / 2 % 2 == 1};
}

/* Random sizes, smooth or noisy references, random live boxes, cards
 * changed in random rectangles, random thread counts: every file equals
 * the one made without the reference's codes and decodes to the card. */
static void test_random_plans_round_trip(void **state)
{
    uint32_t seed = 2024;
    for (int round = 0; round < 120; round++) {
        int width = 1 + (int)(png_fix_next_random(&seed) % 400);
        int height = 1 + (int)(png_fix_next_random(&seed) % 60);
        cr_canvas reference, card;
        png_fix_make_canvas(&reference, width, height);
        if (round % 2)
            png_fix_fill_card_like(&reference);
        else
            png_fix_fill_random(&reference, seed);
        cr_png_box boxes[4];
        size_t count = png_fix_next_random(&seed) % 5;
        for (size_t i = 0; i < count; i++)
            boxes[i] = random_box(&seed, width, height);
        cr_png_plan *kept = cr_png_plan_create(width, height, boxes, count, &reference);
        cr_png_plan *bare = cr_png_plan_create(width, height, boxes, count, NULL);
        assert_non_null(kept);
        assert_non_null(bare);
        copy_canvas(&card, &reference);
        for (int change = (int)(png_fix_next_random(&seed) % 3); change > 0; change--) {
            cr_png_box box = random_box(&seed, width, height);
            uint8_t value = (uint8_t)png_fix_next_random(&seed);
            for (int y = box.y0 < 0 ? 0 : box.y0; y < box.y1 && y < height; y++)
                for (int x = box.x0 < 0 ? 0 : box.x0; x < box.x1 && x < width; x++)
                    card.pixels[(size_t)y * card.stride + (size_t)x * 3 + (size_t)(x % 3)] = value;
        }
        char what[64];
        snprintf(what, sizeof what, "round %d (%dx%d, %zu boxes)", round, width, height, count);
        assert_plan_file(&card, kept, bare, 1 + (int)(png_fix_next_random(&seed) % 4), what);
        cr_png_plan_unref(kept);
        cr_png_plan_unref(bare);
        cr_canvas_free(&card);
        cr_canvas_free(&reference);
    }
}

/* ------------------------------------------------- literals and runs */

/* Bits least significant first, one at a time: slow and plain, the
 * opposite of the coder under test. */
typedef struct bit_string {
    uint8_t *bytes;
    size_t bits;
} bit_string;

static void append_bits(bit_string *b, const uint8_t *from, size_t first, size_t end)
{
    for (size_t i = first; i < end; i++, b->bits++) {
        unsigned bit = from[i / 8] >> (i % 8) & 1;
        if (b->bits % 8 == 0)
            b->bytes[b->bits / 8] = 0;
        b->bytes[b->bits / 8] |= (uint8_t)(bit << (b->bits % 8));
    }
}

/* The bytes coded by png_splice_runs, framed as one final block of the
 * shared code (its header, the symbols, its end code) and inflated by
 * zlib, must come back; returns the symbols' bit count. */
static size_t assert_runs_round_trip(const uint8_t *bytes, size_t length, const char *what)
{
    uint8_t *symbols = malloc(2 * length + 16);
    const uint8_t *head;
    size_t head_bits;
    uint32_t end_code;
    unsigned end_bits;
    png_splice_head(&head, &head_bits);
    png_splice_end(&end_code, &end_bits);
    bit_string block = {malloc(2 * length + 1024), 0};
    uint8_t *back = malloc(length + 1);
    assert_true(symbols && block.bytes && back);
    size_t bits = png_splice_runs(bytes, length, symbols);
    uint8_t end[4] = {(uint8_t)end_code, (uint8_t)(end_code >> 8), (uint8_t)(end_code >> 16), 0};
    append_bits(&block, head, 0, head_bits);
    append_bits(&block, symbols, 0, bits);
    append_bits(&block, end, 0, end_bits);
    z_stream z = {0};
    assert_int_equal(inflateInit2(&z, -15), Z_OK);
    z.next_in = block.bytes;
    z.avail_in = (uInt)((block.bits + 7) / 8);
    z.next_out = back;
    z.avail_out = (uInt)length + 1;
    int result = inflate(&z, Z_FINISH);
    if (result != Z_STREAM_END || z.total_out != length || memcmp(back, bytes, length) != 0)
        fail_msg("%s: %zu bytes do not come back (zlib %d: %s, %lu bytes)", what, length, result,
                 z.msg ? z.msg : "no message", z.total_out);
    inflateEnd(&z);
    free(symbols);
    free(block.bytes);
    free(back);
    return bits;
}

static void fill_nonzero(uint8_t *bytes, size_t length, uint32_t *seed)
{
    for (size_t i = 0; i < length; i++)
        bytes[i] = (uint8_t)(1 + png_fix_next_random(seed) % 255);
}

/* A run of every length from 0 to 530 zeros (copies reach 258: one, two
 * and three copies, and the lengths that would leave one or two over),
 * at every offset within the coder's 16-byte steps, between bytes that are
 * not zero; and streams that begin with zeros, where no copy may come
 * first (zlib refuses a distance before the stream's start). */
static void test_runs_of_every_length_come_back(void **state)
{
    if (!png_deflate_splices())
        skip(); /* zlib: no shared code, nothing to splice */
    uint32_t seed = 7;
    uint8_t bytes[600];
    char what[64];
    for (size_t run = 0; run <= 530; run++)
        for (size_t offset = 0; offset < 18; offset++) {
            size_t length = offset + run + 1 + (run + offset) % 23;
            fill_nonzero(bytes, length, &seed);
            memset(bytes + offset, 0, run);
            snprintf(what, sizeof what, "%zu zeros at %zu", run, offset);
            assert_runs_round_trip(bytes, length, what);
        }
    for (size_t length = 0; length <= 300; length++) {
        memset(bytes, 0, length);
        snprintf(what, sizeof what, "%zu zeros alone", length);
        assert_runs_round_trip(bytes, length, what);
    }
}

/* Random bytes, a tenth to nine tenths of them zero, of many lengths
 * (shorter than one 16-byte step too): each comes back. */
static void test_random_runs_come_back(void **state)
{
    if (!png_deflate_splices())
        skip();
    uint32_t seed = 31;
    uint8_t bytes[5000];
    char what[64];
    for (int round = 0; round < 400; round++) {
        size_t length = round < 100 ? (size_t)round : png_fix_next_random(&seed) % sizeof bytes;
        unsigned zero_tenths = 1 + (unsigned)round % 9;
        for (size_t i = 0; i < length; i++) {
            uint32_t r = png_fix_next_random(&seed);
            bytes[i] = r % 10 < zero_tenths ? 0 : (uint8_t)(r >> 8);
        }
        snprintf(what, sizeof what, "round %d", round);
        assert_runs_round_trip(bytes, length, what);
    }
}

/* Runs are coded as copies, not literal zeros: 10,000 zeros after one
 * other byte are two literals and 39 copies of at most 30 bits each (a
 * deflate length and distance code is at most 15 bits each, and 258 has
 * no extra bits), under 1,200 bits where literals would take at least one
 * a byte. A long run of another byte is literals. */
static void test_runs_are_copies(void **state)
{
    if (!png_deflate_splices())
        skip();
    static uint8_t bytes[10001];
    bytes[0] = 9;
    size_t bits = assert_runs_round_trip(bytes, sizeof bytes, "10,000 zeros");
    if (bits >= 2 * 15 + 39 * 30)
        fail_msg("10,000 zeros took %zu bits: not coded as runs", bits);
    memset(bytes, 9, sizeof bytes);
    bits = assert_runs_round_trip(bytes, sizeof bytes, "10,001 nines");
    assert_true(bits >= sizeof bytes);
}

/* The shortest run of zeros from which on every copy saves
 * PNG_RUN_SAVING_BITS against literal zeros, found by hand from the code's
 * bit counts. */
static unsigned shortest_saving_run(void)
{
    unsigned shortest = 258;
    while (shortest > 3 && png_zero_copy_bits(shortest - 1) + PNG_RUN_SAVING_BITS <=
                               (shortest - 1) * png_literal_bits(0))
        shortest--;
    return shortest;
}

/* Copies exactly where png_deflate.h says: twenty nines, a zero, n more
 * zeros, twenty nines. By hand from the code's bit counts, the n zeros
 * cost one copy of n at distance 1 from the shortest run whose copy (and
 * every longer one's) saves PNG_RUN_SAVING_BITS on, n literal zeros
 * before; the rest are literals. A coder that looked for runs from a
 * longer one on than it should, or from a shorter one, or coded a copy
 * that costs more, spends other bits than that. */
static void test_runs_take_the_fewer_bits(void **state)
{
    if (!png_deflate_splices())
        skip();
    unsigned shortest = shortest_saving_run();
    assert_true(shortest > 3 && shortest < 40); /* the loop below sees both sides */
    uint8_t bytes[20 + 1 + 40 + 20];
    for (unsigned n = 1; n <= 40; n++) {
        size_t length = 20 + 1 + n + 20;
        memset(bytes, 9, length);
        memset(bytes + 20, 0, 1 + n);
        unsigned zeros = n >= shortest ? png_zero_copy_bits(n) : n * png_literal_bits(0);
        size_t expected = 40 * png_literal_bits(9) + png_literal_bits(0) + zeros;
        char what[64];
        snprintf(what, sizeof what, "a zero and %u more", n);
        size_t bits = assert_runs_round_trip(bytes, length, what);
        if (bits != expected)
            fail_msg("%s: %zu bits, not the %zu of the coding png_deflate.h gives", what, bits,
                     expected);
    }
}

/* What `make png-table` trains on: the runs coder's symbols, counted by
 * hand. A 5, then 301 zeros, then a 7: literals 5 and 0, the zero before
 * the run; the other 300 as copies at distance 1 of 258 (symbol 285) and
 * 42 (symbol 273, lengths 35-42); then literal 7. Bytes with no four
 * zeros in a row are literals, each counted once. */
static void test_runs_are_counted(void **state)
{
    if (!png_deflate_splices())
        skip();
    static uint8_t bytes[303];
    bytes[0] = 5;
    bytes[302] = 7;
    png_symbol_counts counts;
    memset(&counts, 0, sizeof counts);
    png_count_runs(bytes, sizeof bytes, &counts);
    png_symbol_counts expected;
    memset(&expected, 0, sizeof expected);
    expected.lit_len[5] = expected.lit_len[0] = expected.lit_len[7] = 1;
    expected.lit_len[285] = expected.lit_len[273] = 1;
    expected.dist[0] = 2;
    assert_memory_equal(&counts, &expected, sizeof counts);

    uint8_t mixed[1000];
    memset(&expected, 0, sizeof expected);
    for (size_t i = 0; i < sizeof mixed; i++) {
        mixed[i] = (uint8_t)(i % 7 == 0 ? 0 : 1 + i % 250); /* single zeros */
        expected.lit_len[mixed[i]]++;
    }
    memset(&counts, 0, sizeof counts);
    png_count_runs(mixed, sizeof mixed, &counts);
    assert_memory_equal(&counts, &expected, sizeof counts);

    /* No run begins in the last 16 bytes. 100 bytes, nines and then zeros
     * from byte 83 on: the zero at 83 a literal, the 16 from 84 one copy
     * (symbol 267, lengths 15-16). From byte 84 on: a run would begin at
     * 85, in the last 16, so all 16 zeros are literals. */
    uint8_t tail[100];
    for (size_t start = 83; start <= 84; start++) {
        memset(tail, 9, sizeof tail);
        memset(tail + start, 0, sizeof tail - start);
        memset(&expected, 0, sizeof expected);
        expected.lit_len[9] = start;
        if (start == 83) {
            expected.lit_len[0] = 1;
            expected.lit_len[267] = expected.dist[0] = 1;
        } else {
            expected.lit_len[0] = sizeof tail - start;
        }
        memset(&counts, 0, sizeof counts);
        png_count_runs(tail, sizeof tail, &counts);
        assert_memory_equal(&counts, &expected, sizeof counts);
    }
}

/* Deflate's length symbol for a copy of `length`, from the table of RFC
 * 1951, 3.2.5: the first length of each of symbols 257-285. */
static unsigned rfc1951_length_symbol(unsigned length)
{
    static const unsigned first[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                       15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                       67, 83, 99, 115, 131, 163, 195, 227, 258};
    unsigned symbol = 28;
    while (first[symbol] > length)
        symbol--;
    return 257 + symbol;
}

/* Runs that end anywhere: nines, then zeros from `start` for 1 + n bytes,
 * then 20 nines. By hand: the first zero a literal, the other n one copy
 * (10 <= n <= 258 costs fewer bits than n literals), every nine a literal.
 * The runs start at the first, the middle and the end of the coder's first
 * 64-byte block and past it, so they end within its first block of masks,
 * its second and beyond both. */
static void test_runs_end_anywhere(void **state)
{
    if (!png_deflate_splices())
        skip();
    static const size_t starts[] = {1, 40, 63, 64, 100};
    uint8_t bytes[512];
    for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++)
        for (size_t n = 10; n <= 258; n++) {
            size_t start = starts[k], length = start + 1 + n + 20;
            memset(bytes, 9, length);
            memset(bytes + start, 0, 1 + n);
            png_symbol_counts counts, expected;
            memset(&expected, 0, sizeof expected);
            expected.lit_len[9] = length - 1 - n;
            expected.lit_len[0] = 1;
            expected.lit_len[rfc1951_length_symbol((unsigned)n)] = 1;
            expected.dist[0] = 1;
            memset(&counts, 0, sizeof counts);
            png_count_runs(bytes, length, &counts);
            if (memcmp(&counts, &expected, sizeof counts) != 0)
                fail_msg("zeros from %zu, 1 + %zu of them: not one literal and one copy", start, n);
        }
}

/* Segments by hand, rows of 901 filtered bytes: box A, pixels 100-249
 * with the column after (bytes 301-753), rows 2-4; box B, pixels 240-299
 * (bytes 721-900: the row's end), rows 3-4, not runs. In rows 3 and 4 they
 * meet and are one span of runs, bytes 301-900. Each span is cut into
 * chunks of 384 from its own first byte, not on a grid of the row; the
 * bytes between are static, joined across rows. */
typedef struct want_segment {
    size_t start, end;
    bool runs;
} want_segment;

/* The plan of width x height and the boxes has exactly the segments want. */
static void assert_segments(int width, int height, const cr_png_box *boxes, size_t box_count,
                            const want_segment *want, size_t count)
{
    cr_png_plan *plan = cr_png_plan_create(width, height, boxes, box_count, NULL);
    assert_non_null(plan);
    assert_int_equal(cr_png_plan_segments(plan), count);
    for (size_t i = 0; i < count; i++) {
        size_t start, end;
        bool runs;
        assert_true(cr_png_plan_segment(plan, i, &start, &end, &runs));
        if (start != want[i].start || end != want[i].end || runs != want[i].runs)
            fail_msg("segment %zu is [%zu, %zu)%s, wanted [%zu, %zu)%s", i, start, end,
                     runs ? " runs" : "", want[i].start, want[i].end, want[i].runs ? " runs" : "");
    }
    assert_false(cr_png_plan_segment(plan, count, &(size_t){0}, &(size_t){0}, &(bool){false}));
    cr_png_plan_unref(plan);
}

static void test_plan_chunks_begin_at_box_edges(void **state)
{
    const cr_png_box boxes[] = {{100, 2, 250, 4, true, false}, {240, 3, 300, 4, false, false}};
    enum { R = 1 + 3 * W };
    const want_segment want[] = {
        {0, 2 * R + 301, false},          {2 * R + 301, 2 * R + 685, true},
        {2 * R + 685, 2 * R + 754, true}, {2 * R + 754, 3 * R + 301, false},
        {3 * R + 301, 3 * R + 685, true}, {3 * R + 685, 4 * R, true},
        {4 * R, 4 * R + 301, false},      {4 * R + 301, 4 * R + 685, true},
        {4 * R + 685, 5 * R, true},       {5 * R, H * R, false}};
    assert_segments(W, H, boxes, 2, want, sizeof want / sizeof *want);
}

/* The same boxes, the first a picture: its row alone (row 2, pixels
 * 100-250 and the one after: bytes 301-753) is one segment; where it
 * meets the other box (rows 3 and 4) the joined span is cut as before. A
 * picture's row longer than CR_PNG_SEGMENT_BYTES is cut at that length. */
static void test_picture_rows_are_one_segment(void **state)
{
    const cr_png_box boxes[] = {{100, 2, 250, 4, true, true}, {240, 3, 300, 4, false, false}};
    enum { R = 1 + 3 * W };
    const want_segment want[] = {{0, 2 * R + 301, false},
                                 {2 * R + 301, 2 * R + 754, true},
                                 {2 * R + 754, 3 * R + 301, false},
                                 {3 * R + 301, 3 * R + 685, true},
                                 {3 * R + 685, 4 * R, true},
                                 {4 * R, 4 * R + 301, false},
                                 {4 * R + 301, 4 * R + 685, true},
                                 {4 * R + 685, 5 * R, true},
                                 {5 * R, H * R, false}};
    assert_segments(W, H, boxes, 2, want, sizeof want / sizeof *want);

    enum { WIDE = 90000, WIDE_ROW = 1 + 3 * WIDE, MAX = CR_PNG_SEGMENT_BYTES };
    const cr_png_box wide = {0, 0, WIDE, 2, true, true};
    const want_segment cut[] = {{0, MAX, true},
                                {MAX, WIDE_ROW, true},
                                {WIDE_ROW, WIDE_ROW + MAX, true},
                                {WIDE_ROW + MAX, 2 * WIDE_ROW, true}};
    assert_segments(WIDE, 2, &wide, 1, cut, sizeof cut / sizeof *cut);
}

/* A plan's counts, by hand, for a 300 x 40 image of one grey under one
 * runs box: rows of 901 filtered bytes in chunks of 384, 384 and 133, each
 * coded alone. Row 0 (Paeth against no row above: the first pixel, then
 * zeros): 4, 128, 128, 128, 0 and 378 zeros; rows 1-39: 4, 0 and 381
 * zeros; the second chunks: 0 and 383 zeros; the third: 0 and 132. Runs of
 * 378-383 zeros are copies of 258 (symbol 285) and 120-125 (symbol 280,
 * lengths 115-130); of 132, one copy (symbol 281, 131-162). One end of
 * block for the whole image. */
static void test_plan_symbols_are_counted(void **state)
{
    cr_canvas grey;
    png_fix_make_canvas(&grey, W, H);
    for (int y = 0; y < H; y++)
        memset(grey.pixels + (size_t)y * (size_t)grey.stride, 128, (size_t)W * 3);
    const cr_png_box all = {0, 0, W, H, true, false};
    cr_png_plan *plan = cr_png_plan_create(W, H, &all, 1, NULL);
    assert_non_null(plan);
    png_symbol_counts counts, expected;
    memset(&counts, 0, sizeof counts);
    memset(&expected, 0, sizeof expected);
    bool counted = cr_png_count_symbols(&grey, plan, &counts);
    assert_int_equal(counted, png_deflate_splices());
    if (counted) {
        expected.lit_len[4] = H;       /* every row's filter type */
        expected.lit_len[128] = 3;     /* row 0's first pixel */
        expected.lit_len[0] = 3 * H;   /* the zero before each chunk's run */
        expected.lit_len[285] = 2 * H; /* 258 zeros, in the first two chunks */
        expected.lit_len[280] = 2 * H; /* and the rest of them */
        expected.lit_len[281] = H;     /* the third chunk's 132 */
        expected.dist[0] = 5 * H;      /* every copy at distance 1 */
        expected.lit_len[256] = 1;
        assert_memory_equal(&counts, &expected, sizeof counts);
    }
    cr_png_plan_unref(plan);
    cr_canvas_free(&grey);
}

/* png_splice_runs where the CPU has BMI2 runs a copy of the coder built
 * for it: the same bits as the baseline build's, on 20,000 random streams
 * of 0-1,099 bytes, a tenth to nine tenths zeros, some with runs of up to
 * 300 (each also decoded by zlib in the tests above, through the one the
 * CPU runs). */
static void test_runs_coder_copies_agree(void **state)
{
    (void)state;
    if (!png_deflate_splices())
        skip();
    static uint8_t in[1100], out_a[4096], out_b[4096];
    uint64_t seed = 88172645463325252u;
    for (int n = 0; n < 20000; n++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        size_t length = seed % sizeof in;
        unsigned zeros = (unsigned)(seed >> 20) % 9 + 1, runs = (unsigned)(seed >> 30) % 3;
        for (size_t i = 0; i < length;) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            if (runs && seed % 8 == 0) {
                for (size_t k = (seed >> 8) % 300; k > 0 && i < length; k--)
                    in[i++] = 0;
                continue;
            }
            in[i++] = (seed >> 16) % 10 < zeros ? 0 : (uint8_t)((seed >> 24) % 255 + 1);
        }
        memset(out_a, 0, sizeof out_a);
        memset(out_b, 0, sizeof out_b);
        size_t bits = png_splice_runs(in, length, out_a);
        if (png_splice_runs_plain(in, length, out_b) != bits ||
            memcmp(out_a, out_b, (bits + 7) / 8) != 0)
            fail_msg("stream %d (%zu bytes): the two builds of the runs coder differ", n, length);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paeth_by_hand),
        cmocka_unit_test(test_paeth_vectors_equal_plain),
        cmocka_unit_test(test_paeth_every_neighbourhood),
        cmocka_unit_test(test_plan_copies_only_what_matches),
        cmocka_unit_test(test_plan_for_another_size_is_ignored),
        cmocka_unit_test(test_threads_give_one_file),
        cmocka_unit_test(test_random_plans_round_trip),
        cmocka_unit_test(test_runs_of_every_length_come_back),
        cmocka_unit_test(test_random_runs_come_back),
        cmocka_unit_test(test_runs_are_copies),
        cmocka_unit_test(test_runs_take_the_fewer_bits),
        cmocka_unit_test(test_runs_are_counted),
        cmocka_unit_test(test_runs_end_anywhere),
        cmocka_unit_test(test_runs_coder_copies_agree),
        cmocka_unit_test(test_plan_chunks_begin_at_box_edges),
        cmocka_unit_test(test_picture_rows_are_one_segment),
        cmocka_unit_test(test_changes_spare_the_comparison),
        cmocka_unit_test(test_changes_in_a_pixel_a_chunk_edge_cuts),
        cmocka_unit_test(test_changes_as_glyph_boxes),
        cmocka_unit_test(test_plan_symbols_are_counted),
    };
    return cmocka_run_group_tests_name("png plan", tests, png_fix_make_work_dir,
                                       png_fix_remove_work_dir);
}
