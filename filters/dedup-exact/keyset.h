/*
 * keyset.h - a set of 128-bit content keys, built to hold tens of millions
 * of keys in under 32 bytes each.
 *
 * 256 open-addressing tables selected by the key's top bits, each grown by
 * half when 80% full: occupancy stays between 53% and 80%, so a key costs
 * 20 to 30 bytes, and growing one table never doubles the whole set's
 * memory.  Keys are hashes (XXH3-128), uniformly spread: linear probing.
 * With values, every key also carries a uint32_t (a group number).
 */
#ifndef DEDUP_KEYSET_H
#define DEDUP_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct key128 {
	uint64_t	lo, hi;
};

struct keyset;

struct keyset *keyset_new(bool with_values);
void	keyset_free(struct keyset *ks);

/*
 * Insert k.  Returns true if it was new (its value set to val); false if
 * present (*old, if not NULL, gets its value).
 */
bool	keyset_insert(struct keyset *ks, struct key128 k, uint32_t val,
	    uint32_t *old);

/* Is k present? (*val gets its value when the set has values.) */
bool	keyset_find(const struct keyset *ks, struct key128 k, uint32_t *val);

size_t	keyset_count(const struct keyset *ks);
/* Bytes allocated for the tables. */
size_t	keyset_bytes(const struct keyset *ks);

#endif
