/* Proofs and checks through the public API: cr_render_proof marks what did
 * not fit in red inside the field's box, and nothing else; cr_image_beside
 * joins two proofs; cr_check_layout reports every field, past errors, and
 * every photo a record binds that a render could not read. Run
 * from the project root (fonts/manifest.json, templates/, examples/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cardrender.h"

#define CARD_TEMPLATE "templates/resident-id-zh-photo.json"
#define CARD_RECORD "examples/records/zh-zhang-wei.json"
#define DPI 300
#define MARGIN_PX 83 /* the sheet's 7 mm margin at 300 dpi */

static cr_engine *engine;

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

/* A small card: a fixed label and a one-line name that shrinks, then a
 * field that condenses. */
static const char small_card[] =
    "{\"version\": 1, \"card\": {\"dpi\": 300},\n"
    " \"fields\": [\n"
    "  {\"type\": \"text\", \"name\": \"label\", \"box_mm\": [6, 6, 8, 3], \"text\": \"姓名\",\n"
    "   \"font\": \"Noto Sans CJK SC\", \"size_pt\": 7.5},\n"
    "  {\"type\": \"text\", \"name\": \"name\", \"box_mm\": [16, 5, 36, 6], \"bind\": \"name\",\n"
    "   \"font\": \"Noto Sans CJK SC\", \"size_pt\": 10.5, \"max_lines\": 1, \"fit\": \"shrink\",\n"
    "   \"min_size_pt\": 7.5},\n"
    "  {\"type\": \"text\", \"name\": \"place\", \"box_mm\": [16, 20, 30, 6], \"bind\": "
    "\"place\",\n"
    "   \"font\": \"Noto Sans CJK SC\", \"size_pt\": 9, \"fit\": \"condense\", \"min_scale_x\": "
    "0.5},\n"
    "  {\"type\": \"rect\", \"name\": \"frame\", \"box_mm\": [4, 30, 40, 10], \"stroke\": "
    "\"#000000\"}\n"
    " ]}";

static cr_template *load_memory(const char *json)
{
    cr_error err;
    cr_template *tpl =
        cr_template_load_memory(engine, json, strlen(json), "small.json", "tests", &err);
    if (!tpl)
        fail_msg("%s", err.message);
    return tpl;
}

static cr_record *record_of(const char *json)
{
    cr_error err;
    cr_record *record = cr_record_load_memory(json, strlen(json), "record.json", &err);
    if (!record)
        fail_msg("%s", err.message);
    return record;
}

static cr_image *proof_of(const cr_template *tpl, const cr_record *record)
{
    cr_error err;
    cr_proof_options options = {.struct_size = sizeof options, .caption = "test"};
    cr_image *image = cr_render_proof(engine, tpl, record, &options, &err);
    if (!image)
        fail_msg("%s", err.message);
    return image;
}

/* The named field's box on the proof sheet, in pixels, a few pixels in from
 * its edges (the stroke lies inside the box). */
typedef struct box {
    int x0, y0, x1, y1;
} box;

static box field_box(const cr_template *tpl, const char *name)
{
    for (size_t i = 0; i < cr_template_field_count(tpl); i++) {
        cr_field_info info;
        assert_int_equal(cr_template_field(tpl, i, &info), CR_OK);
        if (strcmp(info.name, name) != 0)
            continue;
        double scale = DPI / 25.4;
        return (box){MARGIN_PX + (int)(info.x_mm * scale) + 4,
                     MARGIN_PX + (int)(info.y_mm * scale) + 4,
                     MARGIN_PX + (int)((info.x_mm + info.width_mm) * scale) - 4,
                     MARGIN_PX + (int)((info.y_mm + info.height_mm) * scale) - 4};
    }
    fail_msg("no field named %s", name);
    return (box){0, 0, 0, 0};
}

/* The share of the box's pixels tinted red: red well above green and blue. */
static double red_share(const cr_image *image, box b)
{
    const uint8_t *pixels = cr_image_pixels(image);
    long red = 0, all = 0;
    for (int y = b.y0; y < b.y1; y++)
        for (int x = b.x0; x < b.x1; x++) {
            const uint8_t *p = pixels + (size_t)y * cr_image_stride(image) + (size_t)x * 3;
            red += p[0] > p[1] + 40 && p[0] > p[2] + 40;
            all++;
        }
    return all ? (double)red / all : 0;
}

/* ------------------------------------------------------------- proofs */

