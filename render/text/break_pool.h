/* ICU break iterators (line and grapheme cluster) kept for reuse, one pool
 * per engine.
 *
 * ubrk_open builds the rules' instance afresh every time it is called (on
 * the benchmark card 2.3% of a card's time for the line breaks, most of it
 * ICU converting its rule data's text, and 1.5% more for the grapheme
 * clusters font choice reads): an iterator kept from an earlier field and
 * given the new text with ubrk_setText breaks it exactly as a new one
 * would. ICU's
 * iterators are not thread-safe, so the pool lends each caller one of its
 * own: taken under the pool's lock, used without it, given back after. The
 * pool keeps a few per kind and locale and closes the rest. */
#ifndef CR_BREAK_POOL_H
#define CR_BREAK_POOL_H

#include <unicode/ubrk.h>

typedef struct cr_break_pool cr_break_pool;

/* An empty pool; NULL when out of memory. */
cr_break_pool *cr_break_pool_create(void);

/* Closes every iterator the pool holds (those lent out must be back). */
void cr_break_pool_destroy(cr_break_pool *pool);

/* A break iterator of `type` (UBRK_LINE, UBRK_CHARACTER) and `locale` set
 * to text: one the pool holds, else one newly opened. NULL with *status set
 * when ICU fails. pool NULL: always newly opened. Give it back with
 * cr_break_pool_give. */
UBreakIterator *cr_break_pool_take(cr_break_pool *pool, UBreakIteratorType type, const char *locale,
                                   const UChar *text, int32_t length, UErrorCode *status);

/* Gives iter (taken for `type` and `locale`) back to the pool, or closes it
 * when the pool is full or NULL. iter NULL: nothing. */
void cr_break_pool_give(cr_break_pool *pool, UBreakIteratorType type, const char *locale,
                        UBreakIterator *iter);

#endif
