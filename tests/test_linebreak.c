/* Line-break opportunities: ICU's UAX #14 with the per-script tailoring
 * (clreq kinsoku sets, tlreq, alreq, klreq), mandatory breaks and the
 * locale mapping. Results are written as the text cut at every opportunity
 * ("|", "‖" when mandatory), so each assertion states exact positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "break_pool.h"
#include "linebreak.h"
#include "text.h"

#define TEXT_MAX 2048

static void find_breaks(const char *text, const cr_linebreak_options *options,
                        cr_break_opportunity **breaks, size_t *count)
{
    cr_text16 t;
    size_t length = strlen(text);
    assert_true(cr_text16_init(&t, text, length));
    assert_int_equal(cr_find_line_breaks(text, length, &t, options, breaks, count, NULL), CR_OK);
    cr_text16_free(&t);
    assert_true(*count > 0);
    assert_int_equal((*breaks)[*count - 1].offset, length);
}

/* The opportunities as "offset" or "offset!" (mandatory), space-separated. */
static void offsets_of(const char *text, const cr_linebreak_options *options, char *out,
                       size_t size)
{
    cr_break_opportunity *breaks;
    size_t count;
    find_breaks(text, options, &breaks, &count);
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%u%s", i ? " " : "",
                                 (unsigned)breaks[i].offset, breaks[i].mandatory ? "!" : "");
    free(breaks);
}

/* The text with "|" at every soft opportunity and "‖" at every mandatory
 * one, except at the end. */
static void segments_of(const char *text, const cr_linebreak_options *options, char *out,
                        size_t size)
{
    cr_break_opportunity *breaks;
    size_t count;
    find_breaks(text, options, &breaks, &count);
    size_t used = 0;
    uint32_t start = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count && used < size; i++) {
        const char *mark = i + 1 == count ? "" : breaks[i].mandatory ? "‖" : "|";
        used += (size_t)snprintf(out + used, size - used, "%.*s%s", (int)(breaks[i].offset - start),
                                 text + start, mark);
        start = breaks[i].offset;
    }
    free(breaks);
}

static void assert_segments(const char *text, const cr_linebreak_options *options,
                            const char *expected)
{
    char got[TEXT_MAX];
    segments_of(text, options, got, sizeof got);
    assert_string_equal(got, expected);
}

static const cr_linebreak_options untailored = {.untailored = true};

/* ------------------------------------------------------------- locale */

static void test_locale_from_language(void **state)
{
    char locale[32];
    cr_linebreak_locale("zh-Hans", CR_KINSOKU_BASIC, locale, sizeof locale);
    assert_string_equal(locale, "zh@lb=normal");
    cr_linebreak_locale("zh-Hans", CR_KINSOKU_NONE, locale, sizeof locale);
    assert_string_equal(locale, "zh@lb=normal");
    cr_linebreak_locale("zh", CR_KINSOKU_STRICT, locale, sizeof locale);
    assert_string_equal(locale, "zh@lb=strict");
    cr_linebreak_locale("ja", CR_KINSOKU_GB, locale, sizeof locale);
    assert_string_equal(locale, "ja@lb=normal");
    cr_linebreak_locale("ug-Arab-CN", CR_KINSOKU_STRICT, locale, sizeof locale);
    assert_string_equal(locale, "ug");
    cr_linebreak_locale("bo", CR_KINSOKU_BASIC, locale, sizeof locale);
    assert_string_equal(locale, "bo");
    cr_linebreak_locale("ko", CR_KINSOKU_BASIC, locale, sizeof locale);
    assert_string_equal(locale, "ko");
    cr_linebreak_locale(NULL, CR_KINSOKU_BASIC, locale, sizeof locale);
    assert_string_equal(locale, "");
}

/* ------------------------------------------------------------ Chinese */

static const cr_linebreak_options zh_basic = {.lang = "zh-Hans", .kinsoku = CR_KINSOKU_BASIC};
static const cr_linebreak_options zh_none = {.lang = "zh-Hans", .kinsoku = CR_KINSOKU_NONE};
static const cr_linebreak_options zh_gb = {.lang = "zh-Hans", .kinsoku = CR_KINSOKU_GB};
static const cr_linebreak_options zh_strict = {.lang = "zh-Hans", .kinsoku = CR_KINSOKU_STRICT};

