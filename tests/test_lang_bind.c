/* A field's shaping language taken from the record ("lang_bind"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "layout.h"
#include "template.h"

static const char tpl_json[] =
    "{\"version\": 1, \"fields\": [\n"
    "  {\"type\": \"text\", \"name\": \"name_local\", \"box_mm\": [5, 5, 60, 8],\n"
    "   \"bind\": \"name_local\", \"lang_bind\": \"local_lang\",\n"
    "   \"font\": \"UKIJ Tuz Tom\", \"size_pt\": 9}]}";

static cr_engine *engine;
static cr_template *tpl;

static int setup(void **state)
{
    cr_error err;
    engine = cr_engine_create(NULL, &err);
    tpl = engine ? cr_template_load_memory(engine, tpl_json, strlen(tpl_json), "t.json", NULL, &err)
                 : NULL;
    if (!tpl)
        fail_msg("%s", err.message);
    return 0;
}

static int teardown(void **state)
{
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);
    return 0;
}

static cr_record *record_of(const char *json)
{
    cr_error err;
    cr_record *record = cr_record_load_memory(json, strlen(json), "r.json", &err);
    if (!record)
        fail_msg("%s", err.message);
    return record;
}

/* The language every run of the field was shaped with, for this record. */
static void assert_shaped_as(const char *record_json, const char *lang)
{
    cr_record *record = record_of(record_json);
    cr_error err;
    cr_field scratch;
    const cr_field *field = cr_field_for_record(tpl, &tpl->fields[0], record, &scratch, &err);
    assert_non_null(field);
    const char *text = cr_field_text(tpl, field, record, &err);
    cr_text_layout layout;
    assert_int_equal(cr_layout_text(engine, tpl, field, text, 300, &layout, &err), CR_OK);
    assert_true(layout.run_count > 0);
    for (size_t i = 0; i < layout.run_count; i++)
        assert_string_equal(layout.runs[i].lang, lang);
    cr_text_layout_free(&layout);
    cr_record_destroy(record);
}

static void test_language_comes_from_the_record(void **state)
{
    assert_shaped_as("{\"name_local\": \"ئابدۇرېھىم\", \"local_lang\": \"ug\"}", "ug");
    assert_shaped_as("{\"name_local\": \"ئابدۇرېھىم\", \"local_lang\": \"kk-Arab\"}", "kk-Arab");
}

static void test_missing_language_key_fails_the_render(void **state)
{
    cr_record *record = record_of("{\"name_local\": \"ئابدۇرېھىم\"}");
    cr_error err;
    assert_null(cr_render(engine, tpl, record, NULL, &err));
    assert_int_equal(err.code, CR_ERR_RECORD);
    assert_string_equal(err.message, "t.json:2:3: field 0 \"name_local\": the record r.json has "
                                     "no key \"local_lang\" (\"lang_bind\")");
    cr_record_destroy(record);
}

static void test_value_that_is_no_language_tag_fails(void **state)
{
    cr_record *record = record_of("{\"name_local\": \"x\", \"local_lang\": \"uyghur_CN\"}");
    cr_error err;
    assert_null(cr_render(engine, tpl, record, NULL, &err));
    assert_string_equal(err.message,
                        "t.json:2:3: field 0 \"name_local\": record key \"local_lang\" must be a "
                        "BCP 47 language tag such as \"ug\" (got \"uyghur_CN\")");
    cr_record_destroy(record);
}

static void test_lang_bind_on_fixed_text_is_a_template_error(void **state)
{
    const char *json = "{\"version\": 1, \"fields\": [\n"
                       "  {\"type\": \"text\", \"box_mm\": [5, 5, 60, 8], \"text\": \"x\",\n"
                       "   \"lang_bind\": \"l\", \"font\": \"Noto Sans\", \"size_pt\": 9}]}";
    cr_error err;
    assert_null(cr_template_load_memory(engine, json, strlen(json), "f.json", NULL, &err));
    assert_int_equal(err.code, CR_ERR_TEMPLATE);
    assert_string_equal(err.message, "f.json:3:17: field 0: \"lang_bind\" needs \"bind\": fixed "
                                     "text has a fixed language (use \"lang\")");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_language_comes_from_the_record),
        cmocka_unit_test(test_missing_language_key_fails_the_render),
        cmocka_unit_test(test_value_that_is_no_language_tag_fails),
        cmocka_unit_test(test_lang_bind_on_fixed_text_is_a_template_error),
    };
    return cmocka_run_group_tests_name("lang_bind", tests, setup, teardown);
}
