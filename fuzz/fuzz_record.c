/* libFuzzer harness: the bytes are a record (JSON) given to
 * cr_record_load_memory and rendered with a fixed real template (the
 * Uyghur-Chinese photo side, loaded once) at 72 dpi, photos read from
 * examples/records/; every panel is encoded to PNG. */
#include "fuzz_common.h"
#include "fuzz_paths.h"

static const cr_template *fixed_template(void)
{
    static cr_template *tpl;
    if (!tpl) {
        cr_error err;
        tpl = cr_template_load_file(fuzz_engine(), FUZZ_RECORD_TEMPLATE, &err);
        if (!tpl) {
            fprintf(stderr, "fuzz_record: %s\n", err.message);
            abort();
        }
    }
    return tpl;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_TEXT_BYTES)
        return -1;
    cr_error err;
    cr_status status = fuzz_record_path(fuzz_engine(), fixed_template(), data, size, &err);
    fuzz_check_error(status, &err);
    return 0;
}
