/* The one hash table of the library: chained, intrusive (an entry embeds a
 * cr_hash_node as its first member and is cast back), buckets a power of
 * two, doubled when there are as many entries as buckets. The glyph cache
 * (glyph_cache.c) and the batch's set of output names (batch_output.c) use
 * it; each keeps its own key, hash function and locking. No removal: both
 * only ever add until they are freed. */
#ifndef CR_HASH_TABLE_H
#define CR_HASH_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cr_hash_node {
    struct cr_hash_node *next;
    uint64_t hash;
} cr_hash_node;

typedef struct cr_hash_table {
    cr_hash_node **buckets;
    size_t bucket_count; /* a power of two */
    size_t count;
} cr_hash_table;

/* An empty table of `buckets` (a power of two) buckets; false when out of
 * memory. */
bool cr_hash_table_init(cr_hash_table *table, size_t buckets);

/* Hands every node to free_node, then frees the buckets. */
void cr_hash_table_free(cr_hash_table *table, void (*free_node)(cr_hash_node *node));

/* The node with `hash` for which same(node, key) holds, or NULL. */
cr_hash_node *cr_hash_table_find(const cr_hash_table *table, uint64_t hash,
                                 bool (*same)(const cr_hash_node *node, const void *key),
                                 const void *key);

/* Adds node, whose hash is set, first doubling the buckets when full (a
 * failed allocation only leaves the chains longer, never the table broken). */
void cr_hash_table_add(cr_hash_table *table, cr_hash_node *node);

/* FNV-1a over a NUL-terminated string. */
uint64_t cr_hash_string(const char *text);

#endif
