/* The PNG writer: the header and pixels of its files, 1-bit panels, random
 * and card-like images checked by plain libpng, and the chunks and their
 * CRCs (plans, splicing and the filter: test_png_plan.c). Files are checked with plain libpng,
 * apart from the round trips through the module's own reader. Where the files go (modes, links,
 * FIFOs, failures) is test_png_files.c; reading PNGs that other writers made is test_png_read.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <png.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "panels.h"
#include "png_bits.h"
#include "png_fixtures.h"
#include "png_io.h"

static void test_header_and_pixels(void **state)
{
    cr_canvas c;
    png_fix_make_canvas(&c, 1011, 638);
    char path[128];
    png_fix_work_path(path, sizeof path, "card300.png");
    cr_error err;
    assert_int_equal(cr_png_write_file(&c, 300, path, &err), CR_OK);

    png_facts facts;
    png_fix_libpng_inspect(path, &facts);
    assert_int_equal(facts.width, 1011);
    assert_int_equal(facts.height, 638);
    assert_int_equal(facts.bit_depth, 8);
    assert_int_equal(facts.color_type, PNG_COLOR_TYPE_RGB);
    assert_int_equal(facts.interlace, PNG_INTERLACE_NONE);
    assert_true(facts.has_phys);
    assert_int_equal(facts.ppm_x, 11811);
    assert_int_equal(facts.ppm_y, 11811);
    assert_int_equal(facts.phys_unit, PNG_RESOLUTION_METER);
    assert_true(facts.has_srgb);
    assert_int_equal(facts.srgb_intent, PNG_sRGB_INTENT_PERCEPTUAL);
    assert_false(facts.has_time);
    for (int y = 0; y < c.height; y++)
        assert_memory_equal(facts.rgb + (size_t)y * 1011 * 3, c.pixels + (size_t)y * c.stride,
                            1011 * 3);
    free(facts.rgb);
    unlink(path);
    cr_canvas_free(&c);
}

static void test_600_dpi(void **state)
{
    cr_canvas c;
    png_fix_make_canvas(&c, 64, 40);
    char path[128];
    png_fix_work_path(path, sizeof path, "card600.png");
    assert_int_equal(cr_png_write_file(&c, 600, path, NULL), CR_OK);
    png_facts facts;
    png_fix_libpng_inspect(path, &facts);
    assert_int_equal(facts.ppm_x, 23622);
    assert_int_equal(facts.ppm_y, 23622);
    free(facts.rgb);

    /* Our reader: the same pixels and the dpi back. */
    cr_canvas back;
    int dpi = 0;
    assert_int_equal(cr_png_read_rgb(path, &back, &dpi, NULL), CR_OK);
    assert_int_equal(dpi, 600);
    assert_int_equal(back.width, 64);
    assert_int_equal(back.height, 40);
    for (int y = 0; y < c.height; y++)
        assert_memory_equal(back.pixels + (size_t)y * back.stride, c.pixels + (size_t)y * c.stride,
                            64 * 3);
    cr_canvas_free(&back);
    unlink(path);
    cr_canvas_free(&c);
}

static void test_reproducible_and_memory_equals_file(void **state)
{
    cr_canvas c;
    png_fix_make_canvas(&c, 300, 200);
    char first[128], second[128];
    png_fix_work_path(first, sizeof first, "a.png");
    png_fix_work_path(second, sizeof second, "b.png");
    assert_int_equal(cr_png_write_file(&c, 300, first, NULL), CR_OK);
    assert_int_equal(cr_png_write_file(&c, 300, second, NULL), CR_OK);
    size_t size_a, size_b, size_mem;
    uint8_t *a = png_fix_read_bytes(first, &size_a);
    uint8_t *b = png_fix_read_bytes(second, &size_b);
    uint8_t *mem = NULL;
    assert_int_equal(cr_png_write_memory(&c, 300, &mem, &size_mem, NULL), CR_OK);
    assert_int_equal(size_a, size_b);
    assert_memory_equal(a, b, size_a);
    assert_int_equal(size_mem, size_a);
    assert_memory_equal(mem, a, size_a);
    free(a);
    free(b);
    free(mem);
    unlink(first);
    unlink(second);
    cr_canvas_free(&c);
}

/* ------------------------------------------------- 1-bit panels */

/* A 13x5 panel with a diagonal and a full last row. */
static void make_bitmap(cr_bitmap *b)
{
    assert_int_equal(cr_bitmap_init(b, 13, 5, NULL), CR_OK);
    for (int x = 0; x < 13; x++) {
        if (x % 5 == x / 3 % 5)
            cr_bitmap_set(b, x, x % 5);
        cr_bitmap_set(b, x, 4);
    }
}