static void test_proof_of_a_good_card_has_no_red(void **state)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, CARD_TEMPLATE, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    cr_record *record = cr_record_load_file(CARD_RECORD, &err);
    assert_non_null(record);
    cr_image *proof = proof_of(tpl, record);
    int width, height;
    cr_template_pixel_size(tpl, DPI, &width, &height);
    assert_int_equal(cr_image_width(proof), width + 2 * MARGIN_PX);
    assert_true(cr_image_height(proof) > height + 2 * MARGIN_PX); /* the caption */
    assert_int_equal(cr_image_dpi(proof), DPI);
    assert_true(red_share(proof, field_box(tpl, "name")) < 0.01);
    assert_true(red_share(proof, field_box(tpl, "address")) < 0.01);
    cr_image_destroy(proof);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

static void test_proof_marks_an_overflow_in_red(void **state)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, CARD_TEMPLATE, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    cr_record *good = cr_record_load_file(CARD_RECORD, &err);
    assert_non_null(good);
    /* The same person with a name far too long for one line: every key the
     * template binds, from the example record (the photo's path from here). */
    char json[4096] = "{\"name\": \"欧阳诸葛司马慕容上官端木皇甫长孙宇文令狐\"";
    for (size_t i = 0; i < cr_template_field_count(tpl); i++) {
        cr_field_info info;
        cr_template_field(tpl, i, &info);
        if (!info.bind || !strcmp(info.bind, "name"))
            continue;
        const char *value = cr_record_get(good, info.bind);
        assert_non_null(value);
        snprintf(json + strlen(json), sizeof json - strlen(json), ", \"%s\": \"%s%s\"", info.bind,
                 strcmp(info.type, "image") ? "" : "examples/records/", value);
    }
    strcat(json, "}");
    cr_record *record = record_of(json);
    cr_image *proof = proof_of(tpl, record);
    assert_true(red_share(proof, field_box(tpl, "name")) > 0.5);
    assert_true(red_share(proof, field_box(tpl, "address")) < 0.01);
    cr_image_destroy(proof);
    cr_record_destroy(record);
    cr_record_destroy(good);
    cr_template_destroy(tpl);
}

/* Shrunk and condensed fields are marked too; the fixed label and the
 * shape are not. */
static void test_proof_marks_shrink_and_condense(void **state)
{
    cr_template *tpl = load_memory(small_card);
    cr_record *fits = record_of("{\"name\": \"张伟\", \"place\": \"北京\"}");
    cr_record *squeezed = record_of("{\"name\": \"欧阳诸葛司马慕容上官端木\", "
                                    "\"place\": \"北京市东城区南池子大街二十一号院\"}");
    cr_image *plain = proof_of(tpl, fits);
    cr_image *marked = proof_of(tpl, squeezed);
    assert_true(red_share(plain, field_box(tpl, "name")) < 0.01);
    assert_true(red_share(plain, field_box(tpl, "place")) < 0.01);
    assert_true(red_share(marked, field_box(tpl, "name")) > 0.5);
    assert_true(red_share(marked, field_box(tpl, "place")) > 0.5);
    assert_true(red_share(marked, field_box(tpl, "label")) < 0.01);
    assert_true(red_share(marked, field_box(tpl, "frame")) < 0.01);
    /* the reasons are listed under the card: the marked sheet is taller */
    assert_true(cr_image_height(marked) > cr_image_height(plain));
    cr_image_destroy(plain);
    cr_image_destroy(marked);
    cr_record_destroy(fits);
    cr_record_destroy(squeezed);
    cr_template_destroy(tpl);
}

/* The guides are drawn: the safe margin's first dash (green) starts at the
 * corner 3 mm inside the card, and the watermark darkens the card's centre
 * compared with the render. */
