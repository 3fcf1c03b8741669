/*
 * tasks.c - a FIFO of tasks, N workers, a list of finished ones.  One
 * mutex guards both lists; workers sleep on a condition variable.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "err.h"
#include "mem.h"
#include "tasks.h"

struct tasks {
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;
	struct task	*head, *tail;	/* to run */
	struct task	*fin;		/* finished, not collected */
	size_t		 pending;	/* owner side: submitted - collected */
	bool		 stop;
	pthread_t	*th;
	unsigned	 nth;
	void *const	*wctx;
	void		(*wake)(void *);
	void		*wake_arg;
};

struct warg {
	struct tasks	*ts;
	void		*wctx;
};

static void *
worker(void *arg)
{
	struct warg *w = arg;
	struct tasks *ts = w->ts;
	struct task *t;

	pthread_mutex_lock(&ts->mu);
	for (;;) {
		while (ts->head == NULL && !ts->stop)
			pthread_cond_wait(&ts->work, &ts->mu);
		if (ts->head == NULL)
			break;
		t = ts->head;
		if ((ts->head = t->next) == NULL)
			ts->tail = NULL;
		pthread_mutex_unlock(&ts->mu);
		t->run(w->wctx, t);
		pthread_mutex_lock(&ts->mu);
		t->next = ts->fin;
		/* one wake-up per batch: the owner collects them all */
		if (ts->fin == NULL && ts->wake != NULL)
			ts->wake(ts->wake_arg);
		ts->fin = t;
	}
	pthread_mutex_unlock(&ts->mu);
	free(w);
	return NULL;
}

struct tasks *
tasks_new(unsigned nthreads, void *const wctx[], void (*wake)(void *),
    void *wake_arg)
{
	struct tasks *ts = xcalloc(1, sizeof(*ts));
	struct warg *w;
	unsigned i;

	pthread_mutex_init(&ts->mu, NULL);
	pthread_cond_init(&ts->work, NULL);
	ts->wctx = wctx;
	ts->wake = wake;
	ts->wake_arg = wake_arg;
	ts->th = xcalloc(nthreads + 1, sizeof(*ts->th));
	for (i = 0; i < nthreads; i++) {
		w = xmalloc(sizeof(*w));
		w->ts = ts;
		w->wctx = wctx[i];
		if (pthread_create(&ts->th[i], NULL, worker, w) != 0)
			err_die("cannot start a worker thread");
		ts->nth++;
	}
	return ts;
}

void
tasks_submit(struct tasks *ts, struct task *t)
{
	ts->pending++;
	t->next = NULL;
	if (ts->nth == 0) {
		t->run(ts->wctx[0], t);
		t->next = ts->fin;
		ts->fin = t;
		return;
	}
	pthread_mutex_lock(&ts->mu);
	if (ts->tail != NULL)
		ts->tail->next = t;
	else
		ts->head = t;
	ts->tail = t;
	pthread_cond_signal(&ts->work);
	pthread_mutex_unlock(&ts->mu);
}

size_t
tasks_collect(struct tasks *ts)
{
	struct task *t, *next, *rev = NULL;
	size_t n = 0;

	if (ts->nth > 0) {
		pthread_mutex_lock(&ts->mu);
		t = ts->fin;
		ts->fin = NULL;
		pthread_mutex_unlock(&ts->mu);
	} else {
		t = ts->fin;
		ts->fin = NULL;
	}
	/* oldest first */
	for (; t != NULL; t = next) {
		next = t->next;
		t->next = rev;
		rev = t;
	}
	for (t = rev; t != NULL; t = next) {
		next = t->next;
		ts->pending--;
		n++;
		t->done(t);
	}
	return n;
}

size_t
tasks_pending(const struct tasks *ts)
{
	return ts->pending;
}

void
tasks_free(struct tasks *ts)
{
	unsigned i;

	if (ts == NULL)
		return;
	pthread_mutex_lock(&ts->mu);
	ts->stop = true;
	pthread_cond_broadcast(&ts->work);
	pthread_mutex_unlock(&ts->mu);
	for (i = 0; i < ts->nth; i++)
		pthread_join(ts->th[i], NULL);
	pthread_mutex_destroy(&ts->mu);
	pthread_cond_destroy(&ts->work);
	free(ts->th);
	free(ts);
}
