/*
 * pool.h - process the records of a run on N threads, in input order.
 *
 * The calling thread reads lines in batches and writes the results; N
 * worker threads call fn on each record.  fn decides through pool_drop()
 * or pool_reject*() (the default is to emit the record, with its edits).
 * Output, drops and rejects reach the run exactly as a sequential loop
 * would produce them, whatever N: results are deterministic.  With N <= 1
 * no thread is started.
 *
 * fn must only touch its own worker context (ctx[i] for worker i) and the
 * record; reasons must be static strings.  Per-worker statistics are
 * merged by the caller after pool_run() returns.
 */
#ifndef CODESIFT_POOL_H
#define CODESIFT_POOL_H

#include "rec.h"
#include "run.h"

struct pool_verdict;

typedef void pool_fn(void *ctx, struct rec *r, struct pool_verdict *v);

void	pool_run(struct run *run, unsigned nthreads, pool_fn *fn,
	    void *const ctx[]);

/*
 * A side channel: bytes fn attaches to a record with pool_side() reach
 * side(arg, p, n) on the calling thread, in input order, right after the
 * record itself was written, dropped or rejected (for an audit log, a
 * clusters file...).  pool_run() is pool_run_side() without one.
 */
typedef void pool_side_fn(void *arg, const char *p, size_t n);

void	pool_run_side(struct run *run, unsigned nthreads, pool_fn *fn,
	    void *const ctx[], pool_side_fn *side, void *side_arg);
void	pool_side(struct pool_verdict *v, const char *p, size_t n);

void	pool_drop(struct pool_verdict *v);
void	pool_reject(struct pool_verdict *v, const char *reason,
	    const char *fmt, ...) ERR_PRINTF(3, 4);
/* Reject with the reason and detail of r's last failed getter. */
void	pool_reject_rec(struct pool_verdict *v, const struct rec *r);

#endif
