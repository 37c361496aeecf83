/* libFuzzer harness: the bytes are a record (JSON) given to
 * cr_record_load_memory and rendered with a fixed real template (the
 * Uyghur-Chinese photo side, loaded once) at 72 dpi, photos read from
 * examples/records/; every panel is encoded to PNG. */
#include "fuzz_common.h"
#include "fuzz_paths.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_TEXT_BYTES)
        return -1;
    cr_error err;
    cr_status status = fuzz_record_path(fuzz_engine(), fuzz_fixed_template(FUZZ_RECORD_TEMPLATE),
                                        data, size, &err);
    fuzz_check_error(status, &err);
    return 0;
}
