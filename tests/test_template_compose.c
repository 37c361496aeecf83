/* Template composition: "extends", "remove_fields", "override_fields" and
 * {"include": ...} in "fields". Run from the project root: the fixtures are
 * tests/data/compose/. Expected line:column pairs were counted by hand from
 * the fixtures; field indexes are positions in the merged list. */
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
#include "support.h"
#include "template.h"

#define DIR "tests/data/compose/"

/* The default engine, as an application gets it (tests/support.c). */

/* Loading fails with exactly this error. */
static void assert_load_error(const char *path, cr_status code, const char *file, int line,
                              int column, int field_index, const char *message)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(fixture_engine, path, &err);
    assert_null(tpl);
    assert_string_equal(err.message, message);
    assert_string_equal(cr_status_name(err.code), cr_status_name(code));
    assert_string_equal(err.file, file);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
    assert_int_equal(err.field_index, field_index);
}

static void assert_field(const cr_field *f, const char *name, const char *file, int line,
                         int column)
{
    assert_string_equal(f->name, name);
    assert_string_equal(f->file, file);
    assert_int_equal(f->line, line);
    assert_int_equal(f->column, column);
}

/* ----------------------------------------------------------- merging */

static void test_extends_card_override(void **state)
{
    cr_template *tpl = load_template_or_fail(DIR "child.json");
    assert_true(tpl->width_mm == 85.6 && tpl->height_mm == 54.0); /* from the base */
    assert_int_equal(tpl->dpi, 600);                              /* the child's */
    assert_int_equal(tpl->background.r, 0xff);
    assert_int_equal(tpl->background.g, 0xf0);
    assert_int_equal(tpl->background.b, 0xf0);
    cr_template_destroy(tpl);
}

/* Includes first (nested), then the base's own field, moved; "sex" is
 * removed and the child's field comes last. Each field knows its file. */
static void test_extends_fields_in_order(void **state)
{
    cr_template *tpl = load_template_or_fail(DIR "child.json");
    assert_int_equal(tpl->field_count, 4);
    assert_field(&tpl->fields[0], "label_name", DIR "parts/labels.json", 4, 5);
    assert_field(&tpl->fields[1], "label_sex", DIR "parts/more.json", 4, 5);
    assert_field(&tpl->fields[2], "name", DIR "base.json", 7, 5);
    assert_field(&tpl->fields[3], "extra", DIR "child.json", 11, 5);
    for (size_t i = 0; i < tpl->field_count; i++)
        assert_int_equal(tpl->fields[i].index, (int)i);
    assert_string_equal(tpl->fields[3].text, "附加");
    assert_int_equal(tpl->source_count, 4);
    assert_string_equal(tpl->sources[0], DIR "child.json");
    cr_template_destroy(tpl);
}

static void test_override_moves_a_field(void **state)
{
    cr_template *tpl = load_template_or_fail(DIR "child.json");
    const cr_field *name = &tpl->fields[2];
    assert_true(name->x_mm == 20.0 && name->y_mm == 5.0);
    assert_true(name->w_mm == 30.0 && name->h_mm == 5.0);
    assert_true(name->size_pt == 12);
    assert_string_equal(name->bind, "name"); /* untouched keys stay */
    assert_string_equal(name->bind_file, DIR "base.json");
    assert_int_equal(name->bind_line, 7);
    assert_int_equal(name->bind_column, 80);
    cr_template_destroy(tpl);
}

static void test_base_alone_includes_nested_fragments(void **state)
{
    cr_template *tpl = load_template_or_fail(DIR "base.json");
    assert_int_equal(tpl->field_count, 4);
    assert_field(&tpl->fields[0], "label_name", DIR "parts/labels.json", 4, 5);
    assert_field(&tpl->fields[1], "label_sex", DIR "parts/more.json", 4, 5);
    assert_field(&tpl->fields[2], "name", DIR "base.json", 7, 5);
    assert_field(&tpl->fields[3], "sex", DIR "base.json", 9, 5);
    assert_true(tpl->fields[2].x_mm == 16.5 && tpl->fields[2].size_pt == 10.5);
    assert_int_equal(tpl->dpi, 300);
    cr_template_destroy(tpl);
}

/* null removes a key: a bound field becomes fixed text. */
static void test_override_null_removes_a_key(void **state)
{
    cr_template *tpl = load_template_or_fail(DIR "override_null.json");
    const cr_field *name = &tpl->fields[2];
    assert_null(name->bind);
    assert_string_equal(name->text, "样例");
    cr_template_destroy(tpl);
}

/* Artwork is read from the folder of the file that names it. */
static void test_artwork_relative_to_its_file(void **state)
{
    cr_template *tpl = load_template_or_fail(DIR "art_child.json");
    assert_int_equal(tpl->dpi, 150);
    assert_int_equal(tpl->field_count, 1);
    assert_true(tpl->fields[0].image.artwork.width > 0);
    assert_true(tpl->background_image.width > 0);
    cr_template_destroy(tpl);
}

