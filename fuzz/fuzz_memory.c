/* libFuzzer harness: the bytes are a record built in memory, the way a
 * program whose data never is a file builds one: entries of a simple
 * length-prefixed format (fuzz_paths.h, fuzz_memory_path) become keys and
 * text values (cr_record_create, cr_record_set) and image bytes bound to a
 * key (cr_record_set_image). The record is checked (cr_check, every finding
 * read) and rendered at 72 dpi with a fixed real template whose photo field
 * shows the bound bytes (the Chinese photo side, loaded once), every panel
 * encoded to PNG; no photo file is read unless an entry names one. */
#include "fuzz_common.h"
#include "fuzz_paths.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_TEXT_BYTES)
        return -1;
    cr_error err;
    size_t findings;
    cr_status status = fuzz_memory_path(fuzz_engine(), fuzz_fixed_template(FUZZ_MEMORY_TEMPLATE),
                                        data, size, &findings, &err);
    fuzz_check_error(status, &err);
    return 0;
}
