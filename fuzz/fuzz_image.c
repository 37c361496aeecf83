/* libFuzzer harness: the bytes are a photo or artwork file (JPEG, PNG or
 * anything else) given to the engine's decoder cr_image_decode_memory with
 * a 4-megapixel limit; a picture that decodes is scaled to a thumbnail and
 * cover-cropped into an ID-photo box with the resampler. */
#include "fuzz_common.h"
#include "fuzz_paths.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cr_error err;
    cr_status status = fuzz_image_path(data, size, &err);
    fuzz_check_error(status, &err);
    return 0;
}
