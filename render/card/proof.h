/* Proofs for the people who approve cards (cr_render_proof, cr_image_beside
 * in cardrender.h): the rendered card on a sheet with guides, field labels,
 * marks on the fields that did not fit and a watermark. Labels are set by
 * the engine's own text layout, through a synthetic field. */
#ifndef CR_PROOF_H
#define CR_PROOF_H

#include "cardrender.h"
#include "paint.h"
#include "raster.h"
#include "template.h"

/* A one-line label: text (UTF-8) in ink, size_pt at dpi, on a box of paper
 * colour (alpha 0: none) padded by pad px, whose top-left corner lands at
 * (x, y) px; with above set, the box's bottom-left corner lands there
 * instead. Fonts: Noto Sans, then Noto Sans CJK SC, then the manifest's
 * fallback chains; a character none covers is drawn as .notdef. */
typedef struct cr_label {
    const char *text;
    double x, y;
    bool above;
    double size_pt;
    cr_color ink, paper;
    double pad;
} cr_label;

/* A box in pixels that need not be whole. */
typedef struct cr_px_rect {
    double x, y, width, height;
} cr_px_rect;

#endif
