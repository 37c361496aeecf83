/* Photos through the whole render path (template, record, asset folder,
 * decoding, fitting, painting): every shared test photo into a 26 x 32 mm
 * box against the same box rendered from portrait-358x441.jpg, and every
 * kind of bad input with its exact message. Run from the project root; the
 * shared photos are ../shared/data/photos (those tests skip when absent). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "support.h"
#include "cardrender.h"

#define PHOTO_DIR "../shared/data/photos"
#define EXAMPLE_PHOTO "examples/records/photos/portrait-358x441.jpg"

static cr_engine *engine;
static char temp_dir[64];

/* ------------------------------------------------------------ helpers */

/* A card of w x h mm at 300 dpi on `background`, all of it one photo box
 * [x, y, bw, bh] bound to "photo", plus the field's extra keys. */
typedef struct card_spec {
    double width_mm, height_mm;
    double box[4];
    const char *background;
    const char *extra;
} card_spec;

static const card_spec photo_card = {26, 32, {0, 0, 26, 32}, "#ffffff", ""};

static cr_template *card_template(const card_spec *spec)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"version\": 1, \"card\": {\"width_mm\": %g, \"height_mm\": %g, "
             "\"corner_radius_mm\": 0, \"dpi\": 300, \"background\": \"%s\"}, "
             "\"fields\": [{\"type\": \"image\", \"name\": \"photo\", "
             "\"box_mm\": [%.6f, %.6f, %.6f, %.6f], \"bind\": \"photo\"%s}]}",
             spec->width_mm, spec->height_mm, spec->background, spec->box[0], spec->box[1],
             spec->box[2], spec->box[3], spec->extra);
    cr_error err;
    cr_template *tpl = cr_template_load_memory(engine, json, strlen(json), "card.json", NULL, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    return tpl;
}

static cr_record *photo_record(const char *value)
{
    char json[512];
    snprintf(json, sizeof json, "{\"photo\": \"%s\"}", value);
    cr_error err;
    cr_record *record = cr_record_load_memory(json, strlen(json), "rec.json", &err);
    if (!record)
        fail_msg("%s", err.message);
    return record;
}

/* Renders the shared photo `name` on the card spec describes. */
static cr_image *render_card(const card_spec *spec, const char *name)
{
    cr_template *tpl = card_template(spec);
    cr_record *record = photo_record(name);
    cr_render_options options = {.struct_size = sizeof options, .asset_dir = PHOTO_DIR};
    cr_error err;
    cr_image *image = cr_render(engine, tpl, record, &options, &err);
    if (!image)
        fail_msg("%s", err.message);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    return image;
}

/* The shared photo in the 26 x 32 mm box: 307 x 378 px. */
static cr_image *render_shared(const char *name, const char *extra)
{
    card_spec spec = photo_card;
    spec.extra = extra;
    cr_image *image = render_card(&spec, name);
    assert_int_equal(cr_image_width(image), 307);
    assert_int_equal(cr_image_height(image), 378);
    return image;
}

static const uint8_t *pixel(const cr_image *image, int x, int y)
{
    return cr_image_pixels(image) + (size_t)y * (size_t)cr_image_stride(image) + (size_t)x * 3;
}

typedef bool (*pixel_filter)(int x, int y, const void *data);

/* Mean absolute difference per channel over the pixels `use` accepts (all
 * when NULL); fails when any channel reaches threshold. */
static void expect_close(const cr_image *a, const cr_image *reference, const char *label,
                         double threshold, pixel_filter use, const void *data)
{
    double sum[3] = {0, 0, 0};
    long count = 0;
    for (int y = 0; y < cr_image_height(a); y++)
        for (int x = 0; x < cr_image_width(a); x++) {
            if (use && !use(x, y, data))
                continue;
            for (int c = 0; c < 3; c++)
                sum[c] += abs(pixel(a, x, y)[c] - pixel(reference, x, y)[c]);
            count++;
        }
    assert_true(count > 0);
    print_message("%-34s MAD R %.3f G %.3f B %.3f over %ld px (threshold %.1f)\n", label,
                  sum[0] / count, sum[1] / count, sum[2] / count, count, threshold);
    for (int c = 0; c < 3; c++)
        assert_true(sum[c] / count < threshold);
}

static bool have_photos(void)
{
    return test_data_present(PHOTO_DIR,
                             "run from the project root with ../shared beside the checkout");
}

/* ------------------------------------------------- the shared photos */

