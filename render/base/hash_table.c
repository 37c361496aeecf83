/* Chained intrusive hash table (hash_table.h). */
#include "hash_table.h"

#include <stdlib.h>

bool cr_hash_table_init(cr_hash_table *table, size_t buckets)
{
    table->buckets = calloc(buckets, sizeof *table->buckets);
    table->bucket_count = table->buckets ? buckets : 0;
    table->count = 0;
    return table->buckets != NULL;
}

void cr_hash_table_free(cr_hash_table *table, void (*free_node)(cr_hash_node *node))
{
    for (size_t i = 0; i < table->bucket_count; i++) {
        for (cr_hash_node *node = table->buckets[i], *next; node; node = next) {
            next = node->next;
            free_node(node);
        }
    }
    free(table->buckets);
    table->buckets = NULL;
    table->bucket_count = table->count = 0;
}

cr_hash_node *cr_hash_table_find(const cr_hash_table *table, uint64_t hash,
                                 bool (*same)(const cr_hash_node *node, const void *key),
                                 const void *key)
{
    cr_hash_node *node = table->buckets[hash & (table->bucket_count - 1)];
    for (; node; node = node->next)
        if (node->hash == hash && same(node, key))
            return node;
    return NULL;
}

static void grow_if_full(cr_hash_table *table)
{
    if (table->count < table->bucket_count)
        return;
    size_t count = table->bucket_count * 2;
    cr_hash_node **buckets = calloc(count, sizeof *buckets);
    if (!buckets)
        return;
    for (size_t i = 0; i < table->bucket_count; i++) {
        for (cr_hash_node *node = table->buckets[i], *next; node; node = next) {
            next = node->next;
            size_t slot = node->hash & (count - 1);
            node->next = buckets[slot];
            buckets[slot] = node;
        }
    }
    free(table->buckets);
    table->buckets = buckets;
    table->bucket_count = count;
}

void cr_hash_table_add(cr_hash_table *table, cr_hash_node *node)
{
    grow_if_full(table);
    size_t slot = node->hash & (table->bucket_count - 1);
    node->next = table->buckets[slot];
    table->buckets[slot] = node;
    table->count++;
}

uint64_t cr_hash_string(const char *text)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        h = (h ^ *c) * 1099511628211ull;
    return h;
}
