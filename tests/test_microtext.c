/* Microtext (README, Microtext): "repeat" line and fill, whole-pixel
 * glyph origins, the exact period of a repeated run, glyphs dropped rather
 * than cut at the box's end, bound values, and the warning for a size too
 * small for the dpi. The oracles are independent of the layout: the period
 * is computed here from the font's own advances through FreeType, and the
 * painted card is read back pixel by pixel. Runs from the project root. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "fonts.h"
#include "layout.h"
#include "support.h"
#include "template.h"

#define DPI 600
#define SIZE_PT 0.8
/* Box of the line: x 1 mm, y 1 mm, 20.3 mm x 1 mm; card 24 x 5 mm, white. */
#define BOX_X_MM 1.0
#define BOX_Y_MM 1.0
#define BOX_W_MM 20.3
#define BOX_H_MM 1.0

static cr_template *load_microtext(const char *content, const char *repeat, double h_mm, int dpi)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"version\": 1, \"card\": {\"width_mm\": 24, \"height_mm\": 5, "
             "\"corner_radius_mm\": 0, \"dpi\": %d},"
             " \"fields\": [{\"type\": \"text\", \"name\": \"micro\", "
             "\"box_mm\": [%g, %g, %g, %g], %s, \"font\": \"OCR B\", \"size_pt\": %g, "
             "\"repeat\": \"%s\"}]}",
             dpi, BOX_X_MM, BOX_Y_MM, BOX_W_MM, h_mm, content, SIZE_PT, repeat);
    cr_error err;
    cr_template *tpl =
        cr_template_load_memory(fixture_engine, json, strlen(json), "micro.json", NULL, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    return tpl;
}

static void lay_out_field(const cr_template *tpl, const char *text, int dpi, cr_text_layout *out)
{
    cr_error err;
    if (cr_layout_text(fixture_engine, tpl, &tpl->fields[0], text, dpi, out, &err) != CR_OK)
        fail_msg("%s", err.message);
}

/* The period in pixels from the font alone: each character's advance in
 * font units (FreeType, unscaled), at the field's size, rounded to whole
 * pixels, summed. OCR B has no kerning, so this is what shaping gives. */
static long oracle_period(const char *period)
{
    cr_face *face = face_of("OCR B");
    double ppem = SIZE_PT * DPI / 72.0;
    long sum = 0;
    pthread_mutex_lock(&face->lock);
    for (const char *c = period; *c; c++) {
        FT_UInt glyph = FT_Get_Char_Index(face->ft, (FT_ULong)(unsigned char)*c);
        assert_int_equal(FT_Load_Glyph(face->ft, glyph, FT_LOAD_NO_SCALE), 0);
        sum += lround(face->ft->glyph->advance.x * ppem / face->upem);
    }
    pthread_mutex_unlock(&face->lock);
    return sum;
}

/* ------------------------------------------------------ the painted card */

typedef struct card {
    cr_image *image;
    int width, height, stride;
    const uint8_t *pixels;
} card;

static card render_card(const cr_template *tpl, const cr_record *record)
{
    cr_error err;
    cr_render_options options;
    cr_render_options_init(&options);
    card c = {0};
    c.image = cr_render(fixture_engine, tpl, record, &options, &err);
    if (!c.image)
        fail_msg("%s", err.message);
    c.width = cr_image_width(c.image);
    c.height = cr_image_height(c.image);
    c.stride = cr_image_stride(c.image);
    c.pixels = cr_image_pixels(c.image);
    return c;
}

static bool inked(const card *c, int x, int y)
{
    const uint8_t *p = c->pixels + (size_t)y * c->stride + (size_t)x * 3;
    return p[0] != 255 || p[1] != 255 || p[2] != 255;
}

/* Whether column x holds ink in any row. */
static bool column_inked(const card *c, int x)
{
    for (int y = 0; y < c->height; y++)
        if (inked(c, x, y))
            return true;
    return false;
}

/* The smallest shift s for which the card's pixels at x and x + s are the
 * same for every x in [x0, x1 - s) and every row, x1 the end of the ink
 * (the run stops at a whole glyph before the box ends): the run's period
 * as painted (0 when there is none shorter than half the span). */
static int painted_period(const card *c, int x0, int box_end)
{
    int x1 = box_end;
    while (x1 > x0 && !column_inked(c, x1 - 1))
        x1--;
    for (int s = 1; s < (x1 - x0) / 2; s++) {
        bool same = true;
        for (int y = 0; y < c->height && same; y++)
            same = memcmp(c->pixels + (size_t)y * c->stride + (size_t)x0 * 3,
                          c->pixels + (size_t)y * c->stride + (size_t)(x0 + s) * 3,
                          (size_t)(x1 - s - x0) * 3) == 0;
        if (same)
            return s;
    }
    return 0;
}

