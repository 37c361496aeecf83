/* libFuzzer harness: the bytes are a template (JSON) given to
 * cr_template_load_memory, read against templates/; one that loads is
 * rendered with no record at 72 dpi and every panel encoded to PNG. */
#include "fuzz_common.h"
#include "fuzz_paths.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_TEXT_BYTES)
        return -1;
    cr_error err;
    cr_status status = fuzz_template_path(fuzz_engine(), data, size, &err);
    fuzz_check_error(status, &err);
    return 0;
}