static void compare_with_reference(const char *name, double threshold)
{
    cr_image *reference = render_shared("portrait-358x441.jpg", "");
    cr_image *image = render_shared(name, "");
    expect_close(image, reference, name, threshold, NULL, NULL);
    cr_image_destroy(image);
    cr_image_destroy(reference);
}

static void test_progressive(void **state)
{
    if (!have_photos())
        skip();
    compare_with_reference("portrait-progressive.jpg", 1.5); /* measured 0.59 0.50 0.70 */
}

static void test_16bit_png(void **state)
{
    if (!have_photos())
        skip();
    compare_with_reference("portrait-16bit.png", 0.5); /* measured 0: the same pixels */
}

/* Stored turned a quarter counter-clockwise with EXIF Orientation 6: it
 * comes out upright, or it would differ everywhere. */
static void test_exif_rotated_comes_out_upright(void **state)
{
    if (!have_photos())
        skip();
    compare_with_reference("portrait-exif-orientation-6.jpg", 1.5); /* measured 0.82 0.71 1.02 */
}

/* CMYK converted without a colour profile: close to the RGB original,
 * never inverted. */
static void test_cmyk(void **state)
{
    if (!have_photos())
        skip();
    compare_with_reference("portrait-cmyk.jpg", 2.0); /* measured 0.67 0.59 0.84 */
}

/* Gray in its own terms: against the reference made gray by the engine. */
static void test_gray(void **state)
{
    if (!have_photos())
        skip();
    cr_image *reference =
        render_shared("portrait-358x441.jpg", ", \"adjust\": {\"grayscale\": true}");
    cr_image *image = render_shared("portrait-gray.jpg", "");
    for (int y = 0; y < cr_image_height(image); y++)
        for (int x = 0; x < cr_image_width(image); x++) {
            const uint8_t *p = pixel(image, x, y);
            assert_true(p[0] == p[1] && p[1] == p[2]);
        }
    expect_close(image, reference, "portrait-gray.jpg", 2.0, NULL, NULL); /* measured 1.22 */
    cr_image_destroy(image);
    cr_image_destroy(reference);
}

/* Where the photo renders the same over a black and a white card, it is
 * opaque; where each shows its card, it is clear. */
typedef struct two_cards {
    const cr_image *on_white, *on_black;
} two_cards;

static bool opaque_there(int x, int y, const void *data)
{
    const two_cards *t = data;
    return memcmp(pixel(t->on_white, x, y), pixel(t->on_black, x, y), 3) == 0;
}

static bool clear_there(const two_cards *t, int x, int y)
{
    const uint8_t *w = pixel(t->on_white, x, y), *b = pixel(t->on_black, x, y);
    return w[0] == 255 && w[1] == 255 && w[2] == 255 && b[0] == 0 && b[1] == 0 && b[2] == 0;
}

/* The elliptical mask shows the card in the corners, the photo inside. */
static void test_alpha(void **state)
{
    if (!have_photos())
        skip();
    card_spec black = photo_card;
    black.background = "#000000";
    cr_image *reference = render_shared("portrait-358x441.jpg", "");
    cr_image *on_white = render_shared("portrait-alpha.png", "");
    cr_image *on_black = render_card(&black, "portrait-alpha.png");
    two_cards cards = {on_white, on_black};
    /* Row 377 is the card's own edge (32 mm = 377.95 px), where the paper
     * shows 5% through a black card: the corners are checked a row up. */
    assert_true(clear_there(&cards, 0, 0) && clear_there(&cards, 306, 0));
    assert_true(clear_there(&cards, 0, 376) && clear_there(&cards, 306, 376));
    long clear = 0, opaque = 0;
    for (int y = 0; y < 378; y++)
        for (int x = 0; x < 307; x++) {
            clear += clear_there(&cards, x, y);
            opaque += opaque_there(x, y, &cards);
        }
    print_message("portrait-alpha.png: %ld px clear, %ld opaque of %d\n", clear, opaque, 307 * 378);
    assert_true(clear > 10000 && opaque > 60000);
    expect_close(on_white, reference, "portrait-alpha.png (opaque part)", 0.5, opaque_there,
                 &cards);
    cr_image_destroy(on_black);
    cr_image_destroy(on_white);
    cr_image_destroy(reference);
}

/* astronaut-512.jpg is the whole picture the portrait was cut from: the
 * portrait is its crop (110, 0, 220 x 271) scaled up (found by searching
 * offsets and scales). Placed so that the card shows that crop, it must look
 * like the portrait: measured 2.97 2.88 3.24 (the two went through different
 * scalings); the same crop 3 picture pixels to either side measures 15. */
