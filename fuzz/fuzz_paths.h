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
/* The fixed template of the memory harness: its photo field shows the image
 * bytes bound to the record, so no file is read for it. */
#define FUZZ_MEMORY_TEMPLATE "templates/resident-id-zh-photo.json"

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

/* Record bytes in an encoding. data[0] picks the encoding (its low 3 bits:
 * none named, so a byte-order mark or UTF-8; gb18030, gbk, big5, utf-16le,
 * utf-16be, utf-8, utf-32le) and the reader (bit 3 clear: one JSON record,
 * cr_record_load_memory_with, rendered with tpl as fuzz_record_path does;
 * set: the batch source over the bytes in memory, CSV when bit 4 is set, else
 * JSON Lines, every record read and counted in *records, as
 * fuzz_batch_path). The rest of data is the input. */
cr_status fuzz_encoding_path(cr_engine *engine, const cr_template *tpl, const uint8_t *data,
                             size_t size, long *records, cr_error *err);

/* A record built in memory (cr_record_create) from entries, until the bytes
 * end (a cut entry is taken as far as it goes):
 *   1 byte   flags: bit 0 set, the value is image bytes (cr_record_set_image),
 *            else a text value (cr_record_set);
 *   1 byte   k: below 16, the key is the k % 9-th key tpl binds (name, sex,
 *            ethnicity, birth_year, birth_month, birth_day, address,
 *            id_number, photo); else the next k - 16 bytes are the key;
 *   2 bytes  n, little-endian, then n bytes: the value.
 * A NUL ends a key or a text value early (the API takes C strings). The
 * record is checked (cr_check, *findings counts the findings) and rendered
 * with tpl, both with the photo limit FUZZ_MAX_PIXELS; every panel is
 * encoded to PNG. */
cr_status fuzz_memory_path(cr_engine *engine, const cr_template *tpl, const uint8_t *data,
                           size_t size, size_t *findings, cr_error *err);

/* The PNG writer's plans (render/output/png_plan.h), from bytes:
 *   3 bytes  width 1 + (b0 + 256 * (b1 & 1)) % 400, height 1 + b2 % 48;
 *   1 byte   live boxes (b & 7) % 5, threads 1 + (b >> 3) % 4;
 *   4 bytes a box (x0, y0, x1, y1, each b * (side + 32) / 256 - 16: boxes
 *            may stick out of the image or be empty);
 *   1 byte   changes c % 4, then c of: 4 bytes a box as above, 1 byte value;
 *   the rest: the reference's pixel bytes, repeated (none: all zero).
 * The card is the reference with each change's box written with its value
 * (in one colour channel a pixel, by the pixel's column). It is written
 * through a plan with the reference's codes on the threads, and through
 * the plan without them; CR_ERR_IMAGE (with why in err) unless the two
 * files are the same and plain libpng decodes them to the card. */
cr_status fuzz_png_path(const uint8_t *data, size_t size, cr_error *err);

/* A request to the render service (tools/service.h) over templates/, with
 * the token "fuzz", a 1 MiB body limit, 2 places (max_requests) and the
 * photo limit FUZZ_MAX_PIXELS:
 *   1 byte   the route, b % 8: POST /v1/render, /v1/check, /v1/layout,
 *            /v1/fields, /v1/nothing; GET /v1/templates/resident-id-zh-photo,
 *            /v1/templates/..%2Fx, /;
 *   1 byte   flags: bit 0 the body is application/json (else text/plain),
 *            bit 1 the client is loopback, bit 2 it sends the token, bit 3
 *            the server stopped reading the body at the limit, bits 4-5
 *            its place, % 3: TAKE, HELD (taken first, as a server that
 *            queues requests does), REFUSED;
 *   the rest: the body.
 * *http_status gets the answer's status. CR_ERR_INTERNAL (why in err) when
 * the answer breaks the service's promises: a status outside 200, 400, 401,
 * 404, 405, 413, 415 and 503 (500 is a finding: out of memory aside, it is
 * a bug), no content type, an error that is not JSON with the same status
 * and a message, a 200 render that is not a PNG or another 200 that is not
 * JSON, or a place still taken after the answer. */
cr_status fuzz_service_path(cr_engine *engine, const uint8_t *data, size_t size, int *http_status,
                            cr_error *err);

#endif