static void test_proof_guides_and_watermark(void **state)
{
    cr_template *tpl = load_memory(small_card);
    cr_record *record = record_of("{\"name\": \"张伟\", \"place\": \"北京\"}");
    cr_image *proof = proof_of(tpl, record);
    const uint8_t *pixels = cr_image_pixels(proof);
    int stride = cr_image_stride(proof);
    int safe = MARGIN_PX + 35; /* 3 mm = 35.4 px */
    const uint8_t *dash = pixels + (size_t)safe * stride + (size_t)(safe + 5) * 3;
    assert_true(dash[1] > dash[0] + 50); /* green */
    cr_error err;
    cr_image *card = cr_render(engine, tpl, record, NULL, &err);
    assert_non_null(card);
    long card_sum = 0, proof_sum = 0;
    int cx = cr_image_width(card) / 2, cy = cr_image_height(card) / 2;
    for (int y = cy - 60; y < cy + 60; y++)
        for (int x = cx - 60; x < cx + 60; x++) {
            card_sum += cr_image_pixels(card)[(size_t)y * cr_image_stride(card) + (size_t)x * 3];
            proof_sum += pixels[(size_t)(y + MARGIN_PX) * stride + (size_t)(x + MARGIN_PX) * 3];
        }
    assert_true(proof_sum < card_sum - 120 * 120 * 5); /* darker by 5 levels on average */
    cr_image_destroy(card);
    cr_image_destroy(proof);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

static void test_proof_same_bytes_twice(void **state)
{
    cr_template *tpl = load_memory(small_card);
    cr_record *record = record_of("{\"name\": \"欧阳诸葛司马慕容上官端木\", \"place\": \"北京\"}");
    uint8_t *png[2];
    size_t size[2];
    for (int i = 0; i < 2; i++) {
        cr_image *proof = proof_of(tpl, record);
        cr_error err;
        assert_int_equal(cr_image_write_png_memory(proof, &png[i], &size[i], &err), CR_OK);
        cr_image_destroy(proof);
    }
    assert_int_equal(size[0], size[1]);
    assert_memory_equal(png[0], png[1], size[0]);
    free(png[0]);
    free(png[1]);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

static void test_proof_fails_like_a_render(void **state)
{
    cr_template *tpl = load_memory(small_card);
    cr_record *record = record_of("{\"name\": \"张伟\"}");
    cr_error err;
    assert_null(cr_render_proof(engine, tpl, record, NULL, &err));
    assert_string_equal(err.message, "small.json:8:72: field 2 \"place\": the record record.json "
                                     "has no key \"place\"");
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* ------------------------------------------------------------- beside */

static void test_beside(void **state)
{
    cr_template *tpl = load_memory(small_card);
    cr_record *record = record_of("{\"name\": \"张伟\", \"place\": \"北京\"}");
    cr_image *left = proof_of(tpl, record);
    cr_proof_options options = {.struct_size = sizeof options, .dpi = 150};
    cr_error err;
    cr_image *small = cr_render_proof(engine, tpl, record, &options, &err);
    assert_non_null(small);
    assert_null(cr_image_beside(left, small, 10, &err));
    assert_string_equal(err.message, "cr_image_beside: the images are at 300 and 150 dpi");

    cr_image *both = cr_image_beside(left, left, 10, &err);
    assert_non_null(both);
    int gap = 118; /* 10 mm at 300 dpi */
    assert_int_equal(cr_image_width(both), 2 * cr_image_width(left) + gap);
    assert_int_equal(cr_image_height(both), cr_image_height(left));
    /* the right copy starts after the gap: the rows are the same bytes */
    int y = cr_image_height(left) / 2;
    const uint8_t *row = cr_image_pixels(both) + (size_t)y * cr_image_stride(both);
    const uint8_t *source = cr_image_pixels(left) + (size_t)y * cr_image_stride(left);
    size_t bytes = (size_t)cr_image_width(left) * 3;
    assert_memory_equal(row, source, bytes);
    assert_memory_equal(row + bytes + (size_t)gap * 3, source, bytes);
    cr_image_destroy(both);
    cr_image_destroy(small);
    cr_image_destroy(left);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* -------------------------------------------------------------- checks */

typedef struct heard {
    int reports, overflows, shrunk, condensed;
    int problems;
    cr_status codes[8];
    int problem_fields[8];
    char messages[8][1024];
} heard;

static void on_report(void *data, const cr_field_report *r)
{
    heard *h = data;
    h->reports++;
    h->overflows += r->overflow;
    h->shrunk += r->used_size_pt < r->size_pt;
    h->condensed += r->scale_x < 1;
}

static void on_problem(void *data, const cr_error *e)
{
    heard *h = data;
    if (h->problems < 8) {
        h->codes[h->problems] = e->code;
        h->problem_fields[h->problems] = e->field_index;
        snprintf(h->messages[h->problems], sizeof h->messages[0], "%s", e->message);
    }
    h->problems++;
}

static heard check_with(const cr_template *tpl, const cr_record *record, const char *asset_dir,
                        uint64_t max_image_pixels)
{
    heard h = {0};
    cr_render_options options = {.struct_size = sizeof options,
                                 .asset_dir = asset_dir,
                                 .max_image_pixels = max_image_pixels,
                                 .warning = on_problem,
                                 .warning_data = &h,
                                 .field_report = on_report,
                                 .field_report_data = &h};
    cr_error err;
    assert_int_equal(cr_check_layout(engine, tpl, record, &options, &err), CR_OK);
    return h;
}

static heard check(const cr_template *tpl, const cr_record *record)
{
    return check_with(tpl, record, NULL, 0);
}

static void test_check_layout_reports_each_text_field(void **state)
{
    cr_template *tpl = load_memory(small_card);
    cr_record *record = record_of("{\"name\": \"欧阳诸葛司马慕容上官端木皇甫长孙宇文令狐\", "
                                  "\"place\": \"北京市东城区南池子大街二十一号院\"}");
    heard h = check(tpl, record);
    assert_int_equal(h.reports, 3); /* the text fields; not the rect */
    assert_int_equal(h.overflows, 1);
    assert_int_equal(h.shrunk, 1);
    assert_int_equal(h.condensed, 1);
    assert_int_equal(h.problems, 0);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* A field with a missing key is skipped (the caller checks binds); with no
 * record only the fixed text is laid out. */
static void test_check_layout_skips_missing_keys(void **state)
{
    cr_template *tpl = load_memory(small_card);
    cr_record *record = record_of("{\"name\": \"张伟\"}");
    heard h = check(tpl, record);
    assert_int_equal(h.reports, 2);
    assert_int_equal(h.overflows + h.shrunk + h.condensed + h.problems, 0);
    h = check(tpl, NULL);
    assert_int_equal(h.reports, 1);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* Errors that would stop a render are reported and the check goes on: an
 * overflow with "fit": "error", a character no font covers (U+30041, CJK
 * Extension G) as a warning with "missing_glyph": "notdef", else an error. */
static void test_check_layout_goes_past_errors(void **state)
{
    const char json[] =
        "{\"version\": 1, \"fields\": [\n"
        " {\"type\": \"text\", \"name\": \"number\", \"box_mm\": [5, 5, 10, 5], \"bind\": \"n\",\n"
        "  \"font\": \"OCR B\", \"size_pt\": 11, \"max_lines\": 1, \"fit\": \"error\"},\n"
        " {\"type\": \"text\", \"name\": \"drawn\", \"box_mm\": [5, 15, 40, 5], \"text\": "
        "\"\xf0\xb0\x81\x81\",\n"
        "  \"font\": \"Noto Sans\", \"size_pt\": 11, \"missing_glyph\": \"notdef\"},\n"
        " {\"type\": \"text\", \"name\": \"refused\", \"box_mm\": [5, 25, 40, 5], \"text\": "
        "\"\xf0\xb0\x81\x81\",\n"
        "  \"font\": \"Noto Sans\", \"size_pt\": 11},\n"
        " {\"type\": \"text\", \"name\": \"after\", \"box_mm\": [5, 35, 40, 5], \"text\": \"ok\",\n"
        "  \"font\": \"Noto Sans\", \"size_pt\": 9}]}";
    cr_template *tpl = load_memory(json);
    cr_record *record = record_of("{\"n\": \"110101199003074573\"}");
    heard h = check(tpl, record);
    assert_int_equal(h.problems, 3);
    assert_int_equal(h.codes[0], CR_ERR_TEXT);
    assert_int_equal(h.problem_fields[0], 0);
    assert_int_equal(h.codes[1], CR_ERR_FONT);
    assert_int_equal(h.problem_fields[1], 1);
    assert_int_equal(h.codes[2], CR_ERR_FONT);
    assert_int_equal(h.problem_fields[2], 2);
    assert_int_equal(h.reports, 2); /* "drawn" (as .notdef) and "after" */
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* ------------------------------------------------------- photo checks */

/* A name and a bound photo; its "bind" value is at line 4, column 75. */
static const char photo_card[] =
    "{\"version\": 1, \"fields\": [\n"
    " {\"type\": \"text\", \"name\": \"name\", \"box_mm\": [6, 6, 30, 5], \"bind\": \"name\",\n"
    "  \"font\": \"Noto Sans CJK SC\", \"size_pt\": 9},\n"
    " {\"type\": \"image\", \"name\": \"portrait\", \"box_mm\": [50, 6, 26, 32], \"bind\": "
    "\"photo\"}]}";

static char photo_dir[64];

static void write_photo_file(const char *name, const void *data, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", photo_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
}

/* Setup: the temporary asset folder, where note.jpg holds text and good.jpg
 * the example photo; missing.jpg is not there. */
static int make_photo_dir(void **state)
{
    snprintf(photo_dir, sizeof photo_dir, "/tmp/cr-check-XXXXXX");
    assert_non_null(mkdtemp(photo_dir));
    write_photo_file("note.jpg", "not a photo\n", 12);
    FILE *f = fopen("examples/records/photos/portrait-358x441.jpg", "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size_t size = (size_t)ftell(f);
    rewind(f);
    void *jpeg = malloc(size);
    assert_non_null(jpeg);
    assert_int_equal(fread(jpeg, 1, size, f), size);
    fclose(f);
    write_photo_file("good.jpg", jpeg, size);
    free(jpeg);
    return 0;
}

static int remove_photo_dir(void **state)
{
    static const char *const names[] = {"note.jpg", "good.jpg"};
    char path[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", photo_dir, names[i]);
        unlink(path);
    }
    rmdir(photo_dir);
    return 0;
}

static cr_record *named_record(const char *json, const char *name)
{
    cr_error err;
    cr_record *record = cr_record_load_memory(json, strlen(json), name, &err);
    if (!record)
        fail_msg("%s", err.message);
    return record;
}

/* Checks the photo card for one record whose photo is `value`; the problems
 * heard. */
static heard check_photo_value(const char *value, const char *record_name, uint64_t max_pixels)
{
    char json[256];
    snprintf(json, sizeof json, "{\"name\": \"张伟\", \"photo\": \"%s\"}", value);
    cr_template *tpl = load_memory(photo_card);
    cr_record *record = named_record(json, record_name);
    heard h = check_with(tpl, record, photo_dir, max_pixels);
    assert_int_equal(h.reports, 1); /* the name is still laid out */
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    return h;
}

/* The one problem a check of `value` finds: its code, field and message. */
static void expect_photo_problem(const char *value, uint64_t max_pixels, cr_status code,
                                 const char *trouble)
{
    heard h = check_photo_value(value, "people.jsonl:3", max_pixels);
    char want[1024];
    snprintf(want, sizeof want,
             "small.json:4:75: field 1 \"portrait\": the record people.jsonl:3: record key "
             "\"photo\": %s/%s: %s",
             photo_dir, value, trouble);
    assert_int_equal(h.problems, 1);
    assert_string_equal(cr_status_name(h.codes[0]), cr_status_name(code));
    assert_int_equal(h.problem_fields[0], 1);
    assert_string_equal(h.messages[0], want);
}

/* A missing file and a file that is not a picture are reported with the
 * field, the record and the resolved path; a good photo is not; a photo
 * over max_image_pixels is. */
static void test_check_layout_reads_bound_photos(void **state)
{
    expect_photo_problem("missing.jpg", 0, CR_ERR_IO, "cannot open: No such file or directory");
    expect_photo_problem("note.jpg", 0, CR_ERR_IMAGE, "not a JPEG or PNG image (looks like text)");
    heard good = check_photo_value("good.jpg", "good.json", 0);
    assert_int_equal(good.problems, 0);
    expect_photo_problem("good.jpg", 1000, CR_ERR_IMAGE,
                         "image is 358x441 pixels (157878), more than the limit of 1000");
}

/* Without a record, or with one lacking the key, no photo is looked for:
 * the caller reports the missing key. */
static void test_check_layout_skips_unbound_photos(void **state)
{
    cr_template *tpl = load_memory(photo_card);
    heard h = check(tpl, NULL);
    assert_int_equal(h.problems, 0);
    cr_record *record = record_of("{\"name\": \"张伟\"}");
    h = check(tpl, record);
    assert_int_equal(h.problems, 0);
    assert_int_equal(h.reports, 1);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proof_of_a_good_card_has_no_red),
        cmocka_unit_test(test_proof_marks_an_overflow_in_red),
        cmocka_unit_test(test_proof_marks_shrink_and_condense),
        cmocka_unit_test(test_proof_guides_and_watermark),
        cmocka_unit_test(test_proof_same_bytes_twice),
        cmocka_unit_test(test_proof_fails_like_a_render),
        cmocka_unit_test(test_beside),
        cmocka_unit_test(test_check_layout_reports_each_text_field),
        cmocka_unit_test(test_check_layout_skips_missing_keys),
        cmocka_unit_test(test_check_layout_goes_past_errors),
        cmocka_unit_test_setup_teardown(test_check_layout_reads_bound_photos, make_photo_dir,
                                        remove_photo_dir),
        cmocka_unit_test(test_check_layout_skips_unbound_photos),
    };
    return cmocka_run_group_tests(tests, create_engine, destroy_engine);
}
