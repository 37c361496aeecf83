/* End to end through the public API: template + record -> PNG. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <png.h>

#include "cardrender.h"

#define TEMPLATE "templates/resident-id-zh-photo.json"
#define RECORD "examples/records/zh-zhang-wei.json"

typedef struct fixture {
    cr_engine *engine;
    cr_template *tpl;
    cr_record *record;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    cr_error err;
    f->engine = cr_engine_create(NULL, &err);
    if (!f->engine)
        fail_msg("%s", err.message);
    f->tpl = cr_template_load_file(f->engine, TEMPLATE, &err);
    if (!f->tpl)
        fail_msg("%s", err.message);
    f->record = cr_record_load_file(RECORD, &err);
    if (!f->record)
        fail_msg("%s", err.message);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cr_record_destroy(f->record);
    cr_template_destroy(f->tpl);
    cr_engine_destroy(f->engine);
    free(f);
    return 0;
}

static cr_image *render_at(fixture *f, int dpi)
{
    cr_error err;
    cr_render_options options = {.struct_size = sizeof options, .dpi = dpi};
    cr_image *image = cr_render(f->engine, f->tpl, f->record, &options, &err);
    if (!image)
        fail_msg("%s", err.message);
    return image;
}

static void test_card_size_at_300_and_600_dpi(void **state)
{
    cr_image *image = render_at(*state, 0);
    assert_int_equal(cr_image_width(image), 1011);
    assert_int_equal(cr_image_height(image), 638);
    assert_int_equal(cr_image_dpi(image), 300);
    cr_image_destroy(image);
    image = render_at(*state, 600);
    assert_int_equal(cr_image_width(image), 2022);
    assert_int_equal(cr_image_height(image), 1276);
    cr_image_destroy(image);
}

/* Ink is where the fields are: dark pixels inside the name box, none in an
 * empty stretch of the card. */
static long dark_pixels(const cr_image *image, int x0, int y0, int x1, int y1)
{
    long count = 0;
    const uint8_t *px = cr_image_pixels(image);
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = px + (size_t)y * cr_image_stride(image) + 3 * x;
            if (p[0] < 100 && p[1] < 100 && p[2] < 100)
                count++;
        }
    return count;
}

static void test_text_lands_in_its_boxes(void **state)
{
    cr_image *image = render_at(*state, 300);
    double k = 300 / 25.4;
    long in_name =
        dark_pixels(image, (int)(16.5 * k), (int)(5.5 * k), (int)(52 * k), (int)(10 * k));
    /* below the photo, above the number */
    long in_gap =
        dark_pixels(image, (int)(55 * k), (int)(38.5 * k), (int)(80 * k), (int)(43.5 * k));
    assert_true(in_name > 200);
    assert_int_equal(in_gap, 0);
    cr_image_destroy(image);
}

/* The record's photo (26 x 32 mm at x 55.5, y 6) covers its whole box: no
 * pixel of it keeps the card's background colour #f4f7fb. */
static void test_photo_fills_its_box(void **state)
{
    cr_image *image = render_at(*state, 300);
    double k = 300 / 25.4;
    long background = 0, area = 0;
    for (int y = (int)ceil(6 * k); y < (int)(38 * k); y++)
        for (int x = (int)ceil(55.5 * k); x < (int)(81.5 * k); x++) {
            const uint8_t *p = cr_image_pixels(image) + (size_t)y * cr_image_stride(image) + 3 * x;
            background += p[0] == 0xf4 && p[1] == 0xf7 && p[2] == 0xfb;
            area++;
        }
    assert_true(area > 300 * 370);
    assert_int_equal(background, 0);
    cr_image_destroy(image);
}

static uint8_t *png_bytes(const cr_image *image, size_t *size)
{
    cr_error err;
    uint8_t *data = NULL;
    if (cr_image_write_png_memory(image, &data, size, &err) != CR_OK)
        fail_msg("%s", err.message);
    return data;
}

static void test_repeat_renders_are_byte_identical(void **state)
{
    cr_image *a = render_at(*state, 300);
    cr_image *b = render_at(*state, 300);
    size_t size_a, size_b;
    uint8_t *png_a = png_bytes(a, &size_a);
    uint8_t *png_b = png_bytes(b, &size_b);
    assert_int_equal(size_a, size_b);
    assert_memory_equal(png_a, png_b, size_a);
    free(png_a);
    free(png_b);
    cr_image_destroy(a);
    cr_image_destroy(b);
}

static void test_png_file_has_format_and_phys(void **state)
{
    cr_image *image = render_at(*state, 600);
    char path[] = "/tmp/cardrender-test-XXXXXX.png";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    cr_error err;
    assert_int_equal(cr_image_write_png_file(image, path, &err), CR_OK);

    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng could not read %s", path);
    png_init_io(png, fp);
    png_read_info(png, info);
    assert_int_equal(png_get_image_width(png, info), 2022);
    assert_int_equal(png_get_image_height(png, info), 1276);
    assert_int_equal(png_get_bit_depth(png, info), 8);
    assert_int_equal(png_get_color_type(png, info), PNG_COLOR_TYPE_RGB);
    png_uint_32 res_x, res_y;
    int unit;
    assert_true(png_get_pHYs(png, info, &res_x, &res_y, &unit));
    assert_int_equal(res_x, 23622);
    assert_int_equal(res_y, 23622);
    assert_int_equal(unit, PNG_RESOLUTION_METER);
    int intent;
    assert_true(png_get_sRGB(png, info, &intent));
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    unlink(path);
    cr_image_destroy(image);
}

static void test_missing_bind_key_is_an_error(void **state)
{
    fixture *f = *state;
    cr_error err;
    const char *json = "{\"name\": \"张伟\"}";
    cr_record *partial = cr_record_load_memory(json, strlen(json), "partial.json", &err);
    assert_non_null(partial);
    cr_image *image = cr_render(f->engine, f->tpl, partial, NULL, &err);
    assert_null(image);
    assert_int_equal(err.code, CR_ERR_RECORD);
    assert_string_equal(err.file, TEMPLATE);
    assert_true(err.line > 0 && err.column > 0);
    assert_string_equal(err.field_name, "sex");
    assert_non_null(strstr(err.message, "partial.json has no key \"sex\""));
    cr_record_destroy(partial);
}

static void test_dpi_out_of_range_is_refused(void **state)
{
    fixture *f = *state;
    cr_error err;
    cr_render_options options = {.struct_size = sizeof options, .dpi = 1201};
    assert_null(cr_render(f->engine, f->tpl, f->record, &options, &err));
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
    assert_string_equal(err.message, "resolution 1201 dpi is out of range (72 to 1200)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_card_size_at_300_and_600_dpi),
        cmocka_unit_test(test_text_lands_in_its_boxes),
        cmocka_unit_test(test_photo_fills_its_box),
        cmocka_unit_test(test_repeat_renders_are_byte_identical),
        cmocka_unit_test(test_png_file_has_format_and_phys),
        cmocka_unit_test(test_missing_bind_key_is_an_error),
        cmocka_unit_test(test_dpi_out_of_range_is_refused),
    };
    return cmocka_run_group_tests_name("render", tests, setup, teardown);
}
