/* Line-break iterators kept for reuse (break_pool.h). */
#include "break_pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Iterators kept at once: a card's fields use a few locales for lines
 * ("zh@lb=normal", "ug", the root "") and the root's for grapheme clusters,
 * and each thread that lays out text at the same time holds one while it
 * breaks a field. */
enum { KEPT = 16, LOCALE_BYTES = 64 };

typedef struct kept_iterator {
    UBreakIteratorType type;
    char locale[LOCALE_BYTES];
    UBreakIterator *iter; /* NULL: a free slot */
} kept_iterator;

struct cr_break_pool {
    pthread_mutex_t lock;
    kept_iterator kept[KEPT];
};

cr_break_pool *cr_break_pool_create(void)
{
    cr_break_pool *pool = calloc(1, sizeof *pool);
    if (pool && pthread_mutex_init(&pool->lock, NULL) != 0) {
        free(pool);
        return NULL;
    }
    return pool;
}

void cr_break_pool_destroy(cr_break_pool *pool)
{
    if (!pool)
        return;
    for (int i = 0; i < KEPT; i++)
        ubrk_close(pool->kept[i].iter);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

/* A kept iterator of type and locale, taken out of the pool; NULL when
 * none. */
static UBreakIterator *take_kept(cr_break_pool *pool, UBreakIteratorType type, const char *locale)
{
    UBreakIterator *iter = NULL;
    pthread_mutex_lock(&pool->lock);
    for (int i = 0; i < KEPT && !iter; i++)
        if (pool->kept[i].iter && pool->kept[i].type == type &&
            strcmp(pool->kept[i].locale, locale) == 0) {
            iter = pool->kept[i].iter;
            pool->kept[i].iter = NULL;
        }
    pthread_mutex_unlock(&pool->lock);
    return iter;
}

UBreakIterator *cr_break_pool_take(cr_break_pool *pool, UBreakIteratorType type, const char *locale,
                                   const UChar *text, int32_t length, UErrorCode *status)
{
    UBreakIterator *iter = pool ? take_kept(pool, type, locale) : NULL;
    if (!iter)
        return ubrk_open(type, locale, text, length, status);
    ubrk_setText(iter, text, length, status);
    if (U_FAILURE(*status)) {
        ubrk_close(iter);
        return NULL;
    }
    return iter;
}

void cr_break_pool_give(cr_break_pool *pool, UBreakIteratorType type, const char *locale,
                        UBreakIterator *iter)
{
    if (!iter)
        return;
    bool kept = false;
    if (pool && strlen(locale) < LOCALE_BYTES) {
        pthread_mutex_lock(&pool->lock);
        for (int i = 0; i < KEPT && !kept; i++)
            if (!pool->kept[i].iter) {
                pool->kept[i].type = type;
                strcpy(pool->kept[i].locale, locale);
                pool->kept[i].iter = iter;
                kept = true;
            }
        pthread_mutex_unlock(&pool->lock);
    }
    if (!kept)
        ubrk_close(iter);
}
