/* Freeing a text layout's result (layout_result.h). */
#include "layout_result.h"

#include <stdlib.h>
#include <string.h>

void cr_text_layout_free(cr_text_layout *layout)
{
    if (!layout)
        return;
    free(layout->glyphs);
    free(layout->runs);
    free(layout->lines);
    free(layout->breaks);
    free(layout->warnings);
    free(layout->text);
    memset(layout, 0, sizeof *layout);
}