/* No line starts with "，" (no break at 15), ends with "（" (none at 24) or
 * starts with "）" (none at 27). */
static void test_chinese_kinsoku_offsets(void **state)
{
    char got[256];
    offsets_of("一二三四五，六（七）八", &zh_basic, got, sizeof got);
    assert_string_equal(got, "3 6 9 12 18 21 30 33");
}

/* In every mode, no line starts with ，。、！？：； or a closing bracket. */
static void test_no_line_starts_with_comma_or_stop(void **state)
{
    const cr_linebreak_options *modes[] = {&zh_basic, &zh_none, &zh_gb, &zh_strict};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        assert_segments("北京市，东城区。南池子大街、21号！", modes[i],
                        "北|京|市，|东|城|区。|南|池|子|大|街、|21|号！");
        assert_segments("一二：三；四？五）六】七", modes[i], "一|二：|三；|四？|五）|六】|七");
    }
}

/* The modes on the strings where they differ: ～ and · (basic), ／ (gb),
 * —— and ⸺ (strict). */
static void test_kinsoku_modes_differ(void **state)
{
    static const struct {
        const char *text, *none, *basic, *gb, *strict;
    } cases[] = {
        /* connector mark: may not start a line from basic on */
        {"一～二", "一|～|二", "一～|二", "一～|二", "一～|二"},
        /* interpunct in a transcribed name */
        {"阿卜杜拉·买买提", "阿|卜|杜|拉|·|买|买|提", "阿|卜|杜|拉·|买|买|提",
         "阿|卜|杜|拉·|买|买|提", "阿|卜|杜|拉·|买|买|提"},
        /* solidus: may not end a line from gb on */
        {"一二／三", "一|二|／|三", "一|二|／|三", "一|二|／三", "一|二|／三"},
        {"北京/上海", "北|京/|上|海", "北|京/|上|海", "北|京/上|海", "北|京/上|海"},
        /* two-em dash: may not start a line in strict */
        {"一二——三", "一|二|——|三", "一|二|——|三", "一|二|——|三", "一|二——|三"},
        {"一二⸺三", "一|二|⸺|三", "一|二|⸺|三", "一|二|⸺|三", "一|二⸺|三"},
        /* ellipses are class IN: UAX #14 (LB22) never breaks before them, so
         * strict's rule is already there in every mode */
        {"一二……三", "一|二……|三", "一|二……|三", "一|二……|三", "一|二……|三"},
        {"一二⋯⋯三", "一|二⋯⋯|三", "一|二⋯⋯|三", "一|二⋯⋯|三", "一|二⋯⋯|三"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_segments(cases[i].text, &zh_none, cases[i].none);
        assert_segments(cases[i].text, &zh_basic, cases[i].basic);
        assert_segments(cases[i].text, &zh_gb, cases[i].gb);
        assert_segments(cases[i].text, &zh_strict, cases[i].strict);
    }
}

/* The default options are clreq basic. */
static void test_basic_is_the_default(void **state)
{
    assert_segments("一～二", &(cr_linebreak_options){.lang = "zh"}, "一～|二");
    assert_segments("阿卜杜拉·买买提", NULL, "阿|卜|杜|拉·|买|买|提");
}

/* The pairs —— …… ⋯⋯ never split, and opening quotes and brackets never
 * end a line, closing ones never start one. */
static void test_pairs_quotes_and_brackets(void **state)
{
    const cr_linebreak_options *modes[] = {&zh_basic, &zh_none, &zh_gb, &zh_strict};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        char got[256];
        segments_of("他说——……⋯⋯好", modes[i], got, sizeof got);
        assert_null(strstr(got, "—|—"));
        assert_null(strstr(got, "…|…"));
        assert_null(strstr(got, "⋯|⋯"));
        assert_segments("他说“好”，《三》「四」", modes[i], "他|说|“好”，|《三》|「四」");
    }
}

/* The Chinese rules act next to Han only: a Latin word in a Chinese address
 * keeps its breaks, also after a solidus under gb. */
