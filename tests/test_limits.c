/* Sizes past what a card holds: a record value over max_value_bytes is
 * refused naming its key (at the boundary: the limit passes, one byte more
 * fails); a line far wider than 32-bit 26.6 arithmetic could hold is still
 * measured as wider than its box, never as negative or fitting. Run from
 * the project root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "layout.h"
#include "support.h"
#include "template.h"

/* 200 pt OCR B at 1200 dpi: an em is 3,333 px, so 16,000 digits make a line
 * of about 2.6 billion 26.6 units, past INT32_MAX. */
static const char big_template[] =
    "{\"version\": 1, \"card\": {\"width_mm\": 85.6, \"height_mm\": 54, \"dpi\": 1200},\n"
    " \"fields\": [{\"type\": \"text\", \"name\": \"n\", \"box_mm\": [2, 2, 80, 40], \"bind\": "
    "\"n\",\n"
    "  \"font\": \"OCR B\", \"size_pt\": 200, \"max_lines\": 1, \"fit\": \"FIT\"}]}";

static cr_template *load_big(const char *fit)
{
    char json[sizeof big_template + 16];
    const char *at = strstr(big_template, "FIT");
    snprintf(json, sizeof json, "%.*s%s%s", (int)(at - big_template), big_template, fit, at + 3);
    cr_error err;
    cr_template *tpl =
        cr_template_load_memory(fixture_engine, json, strlen(json), "big.json", NULL, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    return tpl;
}

static cr_record *digits_record(size_t count)
{
    char *json = malloc(count + 16);
    int n = snprintf(json, count + 16, "{\"n\": \"");
    memset(json + n, '7', count);
    strcpy(json + n + count, "\"}");
    cr_error err;
    cr_record *record = cr_record_load_memory(json, strlen(json), "digits.json", &err);
    free(json);
    if (!record)
        fail_msg("%s", err.message);
    return record;
}

static void test_wide_line_overflows_honestly(void **state)
{
    cr_template *tpl = load_big("wrap");
    cr_record *record = digits_record(16000);
    cr_text_layout l;
    cr_error err;
    const char *text = cr_field_text(tpl, &tpl->fields[0], record, &err);
    assert_int_equal(cr_layout_text(fixture_engine, tpl, &tpl->fields[0], text, 1200, &l, &err),
                     CR_OK);
    assert_true(l.overflow);
    assert_true(l.lines[0].width > 0);
    assert_string_equal(l.overflow_reason,
                        "line 1 is more than 8388608 px wide, box is 3779.53 px");
    for (size_t i = 1; i < l.glyph_count; i++) /* pens never wrap around */
        assert_true(l.glyphs[i].x >= l.glyphs[i - 1].x);
    cr_text_layout_free(&l);
    cr_record_destroy(record);
    cr_template_destroy(tpl);

    tpl = load_big("error"); /* "fit": "error" refuses the card */
    record = digits_record(16000);
    assert_null(cr_render(fixture_engine, tpl, record, NULL, &err));
    assert_int_equal(err.code, CR_ERR_TEXT);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

static void test_value_limit_at_the_boundary(void **state)
{
    cr_template *tpl = load_big("wrap");
    cr_render_options options = {.struct_size = sizeof options, .dpi = 72, .max_value_bytes = 10};
    cr_error err;
    cr_record *record = digits_record(10);
    cr_image *image = cr_render(fixture_engine, tpl, record, &options, &err);
    assert_non_null(image);
    cr_image_destroy(image);
    cr_record_destroy(record);

    record = digits_record(11);
    assert_null(cr_render(fixture_engine, tpl, record, &options, &err));
    assert_int_equal(err.code, CR_ERR_RECORD);
    assert_string_equal(err.message, "big.json:2:77: field 0 \"n\": record key \"n\": the value is "
                                     "11 bytes, more than the limit of 10");
    cr_record_destroy(record);

    record = digits_record(64 * 1024 + 1); /* the default limit */
    options.max_value_bytes = 0;
    assert_null(cr_render(fixture_engine, tpl, record, &options, &err));
    assert_non_null(strstr(err.message, "the value is 65537 bytes, more than the limit of 65536"));
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wide_line_overflows_honestly),
        cmocka_unit_test(test_value_limit_at_the_boundary),
    };
    return cmocka_run_group_tests_name("limits", tests, engine_setup, engine_teardown);
}
