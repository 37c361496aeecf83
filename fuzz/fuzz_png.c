/* libFuzzer harness: the PNG writer's plans (fuzz_paths.h says how the
 * bytes make an image, live boxes, a card changed from the reference and a
 * thread count). Any outcome but CR_OK is a finding: the file through the
 * reference's codes must be the file without them, and decode to the card. */
#include "fuzz_common.h"
#include "fuzz_paths.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cr_error err = {0};
    if (fuzz_png_path(data, size, &err) != CR_OK) {
        fprintf(stderr, "fuzz_png: %s\n", err.message);
        abort();
    }
    return 0;
}
