#include "bidi_order.h"

#include <stdlib.h>

#include "error.h"

cr_status cr_bidi_visual_runs(const UBiDi *paragraph, UBiDi *line, const cr_text16 *t,
                              uint32_t start, uint32_t end, cr_visual_run **runs, size_t *count,
                              cr_error *err)
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
    cr_visual_run *out = malloc((size_t)n * sizeof *out);
    if (!out)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory reordering a line");
    for (int32_t r = 0; r < n; r++) {
        int32_t logical = 0, length = 0;
        ubidi_getVisualRun(line, r, &logical, &length);
        /* ICU runs hold one level each (L2 reverses per level). */
        out[r] = (cr_visual_run){t->byte_of_unit[start16 + logical],
                                 t->byte_of_unit[start16 + logical + length],
                                 ubidi_getLevelAt(line, logical)};
    }
    *runs = out;
    *count = (size_t)n;
    return CR_OK;
}