static void test_chinese_rules_stay_with_han(void **state)
{
    assert_segments("北京/上海 Park/Tower 1号", &zh_gb, "北|京/上|海 |Park/|Tower |1|号");
    /* in a Uyghur field, the Chinese part still keeps its interpunct */
    assert_segments("ئۈرۈمچى 乌鲁木齐·天山区", &(cr_linebreak_options){.lang = "ug"},
                    "ئۈرۈمچى |乌|鲁|木|齐·|天|山|区");
}

static void test_digits_do_not_break(void **state)
{
    char got[256];
    offsets_of("号码110101199003074578", &zh_basic, got, sizeof got);
    assert_string_equal(got, "3 6 24");
}

/* ------------------------------------------------------------ Tibetan */

static const cr_linebreak_options bo = {.lang = "bo"};

/* An address wraps only after a tsheg, or after a shad and its space. */
static void test_tibetan_address_breaks_after_tsheg(void **state)
{
    assert_segments("བོད་རང་སྐྱོང་ལྗོངས་ལྷ་ས་གྲོང་ཁྱེར། ལམ་ཨང་༡༢༣", &bo,
                    "བོད་|རང་|སྐྱོང་|ལྗོངས་|ལྷ་|ས་|གྲོང་|ཁྱེར། |ལམ་|ཨང་|༡༢༣");
}

/* Every opportunity of a longer text follows a tsheg, a shad or a space:
 * none falls inside a syllable. */
static void test_tibetan_never_breaks_inside_a_syllable(void **state)
{
    const char *text = "སྐྱེ་བོ་རེ་རེར་གསལ་བསྒྲགས་འདི་ནང་བཀོད་པའི་ཐོབ་ཐང་དང་རང་དབང་སྟེ། "
                       "མི་རིགས་དང། ཤ་མདོག། ཕོ་མོ། སྐད་ཡིག། ཆོས་ལུགས། སྲིད་དོན་བཅས་སམ།";
    cr_break_opportunity *breaks;
    size_t count;
    find_breaks(text, &bo, &breaks, &count);
    assert_true(count > 30);
    for (size_t i = 0; i + 1 < count; i++) {
        size_t at = cr_utf8_prev(text, breaks[i].offset);
        uint32_t before = cr_utf8_next(text, breaks[i].offset, &at);
        assert_true(before == 0x0F0B || before == ' ');
    }
    free(breaks);
}

/* ང + tsheg + shad stays together (ICU already: the shad is class EX). */
static void test_tibetan_nga_tsheg_shad(void **state)
{
    assert_segments("ཐོབ་ཐང་དང་། གཉའ་གནོན", &bo, "ཐོབ་|ཐང་|དང་། |གཉའ་|གནོན");
    assert_segments("དང་།", &bo, "དང་།");
    assert_segments("དང་།", &untailored, "དང་།");
}

/* ༒ (class GL) after a tsheg or a space could start a line under UAX #14. */
static void test_tibetan_no_line_starts_with_shad(void **state)
{
    assert_segments("ཀ་༒ཀ་", &untailored, "ཀ་|༒ཀ་");
    assert_segments("ཀ་༒ཀ་", &bo, "ཀ་༒ཀ་");
    assert_segments("ཀ ༒ཀ", &untailored, "ཀ |༒ཀ");
    assert_segments("ཀ ༒ཀ", &bo, "ཀ ༒ཀ");
    assert_segments("ཀ། །ཀ", &bo, "ཀ། །|ཀ");
}

/* ------------------------------------------------------------- Uyghur */

static const cr_linebreak_options ug = {.lang = "ug"};

/* No line starts with ، ؛ ؟ ! . » ), even after a space. */
static void test_uyghur_no_line_start(void **state)
{
    static const char *const marks[] = {"،", "؛", "؟", "!", ".", "»", ")"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        char text[64], expected[64];
        snprintf(text, sizeof text, "سۆز %s سۆز", marks[i]);
        snprintf(expected, sizeof expected, "سۆز %s |سۆز", marks[i]);
        assert_segments(text, &ug, expected);
    }
}

