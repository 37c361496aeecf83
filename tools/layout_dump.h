/* A text layout as JSON, for people and tools checking what the engine
 * decided (`cardrender layout --json`). Built with jansson, keys always in
 * the same order: the same layout gives the same bytes.
 *
 * Units. Positions are the engine's own 26.6 integers (1/64 pixel at the
 * layout's dpi; card coordinates, x right, y down from the card's top-left
 * corner) under keys ending in "_26_6"; each is followed by its twin in
 * pixels (the integer / 64, exact) ending in "_px", for reading. Offsets
 * ("start", "end", "breaks", "cluster") are bytes of the field's UTF-8
 * text, "end" exclusive. A glyph's x and y are its pen origin with the
 * shaper's offsets applied (y is the baseline for an unshifted glyph).
 *
 * A document:
 *   {"format": "cardrender-layout-1", "units": {...}, "template": PATH,
 *    "record": PATH or null, "dpi": 300, "fields": [FIELD, ...]}
 * A field:
 *   {"index", "name", "text", "box_mm", "writing_mode", "size_pt",
 *    "scale_x", "overflow", "overflow_reason" (null when it fits),
 *    "warnings": [message, ...] (e.g. a character drawn as .notdef),
 *    "breaks",
 *    "lines": [{"index", "start", "end", "text", "baseline_26_6",
 *               "baseline_px", "x_26_6", "x_px", "width_26_6", "width_px",
 *               "runs": [run index, ... left to right]}],
 *    "runs": [{"index", "start", "end", "text", "script", "lang",
 *              "direction", "bidi_level",
 *              "font": {"family", "file", "face_index"},
 *              "ppem_26_6", "ppem_px", "first_glyph", "glyph_count"}],
 *    "glyphs": [{"index", "glyph_id", "glyph_name" (null when the font has
 *                none), "cluster", "run", "x_26_6", "x_px", "y_26_6",
 *                "y_px", "advance_26_6", "advance_px",
 *                "rotation" (0, or 90 = turned clockwise)}]}
 * Glyphs come in the layout's order: lines top to bottom, each line's runs
 * left to right, each run's glyphs left to right ("run" is null for a glyph
 * no run holds). In the vertical writing modes a line is a column, and its
 * x, baseline and width read as layout.h says. A field whose text could not
 * be found or laid out has "error" (the message) instead of the members
 * after "writing_mode". A barcode field (cr_layout_dump_barcode) has, after
 * "writing_mode", "type": "barcode", "symbology", "columns" and "rows" (the
 * symbol's modules), "module_px" (a module's whole pixels at the dpi),
 * "quiet_zone" (modules) and "symbol_px": [x, y, width, height], the symbol
 * with its quiet zones in card pixels. */
#ifndef CR_LAYOUT_DUMP_H
#define CR_LAYOUT_DUMP_H

#include <stdbool.h>

#include <jansson.h>

#include "barcode.h"
#include "layout.h"
#include "template.h"

#define CR_LAYOUT_DUMP_FORMAT "cardrender-layout-1"

/* The document with an empty "fields" array; record_path may be NULL.
 * NULL when out of memory. */
json_t *cr_layout_dump_document(const char *template_path, const char *record_path, int dpi);

/* One field laid out. NULL when out of memory. */
json_t *cr_layout_dump_field(const cr_field *field, const char *text, const cr_text_layout *layout);

/* One barcode field encoded and placed. NULL when out of memory. */
json_t *cr_layout_dump_barcode(const cr_field *field, const char *text,
                               const cr_barcode_layout *layout);

/* One field whose text could not be found or laid out; text may be NULL. */
json_t *cr_layout_dump_field_error(const cr_field *field, const char *text, const cr_error *err);

/* Appends field (the reference is taken, even on failure) to the
 * document's "fields". */
bool cr_layout_dump_add_field(json_t *document, json_t *field);

/* The document as text: 2-space indentation, a final newline. malloc'ed;
 * NULL when out of memory. */
char *cr_layout_dump_text(const json_t *document);

#endif
