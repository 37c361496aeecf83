/* Growable arrays (array.h). */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>

bool cr_reserve(void **array, size_t *capacity, size_t need, size_t size)
{
    if (need <= *capacity)
        return true;
    size_t grown = *capacity ? *capacity : 16;
    while (grown < need) {
        if (grown > SIZE_MAX / 2)
            return false;
        grown *= 2;
    }
    if (size && grown > SIZE_MAX / size)
        return false;
    void *bigger = realloc(*array, grown * size);
    if (!bigger)
        return false;
    *array = bigger;
    *capacity = grown;
    return true;
}
