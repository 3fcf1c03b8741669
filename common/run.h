/*
 * run.h - one run of a filter: its input and output, the reject channel,
 * the counters and what is reported at the end (DESIGN.md).
 *
 * Every record read is accounted for exactly once, by run_emit(),
 * run_drop() or run_reject*(), so that in = out + dropped + rejected.
 * run_next() itself rejects empty lines ("empty-line") and lines longer
 * than --max-record-bytes ("too-large"; the whole line still goes to the
 * rejects file, streamed).
 *
 * run_finish() commits -o and --rejects (rename into place), prints the
 * reject summary, writes --summary and --metrics, pushes to --push, and
 * returns the exit status: STATUS_GATE if --max-rejects (or a filter's own
 * gate, run_gate_fail()) was exceeded, else STATUS_OK.  Fatal errors exit
 * with STATUS_FATAL through err_die() and leave no output file behind.
 *
 * Reject reasons must be strings with static storage duration.
 */
#ifndef CODESIFT_RUN_H
#define CODESIFT_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "metrics.h"
#include "opt.h"
#include "rec.h"

struct run;

/*
 * Start a run over the operands files[0..nfiles) (none: stdin).  Checks
 * that every input can be read (status 2 otherwise) and opens the outputs.
 */
struct run *run_new(const struct opt_shared *o, int nfiles,
	    char *const files[]);

/* The next record to process, or false at the end of input. */
bool	run_next(struct run *run, struct rec *r);

/* Write r (with its edits, if any) to the output. */
void	run_emit(struct run *run, struct rec *r);
/* Write one pre-rendered line (no newline) for a record read earlier. */
void	run_emit_line(struct run *run, const char *p, size_t n);
/*
 * Count a record as written (n bytes, newline included) to an output the
 * filter manages itself (dedup-exact --partition, ...).
 */
void	run_emit_elsewhere(struct run *run, size_t n);
/* Count r as dropped (a duplicate, filtered out...). */
void	run_drop(struct run *run, const struct rec *r);
void	run_drop_count(struct run *run);

/* Reject r with a reason and a detail message. */
void	run_reject(struct run *run, const struct rec *r, const char *reason,
	    const char *fmt, ...) ERR_PRINTF(4, 5);
/* Reject r with the reason and detail of its last failed getter. */
void	run_reject_rec(struct run *run, const struct rec *r);
/* Reject a line by position (for records handled out of line). */
void	run_reject_line(struct run *run, const char *file, uint64_t line,
	    const char *raw, size_t n, const char *reason, const char *detail);
/*
 * The same with more members in the reject object: extra is the JSON text
 * of one or more members ("\"errors\":[...]"), written after "detail";
 * NULL or "" for none.  The caller makes it valid JSON.
 */
void	run_reject_line_extra(struct run *run, const char *file,
	    uint64_t line, const char *raw, size_t n, const char *reason,
	    const char *detail, const char *extra);

/*
 * Mark the run as failed by a filter's own data gate (exit status 1); the
 * message is printed by run_finish().
 */
void	run_gate_fail(struct run *run, const char *fmt, ...) ERR_PRINTF(2, 3);

/* Objects the filter fills for --summary: "params" and "stats". */
json_object *run_params(struct run *run);
json_object *run_stats(struct run *run);

/* The filter's own metrics, rendered with the common ones. */
struct metrics *run_metrics(struct run *run);

/* The common options the run was made with. */
const struct opt_shared *run_opts(const struct run *run);

/* Counters so far. */
uint64_t run_count_in(const struct run *run);
uint64_t run_count_rejected(const struct run *run);

/* Finish the run (see above); frees run. */
int	run_finish(struct run *run);

/*
 * Lower level, for pool.c: read the next line.  RUN_EMPTY lines are
 * counted as read but not yet accounted for; a too-large line is rejected
 * here after calling before_stream(arg) (which must write out everything
 * read before it, to keep the reject stream in input order).  r->file
 * stays valid until run_finish().
 */
enum run_read { RUN_EOF, RUN_REC, RUN_EMPTY };
enum run_read run_read(struct run *run, struct rec *r,
	    void (*before_stream)(void *), void *arg);

#endif
