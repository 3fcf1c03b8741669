/*
 * signer.h - the first pass: read the records of a run, check them,
 * shingle and sign them on N threads, and append them to an index in
 * input order.
 *
 * The main thread reads lines into batches; workers check, shingle and
 * sign whole batches; the main thread commits finished batches strictly
 * in sequence: rejects go to the run in input order, accepted records to
 * the index (and their lines to the spool, when the input must be read a
 * second time from a copy).  The index is the same whatever the number of
 * threads.
 *
 * A record is rejected unless it is a JSON object with the text field
 * and the id field as strings and, with --keep max:FIELD, that field a
 * number, null or absent.  An accepted record with fewer than min_tokens
 * tokens is kept with the ND_SHORT flag: it is passed through untouched.
 */
#ifndef DEDUP_NEAR_SIGNER_H
#define DEDUP_NEAR_SIGNER_H

#include <stdbool.h>
#include <stdint.h>

#include "index.h"
#include "minhash.h"
#include "rec.h"
#include "run.h"

struct signer_cfg {
	const struct mh_family	*fam;
	unsigned		 threads;
	int			 spool_fd;	/* -1: no spool */
	int			 set_fd;	/* --verify exact: sets go here */
};

struct signer_result {
	uint64_t	 lines;		/* lines read, rejected ones included */
	uint64_t	 accepted;	/* records in the index */
	uint64_t	 signed_;	/* ... of which signed (not ND_SHORT) */
	uint64_t	 shingles;	/* shingles hashed */
	uint64_t	*rejected;	/* 0-based line numbers over all inputs */
	size_t		 nrejected;
	uint64_t	 hash;		/* XXH3-64 of the accepted lines */
	uint64_t	 set_words;	/* 8-byte words written to set_fd */
};

/* Fill ix (initialised by the caller) from the records of run. */
void	signer_run(struct run *run, const struct signer_cfg *c,
	    struct nd_index *ix, struct signer_result *res);
void	signer_result_release(struct signer_result *res);

/*
 * Check record r against the parameters: false with r's reason and detail
 * set if it must be rejected; else its text, id and keep value (NAN if
 * absent or null, or if there is no keep field).
 */
bool	nd_check(struct rec *r, const struct nd_params *p, struct strv *text,
	    struct strv *id, double *keep);

#endif