static void test_astronaut_crop(void **state)
{
    if (!have_photos())
        skip();
    const double mm = 26.0 / 220; /* a picture pixel, with 220 across the card */
    card_spec crop = {26, 32, {-110 * mm, 0, 512 * mm, 512 * mm}, "#ffffff", ""};
    cr_image *image = render_card(&crop, "astronaut-512.jpg");
    cr_image *reference = render_shared("portrait-358x441.jpg", "");
    expect_close(image, reference, "astronaut-512.jpg (the crop)", 5.0, NULL, NULL);
    cr_image_destroy(reference);
    cr_image_destroy(image);
}

/* Every file in the folder renders (no file left untried). */
static void test_every_shared_photo_renders(void **state)
{
    if (!have_photos())
        skip();
    static const char *const names[] = {
        "astronaut-512.jpg",  "portrait-16bit.png",       "portrait-358x441.jpg",
        "portrait-alpha.png", "portrait-cmyk.jpg",        "portrait-exif-orientation-6.jpg",
        "portrait-gray.jpg",  "portrait-progressive.jpg",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_image_destroy(render_shared(names[i], ""));
}

/* ------------------------------------------------------- bad input */

static const char bad_template[] =
    "{\"version\": 1, \"fields\": [{\"type\": \"image\", \"name\": \"photo\", \"box_mm\": [0, 0, "
    "26, 32], \"bind\": \"photo\"}]}";
#define BIND_AT "photo.json:1:96: field 0 \"photo\": "

static void write_file(const char *name, const void *data, size_t size)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", temp_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
}

static void *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    *size = (size_t)ftell(f);
    rewind(f);
    void *data = malloc(*size);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, *size, f), *size);
    fclose(f);
    return data;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static size_t png_chunk(uint8_t *out, const char type[4], const uint8_t *data, uint32_t length)
{
    put_be32(out, length);
    memcpy(out + 4, type, 4);
    if (length)
        memcpy(out + 8, data, length);
    put_be32(out + 8 + length, (uint32_t)crc32(0L, out + 4, 4 + length));
    return 12 + length;
}

/* A PNG that says it is width x height but holds only a few bytes: the
 * size must be refused from the header, before anything is allocated. */
static void write_huge_png(const char *name, uint32_t width, uint32_t height)
{
    uint8_t png[256] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    size_t used = 8;
    uint8_t ihdr[13] = {0};
    put_be32(ihdr, width);
    put_be32(ihdr + 4, height);
    ihdr[8] = 8, ihdr[9] = 2; /* 8-bit RGB */
    used += png_chunk(png + used, "IHDR", ihdr, sizeof ihdr);
    uint8_t raw[16] = {0}, packed[64];
    uLongf packed_size = sizeof packed;
    assert_int_equal(compress2(packed, &packed_size, raw, sizeof raw, 9), Z_OK);
    used += png_chunk(png + used, "IDAT", packed, (uint32_t)packed_size);
    used += png_chunk(png + used, "IEND", NULL, 0);
    write_file(name, png, used);
}

static int make_bad_files(void **state)
{
    snprintf(temp_dir, sizeof temp_dir, "/tmp/cr-photos-XXXXXX");
    if (!mkdtemp(temp_dir))
        return -1;
    char path[256];
    snprintf(path, sizeof path, "%s/album", temp_dir);
    mkdir(path, 0700);
    write_file("empty.jpg", "", 0);
    write_file("notes.txt", "not a photo\n", 12);
    size_t size;
    void *jpeg = read_file(EXAMPLE_PHOTO, &size);
    write_file("p.jpg", jpeg, size);
    write_file("half.jpg", jpeg, size / 2);
    free(jpeg);
    write_huge_png("huge.png", 8000, 6000);
    char target[512];
    if (!realpath(EXAMPLE_PHOTO, target))
        return -1;
    snprintf(path, sizeof path, "%s/link.jpg", temp_dir);
    if (symlink(target, path) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/inner.jpg", temp_dir);
    if (symlink("p.jpg", path) != 0)
        return -1;
    write_file("rec.json", "{\"photo\": \"p.jpg\"}", 18);
    write_file("rec-escape.json", "{\"photo\": \"../p.jpg\"}", 21);
    return 0;
}

static int remove_bad_files(void **state)
{
    static const char *const names[] = {"album",    "empty.jpg",      "notes.txt", "p.jpg",
                                        "half.jpg", "huge.png",       "link.jpg",  "inner.jpg",
                                        "rec.json", "rec-escape.json"};
    char path[256];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", temp_dir, names[i]);
        remove(path);
    }
    rmdir(temp_dir);
    return 0;
}

