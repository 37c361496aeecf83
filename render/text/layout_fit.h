/* The fit policy (template key "fit") over a layout's attempts, shared by
 * the horizontal and the vertical layout: which sizes and scales are tried,
 * when the layout overflows its box and how that is reported. */
#ifndef CR_LAYOUT_FIT_H
#define CR_LAYOUT_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardrender.h"
#include "layout_result.h"
#include "template.h"

/* One size tried. */
typedef struct cr_attempt {
    int dpi;
    double size_pt;
    int32_t ppem;           /* 26.6 */
    int32_t letter_spacing; /* 26.6 */
    int32_t x_scale;        /* 16.16 */
    bool soft_wrap;         /* false: break only where the text says so */
} cr_attempt;

/* The field's box on the canvas, 26.6. */
typedef struct cr_box {
    int32_t x, y, w, h;
} cr_box;

/* Lays the text out for one attempt into out (emptied, its size and scale
 * set); *fitting: how many lines fit across the box (the first always does). */
typedef cr_status (*cr_lay_out_fn)(const void *context, const cr_attempt *at, cr_box bx,
                                   cr_text_layout *out, size_t *fitting, cr_error *err);

/* How a layout's lines are named in overflow reasons. */
typedef struct cr_line_words {
    const char *plural;   /* "lines" */
    const char *singular; /* "line" */
    const char *extent;   /* "wide": how long a line is along itself */
} cr_line_words;

/* How the policy treats a layout's lines. */
typedef struct cr_fit_rules {
    bool lines_run_down; /* vertical: a line's room is the box's height */
    bool can_condense;   /* false: fit condense wraps */
    cr_line_words words;
} cr_fit_rules;

typedef struct cr_fit_request {
    const cr_template *tpl; /* for error locations; may be NULL */
    const cr_field *field;
    int dpi;
    const cr_fit_rules *rules;
    cr_lay_out_fn lay_out;
    const void *context;
} cr_fit_request;

/* Applies field->fit: wrap (one attempt, overflow reported in out), shrink
 * (size_pt, then 0.25 pt smaller down to min_size_pt), condense (one line
 * per paragraph scaled horizontally down to min_scale_x) or error
 * (CR_ERR_TEXT naming the field when the attempt overflows). Overflow:
 * more lines than the box holds (or max_lines), or a line longer than the
 * box; after shrink or condense the reason says how far it went. */
cr_status cr_apply_fit_policy(const cr_fit_request *request, cr_text_layout *out, cr_error *err);

#endif