/* ------------------------------------------------------------- tests */

/* The period of "1234567890 " as painted is the sum of its whole-pixel
 * advances, to the pixel, and every glyph's origin is a whole pixel. */
static void test_period_is_the_sum_of_whole_pixel_advances(void **state)
{
    (void)state;
    cr_template *tpl = load_microtext("\"text\": \"1234567890\"", "line", BOX_H_MM, DPI);
    long expected = oracle_period("1234567890 ");
    cr_text_layout l;
    lay_out_field(tpl, "1234567890", DPI, &l);
    assert_true(l.glyph_count > 30);
    for (size_t i = 0; i < l.glyph_count; i++) {
        assert_int_equal(l.glyphs[i].x % 64, 0);
        assert_int_equal(l.glyphs[i].y % 64, 0);
        assert_int_equal(l.glyphs[i].hinting, CR_HINT_MICROTEXT);
    }
    assert_int_equal(l.glyphs[11].x - l.glyphs[0].x, expected * 64);
    card c = render_card(tpl, NULL);
    int left = (int)ceil(BOX_X_MM * DPI / 25.4);
    int right = (int)floor((BOX_X_MM + BOX_W_MM) * DPI / 25.4);
    assert_int_equal(painted_period(&c, left, right), expected);
    cr_image_destroy(c.image);
    cr_text_layout_free(&l);
    cr_template_destroy(tpl);
}

/* No ink left or right of the box; the last glyph ends within one period's
 * glyph of the edge (the line is full), and glyphs whose ink would cross the
 * edge are missing whole: the ink ends on a glyph's own last column. */
static void test_no_ink_crosses_the_box_edge(void **state)
{
    (void)state;
    cr_template *tpl =
        load_microtext("\"text\": \"ZHANGSAN 110101199003071234\"", "fill", 3.0, DPI);
    card c = render_card(tpl, NULL);
    int left = (int)ceil(BOX_X_MM * DPI / 25.4);
    int right = (int)floor((BOX_X_MM + BOX_W_MM) * DPI / 25.4);
    for (int x = 0; x < c.width; x++)
        if (x < left || x >= right)
            assert_false(column_inked(&c, x));
    long advance = oracle_period("0");
    int last = right - 1;
    while (last > left && !column_inked(&c, last))
        last--;
    assert_true(right - last <= 2 * advance);
    cr_text_layout l;
    lay_out_field(tpl, tpl->fields[0].text, DPI, &l);
    for (size_t i = 0; i < l.glyph_count; i++)
        assert_true(l.glyphs[i].x + l.glyphs[i].advance <= right * 64);
    cr_text_layout_free(&l);
    cr_image_destroy(c.image);
    cr_template_destroy(tpl);
}

/* "fill": every line goes on with the character after the last one of the
 * line above, so the run never forms columns. */
static void test_fill_lines_continue_the_run(void **state)
{
    (void)state;
    const char *text = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char content[128];
    snprintf(content, sizeof content, "\"text\": \"%s\"", text);
    cr_template *tpl = load_microtext(content, "fill", 3.0, DPI);
    cr_text_layout l;
    lay_out_field(tpl, text, DPI, &l);
    assert_true(l.line_count >= 4);
    uint32_t period = (uint32_t)strlen(text) + 1;
    for (size_t line = 1; line < l.line_count; line++) {
        size_t first = 0, count = glyphs_of_line(&l, line, &first);
        size_t previous = 0, previous_count = glyphs_of_line(&l, line - 1, &previous);
        assert_true(count > 0 && previous_count > 0);
        uint32_t last_above = l.glyphs[previous + previous_count - 1].cluster;
        assert_int_equal(l.glyphs[first].cluster, (last_above + 1) % period);
        assert_int_not_equal(l.glyphs[first].cluster, l.glyphs[previous].cluster);
        assert_true(l.lines[line].baseline > l.lines[line - 1].baseline);
    }
    cr_text_layout_free(&l);
    cr_template_destroy(tpl);
}

