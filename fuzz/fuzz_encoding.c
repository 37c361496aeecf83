/* libFuzzer harness: the bytes are a record in some character encoding.
 * The first byte picks the encoding from a fixed list (none named, so that
 * a byte-order mark or UTF-8 decides; gb18030, gbk, big5, utf-16le,
 * utf-16be, utf-8, utf-32le) and the reader: one JSON record given to
 * cr_record_load_memory_with and rendered with the record harness's fixed
 * template (photos read from examples/records/), every panel encoded to
 * PNG; or the batch record source over the bytes in memory
 * (cr_batch_source_open_stream), CSV or JSON Lines, read to the end. The
 * rest is the input (fuzz_paths.h, fuzz_encoding_path). */
#include "fuzz_common.h"
#include "fuzz_paths.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAX_TEXT_BYTES)
        return -1;
    cr_error err;
    long records;
    cr_status status = fuzz_encoding_path(fuzz_engine(), fuzz_fixed_template(FUZZ_RECORD_TEMPLATE),
                                          data, size, &records, &err);
    fuzz_check_error(status, &err);
    return 0;
}
