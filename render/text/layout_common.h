/* What the horizontal layout (layout.c) and the vertical one
 * (layout_vertical.c) share: the analysis of a field's text, the measured
 * advances of a size tried, greedy line filling, and the growing of the
 * output arrays. Lines of vertical text are its columns; "advance" and
 * "width" are along the column there. All positions are 26.6 integers. */
#ifndef CR_LAYOUT_COMMON_H
#define CR_LAYOUT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/ubidi.h>
#include <unicode/uscript.h>

#include "array.h"
#include "cardrender.h"
#include "itemize.h"
#include "layout_result.h"
#include "linebreak.h"
#include "shape.h"
#include "text.h"
#include "text_analysis.h"

#define CR_SCALE_ONE 65536 /* 16.16 horizontal scale of 1 */

/* ------------------------------------------------------------- analysis */

/* Runs bidi and script itemising, font choice and the line-break finder
 * over a->text (a->engine, tpl, field, text and length set by the caller). */
cr_status cr_analyse_text(cr_text_analysis *a, cr_error *err);
void cr_text_analysis_free(cr_text_analysis *a);

/* Part [start, end) of an item, with [context_start, context_end) around
 * it for shaping. */
cr_shape_input cr_item_shape_input(const cr_text_analysis *a, const cr_item *item,
                                   uint32_t context_start, uint32_t context_end, uint32_t start,
                                   uint32_t end, bool rtl);

/* Gives out the analysis's warnings after the last attempt (each attempt
 * empties out), or empties out when status is a failure. Returns status. */
cr_status cr_layout_finish(cr_text_analysis *a, cr_status status, cr_text_layout *out);

/* ------------------------------------------------------------ measuring */

/* The advances of the text shaped in its paragraphs at one size, by byte,
 * summed so that any span's natural width is two subtractions. */
typedef struct cr_advances {
    uint32_t length;
    int64_t *before;       /* advance of bytes [0, i) */
    uint32_t *gaps_before; /* letter-spacing gaps at cluster starts in [0, i) */
    int64_t *own;          /* while adding: each cluster's advance, at its first byte */
    uint8_t *flags;        /* while adding */
} cr_advances;

/* Readies m for cr_advances_add over `length` bytes. */
cr_status cr_advances_init(cr_advances *m, uint32_t length, cr_error *err);

/* Adds advance to the cluster starting at byte `cluster`. spaced: letter
 * spacing may open beside it (false inside a cursive script). */
void cr_advances_add(cr_advances *m, uint32_t cluster, int64_t advance, bool spaced);

/* Sums what was added. A gap takes letter spacing when the clusters on both
 * sides are spaced; it is counted at the later cluster. */
void cr_advances_sum(cr_advances *m);

void cr_advances_free(cr_advances *m);

/* ---------------------------------------------------------- line filling */

typedef struct cr_line_span {
    uint32_t start, end;  /* all its bytes, terminator and trailing spaces included */
    uint32_t content_end; /* without trailing white space and terminators */
    bool paragraph_end;   /* last line of a paragraph (not justified) */
} cr_line_span;

/* What greedy line filling needs. */
typedef struct cr_line_filler {
    const cr_text_analysis *a;
    const cr_advances *advances;
    int32_t letter_spacing; /* 26.6 */
    int32_t extent;         /* the room of a line, 26.6 */
    bool soft_wrap;         /* false: break only where the text says so */
    /* How much less room a line [start, content_end) takes than its advances
     * say (a trimmed mark at its end), or NULL for none. */
    int32_t (*end_trim)(const void *context, uint32_t start, uint32_t content_end);
    const void *context;
} cr_line_filler;

/* Fills lines greedily: each ends at the furthest opportunity whose content
 * fits, or at the first one when none does (an unbreakable piece longer
 * than a line gets a line of its own). *lines is malloc'ed. */
cr_status cr_fill_lines(const cr_line_filler *filler, cr_line_span **lines, size_t *count,
                        cr_error *err);

/* -------------------------------------------------------------- output */

/* The layout being filled, with the room its arrays have. */
typedef struct cr_layout_output {
    cr_text_layout *layout;
    size_t glyph_capacity, run_capacity, line_capacity;
} cr_layout_output;

/* Room for `extra` more glyphs. */
cr_status cr_reserve_glyphs(cr_layout_output *o, size_t extra, cr_error *err);

/* Appends a run of [start, end) of item at `level`, holding the glyphs from
 * first_glyph to the last one appended. */
cr_status cr_append_run(cr_layout_output *o, const cr_field *field, const cr_item *item,
                        uint32_t start, uint32_t end, uint8_t level, size_t first_glyph,
                        cr_error *err);

/* Appends a line of span's bytes holding the runs from first_run on. */
cr_status cr_append_line(cr_layout_output *o, const cr_line_span *span, size_t first_run,
                         cr_error *err);

/* A 26.6 position or length computed in 64 bits, made an int32_t: values
 * beyond a quarter of the range (about 8 million pixels, far past any card)
 * are held there instead of wrapping around, so a line of 20,000 digits is
 * as long as it is (and overflows its box), never negative. */
#define CR_COORD_LIMIT (INT32_MAX / 4)
static inline int32_t cr_coord(int64_t value)
{
    if (value > CR_COORD_LIMIT)
        return CR_COORD_LIMIT;
    if (value < -CR_COORD_LIMIT)
        return -CR_COORD_LIMIT;
    return (int32_t)value;
}

cr_status cr_layout_out_of_memory(cr_error *err);

#endif