/* Written to a file and read back through libpng: printed bits are black,
 * the rest white, the resolution kept. */
static void test_gray1_round_trip(void **state)
{
    cr_bitmap b;
    make_bitmap(&b);
    char path[128];
    png_fix_work_path(path, sizeof path, "k.png");
    assert_int_equal(cr_png_write_gray1_file(&b, 600, path, false, NULL), CR_OK);
    cr_canvas c;
    int dpi;
    assert_int_equal(cr_png_read_rgb(path, &c, &dpi, NULL), CR_OK);
    assert_int_equal(dpi, 600);
    assert_int_equal(c.width, 13);
    assert_int_equal(c.height, 5);
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 13; x++) {
            const uint8_t *p = c.pixels + (size_t)y * c.stride + (size_t)x * 3;
            int want = cr_bitmap_get(&b, x, y) ? 0 : 255;
            assert_true(p[0] == want && p[1] == want && p[2] == want);
        }
    assert_int_equal(unlink(path), 0);
    cr_canvas_free(&c);
    cr_bitmap_free(&b);
}

/* Every refusal of the 1-bit writer, with its message, and no file left. */
static void test_gray1_arguments(void **state)
{
    cr_bitmap b, empty = {0};
    make_bitmap(&b);
    uint8_t *data = (uint8_t *)"untouched";
    size_t size = 1;
    cr_error err;
    assert_int_equal(cr_png_write_gray1_memory(&b, 300, NULL, &size, &err), CR_ERR_ARGUMENT);
    assert_string_equal(err.message, "cannot write PNG: no output buffer given");
    assert_int_equal(cr_png_write_gray1_memory(&b, 300, &data, NULL, &err), CR_ERR_ARGUMENT);
    assert_int_equal(cr_png_write_gray1_memory(&empty, 300, &data, &size, &err), CR_ERR_ARGUMENT);
    assert_string_equal(err.message, "cannot write PNG: empty panel");
    assert_null(data);
    assert_int_equal(size, 0);
    cr_bitmap narrow = b;
    narrow.stride = 1; /* 13 px need 2 bytes a row */
    assert_int_equal(cr_png_write_gray1_memory(&narrow, 300, &data, &size, &err), CR_ERR_ARGUMENT);
    assert_string_equal(err.message, "cannot write PNG: empty panel");
    assert_int_equal(cr_png_write_gray1_memory(&b, 0, &data, &size, &err), CR_ERR_ARGUMENT);
    assert_string_equal(err.message, "cannot write PNG: 0 dpi is invalid");
    assert_int_equal(cr_png_write_gray1_memory(&b, 100001, &data, &size, &err), CR_ERR_ARGUMENT);
    assert_string_equal(err.message, "cannot write PNG: 100001 dpi is invalid");
    assert_int_equal(cr_png_write_gray1_memory(&b, 100000, &data, &size, &err), CR_OK);
    free(data);
    assert_int_equal(cr_png_write_gray1_file(&b, 300, NULL, false, &err), CR_ERR_ARGUMENT);
    assert_string_equal(err.message, "cannot write PNG: no file name given");
    assert_int_equal(cr_png_write_gray1_file(&b, 300, "", false, &err), CR_ERR_ARGUMENT);
    char path[128];
    png_fix_work_path(path, sizeof path, "bad-dpi.png");
    assert_int_equal(cr_png_write_gray1_file(&b, -5, path, false, &err), CR_ERR_ARGUMENT);
    assert_int_equal(png_fix_files_in_work_dir(), 0);
    cr_bitmap_free(&b);
}

/* The three ways storing the file fails: no folder, a write that fails
 * (the file-size limit, its signal ignored: EFBIG) and a folder in the
 * way. Each names the file and the step; nothing is left, not even the
 * temporary. */
static void expect_gray1_io_error(const char *path, const char *step, int error_number)
{
    cr_bitmap b;
    make_bitmap(&b);
    cr_error err;
    assert_int_equal(cr_png_write_gray1_file(&b, 300, path, false, &err), CR_ERR_IO);
    assert_string_equal(err.file, path);
    char want[512];
    if (error_number)
        snprintf(want, sizeof want, "cannot write PNG: %s: %s", step, strerror(error_number));
    else
        snprintf(want, sizeof want, "cannot write PNG: %s", step);
    if (!strstr(err.message, want))
        fail_msg("\"%s\" lacks \"%s\"", err.message, want);
    cr_bitmap_free(&b);
}

