/* libFuzzer harness: the bytes are a batch's record file, read by the
 * batch record source (tools/batch_source.h) to the end: the first byte
 * picks CSV (odd) or JSON Lines (even), the rest is the file. The source
 * reads files only, so the bytes go to a temporary file first. */
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "fuzz_paths.h"

static char path[64];

static void remove_temp(void)
{
    unlink(path);
}

/* One file for the whole run, removed when libFuzzer exits. */
static const char *temp_path(void)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/cr-fuzz-batch-XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0)
            abort();
        close(fd);
        atexit(remove_temp);
    }
    return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAX_TEXT_BYTES)
        return -1;
    cr_batch_format format = data[0] & 1 ? CR_BATCH_CSV : CR_BATCH_JSONL;
    cr_error err;
    long records;
    cr_status status = fuzz_batch_path(data + 1, size - 1, format, temp_path(), &records, &err);
    fuzz_check_error(status, &err);
    return 0;
}
