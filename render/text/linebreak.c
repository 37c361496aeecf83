/* Line breaking: ICU's line break iterator, then per-script tailoring.
 *
 * Which tool for which rule, and why:
 *  - ICU locale keywords choose the base rules. Chinese text takes
 *    "zh@lb=strict" under the clreq strict set (ICU's strict also keeps
 *    small kana, the prolonged sound mark and 〜 off a line start) and
 *    "zh@lb=normal" otherwise. The "zh" locale matters beyond the keyword:
 *    ICU then allows a break before “ and after ” between Han characters,
 *    which root's rule LB19 forbids. ICU 72 has no keep-all keyword for
 *    Korean ("ko@lw=keepall" gives root's rules; its only lw value is
 *    phrase, for Japanese), and its keywords follow JIS X 4051 and CSS, not
 *    clreq's sets, Tibetan or Uyghur.
 *  - Every other rule filters ICU's opportunities: it removes one when the
 *    next line would start, or the line would end, with a character the
 *    rule names. Each rule is a short list of characters from the W3C
 *    layout requirements documents, easy to check against them; the same
 *    rules merged into a copy of ICU's line.txt for ubrk_openRules would be
 *    hundreds of lines to keep in step with ICU (Debian ships it compiled
 *    only).
 * Filtering never adds a soft opportunity, so every soft break is one UAX
 * #14 allows too. A rule applies at an opportunity when the character on
 * either side has its script (after Common and Inherited characters took a
 * neighbour's, cr_itemize_scripts); when neither has one, the field's
 * language chooses. A Latin word in a Chinese address keeps its breaks. */
#include "linebreak.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>

#include "error.h"
#include "itemize.h"

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))
#define IN_SET(cp, set) in_set((cp), (set), COUNT_OF(set))

/* ------------------------------------------------------------ language */

static size_t language_length(const char *lang)
{
    size_t n = 0;
    while (lang && lang[n] && lang[n] != '-' && lang[n] != '_' && n < 8)
        n++;
    return n;
}

/* True when lang's language subtag is code. */
static bool language_is(const char *lang, const char *code)
{
    size_t n = language_length(lang);
    return n == strlen(code) && strncmp(lang, code, n) == 0;
}

static bool is_cjk_language(const char *lang)
{
    return language_is(lang, "zh") || language_is(lang, "cmn") || language_is(lang, "ja");
}

void cr_linebreak_locale(const char *lang, cr_kinsoku kinsoku, char *out, size_t size)
{
    size_t n = language_length(lang);
    const char *keyword = !is_cjk_language(lang)         ? ""
                          : kinsoku == CR_KINSOKU_STRICT ? "@lb=strict"
                                                         : "@lb=normal";
    snprintf(out, size, "%.*s%s", (int)n, n ? lang : "", keyword);
}

/* ------------------------------------------------------ character sets */

static bool in_set(uint32_t cp, const uint32_t *set, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (set[i] == cp)
            return true;
    return false;
}

/* clreq basic: may not start a line. UAX #14 already keeps most of these
 * off a line start; what ICU lets through are the full-width wave dash ～
 * (class ID), the interpunct · (class AI), e.g. in transcribed names like
 * 阿卜杜拉·买买提, and under "@lb=normal" the wave dash 〜. */
static const uint32_t zh_basic_no_line_start[] = {
    /* pause and stop marks 、。，．；：！？ and the ASCII ones typed in Chinese */
    0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1B, 0xFF1A, 0xFF01, 0xFF1F, ',', '.', ';', ':', '!', '?',
    /* closing quotes ” ’ 」 』 〞 〟 */
    0x201D, 0x2019, 0x300D, 0x300F, 0x301E, 0x301F,
    /* closing brackets ） 】 〕 〗 〙 〛 ｝ 》 〉 ］ and ASCII */
    0xFF09, 0x3011, 0x3015, 0x3017, 0x3019, 0x301B, 0xFF5D, 0x300B, 0x3009, 0xFF3D, ')', ']', '}',
    /* connector marks (GB/T 15834 连接号): hyphens, en dash, wave dashes ～ 〜 */
    '-', 0x2010, 0x2013, 0xFF5E, 0x301C,
    /* interpuncts · ‧ ・ ･ */
    0x00B7, 0x2027, 0x30FB, 0xFF65};

/* clreq basic: may not end a line. Opening quotes “ ‘ 「 『 〝, opening
 * brackets （ 【 〔 〖 〘 〚 ｛ 《 〈 ［ and ASCII. */
