/*
 * fuzz_shingle.c - the block-at-a-time tokenizer must agree with the
 * definition, one byte at a time, on any input (the first byte picks the
 * n-gram size).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "shingle.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
tokbyte(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct shingler sh = SHINGLER_INIT;
	const uint64_t *got, *set;
	uint64_t *tok, want;
	unsigned ngram;
	size_t nt = 0, i = 0, st, k, ns, gnt, nset;
	char *low;

	if (size == 0)
		return 0;
	ngram = 1 + data[0] % 8;
	data++;
	size--;
	tok = malloc((size / 2 + 1) * sizeof(*tok));
	low = malloc(size + 1);
	while (i < size) {
		while (i < size && !tokbyte(data[i]))
			i++;
		if (i == size)
			break;
		for (st = i, k = 0; i < size && tokbyte(data[i]); i++, k++)
			low[k] = (char)(data[i] >= 'A' && data[i] <= 'Z' ?
			    data[i] + 32 : data[i]);
		tok[nt++] = XXH3_64bits(low, i - st);
	}
	ns = shingle_text(&sh, (const char *)data, size, ngram, &got, &gnt);
	if (gnt != nt || ns != (nt == 0 ? 0 : nt < ngram ? 1 :
	    nt - ngram + 1))
		abort();
	for (k = 0; k < ns; k++) {
		want = XXH3_64bits(tok + k, (nt < ngram ? nt : ngram) * 8);
		if (got[k] != want)
			abort();
	}
	nset = shingle_set(&sh, ns, &set);
	for (k = 1; k < nset; k++)
		if (set[k - 1] >= set[k])
			abort();
	if (nset > ns || (ns > 0 && nset == 0))
		abort();
	free(tok);
	free(low);
	return 0;
}
