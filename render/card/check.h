/* The layout half of a check (cr_check_layout in cardrender.h), with each
 * problem tagged with the stable word cr_check's findings carry as their
 * kind, for findings.c. */
#ifndef CR_CHECK_H
#define CR_CHECK_H

#include "cardrender.h"

/* Gets each problem cr_check_layout would hand to options->warning, with
 * its kind: "photo", "font", "rare_character", "text", "value_too_long" or
 * "record" (cardrender.h, cr_finding, says what each means; an MRZ the
 * record cannot make is "record"). */
typedef void (*cr_check_note_func)(void *data, const char *kind, const cr_error *problem);

/* cr_check_layout with options taken already (a complete struct of this
 * version), and its problems going to note instead of options->warning;
 * options->field_report still gets every text field. */
cr_status cr_check_fields(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                          const cr_render_options *options, cr_check_note_func note,
                          void *note_data, cr_error *err);

#endif
