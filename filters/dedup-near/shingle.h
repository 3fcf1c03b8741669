/*
 * shingle.h - tokens and n-gram shingles of a text, as 64-bit hashes.
 *
 * A token is a maximal run of bytes that are each an ASCII letter, digit
 * or '_', or >= 0x80 (so a UTF-8 word such as "größe" stays whole), with
 * ASCII letters lowercased.  Each token is hashed with XXH3-64; a shingle
 * is n consecutive tokens, hashed as XXH3-64 of their n token hashes.  A
 * text with fewer than n tokens (but at least one) is one shingle of all
 * its tokens.
 *
 * struct shingler owns its scratch arrays and reuses them from text to
 * text; the hashes it returns are valid until the next call.
 */
#ifndef DEDUP_NEAR_SHINGLE_H
#define DEDUP_NEAR_SHINGLE_H

#include <stddef.h>
#include <stdint.h>

struct shingler {
	unsigned char	*low;		/* the text, lowercased */
	size_t		 lowcap;
	uint64_t	*tok;		/* token hashes */
	size_t		 tokcap;
	uint64_t	*sh;		/* shingle hashes */
	size_t		 shcap;
	uint64_t	*tmp;		/* radix sort scratch */
	size_t		 tmpcap;
};
#define SHINGLER_INIT { NULL, 0, NULL, 0, NULL, 0, NULL, 0 }

/*
 * Shingle text[0..n) with n-grams of `ngram` tokens.  Returns the number
 * of shingles (0 when there is no token), their hashes in *out; *ntokens
 * gets the number of tokens.
 */
size_t	shingle_text(struct shingler *s, const char *text, size_t n,
	    unsigned ngram, const uint64_t **out, size_t *ntokens);

/*
 * Sort the n shingles of the last shingle_text() and remove repeats (the
 * shingle set, for exact Jaccard).  Returns the number left, in *out.
 */
size_t	shingle_set(struct shingler *s, size_t n, const uint64_t **out);

void	shingler_release(struct shingler *s);

/* Sort v[0..n) ascending (LSD radix), using tmp[0..n) as scratch. */
void	sort_u64(uint64_t *v, size_t n, uint64_t *tmp);

/* |a ∩ b| of two sorted sets without repeats. */
size_t	set_intersection(const uint64_t *a, size_t na, const uint64_t *b,
	    size_t nb);

#endif
