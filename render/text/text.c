#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "break_pool.h"

bool cr_utf8_valid(const char *text, size_t length, size_t *bad_offset)
{
    const uint8_t *s = (const uint8_t *)text;
    size_t i = 0;
    while (i < length) {
        size_t start = i;
        UChar32 c;
        /* U8_NEXT rejects overlongs, surrogates and out-of-range values,
         * and never reads past length. It takes int32_t offsets, so feed it
         * windows of at most 4 bytes. */
        int32_t pos = 0;
        int32_t window = length - i < 4 ? (int32_t)(length - i) : 4;
        U8_NEXT(s + start, pos, window, c);
        if (c < 0) {
            if (bad_offset)
                *bad_offset = start;
            return false;
        }
        i = start + (size_t)pos;
    }
    return true;
}

uint32_t cr_utf8_next(const char *text, size_t length, size_t *offset)
{
    const uint8_t *s = (const uint8_t *)text + *offset;
    int32_t pos = 0;
    int32_t window = length - *offset < 4 ? (int32_t)(length - *offset) : 4;
    UChar32 c;
    U8_NEXT_OR_FFFD(s, pos, window, c);
    *offset += (size_t)pos;
    return (uint32_t)c;
}

size_t cr_utf8_prev(const char *text, size_t offset)
{
    const uint8_t *s = (const uint8_t *)text;
    size_t i = offset - 1;
    while (i > 0 && (s[i] & 0xC0) == 0x80 && offset - i < 4)
        i--;
    return i;
}

bool cr_text16_init(cr_text16 *out, const char *text, size_t length)
{
    *out = (cr_text16){0};
    /* At most one UTF-16 unit per UTF-8 byte. */
    out->units = malloc((length + 1) * sizeof *out->units);
    out->unit_of_byte = malloc((length + 1) * sizeof *out->unit_of_byte);
    out->byte_of_unit = malloc((length + 1) * sizeof *out->byte_of_unit);
    if (!out->units || !out->unit_of_byte || !out->byte_of_unit) {
        cr_text16_free(out);
        return false;
    }
    int32_t units = 0;
    size_t offset = 0;
    while (offset < length) {
        size_t start = offset;
        uint32_t cp = cr_utf8_next(text, length, &offset);
        for (size_t b = start; b < offset; b++)
            out->unit_of_byte[b] = units;
        out->byte_of_unit[units] = (uint32_t)start;
        if (cp > 0xFFFF) {
            out->units[units++] = U16_LEAD(cp);
            out->byte_of_unit[units] = (uint32_t)start;
            out->units[units++] = U16_TRAIL(cp);
        } else {
            out->units[units++] = (UChar)cp;
        }
    }
    out->unit_of_byte[length] = units;
    out->byte_of_unit[units] = (uint32_t)length;
    out->units[units] = 0;
    out->length = units;
    return true;
}

void cr_text16_free(cr_text16 *t)
{
    free(t->units);
    free(t->unit_of_byte);
    free(t->byte_of_unit);
    *t = (cr_text16){0};
}

bool cr_is_line_terminator(uint32_t cp)
{
    /* Paragraph separators for bidi (e.g. U+001C) end a line too: a line
     * must not span two bidi paragraphs. */
    if (u_charDirection((UChar32)cp) == U_BLOCK_SEPARATOR)
        return true;
    switch (u_getIntPropertyValue((UChar32)cp, UCHAR_LINE_BREAK)) {
    case U_LB_MANDATORY_BREAK:
    case U_LB_CARRIAGE_RETURN:
    case U_LB_LINE_FEED:
    case U_LB_NEXT_LINE:
        return true;
    default:
        return false;
    }
}

bool cr_is_trailing_space(uint32_t cp)
{
    return u_isUWhiteSpace((UChar32)cp) || cr_is_line_terminator(cp);
}

uint32_t cr_without_trailing_space(const char *text, uint32_t start, uint32_t end)
{
    while (end > start) {
        size_t before = cr_utf8_prev(text, end), at = before;
        if (!cr_is_trailing_space(cr_utf8_next(text, end, &at)))
            break;
        end = (uint32_t)before;
    }
    return end;
}

uint32_t *cr_grapheme_boundaries(struct cr_break_pool *pool, const cr_text16 *t, size_t *count)
{
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *iter =
        cr_break_pool_take(pool, UBRK_CHARACTER, "", t->units, t->length, &status);
    uint32_t *bounds = malloc(((size_t)t->length + 1) * sizeof *bounds);
    if (U_FAILURE(status) || !bounds) {
        ubrk_close(iter);
        free(bounds);
        return NULL;
    }
    size_t n = 0;
    for (int32_t at = ubrk_first(iter); at != UBRK_DONE; at = ubrk_next(iter))
        bounds[n++] = t->byte_of_unit[at];
    cr_break_pool_give(pool, UBRK_CHARACTER, "", iter);
    *count = n - 1;
    return bounds;
}

bool cr_is_arabic_presentation_form(uint32_t cp)
{
    return (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFE);
}

/* Appends the NFKC form of one presentation form to out (U+FDFA, the
 * longest, decomposes to 18 letters and spaces). */
static size_t append_unshaped(uint32_t cp, char *out, size_t capacity)
{
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&status);
    UChar in[2], letters[32];
    int32_t in_length = 0;
    U16_APPEND_UNSAFE(in, in_length, cp);
    int32_t n = U_SUCCESS(status) ? unorm2_normalize(nfkc, in, in_length, letters, 32, &status) : 0;
    size_t used = 0;
    if (U_FAILURE(status))
        n = 0;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(letters, i, n, c);
        if (used + 4 > capacity)
            break;
        U8_APPEND_UNSAFE(out, used, c);
    }
    return used;
}

char *cr_unshape_presentation_forms(const char *text, size_t length)
{
    /* A presentation form takes 3 bytes and gives at most 32 UTF-16 units,
     * each at most 3 UTF-8 bytes: 32 times the input is always enough. */
    size_t capacity = 32 * length + 1;
    char *out = malloc(capacity);
    if (!out)
        return NULL;
    size_t used = 0;
    for (size_t offset = 0; offset < length;) {
        size_t at = offset;
        uint32_t cp = cr_utf8_next(text, length, &offset);
        if (cr_is_arabic_presentation_form(cp)) {
            used += append_unshaped(cp, out + used, capacity - used);
        } else {
            memcpy(out + used, text + at, offset - at);
            used += offset - at;
        }
    }
    out[used] = '\0';
    char *shrunk = realloc(out, used + 1);
    return shrunk ? shrunk : out;
}

cr_block_label cr_block_name(uint32_t cp)
{
    cr_block_label label = {"No Block"};
    const char *name =
        u_getPropertyValueName(UCHAR_BLOCK, ublock_getCode((UChar32)cp), U_LONG_PROPERTY_NAME);
    if (name)
        snprintf(label.text, sizeof label.text, "%s", name);
    for (char *c = label.text; *c; c++)
        if (*c == '_')
            *c = ' ';
    return label;
}
