/* `cardrender layout`: every text field of a template laid out for a record
 * exactly as cr_render would, and what the engine decided printed on
 * standard output: per field its size, scale, lines and runs (script,
 * language, direction, font, text), or with json the whole layout in the
 * format layout_dump.h describes. The part of the command that needs the
 * library's internals (the fields, the layout); the CLI, which sees only
 * cardrender.h, parses the arguments and loads the files. */
#ifndef CR_LAYOUT_REPORT_H
#define CR_LAYOUT_REPORT_H

#include <stdbool.h>

#include <jansson.h>

#include "cardrender.h"

/* Lays out and prints every text field of tpl for record (may be NULL) at
 * dpi. A field that cannot be laid out is reported on stderr ("cardrender:
 * MESSAGE") and in the output, and the others are still printed; false
 * then, or when out of memory. template_path and record_path (may be NULL)
 * are named in the JSON. */
bool cr_layout_report(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                      const char *template_path, const char *record_path, int dpi, bool json);

/* The same document as `layout --json` prints (layout_dump.h), built and
 * returned instead of printed, with nothing said on stderr: a field that
 * cannot be laid out has its "error" in it (for the render service). NULL
 * when out of memory. */
json_t *cr_layout_document(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                           const char *template_path, const char *record_path, int dpi);

#endif
