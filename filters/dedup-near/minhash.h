/*
 * minhash.h - MinHash signatures, LSH band keys and Jaccard estimates.
 *
 * A signature is `perms` 32-bit minimum values over a set of 64-bit
 * shingle hashes.  The default family is multiply-add-shift
 * (Dietzfelbinger): h_i(x) = top 32 bits of (a_i x + b_i) mod 2^64, a_i odd,
 * a_i and b_i drawn from splitmix64(seed).  Only wrapping 64-bit products:
 * no 128-bit or modular arithmetic, nothing that can overflow.  The same
 * values come out of the scalar and the AVX2 code (AVX2 is used when the
 * CPU has it; mh_family_use() forces one, for tests).
 *
 * --fast is one permutation hashing with optimal densification
 * (Shrivastava 2017): each shingle hash goes to one of `perms` bins, the
 * minimum per bin is kept, and an empty bin borrows the value of a bin
 * chosen by a seeded hash chain.  O(1) per shingle instead of O(perms).
 *
 * Band keys: band b is XXH3-64 (seed b) of the `rows` 32-bit values
 * sig[b*rows .. b*rows+rows), in little-endian byte order.
 *
 * Stored signatures keep MH_BBITS = 4 low bits of each value (b-bit
 * minwise hashing, Li & Koenig 2010): perms/2 bytes a record.  Two values
 * of unrelated sets still agree with probability 1/16, so the estimate is
 * J = (matches/perms - 1/16) / (15/16); its variance at J = 0.85 is within
 * 4% of full 32-bit values.
 */
#ifndef DEDUP_NEAR_MINHASH_H
#define DEDUP_NEAR_MINHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MH_BBITS	4
#define MH_MAX_PERMS	1024

enum mh_impl { MH_AUTO, MH_SCALAR, MH_AVX2, MH_AVX512 };

struct mh_family;

/* perms: a multiple of 8 in 8..MH_MAX_PERMS (callers check). */
struct mh_family *mh_family_new(unsigned perms, bool fast, uint64_t seed);
void	mh_family_free(struct mh_family *f);

/*
 * Use implementation impl for the multiply-add-shift family (MH_AUTO: the
 * best this CPU runs).  Returns false, changing nothing, if the CPU cannot.
 */
bool	mh_family_use(struct mh_family *f, enum mh_impl impl);
const char *mh_family_impl(const struct mh_family *f);

/*
 * The signature of the set of shingle hashes x[0..n) (duplicates allowed;
 * n >= 1) into sig[0..perms).
 */
void	mh_sign(const struct mh_family *f, const uint64_t *x, size_t n,
	    uint32_t *sig);

/* keys[0..bands) of sig; bands * rows <= perms. */
void	mh_band_keys(const uint32_t *sig, unsigned bands, unsigned rows,
	    uint64_t *keys);

/* The stored form: MH_BBITS low bits of each value, perms/2 bytes. */
static inline size_t
mh_packed_bytes(unsigned perms)
{
	return perms / 2;
}
void	mh_pack(const uint32_t *sig, unsigned perms, uint8_t *out);

/* Number of positions where two packed signatures agree. */
unsigned mh_matches(const uint8_t *a, const uint8_t *b, unsigned perms);

/* The Jaccard estimate from a number of agreeing positions, in [0, 1]. */
double	mh_estimate(unsigned matches, unsigned perms);

/*
 * The fewest agreeing positions whose estimate is >= threshold, so that
 * the hot path compares integers.
 */
unsigned mh_min_matches(double threshold, unsigned perms);

/* The LSH S-curve: the chance that sets of Jaccard j share a band key. */
double	mh_candidate_prob(double j, unsigned bands, unsigned rows);

/* splitmix64, the seed expander (exposed for tests and densification). */
uint64_t mh_splitmix64(uint64_t *state);

#endif
