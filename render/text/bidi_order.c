#include "bidi_order.h"

#include <stdlib.h>

#include <unicode/uchar.h>
#include <unicode/utf16.h>

#include "error.h"

/* What UAX #9 L1 sets to the paragraph level at a line's end: white space,
 * isolate formatting characters and what X9 removes. */
static bool resets_at_line_end(UChar32 c)
{
    switch (u_charDirection(c)) {
    case U_WHITE_SPACE_NEUTRAL:
    case U_SEGMENT_SEPARATOR:
    case U_BLOCK_SEPARATOR:
    case U_BOUNDARY_NEUTRAL:
    case U_LEFT_TO_RIGHT_EMBEDDING:
    case U_RIGHT_TO_LEFT_EMBEDDING:
    case U_LEFT_TO_RIGHT_OVERRIDE:
    case U_RIGHT_TO_LEFT_OVERRIDE:
    case U_POP_DIRECTIONAL_FORMAT:
    case U_LEFT_TO_RIGHT_ISOLATE:
    case U_RIGHT_TO_LEFT_ISOLATE:
    case U_FIRST_STRONG_ISOLATE:
    case U_POP_DIRECTIONAL_ISOLATE:
        return true;
    default:
        return false;
    }
}

/* The first byte of the line's trailing white space (L1), or end. */
static uint32_t trailing_space_start(const cr_text16 *t, uint32_t start, uint32_t end)
{
    int32_t first16 = t->unit_of_byte[start], at = t->unit_of_byte[end];
    while (at > first16) {
        int32_t before = at;
        UChar32 c;
        U16_PREV(t->units, first16, before, c);
        if (!resets_at_line_end(c))
            break;
        at = before;
    }
    return t->byte_of_unit[at];
}

/* A line ICU finds of one direction holds a single run at the paragraph
 * level, whatever the levels resolved (ubidi_getLevelAt on the line reads
 * the paragraph level too). Levels of one parity read the same way, so the
 * order is right, but an Arabic-Indic digit in a left-to-right line is at
 * level 2. The run is cut where the resolved level (levels, trailing white
 * space at the paragraph level) changes; the pieces keep its direction. */
static size_t split_single_direction(const UBiDi *line, const cr_text16 *t, const uint8_t *levels,
                                     uint32_t start, uint32_t end, cr_visual_run *out)
{
    UBiDiLevel paragraph_level = ubidi_getParaLevel(line);
    uint32_t trailing = trailing_space_start(t, start, end);
    size_t n = 0;
    for (uint32_t b = start; b < end; b++) {
        uint8_t level = b < trailing ? levels[b] : paragraph_level;
        if (n > 0 && out[n - 1].level == level)
            out[n - 1].end = b + 1;
        else
            out[n++] = (cr_visual_run){b, b + 1, level};
    }
    for (size_t i = 0; (paragraph_level & 1) && i < n / 2; i++) { /* right to left */
        cr_visual_run swap = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = swap;
    }
    return n;
}

/* ICU's runs of a mixed line, each at one level. */
static size_t mixed_runs(UBiDi *line, const cr_text16 *t, int32_t start16, int32_t count,
                         cr_visual_run *out)
{
    for (int32_t r = 0; r < count; r++) {
        int32_t logical = 0, length = 0;
        ubidi_getVisualRun(line, r, &logical, &length);
        out[r] = (cr_visual_run){t->byte_of_unit[start16 + logical],
                                 t->byte_of_unit[start16 + logical + length],
                                 ubidi_getLevelAt(line, logical)};
    }
    return (size_t)count;
}

cr_status cr_bidi_visual_runs(const UBiDi *paragraph, UBiDi *line, const cr_text16 *t,
                              const uint8_t *levels, uint32_t start, uint32_t end,
                              cr_visual_run **runs, size_t *count, cr_error *err)
{
    *runs = NULL;
    *count = 0;
    if (end <= start)
        return CR_OK;
    int32_t start16 = t->unit_of_byte[start];
    UErrorCode status = U_ZERO_ERROR;
    ubidi_setLine(paragraph, start16, t->unit_of_byte[end], line, &status);
    int32_t n = U_SUCCESS(status) ? ubidi_countRuns(line, &status) : 0;
    if (U_FAILURE(status))
        return cr_fail(err, CR_ERR_INTERNAL, "ICU bidi line reordering failed: %s",
                       u_errorName(status));
    bool mixed = ubidi_getDirection(line) == UBIDI_MIXED;
    cr_visual_run *out = malloc((mixed ? (size_t)n : end - start) * sizeof *out);
    if (!out)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory reordering a line");
    *count = mixed ? mixed_runs(line, t, start16, n, out)
                   : split_single_direction(line, t, levels, start, end, out);
    *runs = out;
    return CR_OK;
}
