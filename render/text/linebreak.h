/* Line-break opportunities of a field's logical text: ICU's line break
 * iterator (UAX #14, Unicode 15) with the ICU locale of the field's language,
 * then tailored per script, each rule applied where its script is:
 *   Chinese and Yi (clreq): the field's kinsoku set (basic, gb, strict,
 *     none) and the unbreakable pairs —— …… ⋯⋯;
 *   Tibetan (tlreq): no line starts with a shad, so ང་། stays together;
 *   Uyghur (alreq): no line starts with ، ؛ ؟ ! . » ) ” ’ or ends with
 *     « ( “ ‘, and a date like 1990-يىلى does not break after its hyphen;
 *   Korean (klreq): by word (어절) or by syllable, per field; digit runs
 *     never split;
 *   Mongolian (mlreq): no line (or column) starts with NNBSP U+202F, which
 *     joins a suffix to its word, or MVS U+180E, also after a space.
 * The tailoring only removes ICU's opportunities, except that every line
 * terminator (also U+001C..U+001E) forces one. */
#ifndef CR_LINEBREAK_H
#define CR_LINEBREAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/uscript.h>

#include "break_pool.h"
#include "cardrender.h"
#include "template.h"
#include "text.h"

typedef struct cr_break_opportunity {
    uint32_t offset; /* a line may start at this byte */
    bool mandatory;  /* after a line terminator: a line must start here */
} cr_break_opportunity;

/* What the breaker needs besides the text. All zero (or a NULL pointer to
 * it) means: no language, scripts found from the text, clreq basic, Korean
 * by word, tailored. */
typedef struct cr_linebreak_options {
    /* BCP 47 language: chooses the ICU locale, and the rules for text whose
     * characters have no script of their own (digits, punctuation); NULL or
     * "" for none. */
    const char *lang;
    /* The resolved script of every byte, as cr_itemize_scripts gives it; NULL
     * to have the breaker compute it. */
    const UScriptCode *scripts;
    cr_kinsoku kinsoku;           /* for Chinese and Yi text */
    cr_hangul_break hangul_break; /* for Korean text */
    /* true: ICU's root rules exactly as they are, no tailoring and no added
     * mandatory breaks (the UAX #14 conformance test). */
    bool untailored;
    /* Where ICU's iterator comes from and goes back to (the engine's);
     * NULL: one is opened and closed for this text. */
    cr_break_pool *pool;
} cr_linebreak_options;

/* The ICU locale the breaker starts from: the language subtag of lang; for
 * Chinese and Japanese with "@lb=strict" when kinsoku is strict, else
 * "@lb=normal" ("zh-Hans" -> "zh@lb=normal"). NULL or "" gives the root
 * locale "". */
void cr_linebreak_locale(const char *lang, cr_kinsoku kinsoku, char *out, size_t size);

/* The break opportunities of text (t is its UTF-16 copy) in increasing
 * order, never 0, always ending with the text's length. options may be
 * NULL. *breaks is malloc'ed. */
cr_status cr_find_line_breaks(const char *text, size_t length, const cr_text16 *t,
                              const cr_linebreak_options *options, cr_break_opportunity **breaks,
                              size_t *count, cr_error *err);

#endif