/* A bound value is repeated: the record's, not the template's. */
static void test_bound_value_is_repeated(void **state)
{
    (void)state;
    cr_template *tpl = load_microtext("\"bind\": \"id\"", "line", BOX_H_MM, DPI);
    cr_error err;
    cr_record *record = cr_record_create("r", &err);
    assert_non_null(record);
    assert_int_equal(cr_record_set(record, "id", "9876", &err), CR_OK);
    const char *text = cr_field_text(tpl, &tpl->fields[0], record, &err);
    assert_string_equal(text, "9876");
    cr_text_layout l;
    lay_out_field(tpl, text, DPI, &l);
    assert_string_equal(l.text, "9876 ");
    assert_true(l.glyph_count > 5 * 4);
    for (size_t i = 0; i < l.glyph_count; i++)
        assert_int_equal(l.glyphs[i].cluster, i % 5);
    card c = render_card(tpl, record);
    int left = (int)ceil(BOX_X_MM * DPI / 25.4);
    int right = (int)floor((BOX_X_MM + BOX_W_MM) * DPI / 25.4);
    assert_int_equal(painted_period(&c, left, right), oracle_period("9876 "));
    cr_image_destroy(c.image);
    cr_text_layout_free(&l);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* 0.8 pt is 3.3 px of em at 300 dpi: a warning naming the dpi; 6.7 px at
 * 600 dpi: none. */
static void test_too_small_for_the_dpi_is_a_warning(void **state)
{
    (void)state;
    cr_template *tpl = load_microtext("\"text\": \"110101\"", "line", BOX_H_MM, DPI);
    cr_text_layout l;
    lay_out_field(tpl, "110101", 300, &l);
    assert_int_equal(l.warning_count, 1);
    assert_non_null(strstr(l.warnings[0].message, "at 300 dpi"));
    cr_text_layout_free(&l);
    lay_out_field(tpl, "110101", 600, &l);
    assert_int_equal(l.warning_count, 0);
    cr_text_layout_free(&l);
    cr_template_destroy(tpl);
}

/* Below 1 pt without "repeat" is microtext too (whole pixels); at 9 pt
 * without the key it is not, and "repeat_separator" needs "repeat". */
static void test_sizes_and_keys(void **state)
{
    (void)state;
    const char *small = "{\"version\": 1, \"fields\": [{\"type\": \"text\", \"box_mm\": [1, 1, 20, "
                        "2], \"text\": \"A1\", \"font\": \"OCR B\", \"size_pt\": 0.7}]}";
    cr_error err;
    cr_template *tpl =
        cr_template_load_memory(fixture_engine, small, strlen(small), "small.json", NULL, &err);
    assert_non_null(tpl);
    assert_true(tpl->fields[0].microtext);
    cr_text_layout l;
    lay_out_field(tpl, "A1", 600, &l);
    assert_int_equal(l.glyph_count, 2);
    assert_int_equal(l.glyphs[0].x % 64, 0);
    assert_int_equal(l.glyphs[1].x % 64, 0);
    cr_text_layout_free(&l);
    cr_template_destroy(tpl);
    const char *tiny = "{\"version\": 1, \"fields\": [{\"type\": \"text\", \"box_mm\": [1, 1, 20, "
                       "2], \"text\": \"A1\", \"font\": \"OCR B\", \"size_pt\": 0.2}]}";
    assert_null(
        cr_template_load_memory(fixture_engine, tiny, strlen(tiny), "tiny.json", NULL, &err));
    assert_non_null(strstr(err.message, "at least 0.3"));
    const char *lone = "{\"version\": 1, \"fields\": [{\"type\": \"text\", \"box_mm\": [1, 1, 20, "
                       "2], \"text\": \"A1\", \"font\": \"OCR B\", \"size_pt\": 9, "
                       "\"repeat_separator\": \"-\"}]}";
    assert_null(
        cr_template_load_memory(fixture_engine, lone, strlen(lone), "lone.json", NULL, &err));
    assert_non_null(strstr(err.message, "needs \"repeat\""));
}

/* The separator joins the repetitions. */
static void test_separator_joins_repetitions(void **state)
{
    (void)state;
    cr_template *tpl =
        load_microtext("\"text\": \"AB\", \"repeat_separator\": \"/\"", "line", BOX_H_MM, DPI);
    cr_text_layout l;
    lay_out_field(tpl, "AB", DPI, &l);
    assert_string_equal(l.text, "AB/");
    assert_int_equal(l.glyphs[3].x - l.glyphs[0].x, oracle_period("AB/") * 64);
    cr_text_layout_free(&l);
    cr_template_destroy(tpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_is_the_sum_of_whole_pixel_advances),
        cmocka_unit_test(test_no_ink_crosses_the_box_edge),
        cmocka_unit_test(test_fill_lines_continue_the_run),
        cmocka_unit_test(test_bound_value_is_repeated),
        cmocka_unit_test(test_too_small_for_the_dpi_is_a_warning),
        cmocka_unit_test(test_sizes_and_keys),
        cmocka_unit_test(test_separator_joins_repetitions),
    };
    return cmocka_run_group_tests(tests, engine_setup, engine_teardown);
}
