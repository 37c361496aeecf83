/* Every ideograph of Unicode 15.0 (ICU's character database: Debian 12's
 * ICU 72) laid out through the manifest's Han chain, block by block: the
 * URO, Extensions A-F and the compatibility blocks are covered completely;
 * Extensions G and H as far as a Debian font has them, the counts measured
 * independently with fc-query on Debian 12's fonts (issue 14): G 3,045 of
 * 4,939 and H 2,271 of 4,192, both from BabelStone Han alone. Each
 * compatibility ideograph is drawn from a face that maps it itself, never
 * as its unified twin. Run from the project root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "cardrender.h"
#include "fonts.h"
#include "layout.h"
#include "support.h"
#include "template.h"
#include "text.h"

#define CHUNK 256 /* ideographs laid out at once */

typedef struct block {
    const char *name;
    uint32_t first, last;
    int assigned, covered; /* expected: ideographs in Unicode 15.0, covered */
} block;

/* Sizes from the Unicode 15.0 code charts; covered: all but G and H. */
static const block blocks[] = {
    {"CJK Unified Ideographs", 0x4E00, 0x9FFF, 20992, 20992},
    {"Extension A", 0x3400, 0x4DBF, 6592, 6592},
    {"Extension B", 0x20000, 0x2A6DF, 42720, 42720},
    {"Extension C", 0x2A700, 0x2B73F, 4154, 4154},
    {"Extension D", 0x2B740, 0x2B81F, 222, 222},
    {"Extension E", 0x2B820, 0x2CEAF, 5762, 5762},
    {"Extension F", 0x2CEB0, 0x2EBEF, 7473, 7473},
    {"Extension G", 0x30000, 0x3134F, 4939, 3045},
    {"Extension H", 0x31350, 0x323AF, 4192, 2271},
    {"Compatibility Ideographs", 0xF900, 0xFAFF, 472, 472},
    {"Compatibility Ideographs Supplement", 0x2F800, 0x2FA1F, 542, 542},
};

static bool is_compatibility(uint32_t cp)
{
    return (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

typedef struct tally {
    int assigned, covered, swapped;
} tally;

/* Lays out cps[0..n) and counts the ones drawn (no warning for them) and
 * the compatibility ideographs whose face does not map them itself. */
static void lay_out_chunk(const test_field *t, const uint32_t *cps, size_t n, tally *tl)
{
    char text[CHUNK * 4 + 1];
    size_t length = 0;
    for (size_t i = 0; i < n; i++)
        U8_APPEND_UNSAFE(text, length, cps[i]);
    text[length] = '\0';
    cr_text_layout l;
    lay_out_ok(t, text, &l);
    tl->covered += (int)(n - l.warning_count);
    for (size_t g = 0; g < l.glyph_count; g++) {
        size_t at = l.glyphs[g].cluster;
        uint32_t cp = cr_utf8_next(text, length, &at);
        if (is_compatibility(cp) && l.glyphs[g].glyph_id != 0 &&
            !cr_face_has_codepoint(l.glyphs[g].face, cp))
            tl->swapped++;
    }
    cr_text_layout_free(&l);
}

static void init_field(test_field *t, const char *family, ...)
{
    va_list more;
    va_start(more, family);
    field_init(t, 80, 50, family, more);
    va_end(more);
}

static void test_every_ideograph(void **state)
{
    test_field t;
    init_field(&t, "Noto Sans CJK SC", NULL);
    t.field.missing_glyph = CR_MISSING_NOTDEF;
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
        tally tl = {0};
        uint32_t cps[CHUNK];
        size_t n = 0;
        for (uint32_t cp = blocks[b].first; cp <= blocks[b].last; cp++) {
            if (!u_hasBinaryProperty((UChar32)cp, UCHAR_IDEOGRAPHIC))
                continue;
            tl.assigned++;
            cps[n++] = cp;
            if (n == CHUNK) {
                lay_out_chunk(&t, cps, n, &tl);
                n = 0;
            }
        }
        if (n)
            lay_out_chunk(&t, cps, n, &tl);
        printf("  %-36s %6d of %6d drawn\n", blocks[b].name, tl.covered, tl.assigned);
        assert_int_equal(tl.assigned, blocks[b].assigned);
        assert_int_equal(tl.covered, blocks[b].covered);
        assert_int_equal(tl.swapped, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_ideograph)};
    return cmocka_run_group_tests_name("han coverage", tests, engine_setup, engine_teardown);
}
