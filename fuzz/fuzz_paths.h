/* The code paths the fuzz harnesses drive, in one place so that
 * tests/test_fuzz_regressions.c replays a saved input exactly as the fuzzer
 * ran it. Each returns CR_OK, or the status of the first step that refused
 * the input (err says why); a crash, a leak or undefined behaviour is the
 * only wrong outcome. Run from the project root (fonts/manifest.json,
 * templates/, examples/records/). */
#ifndef CR_FUZZ_PATHS_H
#define CR_FUZZ_PATHS_H

#include <stddef.h>
#include <stdint.h>

#include "batch_source.h"
#include "cardrender.h"

/* Low, so that a render takes milliseconds. */
#define FUZZ_DPI 72
/* The folder fuzzed templates are read against: "extends", "include" and
 * artwork of the real templates resolve there. */
#define FUZZ_TEMPLATE_DIR "templates"
/* The fixed template of the record harness, and the folder its photos are
 * read against ("photos/portrait-358x441.jpg" there). */
#define FUZZ_RECORD_TEMPLATE "templates/resident-id-ug-photo.json"
#define FUZZ_ASSET_DIR "examples/records"
/* Decoder limit of the image harness: about 4 megapixels. */
#define FUZZ_MAX_PIXELS (4u << 20)

/* Template bytes: loaded, rendered with no record, encoded to PNG. */
cr_status fuzz_template_path(cr_engine *engine, const uint8_t *data, size_t size, cr_error *err);

/* Record bytes: loaded, rendered with tpl, encoded to PNG. */
cr_status fuzz_record_path(cr_engine *engine, const cr_template *tpl, const uint8_t *data,
                           size_t size, cr_error *err);

/* Image bytes: decoded within FUZZ_MAX_PIXELS, scaled down to a thumbnail. */
cr_status fuzz_image_path(const uint8_t *data, size_t size, cr_error *err);

/* Batch bytes, written to temp_path: every record read (and the records
 * counted), in the given format. Returns the first record's error or a read
 * error; *records counts the records read, good or bad. */
cr_status fuzz_batch_path(const uint8_t *data, size_t size, cr_batch_format format,
                          const char *temp_path, long *records, cr_error *err);

#endif
