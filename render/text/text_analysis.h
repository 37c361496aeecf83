/* The analysis of a field's text: everything about it that does not
 * depend on the size tried (UTF-16 copy, bidi levels, scripts, the face of
 * each byte, items, break opportunities, font warnings). Only the type:
 * font choice (font_select.h) fills a part of it and the layout stages
 * (layout_common.h, which runs the analysis) read it, so both include this
 * header and neither includes the other's. */
#ifndef CR_TEXT_ANALYSIS_H
#define CR_TEXT_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include <unicode/ubidi.h>
#include <unicode/uscript.h>

#include "cardrender.h"
#include "itemize.h"
#include "layout_result.h"
#include "linebreak.h"
#include "template.h"
#include "text.h"

/* Everything about a field's text that does not depend on the size. */
typedef struct cr_text_analysis {
    cr_engine *engine;
    const cr_template *tpl;
    const cr_field *field;
    const char *text;
    uint32_t length;
    cr_text16 t16;
    UBiDi *bidi;
    uint8_t *levels;      /* per byte, resolved UAX #9 levels */
    UScriptCode *scripts; /* per byte */
    cr_face **faces;      /* per byte */
    cr_item *items;
    size_t item_count;
    cr_break_opportunity *breaks;
    size_t break_count;
    cr_text_warning *warnings; /* from font choice; handed to the layout */
    size_t warning_count;
} cr_text_analysis;

#endif
