/*
 * tasks.h - CPU work (inflate, hashes, decoding, JSON) on worker threads,
 * for a thread that must keep driving the network.
 *
 * The owner submits tasks; a worker runs task->run(wctx, task) with its
 * own context (wctx[i] for worker i); the owner later calls
 * tasks_collect(), which calls task->done(task) on the owner's thread for
 * every finished task.  When a task finishes and none was waiting to be
 * collected, the wake callback is called from the worker (to interrupt the
 * owner's poll).  With no worker
 * threads, submit runs the task at once and collect still calls done, so
 * callers have one code path.
 *
 * A task must not be touched by the owner between submit and done.
 */
#ifndef CODESIFT_TASKS_H
#define CODESIFT_TASKS_H

#include <stddef.h>

struct task {
	void		(*run)(void *wctx, struct task *t);
	void		(*done)(struct task *t);
	struct task	*next;	/* private */
};

struct tasks;

/* nthreads workers; wctx[i] is worker i's context.  With nthreads 0,
 * tasks run inline in tasks_submit() with wctx[0]. */
struct tasks *tasks_new(unsigned nthreads, void *const wctx[],
	    void (*wake)(void *), void *wake_arg);
void	tasks_submit(struct tasks *ts, struct task *t);
/* Call done() for the finished tasks; returns how many. */
size_t	tasks_collect(struct tasks *ts);
/* Tasks submitted and not yet collected. */
size_t	tasks_pending(const struct tasks *ts);
/* Stop and join the workers (after every task was collected). */
void	tasks_free(struct tasks *ts);

#endif