/* The public view tells which file a field is in. */
static void test_field_info_names_the_file(void **state)
{
    cr_template *tpl = load_template_or_fail(DIR "child.json");
    cr_field_info info;
    assert_int_equal(cr_template_field(tpl, 1, &info), CR_OK);
    assert_string_equal(info.name, "label_sex");
    assert_string_equal(info.file, DIR "parts/more.json");
    assert_int_equal(info.line, 4);
    cr_template_destroy(tpl);
}

/* A record lacking a key a base field binds: the error is at the base's
 * "bind", with the merged index. */
static void test_render_error_in_the_base(void **state)
{
    cr_template *tpl = load_template_or_fail(DIR "child.json");
    const char json[] = "{\"sex\": \"男\"}";
    cr_error err;
    cr_record *record = cr_record_load_memory(json, sizeof json - 1, "rec.json", &err);
    assert_non_null(record);
    assert_null(cr_render(fixture_engine, tpl, record, NULL, &err));
    assert_string_equal(err.message, DIR "base.json:7:80: field 2 \"name\": the record rec.json "
                                         "has no key \"name\"");
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* ------------------------------------------------------------ errors */

static void test_override_bad_value_located_in_overriding_file(void **state)
{
    assert_load_error(DIR "override_bad.json", CR_ERR_TEMPLATE, DIR "override_bad.json", 5, 25, 2,
                      DIR "override_bad.json:5:25: field 2 \"name\": \"size_pt\" must be a number, "
                          "not a string");
}

static void test_error_inside_an_included_file(void **state)
{
    assert_load_error(DIR "bad_include.json", CR_ERR_TEMPLATE, DIR "parts/bad_color.json", 5, 50, 0,
                      DIR "parts/bad_color.json:5:50: field 0 \"tinted\": \"color\" must be "
                          "\"#rrggbb\" or \"#rrggbbaa\" (got \"blue\")");
}

static void test_remove_unknown_name(void **state)
{
    assert_load_error(DIR "remove_unknown.json", CR_ERR_TEMPLATE, DIR "remove_unknown.json", 4, 28,
                      -1,
                      DIR "remove_unknown.json:4:28: \"remove_fields\": no field named \"nmae\" in "
                          "the base template " DIR "base.json");
}

static void test_missing_base(void **state)
{
    assert_load_error(DIR "missing_base.json", CR_ERR_IO, DIR "missing_base.json", 3, 14, -1,
                      DIR "missing_base.json:3:14: \"extends\": " DIR
                          "no_such_base.json: cannot open the file: No such file or directory");
}

static void test_extends_cycle(void **state)
{
    assert_load_error(DIR "cycle_a.json", CR_ERR_TEMPLATE, DIR "cycle_b.json", 3, 14, -1,
                      DIR "cycle_b.json:3:14: \"extends\" makes a cycle: " DIR
                          "cycle_a.json -> " DIR "cycle_b.json -> " DIR "cycle_a.json");
}

static void test_include_cycle(void **state)
{
    assert_load_error(DIR "include_cycle.json", CR_ERR_TEMPLATE, DIR "parts/loop_b.json", 4, 17, -1,
                      DIR "parts/loop_b.json:4:17: \"include\" makes a cycle: " DIR
                          "parts/loop_a.json -> " DIR "parts/loop_b.json -> " DIR
                          "parts/loop_a.json");
}

static void test_duplicate_names(void **state)
{
    assert_load_error(DIR "dup_names.json", CR_ERR_TEMPLATE, DIR "dup_names.json", 5, 30, 4,
                      DIR "dup_names.json:5:30: field 4 \"sex\": duplicate field name \"sex\": "
                          "field 3 (" DIR "base.json:9:5) has it too");
}

/* Small cases from memory: the folder given is where "extends" looks. */
typedef struct memory_case {
    const char *json;
    int line, column;
    const char *message;
} memory_case;

static const memory_case memory_cases[] = {
    {"{\"version\": 1,\n \"remove_fields\": [\"sex\"], \"fields\": []}", 2, 2,
     "mem.json:2:2: \"remove_fields\" changes a base template: it needs \"extends\""},
    {"{\"version\": 1, \"extends\": \"base.json\",\n \"override_fields\": {\"nobody\": {}}}", 2, 22,
     "mem.json:2:22: \"override_fields\": no field named \"nobody\" in the base template " DIR
     "base.json"},
    {"{\"version\": 1, \"extends\": \"base.json\",\n \"override_fields\": {\"name\": 3}}", 2, 30,
     "mem.json:2:30: an override must be an object, not an integer"},
    {"{\"version\": 1,\n \"fields\": [{\"include\": \"parts/more.json\", \"name\": \"x\"}]}", 2, 44,
     "mem.json:2:44: an \"include\" element has no other keys (got \"name\")"},
    {"{\"version\": 1,\n \"fields\": [{\"include\": 7}]}", 2, 25,
     "mem.json:2:25: \"include\" must be a path, not an integer"},
    {"{\"version\": 1,\n \"$schema\": 7, \"fields\": []}", 2, 13,
     "mem.json:2:13: \"$schema\" must be a string (the URI of a JSON Schema), not an integer"},
    {"{\"version\": 1, \"extends\": \"/etc/passwd\"}", 1, 27,
     "mem.json:1:27: \"extends\" must be a path relative to this file's folder (got "
     "\"/etc/passwd\")"},
};

static void test_memory_errors(void **state)
{
    for (size_t i = 0; i < sizeof memory_cases / sizeof memory_cases[0]; i++) {
        const memory_case *c = &memory_cases[i];
        cr_error err;
        cr_template *tpl = cr_template_load_memory(fixture_engine, c->json, strlen(c->json),
                                                   "mem.json", "tests/data/compose", &err);
        assert_null(tpl);
        assert_string_equal(err.message, c->message);
        assert_int_equal(err.line, c->line);
        assert_int_equal(err.column, c->column);
    }
}

/* A fragment is only {"version": 1, "fields": [...]}. */
static void test_fragment_with_a_card(void **state)
{
    const char json[] = "{\"version\": 1, \"fields\": [{\"include\": \"parts/with_art.json\"}]}";
    cr_error err;
    assert_null(cr_template_load_memory(fixture_engine, json, sizeof json - 1, "mem.json",
                                        "tests/data/compose", &err));
    assert_string_equal(err.message, DIR "parts/with_art.json:3:3: unknown key \"card\" (a "
                                         "fragment has \"version\" and \"fields\")");
}

/* "$schema" (an editor's) is allowed in a template, its base and a
 * fragment, and changes nothing: the card is the base's with one more
 * field, and the key is not in the merged document the validator reads. */
static void test_schema_key_is_ignored(void **state)
{
    cr_template *tpl = load_template_or_fail(DIR "schema_key.json");
    assert_int_equal(tpl->field_count, 5);
    assert_field(&tpl->fields[4], "label_extra", DIR "parts/schema_key.json", 3, 3);
    assert_string_equal(tpl->fields[4].text, "附加");
    assert_int_equal(tpl->dpi, 300);
    cr_template_destroy(tpl);
}

/* ------------------------------------------------------------- depth */

static char deep_dir[64];

/* deepN.json extends deep(N+1).json; the last one has the fields. */
static void write_chain(int files)
{
    for (int i = 0; i < files; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/deep%d.json", deep_dir, i);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        if (i + 1 < files)
            fprintf(f, "{\"version\": 1, \"extends\": \"deep%d.json\"}\n", i + 1);
        else
            fprintf(f, "{\"version\": 1, \"fields\": [{\"type\": \"rect\", \"box_mm\": [1, 1, 2, "
                       "2], \"fill\": \"#000000\"}]}\n");
        fclose(f);
    }
}

static void remove_chain(int files)
{
    for (int i = 0; i < files; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/deep%d.json", deep_dir, i);
        unlink(path);
    }
}

static void test_nesting_depth(void **state)
{
    snprintf(deep_dir, sizeof deep_dir, "/tmp/cr-compose-XXXXXX");
    assert_non_null(mkdtemp(deep_dir));
    char top[128];
    snprintf(top, sizeof top, "%s/deep0.json", deep_dir);

    write_chain(9); /* the template and 8 below it: allowed */
    cr_error err;
    cr_template *tpl = cr_template_load_file(fixture_engine, top, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    assert_int_equal(tpl->field_count, 1);
    cr_template_destroy(tpl);

    write_chain(10);
    assert_null(cr_template_load_file(fixture_engine, top, &err));
    char want[512];
    snprintf(want, sizeof want,
             "%s/deep8.json:1:27: \"extends\" nests files more than 8 deep (\"extends\" and "
             "\"include\" together)",
             deep_dir);
    assert_string_equal(err.message, want);
    remove_chain(10);
    rmdir(deep_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extends_card_override),
        cmocka_unit_test(test_extends_fields_in_order),
        cmocka_unit_test(test_override_moves_a_field),
        cmocka_unit_test(test_base_alone_includes_nested_fragments),
        cmocka_unit_test(test_override_null_removes_a_key),
        cmocka_unit_test(test_artwork_relative_to_its_file),
        cmocka_unit_test(test_field_info_names_the_file),
        cmocka_unit_test(test_render_error_in_the_base),
        cmocka_unit_test(test_override_bad_value_located_in_overriding_file),
        cmocka_unit_test(test_error_inside_an_included_file),
        cmocka_unit_test(test_remove_unknown_name),
        cmocka_unit_test(test_missing_base),
        cmocka_unit_test(test_extends_cycle),
        cmocka_unit_test(test_include_cycle),
        cmocka_unit_test(test_duplicate_names),
        cmocka_unit_test(test_memory_errors),
        cmocka_unit_test(test_fragment_with_a_card),
        cmocka_unit_test(test_schema_key_is_ignored),
        cmocka_unit_test(test_nesting_depth),
    };
    return cmocka_run_group_tests(tests, engine_setup, engine_teardown);
}
