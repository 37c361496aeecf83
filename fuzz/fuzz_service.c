/* libFuzzer harness: the bytes are a request to the render service
 * (tools/service.h) without the network: a route, flags and the body
 * (fuzz_paths.h says how); every answer must keep the service's promises
 * (fuzz_service_path). */
#include "fuzz_common.h"
#include "fuzz_paths.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_TEXT_BYTES)
        return -1;
    cr_error err;
    int http_status;
    cr_status status = fuzz_service_path(fuzz_engine(), data, size, &http_status, &err);
    if (status != CR_OK) {
        fprintf(stderr, "fuzz: %s\n", err.message);
        abort();
    }
    return 0;
}
