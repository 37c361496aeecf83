/* tools/files.h: the library's internal helpers under the tools' names. */
#include "files.h"

#include "paths.h"
#include "text.h"

char *tool_path_folder(const char *path)
{
    return cr_path_folder(path);
}

char *tool_path_join(const char *folder, const char *name)
{
    return cr_path_join(folder, name);
}

bool tool_utf8_valid(const char *text, size_t length, size_t *bad_offset)
{
    return cr_utf8_valid(text, length, bad_offset);
}