/* Renders the one-photo template with record (NULL: none) and options and
 * expects exactly this failure. */
static void expect_render_error(const cr_record *record, const cr_render_options *options,
                                cr_status code, const char *message)
{
    cr_error err;
    cr_template *tpl = cr_template_load_memory(engine, bad_template, strlen(bad_template),
                                               "photo.json", NULL, &err);
    assert_non_null(tpl);
    cr_image *image = cr_render(engine, tpl, record, options, &err);
    if (image || strcmp(err.message, message) != 0)
        print_message("got  %s\nwant %s\n", image ? "(an image)" : err.message, message);
    assert_null(image);
    assert_string_equal(err.message, message);
    assert_string_equal(cr_status_name(err.code), cr_status_name(code));
    assert_string_equal(err.file, "photo.json");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 96);
    assert_int_equal(err.field_index, 0);
    cr_template_destroy(tpl);
}

/* value in the record, read in the temporary folder: this failure. */
static void expect_photo_error(const char *value, cr_status code, const char *fmt)
{
    char message[1024];
    snprintf(message, sizeof message, fmt, temp_dir);
    cr_record *record = photo_record(value);
    cr_render_options options = {.struct_size = sizeof options, .asset_dir = temp_dir};
    expect_render_error(record, &options, code, message);
    cr_record_destroy(record);
}

static void test_missing_file(void **state)
{
    expect_photo_error("nobody.jpg", CR_ERR_IO,
                       BIND_AT "record key \"photo\": %s/nobody.jpg: cannot open: No such file or "
                               "directory");
}

static void test_directory(void **state)
{
    expect_photo_error("album", CR_ERR_IO,
                       BIND_AT "record key \"photo\": %s/album: is a directory, not an image file");
}

static void test_zero_bytes(void **state)
{
    expect_photo_error("empty.jpg", CR_ERR_IMAGE,
                       BIND_AT "record key \"photo\": %s/empty.jpg: file is empty (0 bytes)");
}

static void test_truncated(void **state)
{
    expect_photo_error("half.jpg", CR_ERR_IMAGE,
                       BIND_AT "record key \"photo\": %s/half.jpg: JPEG data is truncated "
                               "(premature end of data)");
}

static void test_not_an_image(void **state)
{
    expect_photo_error("notes.txt", CR_ERR_IMAGE,
                       BIND_AT "record key \"photo\": %s/notes.txt: not a JPEG or PNG image "
                               "(looks like text)");
}

static void test_over_the_pixel_limit(void **state)
{
    expect_photo_error("huge.png", CR_ERR_IMAGE,
                       BIND_AT "record key \"photo\": %s/huge.png: image is 8000x6000 pixels "
                               "(48000000), more than the limit of 40000000");
    char message[1024];
    snprintf(message, sizeof message,
             BIND_AT "record key \"photo\": %s/p.jpg: image is 358x441 pixels (157878), more "
                     "than the limit of 100000",
             temp_dir);
    cr_record *record = photo_record("p.jpg");
    cr_render_options options = {
        .struct_size = sizeof options, .asset_dir = temp_dir, .max_image_pixels = 100000};
    expect_render_error(record, &options, CR_ERR_IMAGE, message);
    cr_record_destroy(record);
}

static void test_escaping_paths(void **state)
{
    expect_photo_error("../../etc/passwd", CR_ERR_RECORD,
                       BIND_AT "record key \"photo\": \"../../etc/passwd\" escapes the asset "
                               "folder \"%s\"");
    expect_photo_error("album/../../p.jpg", CR_ERR_RECORD,
                       BIND_AT "record key \"photo\": \"album/../../p.jpg\" escapes the asset "
                               "folder \"%s\"");
    expect_photo_error("/etc/passwd", CR_ERR_RECORD,
                       BIND_AT "record key \"photo\": \"/etc/passwd\" is an absolute path; name "
                               "the file relative to the asset folder \"%s\"");
    /* A symbolic link may not lead out either. */
    expect_photo_error("link.jpg", CR_ERR_RECORD,
                       BIND_AT "record key \"photo\": \"link.jpg\" escapes the asset folder "
                               "\"%s\"");
}

