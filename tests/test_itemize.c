/* Itemisation: script resolution (UAX #24 with the neighbour and bracket
 * rules), bidi levels from ICU, and the split into items. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itemize.h"

/* The script of each character, as ISO 15924 codes joined by spaces. */
static void scripts_of(const char *text, char *out, size_t size)
{
    size_t length = strlen(text);
    UScriptCode *scripts = malloc(length * sizeof *scripts);
    cr_itemize_scripts(text, length, scripts);
    size_t used = 0, offset = 0;
    out[0] = '\0';
    while (offset < length && used < size) {
        size_t at = offset;
        cr_utf8_next(text, length, &offset);
        used += (size_t)snprintf(out + used, size - used, "%s%s", at ? " " : "",
                                 uscript_getShortName(scripts[at]));
    }
    free(scripts);
}

static void test_common_joins_preceding_run(void **state)
{
    char got[256];
    scripts_of("中文，ab 1", got, sizeof got);
    assert_string_equal(got, "Hani Hani Hani Latn Latn Latn Latn");
}

static void test_leading_common_takes_following_script(void **state)
{
    char got[256];
    scripts_of("12 中", got, sizeof got);
    assert_string_equal(got, "Hani Hani Hani Hani");
    scripts_of("123", got, sizeof got);
    assert_string_equal(got, "Zyyy Zyyy Zyyy");
}

static void test_brackets_take_opening_script(void **state)
{
    char got[256];
    scripts_of("中(ab)", got, sizeof got);
    assert_string_equal(got, "Hani Hani Latn Latn Hani");
    scripts_of("(ab)中", got, sizeof got); /* opened before any strong script */
    assert_string_equal(got, "Latn Latn Latn Latn Hani");
    scripts_of("中「ab」", got, sizeof got); /* U+300C has script extensions */
    assert_string_equal(got, "Hani Hani Latn Latn Hani");
}

static void test_extensions_keep_mongolian_controls(void **state)
{
    char got[256];
    scripts_of("ᠮᠣ\u202Fᠤ\u180B", got, sizeof got); /* NNBSP, FVS1 */
    assert_string_equal(got, "Mong Mong Mong Mong Mong");
}

typedef struct analysed {
    cr_text16 t;
    UBiDi *bidi;
    uint8_t *levels;
} analysed;

static void analyse(analysed *a, const char *text, cr_direction direction)
{
    size_t length = strlen(text);
    assert_true(cr_text16_init(&a->t, text, length));
    a->levels = malloc(length + 1);
    a->bidi = cr_itemize_bidi(&a->t, length, direction, a->levels, NULL);
    assert_non_null(a->bidi);
}

static void release(analysed *a)
{
    ubidi_close(a->bidi);
    free(a->levels);
    cr_text16_free(&a->t);
}

static void test_bidi_levels(void **state)
{
    analysed a;
    analyse(&a, "مەن 12", CR_DIR_AUTO); /* first strong is Arabic: RTL */
    assert_int_equal(a.levels[0], 1);
    assert_int_equal(a.levels[6], 1); /* the space */
    assert_int_equal(a.levels[7], 2); /* digits in RTL */
    release(&a);
    analyse(&a, "مەن 12", CR_DIR_LTR);
    assert_int_equal(a.levels[0], 1);
    assert_int_equal(a.levels[6], 1); /* between R and AN: R (rule N1) */
    assert_int_equal(a.levels[7], 2); /* digits after Arabic letters are AN */
    release(&a);
    analyse(&a, "12", CR_DIR_RTL);
    assert_int_equal(a.levels[0], 2);
    release(&a);
}

/* Items split at paragraph, level, script and face; terminators are in
 * none; each paragraph is its own bidi paragraph (auto direction). */
static void test_items(void **state)
{
    const char *text = "ab中\nمەن";
    size_t length = strlen(text);
    analysed a;
    analyse(&a, text, CR_DIR_AUTO);
    UScriptCode *scripts = malloc(length * sizeof *scripts);
    cr_itemize_scripts(text, length, scripts);
    cr_face latin = {.family = "latin"}, han = {.family = "han"};
    cr_face **faces = malloc(length * sizeof *faces);
    for (size_t i = 0; i < length; i++)
        faces[i] = i >= 2 && i < 5 ? &han : &latin;
    cr_item *items;
    size_t count;
    assert_int_equal(
        cr_itemize_runs(text, length, &a.t, a.bidi, a.levels, scripts, faces, &items, &count, NULL),
        CR_OK);
    assert_int_equal(count, 3);
    assert_int_equal(items[0].start, 0);
    assert_int_equal(items[0].end, 2);
    assert_int_equal(items[1].start, 2);
    assert_int_equal(items[1].end, 5);
    assert_ptr_equal(items[1].face, &han);
    assert_int_equal(items[1].para_end, 5); /* without the newline */
    assert_int_equal(items[2].start, 6);
    assert_int_equal(items[2].end, length);
    assert_int_equal(items[2].level, 1);
    assert_int_equal(items[2].script, USCRIPT_ARABIC);
    assert_int_equal(items[2].para_start, 6);
    free(items);
    free(faces);
    free(scripts);
    release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_common_joins_preceding_run),
        cmocka_unit_test(test_leading_common_takes_following_script),
        cmocka_unit_test(test_brackets_take_opening_script),
        cmocka_unit_test(test_extensions_keep_mongolian_controls),
        cmocka_unit_test(test_bidi_levels),
        cmocka_unit_test(test_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