/* No line ends with « or (; UAX #14 breaks after « + space. */
static void test_uyghur_no_line_end(void **state)
{
    assert_segments("ئۇ « ياخشى » دېدى", &untailored, "ئۇ |« |ياخشى |» |دېدى");
    assert_segments("ئۇ « ياخشى » دېدى", &ug, "ئۇ |« ياخشى » |دېدى");
    assert_segments("ئۇ «ياخشى» دېدى.", &ug, "ئۇ |«ياخشى» |دېدى.");
    assert_segments("شىنجاڭ ( ئۈرۈمچى )", &ug, "شىنجاڭ |( ئۈرۈمچى )");
}

/* 1990-يىلى ("the year 1990") keeps its suffix; UAX #14 breaks after the
 * hyphen. A Latin word's hyphen still breaks. */
static void test_uyghur_date_stays_together(void **state)
{
    const char *date = "1990-يىلى 5-ئاينىڭ 1-كۈنى";
    assert_segments(date, &untailored, "1990-|يىلى |5-|ئاينىڭ |1-|كۈنى");
    assert_segments(date, &ug, "1990-يىلى |5-ئاينىڭ |1-كۈنى");
    assert_segments("ئادرېس abc-def", &ug, "ئادرېس |abc-|def");
}

/* ------------------------------------------------------------- Korean */

static const cr_linebreak_options ko_word = {.lang = "ko", .hangul_break = CR_HANGUL_BREAK_WORD};
static const cr_linebreak_options ko_char = {.lang = "ko",
                                             .hangul_break = CR_HANGUL_BREAK_CHARACTER};

static void test_korean_word_and_character(void **state)
{
    const char *address = "대한민국 서울특별시 종로구 세종대로 209";
    assert_segments(address, &ko_word, "대한민국 |서울특별시 |종로구 |세종대로 |209");
    assert_segments(address, &ko_char, "대|한|민|국 |서|울|특|별|시 |종|로|구 |세|종|대|로 |209");
    /* by word, ICU's opportunity before a bracket stays; 209호 is a word */
    assert_segments("서울(한국) 209호", &ko_word, "서울|(한국) |209호");
    assert_segments("서울(한국) 209호", &ko_char, "서|울|(한|국) |209|호");
}

/* Full-width digits are class ID: UAX #14 splits them. */
static void test_korean_digit_runs_never_split(void **state)
{
    const char *phone = "전화 １２３４－５６７８";
    assert_segments(phone, &untailored, "전|화 |１|２|３|４|－|５|６|７|８");
    assert_segments(phone, &ko_char, "전|화 |１２３４－５６７８");
    assert_segments(phone, &ko_word, "전화 |１２３４－５６７８");
    assert_segments("１,２３４.５원", &ko_char, "１,２３４.５|원");
    assert_segments("123-4567 1,234.5", &ko_char, "123-4567 |1,234.5");
}

/* ---------------------------------------------------------- Mongolian */

static const cr_linebreak_options mn = {.lang = "mn"};

/* NNBSP joins a suffix to its word and MVS a final vowel to its stem;
 * neither starts a line, also when a space was typed before it (UAX #14
 * breaks after every space, LB18). Other breaks stay. */
static void test_mongolian_suffix_never_starts_a_line(void **state)
{
    const char *text = "ᠮᠣᠩᠭᠣᠯ \u202Fᠤᠨ ᠬᠠᠭᠠᠨ \u180Eᠠ ᠪᠢᠴᠢᠭ";
    assert_segments(text, &untailored, "ᠮᠣᠩᠭᠣᠯ |\u202Fᠤᠨ |ᠬᠠᠭᠠᠨ |\u180Eᠠ |ᠪᠢᠴᠢᠭ");
    assert_segments(text, &mn, "ᠮᠣᠩᠭᠣᠯ \u202Fᠤᠨ |ᠬᠠᠭᠠᠨ \u180Eᠠ |ᠪᠢᠴᠢᠭ");
    /* the rule follows the script, whatever the field's language */
    assert_segments(text, NULL, "ᠮᠣᠩᠭᠣᠯ \u202Fᠤᠨ |ᠬᠠᠭᠠᠨ \u180Eᠠ |ᠪᠢᠴᠢᠭ");
    /* typed without the space: UAX #14 already keeps them (GL) */
    assert_segments("ᠮᠣᠩᠭᠣᠯ\u202Fᠤᠨ ᠬᠠᠭᠠᠨ\u180Eᠠ", &untailored, "ᠮᠣᠩᠭᠣᠯ\u202Fᠤᠨ |ᠬᠠᠭᠠᠨ\u180Eᠠ");
}

