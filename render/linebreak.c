#include "linebreak.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>

#include "error.h"

void cr_linebreak_locale(const char *lang, char *out, size_t size)
{
    size_t n = 0;
    while (lang && lang[n] && lang[n] != '-' && lang[n] != '_' && n < 8)
        n++;
    bool cjk = (n == 2 && (strncmp(lang, "zh", 2) == 0 || strncmp(lang, "ja", 2) == 0)) ||
               (n == 3 && strncmp(lang, "cmn", 3) == 0);
    snprintf(out, size, "%.*s%s", (int)n, n ? lang : "", cjk ? "@lb=normal" : "");
}

/* clreq "basic": interpuncts may not start a line; UAX #14 gives U+00B7
 * class AI (resolved to AL), which allows a break before it between Han
 * characters, e.g. in transcribed names like 阿卜杜拉·买买提. */
static bool no_break_before_zh(uint32_t cp)
{
    return cp == 0x00B7 || cp == 0x2027 || cp == 0x30FB || cp == 0xFF65;
}

static bool is_chinese_locale(const char *locale)
{
    return strncmp(locale, "zh", 2) == 0;
}

/* Drops soft opportunities the locale's rules forbid. */
static size_t tailor(const char *text, size_t length, const char *locale,
                     cr_break_opportunity *breaks, size_t count)
{
    if (!is_chinese_locale(locale))
        return count;
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        size_t at = breaks[i].offset;
        bool drop = !breaks[i].mandatory && at < length &&
                    no_break_before_zh(cr_utf8_next(text, length, &at));
        if (!drop)
            breaks[kept++] = breaks[i];
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

cr_status cr_find_line_breaks(const char *text, size_t length, const cr_text16 *t, const char *lang,
                              cr_break_opportunity **breaks, size_t *count, cr_error *err)
{
    char locale[32];
    cr_linebreak_locale(lang, locale, sizeof locale);
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *iter = ubrk_open(UBRK_LINE, locale, t->units, t->length, &status);
    if (U_FAILURE(status)) {
        ubrk_close(iter);
        return cr_fail(err, CR_ERR_INTERNAL, "ICU line breaking failed for locale \"%s\": %s",
                       locale, u_errorName(status));
    }
    cr_break_opportunity *out = malloc(((size_t)t->length + 1) * sizeof *out);
    if (!out) {
        ubrk_close(iter);
        return cr_fail(err, CR_ERR_NOMEM, "out of memory breaking lines");
    }
    size_t n = 0;
    ubrk_first(iter);
    for (int32_t at = ubrk_next(iter); at != UBRK_DONE; at = ubrk_next(iter)) {
        int32_t rule = ubrk_getRuleStatus(iter);
        out[n++] = (cr_break_opportunity){t->byte_of_unit[at],
                                          rule >= UBRK_LINE_HARD && rule < UBRK_LINE_HARD_LIMIT};
    }
    ubrk_close(iter);
    if (n == 0 || out[n - 1].offset != length) /* empty text */
        out[n++] = (cr_break_opportunity){(uint32_t)length, false};
    n = break_after_terminators(text, length, out, n);
    *breaks = out;
    *count = tailor(text, length, locale, out, n);
    return CR_OK;
}