static const uint32_t zh_basic_no_line_end[] = {0x201C, 0x2018, 0x300C, 0x300E, 0x301D, 0xFF08,
                                                0x3010, 0x3014, 0x3016, 0x3018, 0x301A, 0xFF5B,
                                                0x300A, 0x3008, 0xFF3B, '(',    '[',    '{'};

/* clreq GB-style adds: the solidus ／ / may not end a line. */
static const uint32_t zh_gb_no_line_end[] = {0xFF0F, '/'};

/* clreq strict adds: the two-em dash (⸺ ⸻, or —— as two U+2014) and the
 * ellipsis (……, or ⋯⋯) may not start a line. The dashes are class B2, which
 * UAX #14 breaks before; the ellipses U+2026 and U+22EF are class IN, which
 * it never breaks before (LB22), so that half of the rule holds in every
 * mode already. */
static const uint32_t zh_strict_no_line_start[] = {0x2014, 0x2E3A, 0x2E3B, 0x2026, 0x22EF};

/* clreq: two of these in a row are one mark (—— and …… take 2 em) and never
 * split, in every kinsoku mode. ICU's root, normal and strict rules agree
 * (B2 × B2, × IN); the check guards against rules that do not: ICU's
 * "@lb=loose" breaks between two U+2026. */
static const uint32_t zh_unbreakable_pair[] = {0x2014, 0x2026, 0x22EF};

/* tlreq: no line starts with a shad ། ༎ ༏ ༐ ༑ ༒ or ༔. */
static const uint32_t bo_shads[] = {0x0F0D, 0x0F0E, 0x0F0F, 0x0F10, 0x0F11, 0x0F12, 0x0F14};

/* alreq: no Uyghur line starts with ، ؛ ؟ ! . » ) ” ’. */
static const uint32_t ug_no_line_start[] = {0x060C, 0x061B, 0x061F, '!',   '.',
                                            0x00BB, ')',    0x201D, 0x2019};

/* alreq: no Uyghur line ends with « ( “ ‘. */
static const uint32_t ug_no_line_end[] = {0x00AB, '(', 0x201C, 0x2018};

/* mlreq: no Mongolian line (or column) starts with the narrow no-break
 * space that joins a suffix to its word, or with the vowel separator. */
static const uint32_t mn_no_line_start[] = {0x202F, 0x180E};

static const uint32_t hyphens[] = {'-', 0x2010};

/* What may join the digits of one number: 1,234.5  123-4567  12/30  12:30,
 * and the full-width forms. */
static const uint32_t digit_joiners[] = {',',    '.',    '-',    '/',    ':',    0x2010,
                                         0x2011, 0xFF0C, 0xFF0D, 0xFF0E, 0xFF0F, 0xFF1A};

static int line_break_class(uint32_t cp)
{
    return u_getIntPropertyValue((UChar32)cp, UCHAR_LINE_BREAK);
}

static bool is_digit(uint32_t cp)
{
    return u_charType((UChar32)cp) == U_DECIMAL_DIGIT_NUMBER;
}

static bool is_arabic_letter(uint32_t cp)
{
    UErrorCode status = U_ZERO_ERROR;
    return u_isalpha((UChar32)cp) && uscript_getScript((UChar32)cp, &status) == USCRIPT_ARABIC;
}

static bool is_hangul(uint32_t cp)
{
    UErrorCode status = U_ZERO_ERROR;
    return uscript_getScript((UChar32)cp, &status) == USCRIPT_HANGUL;
}

/* CSS word-break: keep-all's "letter units": letters, digits, ideographs,
 * Hangul syllables and jamo. */
static bool is_letter_unit(uint32_t cp)
{
    switch (line_break_class(cp)) {
    case U_LB_ALPHABETIC:
    case U_LB_HEBREW_LETTER:
    case U_LB_AMBIGUOUS:
    case U_LB_NUMERIC:
    case U_LB_IDEOGRAPHIC:
    case U_LB_H2:
    case U_LB_H3:
    case U_LB_JL:
    case U_LB_JV:
    case U_LB_JT:
        return true;
    default:
        return false;
    }
}

/* ---------------------------------------------------------- neighbours */

/* The characters around one opportunity. */
typedef struct neighbours {
    uint32_t after;    /* the first character of the next line */
    uint32_t after2;   /* the one after it, or 0 */
    uint32_t before;   /* the last character before the break, marks skipped */
    uint32_t before2;  /* the character just before `before`, or 0 */
    uint32_t line_end; /* the last character before the break that is not a space */
    UScriptCode script_before, script_after;
} neighbours;