static void test_gray1_file_errors(void **state)
{
    char path[128];
    png_fix_work_path(path, sizeof path, "missing/k.png");
    expect_gray1_io_error(path, "cannot create a temporary file beside it", ENOENT);
    assert_int_equal(png_fix_files_in_work_dir(), 0);

    png_fix_work_path(path, sizeof path, "big.png");
    struct rlimit old, tiny = {16, 16};
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    tiny.rlim_max = old.rlim_max;
    void (*previous)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &tiny), 0);
    expect_gray1_io_error(path, "writing the temporary file failed", EFBIG);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, previous);
    assert_int_equal(png_fix_files_in_work_dir(), 0);

    png_fix_work_path(path, sizeof path, "folder.png");
    assert_int_equal(mkdir(path, 0755), 0);
    expect_gray1_io_error(path, "it is a directory", 0);
    assert_int_equal(png_fix_files_in_work_dir(), 1);
    assert_int_equal(rmdir(path), 0);
}

/* ----------------------------------------- our writer, checked by libpng */

static void write_and_check(const cr_canvas *c, int dpi)
{
    char path[128];
    png_fix_work_path(path, sizeof path, "check.png");
    cr_error err;
    if (cr_png_write_file(c, dpi, path, &err) != CR_OK)
        fail_msg("%s", err.message);
    png_fix_assert_decodes_to(c, path);
    unlink(path);
}

/* Every width from 1 to 40 (rows shorter and longer than the filter's
 * 16-byte steps, with every remainder), 1 to 3 rows, random bytes. */
static void test_random_small_images(void **state)
{
    for (int width = 1; width <= 40; width++)
        for (int height = 1; height <= 3; height++) {
            cr_canvas c;
            assert_int_equal(cr_canvas_init(&c, width, height, NULL), CR_OK);
            png_fix_fill_random(&c, (uint32_t)(width * 131 + height));
            write_and_check(&c, 300);
            cr_canvas_free(&c);
        }
}

static uint8_t *encode(const cr_canvas *c, size_t *size)
{
    uint8_t *png = NULL;
    assert_int_equal(cr_png_write_memory(c, 300, &png, size, NULL), CR_OK);
    return png;
}

/* The bytes depend on the pixels only, never on what was encoded before:
 * encoding another image in between (whose freed encoder the allocator
 * hands out again, with its match history) must not change them. */
static void test_bytes_independent_of_earlier_files(void **state)
{
    cr_canvas a, b;
    assert_int_equal(cr_canvas_init(&a, 211, 97, NULL), CR_OK);
    assert_int_equal(cr_canvas_init(&b, 211, 97, NULL), CR_OK);
    for (int y = 0; y < 97; y++)
        for (int x = 0; x < 211 * 3; x++) {
            a.pixels[(size_t)y * a.stride + x] = (uint8_t)((x * 7 + y * 3) % 251);
            b.pixels[(size_t)y * b.stride + x] = (uint8_t)((x / 5 + y) % 17 * 13);
        }
    size_t first_size, other_size, again_size;
    uint8_t *first = encode(&a, &first_size);
    uint8_t *other = encode(&b, &other_size);
    free(other);
    /* Leave garbage where the next encoder is likely to be allocated. */
    for (size_t size = 64 * 1024; size <= 1024 * 1024; size *= 2) {
        uint8_t *junk = malloc(size);
        assert_non_null(junk);
        for (size_t i = 0; i < size; i++)
            junk[i] = (uint8_t)(i * 2654435761u >> 13);
        free(junk);
    }
    uint8_t *again = encode(&a, &again_size);
    assert_int_equal(first_size, again_size);
    assert_memory_equal(first, again, first_size);
    free(first);
    free(again);
    cr_canvas_free(&a);
    cr_canvas_free(&b);
}

/* Incompressible data larger than an IDAT chunk and a filter block, at an
 * odd width. */
static void test_random_large_image(void **state)
{
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, 1013, 641, NULL), CR_OK);
    png_fix_fill_random(&c, 7);
    write_and_check(&c, 300);
    cr_canvas_free(&c);
}

static void test_one_pixel_and_extremes(void **state)
{
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, 1, 1, NULL), CR_OK);
    c.pixels[0] = 255;
    write_and_check(&c, 300);
    cr_canvas_free(&c);
    /* 0 and 255 side by side and above each other: differences wrap. */
    assert_int_equal(cr_canvas_init(&c, 33, 9, NULL), CR_OK);
    for (int y = 0; y < c.height; y++)
        for (int i = 0; i < c.width * 3; i++)
            c.pixels[(size_t)y * c.stride + (size_t)i] = ((i / 3 + y) % 3 == 0) ? 255 : 0;
    write_and_check(&c, 300);
    cr_canvas_free(&c);
}

