/* UTF-8 text helpers for the layout pipeline: validation, decoding, and the
 * UTF-16 copy (with offset maps both ways) that ICU works on. */
#ifndef CR_TEXT_H
#define CR_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/utypes.h>

/* True when text[0..length) is well-formed UTF-8 (no overlongs, surrogates
 * or values above U+10FFFF); otherwise *bad_offset is the first bad byte. */
bool cr_utf8_valid(const char *text, size_t length, size_t *bad_offset);

/* Decodes the code point at *offset and advances past it. Text must be
 * valid. */
uint32_t cr_utf8_next(const char *text, size_t length, size_t *offset);

/* The offset of the code point that ends at offset (offset > 0). */
size_t cr_utf8_prev(const char *text, size_t offset);

/* A UTF-16 copy of UTF-8 text. Offsets map both ways; both maps have one
 * entry past the end. A byte inside a character maps to the character's
 * first unit. */
typedef struct cr_text16 {
    UChar *units;
    int32_t length;
    int32_t *unit_of_byte;  /* length8 + 1 entries */
    uint32_t *byte_of_unit; /* length + 1 entries */
} cr_text16;

/* Builds the copy of valid UTF-8 text; false when out of memory. */
bool cr_text16_init(cr_text16 *out, const char *text, size_t length);
void cr_text16_free(cr_text16 *t);

/* The Unicode block of cp as the code charts name it, e.g. "CJK Unified
 * Ideographs Extension G" (ICU's long name, underscores made spaces). */
typedef struct cr_block_label {
    char text[96];
} cr_block_label;
cr_block_label cr_block_name(uint32_t cp);

/* Arabic presentation forms: U+FB50-FDFF and U+FE70-FEFE. */
bool cr_is_arabic_presentation_form(uint32_t cp);

/* A malloc'ed copy of valid UTF-8 text with every Arabic presentation form
 * replaced by the letters it shows (its NFKC decomposition: U+FEFB becomes
 * lam and alef, U+FEEB heh); everything else is copied unchanged. NULL when
 * out of memory. */
char *cr_unshape_presentation_forms(const char *text, size_t length);

/* Characters that end a line by themselves (UAX #14 classes BK, CR, LF, NL,
 * and bidi paragraph separators): they take part in no run and draw
 * nothing. */
bool cr_is_line_terminator(uint32_t cp);

/* White space that does not count at a line's end (includes terminators). */
bool cr_is_trailing_space(uint32_t cp);

/* The end of [start, end) without the trailing spaces and terminators
 * (cr_is_trailing_space) at its end. */
uint32_t cr_without_trailing_space(const char *text, uint32_t start, uint32_t end);

struct cr_break_pool;

/* The grapheme cluster boundaries of t's text (ICU character breaks) as
 * byte offsets, 0 first and the text's length last: *count clusters, *count
 * + 1 offsets (malloc'ed). NULL when out of memory or ICU fails. The
 * iterator comes from pool (break_pool.h; NULL: a new one). */
uint32_t *cr_grapheme_boundaries(struct cr_break_pool *pool, const cr_text16 *t, size_t *count);

#endif
