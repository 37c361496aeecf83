/* What every harness needs once per process: the engine of the checkout's
 * font manifest (fuzzers run from the project root, as the unit tests),
 * and a harness's one fixed template. */
#ifndef CR_FUZZ_COMMON_H
#define CR_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include "cardrender.h"

/* Larger inputs only slow the fuzzer down: real templates and records are
 * a few kilobytes. */
#define FUZZ_MAX_TEXT_BYTES (64u << 10)

static inline cr_engine *fuzz_engine(void)
{
    static cr_engine *engine;
    if (!engine) {
        cr_error err;
        /* Named: the library reads no manifest from the working folder. */
        cr_engine_options options = {.struct_size = sizeof options,
                                     .font_manifest_path = "fonts/manifest.json"};
        engine = cr_engine_create(&options, &err);
        if (!engine) {
            fprintf(stderr, "fuzz: no engine (run from the project root): %s\n", err.message);
            abort();
        }
    }
    return engine;
}

/* The fixed template at path (relative to the project root), loaded once
 * per process; a missing one aborts, naming it. */
static inline const cr_template *fuzz_fixed_template(const char *path)
{
    static cr_template *tpl;
    if (!tpl) {
        cr_error err;
        tpl = cr_template_load_file(fuzz_engine(), path, &err);
        if (!tpl) {
            fprintf(stderr, "fuzz: %s\n", err.message);
            abort();
        }
    }
    return tpl;
}

/* A refused input must say why: a status without a message (or with
 * another status in err) is a finding too. */
static inline void fuzz_check_error(cr_status status, const cr_error *err)
{
    if (status != CR_OK && (err->code != status || err->message[0] == '\0')) {
        fprintf(stderr, "fuzz: status %s with error %s \"%s\"\n", cr_status_name(status),
                cr_status_name(err->code), err->message);
        abort();
    }
}

#endif
