/* Visual order of one line of text (UAX #9 rules L1 and L2, through ICU's
 * ubidi_setLine): the line's bidi runs from left to right. The layout
 * shapes and places runs in this order; the bidi conformance test checks
 * it against Unicode's BidiCharacterTest. */
#ifndef CR_BIDI_ORDER_H
#define CR_BIDI_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include <unicode/ubidi.h>

#include "cardrender.h"
#include "text.h"

typedef struct cr_visual_run {
    uint32_t start, end; /* bytes of the text, logical order inside the run */
    uint8_t level;       /* odd: the run reads right to left */
} cr_visual_run;

/* The runs of the line [start, end) (bytes, inside one paragraph of
 * `paragraph`, the UBiDi from cr_itemize_bidi over t, and `levels` the
 * levels it gave), left to right, each at one resolved level (L1 applied
 * to the line's trailing white space). `line` is a UBiDi the caller opened
 * (ubidi_openSized) and may reuse for every line. *runs is malloc'ed (NULL
 * for an empty line). */
cr_status cr_bidi_visual_runs(const UBiDi *paragraph, UBiDi *line, const cr_text16 *t,
                              const uint8_t *levels, uint32_t start, uint32_t end,
                              cr_visual_run **runs, size_t *count, cr_error *err);

#endif