static uint32_t code_point_at(const char *text, size_t length, size_t offset)
{
    return cr_utf8_next(text, length, &offset);
}

/* The start of the last base character before offset (> 0): combining
 * marks and ZWJ belong to the character they follow. */
static size_t base_before(const char *text, size_t length, size_t offset)
{
    size_t start = cr_utf8_prev(text, offset);
    while (start > 0) {
        int lb = line_break_class(code_point_at(text, length, start));
        if (lb != U_LB_COMBINING_MARK && lb != U_LB_ZWJ)
            break;
        start = cr_utf8_prev(text, start);
    }
    return start;
}

/* The last character before offset (> 0) that is not white space; spaces
 * hang at the end of a line. Stops at a line terminator. */
static uint32_t line_end_before(const char *text, size_t length, size_t offset)
{
    size_t start = cr_utf8_prev(text, offset);
    uint32_t cp = code_point_at(text, length, start);
    while (start > 0 && cr_is_trailing_space(cp) && !cr_is_line_terminator(cp)) {
        start = cr_utf8_prev(text, start);
        cp = code_point_at(text, length, start);
    }
    return cp;
}

/* at: an offset strictly inside the text. */
static neighbours neighbours_at(const char *text, size_t length, const UScriptCode *scripts,
                                size_t at)
{
    neighbours nb;
    size_t next = at;
    nb.after = cr_utf8_next(text, length, &next);
    nb.after2 = next < length ? code_point_at(text, length, next) : 0;
    size_t base = base_before(text, length, at);
    nb.before = code_point_at(text, length, base);
    nb.before2 = base > 0 ? code_point_at(text, length, cr_utf8_prev(text, base)) : 0;
    nb.line_end = line_end_before(text, length, at);
    nb.script_before = scripts[base];
    nb.script_after = scripts[at];
    return nb;
}

/* --------------------------------------------------------------- rules */

enum {
    RULES_CHINESE = 1, /* clreq, also for Yi */
    RULES_TIBETAN = 2,
    RULES_UYGHUR = 4,
    RULES_KOREAN = 8,
    RULES_MONGOLIAN = 16
};

static unsigned rules_of_script(UScriptCode script)
{
    switch (script) {
    case USCRIPT_HAN:
    case USCRIPT_BOPOMOFO:
    case USCRIPT_YI: /* laid out like Han; clreq's marks are its punctuation */
        return RULES_CHINESE;
    case USCRIPT_TIBETAN:
        return RULES_TIBETAN;
    case USCRIPT_ARABIC:
        return RULES_UYGHUR;
    case USCRIPT_HANGUL:
        return RULES_KOREAN;
    case USCRIPT_MONGOLIAN:
        return RULES_MONGOLIAN;
    default:
        return 0;
    }
}

static unsigned rules_of_language(const char *lang)
{
    if (language_is(lang, "zh") || language_is(lang, "cmn") || language_is(lang, "ii"))
        return RULES_CHINESE;
    if (language_is(lang, "bo"))
        return RULES_TIBETAN;
    if (language_is(lang, "ug"))
        return RULES_UYGHUR;
    if (language_is(lang, "ko"))
        return RULES_KOREAN;
    if (language_is(lang, "mn"))
        return RULES_MONGOLIAN;
    return 0;
}

static bool has_own_script(UScriptCode script)
{
    return script != USCRIPT_COMMON && script != USCRIPT_INHERITED && script != USCRIPT_UNKNOWN &&
           script != USCRIPT_INVALID_CODE;
}

static bool chinese_forbids(cr_kinsoku kinsoku, const neighbours *nb)
{
    if (nb->before == nb->after && IN_SET(nb->after, zh_unbreakable_pair))
        return true;
    if (kinsoku == CR_KINSOKU_NONE)
        return false;
    if (IN_SET(nb->after, zh_basic_no_line_start) || IN_SET(nb->line_end, zh_basic_no_line_end))
        return true;
    if (kinsoku != CR_KINSOKU_BASIC && IN_SET(nb->line_end, zh_gb_no_line_end))
        return true;
    return kinsoku == CR_KINSOKU_STRICT && IN_SET(nb->after, zh_strict_no_line_start);
}

