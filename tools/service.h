/* The render service behind `cardrender serve`: one warm engine answering
 * JSON requests for cards, proofs, checks and layouts, the studio page and
 * the schemas. This module is the service without the network: a request
 * (method, path, headers that matter, body) in, a response (status, type,
 * body) out, so the same code is driven by libmicrohttpd in cli/cmd_serve.c,
 * by the tests and by the fuzzer (fuzz/fuzz_service.c).
 *
 * The API (versioned under /v1; README "Render service" has the details):
 *   GET  /v1/templates             the templates of the folder and their fields
 *   GET  /v1/templates/NAME        one template's JSON text and fields
 *   POST /v1/fields                {"template": NAME or {...}}: its fields
 *   POST /v1/render                {"template", "record", "images", "dpi",
 *                                   "proof", "panel"}: image/png
 *   POST /v1/check                 the findings as JSON
 *   POST /v1/layout                the layout document (layout_dump.h)
 *   GET  /v1/schema/template.json, /v1/schema/record.json
 *   GET  / and /studio/FILE        the template studio
 * Errors are JSON, {"error": {"status", "code", "message", "file", "line",
 * "column", "field", "field_index"}}, with 400 (the request or its
 * template, record or photo is wrong), 401 (no or a wrong bearer token),
 * 404, 405, 413 (a body over the limit), 415 (a POST body not JSON), 503
 * (too many requests at once) or 500.
 *
 * Files: templates are read only from the templates folder (a name is one
 * file name of it, never a path; what a template extends or includes is
 * the loader's, confined as for any template), reloaded when a file they
 * were read from changes; photos only from the request, or from the assets
 * folder when one was given. Nothing is ever written. */
#ifndef CR_SERVICE_H
#define CR_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardrender.h"

typedef struct cr_service cr_service;

/* Embedded files the service serves as they are (the studio page and the
 * schemas): path under the service ("/studio/studio.js"), type, bytes. */
typedef struct cr_service_file {
    const char *path;
    const char *content_type;
    const unsigned char *bytes;
    size_t length;
} cr_service_file;

typedef struct cr_service_config {
    const char *templates_dir;    /* required */
    const char *assets_dir;       /* NULL: photos only from the request */
    const char *token;            /* NULL: none; else required of non-loopback clients */
    size_t max_body_bytes;        /* 0: 32 MiB */
    uint64_t max_image_pixels;    /* 0: the library's (40 megapixels) */
    size_t max_record_keys;       /* 0: 1,000 */
    int max_requests;             /* renders, checks and layouts at once; 0: 16 */
    int png_threads;              /* threads that code one PNG; 0: 1 */
    const cr_service_file *files; /* NULL-path-terminated; may be NULL */
} cr_service_config;

/* A service for engine (a reference is taken); NULL with err filled when
 * the templates folder cannot be opened or out of memory. The config's
 * strings and files must outlive the service. */
cr_service *cr_service_create(cr_engine *engine, const cr_service_config *config, cr_error *err);
void cr_service_destroy(cr_service *service);

/* A render, check, layout or fields request holds one of the
 * config.max_requests places while it is answered. A server that answers
 * on the thread that read the request leaves the default (TAKE); one that
 * queues requests for worker threads takes the place with
 * cr_service_admit before queueing, so the queue stays as short as the
 * limit, and passes HELD (the place is given back when the request is
 * answered, whatever the answer) or, when refused, REFUSED (answered 503,
 * as a request that found no place). */
typedef enum cr_service_place {
    CR_SERVICE_PLACE_TAKE = 0,
    CR_SERVICE_PLACE_HELD,
    CR_SERVICE_PLACE_REFUSED,
} cr_service_place;

typedef struct cr_service_request {
    const char *method;        /* "GET", "POST", ... */
    const char *path;          /* the URL's path, without the query */
    const char *content_type;  /* NULL when none was sent */
    const char *authorization; /* the Authorization header, or NULL */
    bool loopback;             /* the client is 127.0.0.0/8 or ::1 */
    const uint8_t *body;
    size_t length;
    bool body_too_large;    /* the server stopped reading at max_body_bytes */
    cr_service_place place; /* for a render, check, layout or fields request */
} cr_service_request;

typedef struct cr_service_response {
    int status;
    const char *content_type; /* static */
    uint8_t *body;            /* free with cr_service_response_free */
    size_t length;
    bool body_is_library_memory; /* a PNG from the library: cr_free, not free */
} cr_service_response;

/* A request's body as it arrives, a piece at a time, up to a limit:
 * beyond it (or out of memory) the pieces are dropped and too_large set,
 * so the request is answered 413 without holding what it sent. */
typedef struct cr_service_body {
    uint8_t *data;
    size_t length, capacity;
    bool too_large;
} cr_service_body;

void cr_service_body_append(cr_service_body *body, const void *data, size_t size, size_t max);
void cr_service_body_free(cr_service_body *body);

/* Answers one request; thread-safe (requests run on many threads at once).
 * Always fills response (on out of memory: 500 with a static body). */
void cr_service_handle(cr_service *service, const cr_service_request *request,
                       cr_service_response *response);

void cr_service_response_free(cr_service_response *response);

/* Takes a place for a request to be answered later (cr_service_place):
 * false when config.max_requests are taken. Thread-safe. */
bool cr_service_admit(cr_service *service);

/* The largest body the service takes (config's, or the default). */
size_t cr_service_max_body(const cr_service *service);

#endif