static void test_empty_and_missing_values(void **state)
{
    expect_photo_error("", CR_ERR_RECORD,
                       BIND_AT "record key \"photo\": the value is empty; it must name an image "
                               "file");
    cr_error err;
    cr_record *empty = cr_record_load_memory("{}", 2, "rec.json", &err);
    assert_non_null(empty);
    expect_render_error(empty, NULL, CR_ERR_RECORD,
                        BIND_AT "the record rec.json has no key \"photo\"");
    expect_render_error(NULL, NULL, CR_ERR_RECORD,
                        BIND_AT "no record was given for the key \"photo\"");
    cr_record_destroy(empty);
    cr_render_options options = {.struct_size = sizeof options, .asset_dir = "/no/such/folder"};
    cr_record *record = photo_record("p.jpg");
    expect_render_error(record, &options, CR_ERR_IO,
                        BIND_AT "record key \"photo\": the asset folder \"/no/such/folder\" cannot "
                                "be used: No such file or directory");
    cr_record_destroy(record);
}

/* ---------------------------------------------- where photos are found */

static cr_image *render_bound(const cr_record *record, const cr_render_options *options,
                              cr_error *err)
{
    cr_template *tpl = cr_template_load_memory(engine, bad_template, strlen(bad_template),
                                               "photo.json", NULL, err);
    assert_non_null(tpl);
    cr_image *image = cr_render(engine, tpl, record, options, err);
    cr_template_destroy(tpl);
    return image;
}

/* Without asset_dir, a record file's photos are next to it. */
static void test_default_is_the_record_folder(void **state)
{
    char path[256], message[1024];
    cr_error err;
    snprintf(path, sizeof path, "%s/rec.json", temp_dir);
    cr_record *record = cr_record_load_file(path, &err);
    assert_non_null(record);
    cr_image *image = render_bound(record, NULL, &err);
    if (!image)
        fail_msg("%s", err.message);
    cr_image_destroy(image);
    cr_record_destroy(record);

    snprintf(path, sizeof path, "%s/rec-escape.json", temp_dir);
    record = cr_record_load_file(path, &err);
    assert_non_null(record);
    assert_null(render_bound(record, NULL, &err));
    snprintf(message, sizeof message,
             BIND_AT "record key \"photo\": \"../p.jpg\" escapes the asset folder \"%s\"",
             temp_dir);
    assert_string_equal(err.message, message);
    cr_record_destroy(record);
}

/* A record from memory reads from the working folder; a link that stays
 * inside the folder is fine. */
static void test_memory_record_and_inner_link(void **state)
{
    cr_error err;
    cr_record *record = photo_record(EXAMPLE_PHOTO);
    cr_image *image = render_bound(record, NULL, &err);
    if (!image)
        fail_msg("%s", err.message);
    cr_image_destroy(image);
    cr_record_destroy(record);

    record = photo_record("inner.jpg");
    cr_render_options options = {.struct_size = sizeof options, .asset_dir = temp_dir};
    image = render_bound(record, &options, &err);
    if (!image)
        fail_msg("%s", err.message);
    cr_image_destroy(image);
    cr_record_destroy(record);
}

/* ------------------------------------------------------------------- main */

static int create_engine(void **state)
{
    cr_error err;
    engine = cr_engine_create(NULL, &err);
    if (!engine)
        fprintf(stderr, "cannot create the engine: %s\n", err.message);
    return engine ? 0 : -1;
}

static int destroy_engine(void **state)
{
    cr_engine_destroy(engine);
    return 0;
}

static int setup_all(void **state)
{
    return create_engine(state) || make_bad_files(state);
}

static int teardown_all(void **state)
{
    remove_bad_files(state);
    return destroy_engine(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progressive),
        cmocka_unit_test(test_16bit_png),
        cmocka_unit_test(test_exif_rotated_comes_out_upright),
        cmocka_unit_test(test_cmyk),
        cmocka_unit_test(test_gray),
        cmocka_unit_test(test_alpha),
        cmocka_unit_test(test_astronaut_crop),
        cmocka_unit_test(test_every_shared_photo_renders),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_zero_bytes),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_not_an_image),
        cmocka_unit_test(test_over_the_pixel_limit),
        cmocka_unit_test(test_escaping_paths),
        cmocka_unit_test(test_empty_and_missing_values),
        cmocka_unit_test(test_default_is_the_record_folder),
        cmocka_unit_test(test_memory_record_and_inner_link),
    };
    return cmocka_run_group_tests_name("photos", tests, setup_all, teardown_all);
}