/* tlreq also says never to break between ང + tsheg and a shad. The only
 * opportunity ICU gives inside ང་། is after the tsheg (class BA), with the
 * shad after it, so the line-start rule covers it. Breaks inside a syllable
 * never come from ICU: letters are class AL, vowel signs and subjoined
 * letters CM. */
static bool tibetan_forbids(const neighbours *nb)
{
    return IN_SET(nb->after, bo_shads);
}

/* UAX #14 15.0 breaks after a hyphen before a letter (it only forbids a
 * break before one, LB21); in a Uyghur date such as 1990-يىلى ("the year
 * 1990") the suffix belongs to the number. A Latin word's hyphen keeps its
 * break. */
static bool splits_number_suffix(const neighbours *nb)
{
    return IN_SET(nb->before, hyphens) && is_digit(nb->before2) && is_arabic_letter(nb->after);
}

/* UAX #14 keeps ASCII digit runs together but breaks between full-width
 * digits (class ID) and before full-width joiners. */
static bool splits_digit_run(const neighbours *nb)
{
    return (is_digit(nb->before) && is_digit(nb->after)) ||
           (IN_SET(nb->before, digit_joiners) && is_digit(nb->before2) && is_digit(nb->after)) ||
           (is_digit(nb->before) && IN_SET(nb->after, digit_joiners) && is_digit(nb->after2));
}

/* Most of alreq's list UAX #14 already keeps (classes IS, EX, CP); the
 * quotes » ” ’ after a space (LB18 breaks after every space) and « “ ‘
 * before one are the cases it lets through. */
static bool uyghur_forbids(const neighbours *nb)
{
    return IN_SET(nb->after, ug_no_line_start) || IN_SET(nb->line_end, ug_no_line_end) ||
           splits_number_suffix(nb);
}

/* By word: ICU breaks between any two syllables; keep-all (as CSS defines
 * it) removes the opportunities between letter units next to Hangul, so
 * lines break at spaces and at ICU's other opportunities (before an opening
 * bracket, after a hyphen). 209호 stays one word. */
static bool korean_forbids(cr_hangul_break mode, const neighbours *nb)
{
    if (splits_digit_run(nb))
        return true;
    return mode == CR_HANGUL_BREAK_WORD && is_letter_unit(nb->before) &&
           is_letter_unit(nb->after) && (is_hangul(nb->before) || is_hangul(nb->after));
}

/* UAX #14 gives NNBSP and MVS class GL, which keeps them with what comes
 * before them except after a space (LB18): a suffix typed with a space
 * before its NNBSP would start a line. */
static bool mongolian_forbids(const neighbours *nb)
{
    return IN_SET(nb->after, mn_no_line_start);
}

/* ----------------------------------------------------------- tailoring */

typedef struct tailoring {
    const char *text;
    size_t length;
    const UScriptCode *scripts;
    unsigned language_rules; /* for opportunities between characters of no script */
    cr_kinsoku kinsoku;
    cr_hangul_break hangul_break;
} tailoring;

/* True when a rule of the scripts around the soft opportunity at `at`
 * removes it. */
static bool forbidden(const tailoring *tl, size_t at)
{
    neighbours nb = neighbours_at(tl->text, tl->length, tl->scripts, at);
    unsigned rules = rules_of_script(nb.script_before) | rules_of_script(nb.script_after);
    if (!has_own_script(nb.script_before) && !has_own_script(nb.script_after))
        rules = tl->language_rules;
    return ((rules & RULES_CHINESE) && chinese_forbids(tl->kinsoku, &nb)) ||
           ((rules & RULES_TIBETAN) && tibetan_forbids(&nb)) ||
           ((rules & RULES_UYGHUR) && uyghur_forbids(&nb)) ||
           ((rules & RULES_KOREAN) && korean_forbids(tl->hangul_break, &nb)) ||
           ((rules & RULES_MONGOLIAN) && mongolian_forbids(&nb));
}

/* Drops the soft opportunities the rules forbid; mandatory ones and the
 * text's end stay. */
static size_t tailor(const tailoring *tl, cr_break_opportunity *breaks, size_t count)
{
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        const cr_break_opportunity *b = &breaks[i];
        bool soft_inside = !b->mandatory && b->offset > 0 && b->offset < tl->length;
        if (!soft_inside || !forbidden(tl, b->offset))
            breaks[kept++] = *b;
    }
    return kept;
}

/* Makes `offset` a mandatory opportunity, inserting it if ICU gave none
 * there (the array has room: at most one opportunity per character). */