/* ------------------------------------------------- mandatory, untailored */

static void test_mandatory_breaks(void **state)
{
    char got[256];
    offsets_of("ab cd\nef", NULL, got, sizeof got);
    assert_string_equal(got, "3 6! 8");
    offsets_of("a\r\nb", NULL, got, sizeof got); /* CR LF is one terminator */
    assert_string_equal(got, "3! 4");
    offsets_of("a\x1c"
               "b",
               NULL, got, sizeof got); /* bidi paragraph separator */
    assert_string_equal(got, "2! 3");
    /* the rules never remove a mandatory break */
    assert_segments("北京（\n）上海", &zh_strict, "北|京|（\n‖）|上|海");
    offsets_of("", NULL, got, sizeof got);
    assert_string_equal(got, "0");
}

/* Untailored is ICU's root rules: no clreq, and U+001C is a combining mark. */
static void test_untailored_is_plain_uax14(void **state)
{
    assert_segments("阿卜杜拉·买买提", &untailored, "阿|卜|杜|拉|·|买|买|提");
    assert_segments("一～二", &untailored, "一|～|二");
    assert_segments("a\x1c"
                    "b",
                    &untailored,
                    "a\x1c"
                    "b");
    assert_segments("ab\ncd", &untailored, "ab\n‖cd");
}

/* An iterator from the engine's pool, set to other texts of other lengths
 * and locales, breaks each as a new one does; two takers at once get two
 * iterators. Every text stays alive to the end, each locale's texts grow
 * longer: an iterator left on an earlier text would break that one, inside
 * the later text's bounds, and give other offsets. */
static void test_pooled_iterators_break_alike(void **state)
{
    static const struct {
        const char *text, *lang;
    } cases[] = {
        {"短", "zh"},
        {"ئەر", "ug"},
        {"新疆乌鲁木齐市天山区", "zh"},
        {"Valid for repeated journeys within its period of validity.", ""},
        {"ئۈرۈمچى شەھىرى تەڭرىتاغ رايونى ئازادلىق يولى 12-كوچا", "ug"},
        {"서울특별시 종로구 세종대로 209", "ko"},
        {"新疆乌鲁木齐市天山区解放南路128号，2栋501室。", "zh"},
    };
    enum { CASES = sizeof cases / sizeof cases[0] };
    cr_text16 texts[CASES];
    cr_break_pool *pool = cr_break_pool_create();
    assert_non_null(pool);
    for (size_t i = 0; i < CASES; i++) {
        size_t length = strlen(cases[i].text);
        assert_true(cr_text16_init(&texts[i], cases[i].text, length));
        cr_linebreak_options options = {.lang = cases[i].lang};
        cr_break_opportunity *fresh, *pooled;
        size_t fresh_count, pooled_count;
        assert_int_equal(cr_find_line_breaks(cases[i].text, length, &texts[i], &options, &fresh,
                                             &fresh_count, NULL),
                         CR_OK);
        options.pool = pool;
        assert_int_equal(cr_find_line_breaks(cases[i].text, length, &texts[i], &options, &pooled,
                                             &pooled_count, NULL),
                         CR_OK);
        bool same = pooled_count == fresh_count;
        for (size_t k = 0; same && k < fresh_count; k++)
            same = pooled[k].offset == fresh[k].offset && pooled[k].mandatory == fresh[k].mandatory;
        if (!same)
            fail_msg("a pooled iterator breaks \"%s\" otherwise", cases[i].text);
        free(fresh);
        free(pooled);
    }
    for (size_t i = 0; i < CASES; i++)
        cr_text16_free(&texts[i]);
    static const UChar text[] = {0x4E2D, 0x6587};
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *a = cr_break_pool_take(pool, UBRK_LINE, "zh@lb=normal", text, 2, &status);
    UBreakIterator *b = cr_break_pool_take(pool, UBRK_LINE, "zh@lb=normal", text, 2, &status);
    assert_false(U_FAILURE(status));
    assert_non_null(a);
    assert_ptr_not_equal(a, b);
    cr_break_pool_give(pool, UBRK_LINE, "zh@lb=normal", a);
    cr_break_pool_give(pool, UBRK_LINE, "zh@lb=normal", b);
    cr_break_pool_destroy(pool);
}

