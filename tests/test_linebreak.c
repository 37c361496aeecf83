/* Line-break opportunities: ICU's UAX #14 with the Chinese tailoring,
 * mandatory breaks and the locale mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "linebreak.h"

/* The opportunities as "offset" or "offset!" (mandatory), space-separated. */
static void breaks_of(const char *text, const char *lang, char *out, size_t size)
{
    cr_text16 t;
    size_t length = strlen(text);
    assert_true(cr_text16_init(&t, text, length));
    cr_break_opportunity *breaks;
    size_t count;
    assert_int_equal(cr_find_line_breaks(text, length, &t, lang, &breaks, &count, NULL), CR_OK);
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%u%s", i ? " " : "",
                                 (unsigned)breaks[i].offset, breaks[i].mandatory ? "!" : "");
    free(breaks);
    cr_text16_free(&t);
}

static void test_locale_from_language(void **state)
{
    char locale[32];
    cr_linebreak_locale("zh-Hans", locale, sizeof locale);
    assert_string_equal(locale, "zh@lb=normal");
    cr_linebreak_locale("ja", locale, sizeof locale);
    assert_string_equal(locale, "ja@lb=normal");
    cr_linebreak_locale("ug-Arab-CN", locale, sizeof locale);
    assert_string_equal(locale, "ug");
    cr_linebreak_locale("bo", locale, sizeof locale);
    assert_string_equal(locale, "bo");
    cr_linebreak_locale(NULL, locale, sizeof locale);
    assert_string_equal(locale, "");
}

/* No line starts with "，" (no break at 15), ends with "（" (none at 24) or
 * starts with "）" (none at 27). */
static void test_chinese_kinsoku(void **state)
{
    char got[256];
    breaks_of("一二三四五，六（七）八", "zh-Hans", got, sizeof got);
    assert_string_equal(got, "3 6 9 12 18 21 30 33");
}

/* clreq: an interpunct does not start a line (UAX #14 alone allows it). */
static void test_no_break_before_interpunct(void **state)
{
    char got[256];
    breaks_of("阿卜杜拉·买买提", "zh", got, sizeof got);
    assert_string_equal(got, "3 6 9 14 17 20 23");
    breaks_of("阿卜杜拉·买买提", "en", got, sizeof got); /* untailored */
    assert_string_equal(got, "3 6 9 12 14 17 20 23");
}

static void test_mandatory_breaks(void **state)
{
    char got[256];
    breaks_of("ab cd\nef", "", got, sizeof got);
    assert_string_equal(got, "3 6! 8");
    breaks_of("a\r\nb", "", got, sizeof got); /* CR LF is one terminator */
    assert_string_equal(got, "3! 4");
    breaks_of("a\x1c"
              "b",
              "", got, sizeof got); /* bidi paragraph separator */
    assert_string_equal(got, "2! 3");
}

static void test_digits_do_not_break(void **state)
{
    char got[256];
    breaks_of("号码110101199003074578", "zh", got, sizeof got);
    assert_string_equal(got, "3 6 24");
}

/* Tibetan breaks after the tsheg (U+0F0B, class BA), not inside syllables. */
static void test_tibetan_breaks_after_tsheg(void **state)
{
    char got[256];
    breaks_of("བོད་ཡིག་", "bo", got, sizeof got);
    assert_string_equal(got, "12 24");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_locale_from_language),
        cmocka_unit_test(test_chinese_kinsoku),
        cmocka_unit_test(test_no_break_before_interpunct),
        cmocka_unit_test(test_mandatory_breaks),
        cmocka_unit_test(test_digits_do_not_break),
        cmocka_unit_test(test_tibetan_breaks_after_tsheg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