/* A canvas whose rows are wider than its pixels (a view into a bigger
 * buffer): only the pixels are written. */
static void test_padded_rows(void **state)
{
    cr_canvas c = {.width = 21, .height = 11, .stride = 21 * 3 + 5};
    c.pixels = malloc((size_t)c.stride * (size_t)c.height);
    png_fix_fill_random(&c, 99);
    write_and_check(&c, 300);
    free(c.pixels);
}

/* A card at 600 dpi: more than one IDAT chunk, decoded exactly. */
static void test_card_600_dpi(void **state)
{
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, 2022, 1276, NULL), CR_OK);
    png_fix_fill_card_like(&c);
    write_and_check(&c, 600);
    cr_canvas_free(&c);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Walks the chunks of a PNG in memory: their order, and each CRC computed
 * again with zlib. Returns the IDAT data, concatenated. */
static uint8_t *walk_chunks(const uint8_t *png, size_t size, bool expect_phys, size_t *idat_size)
{
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    assert_true(size > 8);
    assert_memory_equal(png, signature, 8);
    const char *expected[] = {"IHDR", expect_phys ? "pHYs" : "sRGB", "sRGB"};
    size_t expected_count = expect_phys ? 3 : 2, count = 0;
    uint8_t *idat = NULL;
    *idat_size = 0;
    bool seen_iend = false;
    for (size_t at = 8; at < size; count++) {
        assert_true(!seen_iend && at + 12 <= size);
        uint32_t length = be32(png + at);
        assert_true(at + 12 + length <= size);
        const uint8_t *type = png + at + 4;
        uint32_t crc = (uint32_t)crc32(0, type, 4 + length);
        assert_int_equal(be32(png + at + 8 + length), crc);
        if (count < expected_count) {
            assert_memory_equal(type, expected[count], 4);
        } else if (!memcmp(type, "IDAT", 4)) {
            idat = realloc(idat, *idat_size + length);
            memcpy(idat + *idat_size, type + 4, length);
            *idat_size += length;
        } else {
            assert_memory_equal(type, "IEND", 4);
            assert_int_equal(length, 0);
            seen_iend = true;
        }
        at += 12 + length;
    }
    assert_true(seen_iend);
    assert_non_null(idat);
    return idat;
}

/* Nothing but IHDR, pHYs, sRGB, IDAT and IEND, every CRC right, and the
 * IDAT data one zlib stream of exactly the filtered rows. */
static void test_chunks_and_crcs(void **state)
{
    cr_canvas c;
    assert_int_equal(cr_canvas_init(&c, 1011, 638, NULL), CR_OK);
    png_fix_fill_card_like(&c);
    for (int dpi = 0; dpi <= 300; dpi += 300) {
        uint8_t *png = NULL;
        size_t size = 0, idat_size = 0;
        assert_int_equal(cr_png_write_memory(&c, dpi, &png, &size, NULL), CR_OK);
        uint8_t *idat = walk_chunks(png, size, dpi > 0, &idat_size);
        uLongf raw_size = (uLongf)c.height * (1 + (uLongf)c.width * 3);
        uint8_t *raw = malloc(raw_size + 1);
        uLongf got = raw_size + 1;
        assert_int_equal(uncompress(raw, &got, idat, idat_size), Z_OK);
        assert_int_equal(got, raw_size);
        for (int y = 0; y < c.height; y++) /* a known filter type on every row */
            assert_in_range(raw[(size_t)y * (1 + (size_t)c.width * 3)], 0, 4);
        free(raw);
        free(idat);
        free(png);
    }
    cr_canvas_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_and_pixels),
        cmocka_unit_test(test_600_dpi),
        cmocka_unit_test(test_reproducible_and_memory_equals_file),
        cmocka_unit_test(test_random_small_images),
        cmocka_unit_test(test_random_large_image),
        cmocka_unit_test(test_bytes_independent_of_earlier_files),
        cmocka_unit_test(test_one_pixel_and_extremes),
        cmocka_unit_test(test_padded_rows),
        cmocka_unit_test(test_card_600_dpi),
        cmocka_unit_test(test_chunks_and_crcs),
        cmocka_unit_test(test_gray1_round_trip),
        cmocka_unit_test(test_gray1_arguments),
        cmocka_unit_test(test_gray1_file_errors),
    };
    return cmocka_run_group_tests_name("png", tests, png_fix_make_work_dir,
                                       png_fix_remove_work_dir);
}