static size_t require_break(cr_break_opportunity *breaks, size_t count, uint32_t offset)
{
    size_t i = 0;
    while (i < count && breaks[i].offset < offset)
        i++;
    if (i < count && breaks[i].offset == offset) {
        breaks[i].mandatory = true;
        return count;
    }
    memmove(&breaks[i + 1], &breaks[i], (count - i) * sizeof *breaks);
    breaks[i] = (cr_break_opportunity){offset, true};
    return count + 1;
}

/* Every line terminator ends a line, also the bidi paragraph separators
 * U+001C..U+001E that UAX #14 treats as combining marks (a line must not
 * span two bidi paragraphs). CR LF counts as one terminator. */
static size_t break_after_terminators(const char *text, size_t length, cr_break_opportunity *breaks,
                                      size_t count)
{
    size_t offset = 0;
    while (offset < length) {
        uint32_t cp = cr_utf8_next(text, length, &offset);
        bool crlf = cp == '\r' && offset < length && text[offset] == '\n';
        if (cr_is_line_terminator(cp) && !crlf)
            count = require_break(breaks, count, (uint32_t)offset);
    }
    return count;
}

/* ICU's opportunities for the locale into out (room for t->length + 1),
 * with an iterator from pool (NULL: a new one). */
static cr_status icu_breaks(const cr_text16 *t, const char *locale, cr_break_pool *pool,
                            cr_break_opportunity *out, size_t *count, cr_error *err)
{
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *iter =
        cr_break_pool_take(pool, UBRK_LINE, locale, t->units, t->length, &status);
    if (U_FAILURE(status)) {
        ubrk_close(iter);
        return cr_fail(err, CR_ERR_INTERNAL, "ICU line breaking failed for locale \"%s\": %s",
                       locale, u_errorName(status));
    }
    size_t n = 0;
    ubrk_first(iter);
    for (int32_t at = ubrk_next(iter); at != UBRK_DONE; at = ubrk_next(iter)) {
        int32_t rule = ubrk_getRuleStatus(iter);
        out[n++] = (cr_break_opportunity){t->byte_of_unit[at],
                                          rule >= UBRK_LINE_HARD && rule < UBRK_LINE_HARD_LIMIT};
    }
    cr_break_pool_give(pool, UBRK_LINE, locale, iter);
    *count = n;
    return CR_OK;
}

static cr_status apply_tailoring(const char *text, size_t length, const cr_linebreak_options *opt,
                                 cr_break_opportunity *breaks, size_t *count, cr_error *err)
{
    UScriptCode *own_scripts = NULL;
    if (!opt->scripts && length > 0) {
        own_scripts = malloc(length * sizeof *own_scripts);
        if (!own_scripts)
            return cr_fail(err, CR_ERR_NOMEM, "out of memory breaking lines");
        cr_itemize_scripts(text, length, own_scripts);
    }
    tailoring tl = {.text = text,
                    .length = length,
                    .scripts = opt->scripts ? opt->scripts : own_scripts,
                    .language_rules = rules_of_language(opt->lang),
                    .kinsoku = opt->kinsoku,
                    .hangul_break = opt->hangul_break};
    *count = break_after_terminators(text, length, breaks, *count);
    *count = tailor(&tl, breaks, *count);
    free(own_scripts);
    return CR_OK;
}

cr_status cr_find_line_breaks(const char *text, size_t length, const cr_text16 *t,
                              const cr_linebreak_options *options, cr_break_opportunity **breaks,
                              size_t *count, cr_error *err)
{
    static const cr_linebreak_options defaults = {0};
    const cr_linebreak_options *opt = options ? options : &defaults;
    char locale[32] = "";
    if (!opt->untailored)
        cr_linebreak_locale(opt->lang, opt->kinsoku, locale, sizeof locale);
    cr_break_opportunity *out = malloc(((size_t)t->length + 1) * sizeof *out);
    if (!out)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory breaking lines");
    size_t n = 0;
    cr_status status = icu_breaks(t, locale, opt->pool, out, &n, err);
    if (status == CR_OK && (n == 0 || out[n - 1].offset != length)) /* empty text */
        out[n++] = (cr_break_opportunity){(uint32_t)length, false};
    if (status == CR_OK && !opt->untailored)
        status = apply_tailoring(text, length, opt, out, &n, err);
    if (status != CR_OK) {
        free(out);
        return status;
    }
    *breaks = out;
    *count = n;
    return CR_OK;
}
