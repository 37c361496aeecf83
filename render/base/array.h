/* Growable arrays: the one helper every module that appends to a malloc'ed
 * array uses (layout output, the template composer, items, font faces,
 * batch rows), so the growth rule and its overflow check live in one place.
 * Arrays are plain (pointer, count, capacity) triples owned by the caller. */
#ifndef CR_ARRAY_H
#define CR_ARRAY_H

#include <stdbool.h>
#include <stddef.h>

/* Grows *array (of elements of `size` bytes, *capacity of them) to hold
 * `need`, doubling from 16; false (the array untouched) when out of memory
 * or the size would overflow. */
bool cr_reserve(void **array, size_t *capacity, size_t need, size_t size);

#endif