/* Grapheme clusters from a pooled iterator are a new one's, and the pool
 * never lends a line iterator for clusters: the line breaks of the same
 * texts go through the same pool first, with the root locale the cluster
 * iterator uses too. Hand-counted: e + U+0301 is one cluster, Tibetan
 * KA + subjoined RA + vowel U + NGA two, Hangul jamo of one syllable one. */
static void test_pooled_grapheme_clusters_alike(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t clusters;
    } cases[] = {
        {"e\xCC\x81t\xC3\xA9", 3},                               /* e+acute, t, é */
        {"\xE0\xBD\x80\xE0\xBE\xB2\xE0\xBD\xB4\xE0\xBD\x84", 2}, /* ཀྲུང */
        {"\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB", 1},             /* 한 as jamo */
        {"Valid for repeated journeys", 27},
        {"ئۈرۈمچى", 7},
    };
    cr_break_pool *pool = cr_break_pool_create();
    assert_non_null(pool);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t length = strlen(cases[i].text);
        cr_text16 t;
        assert_true(cr_text16_init(&t, cases[i].text, length));
        cr_linebreak_options options = {.lang = "", .pool = pool};
        cr_break_opportunity *lines;
        size_t line_count;
        assert_int_equal(
            cr_find_line_breaks(cases[i].text, length, &t, &options, &lines, &line_count, NULL),
            CR_OK);
        free(lines);
        size_t fresh_count = 0, pooled_count = 0;
        uint32_t *fresh = cr_grapheme_boundaries(NULL, &t, &fresh_count);
        uint32_t *pooled = cr_grapheme_boundaries(pool, &t, &pooled_count);
        uint32_t *again = cr_grapheme_boundaries(pool, &t, &pooled_count); /* the kept one */
        assert_non_null(fresh);
        assert_non_null(pooled);
        assert_non_null(again);
        if (fresh_count != cases[i].clusters)
            fail_msg("\"%s\": %zu clusters, not %zu", cases[i].text, fresh_count,
                     cases[i].clusters);
        assert_int_equal(pooled_count, fresh_count);
        assert_memory_equal(pooled, fresh, (fresh_count + 1) * sizeof *fresh);
        assert_memory_equal(again, fresh, (fresh_count + 1) * sizeof *fresh);
        free(fresh);
        free(pooled);
        free(again);
        cr_text16_free(&t);
    }
    cr_break_pool_destroy(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_locale_from_language),
        cmocka_unit_test(test_pooled_iterators_break_alike),
        cmocka_unit_test(test_pooled_grapheme_clusters_alike),
        cmocka_unit_test(test_chinese_kinsoku_offsets),
        cmocka_unit_test(test_no_line_starts_with_comma_or_stop),
        cmocka_unit_test(test_kinsoku_modes_differ),
        cmocka_unit_test(test_basic_is_the_default),
        cmocka_unit_test(test_pairs_quotes_and_brackets),
        cmocka_unit_test(test_chinese_rules_stay_with_han),
        cmocka_unit_test(test_digits_do_not_break),
        cmocka_unit_test(test_tibetan_address_breaks_after_tsheg),
        cmocka_unit_test(test_tibetan_never_breaks_inside_a_syllable),
        cmocka_unit_test(test_tibetan_nga_tsheg_shad),
        cmocka_unit_test(test_tibetan_no_line_starts_with_shad),
        cmocka_unit_test(test_uyghur_no_line_start),
        cmocka_unit_test(test_uyghur_no_line_end),
        cmocka_unit_test(test_uyghur_date_stays_together),
        cmocka_unit_test(test_korean_word_and_character),
        cmocka_unit_test(test_korean_digit_runs_never_split),
        cmocka_unit_test(test_mongolian_suffix_never_starts_a_line),
        cmocka_unit_test(test_mandatory_breaks),
        cmocka_unit_test(test_untailored_is_plain_uax14),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
