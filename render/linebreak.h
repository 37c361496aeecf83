/* Line-break opportunities (UAX #14 through ICU's line break iterator, with
 * the locale's tailoring), as a plain list that later per-script tailoring
 * can edit. */
#ifndef CR_LINEBREAK_H
#define CR_LINEBREAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardrender.h"
#include "text.h"

typedef struct cr_break_opportunity {
    uint32_t offset; /* a line may start at this byte */
    bool mandatory;  /* after a line terminator: a line must start here */
} cr_break_opportunity;

/* The ICU locale for a BCP 47 language: its language subtag, with
 * "@lb=normal" for Chinese and Japanese ("zh-Hans" -> "zh@lb=normal").
 * NULL or "" gives the root locale "". */
void cr_linebreak_locale(const char *lang, char *out, size_t size);

/* The break opportunities of text in increasing order, never 0, always
 * ending with the text's length. lang as in cr_linebreak_locale. Chinese adds
 * the clreq "basic" rules UAX #14 lacks (no line starts with an interpunct).
 * *breaks is malloc'ed. */
cr_status cr_find_line_breaks(const char *text, size_t length, const cr_text16 *t, const char *lang,
                              cr_break_opportunity **breaks, size_t *count, cr_error *err);

#endif
