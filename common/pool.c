/*
 * pool.c - ordered parallel record processing.
 *
 * Lines are copied into batches (up to BATCH_RECS records or BATCH_BYTES
 * bytes); a ring of batches moves READING -> READY -> (a worker) -> DONE
 * -> written by the main thread strictly in sequence.  One mutex and two
 * condition variables; workers never touch the run.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mem.h"
#include "pool.h"

#define BATCH_RECS	256
#define BATCH_BYTES	(4u << 20)

enum verdict { V_EMIT, V_DROP, V_REJECT, V_EMPTY };

struct item {
	size_t		 off, len;	/* the line in batch data */
	uint64_t	 line;
	const char	*file;		/* interned by the run */
	enum verdict	 v;
	const char	*reason;
	size_t		 doff, dlen;	/* detail in batch detail */
	size_t		 ooff, olen;	/* rendered line in batch out */
	size_t		 soff, slen;	/* side-channel bytes in batch side */
	bool		 edited;
};

enum bstate { B_FREE, B_READY, B_BUSY, B_DONE };

struct batch {
	enum bstate	 state;
	uint64_t	 seq;
	struct buf	 data;
	struct buf	 out;
	struct buf	 detail;
	struct buf	 side;
	struct item	*it;
	size_t		 n, cap;
};

struct pool_verdict {
	struct item	*it;
	struct batch	*b;
};

struct pool {
	struct run	*run;
	pool_fn		*fn;
	void *const	*ctx;
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* a batch became READY, or stop */
	pthread_cond_t	 done;		/* a batch became DONE */
	struct batch	*ring;
	size_t		 nring;
	uint64_t	 next_write;	/* seq of the next batch to write */
	uint64_t	 next_seq;
	struct batch	*cur;		/* being filled by the main thread */
	bool		 stop;
	pool_side_fn	*side;
	void		*side_arg;
};

void
pool_drop(struct pool_verdict *v)
{
	v->it->v = V_DROP;
}

static void
set_reject(struct pool_verdict *v, const char *reason)
{
	v->it->v = V_REJECT;
	v->it->reason = reason;
	v->it->doff = v->b->detail.len;
}

void
pool_reject(struct pool_verdict *v, const char *reason, const char *fmt, ...)
{
	va_list ap;

	set_reject(v, reason);
	va_start(ap, fmt);
	buf_vaddf(&v->b->detail, fmt, ap);
	va_end(ap);
	v->it->dlen = v->b->detail.len - v->it->doff;
}

void
pool_side(struct pool_verdict *v, const char *p, size_t n)
{
	if (v->it->slen == 0)
		v->it->soff = v->b->side.len;
	else if (v->it->soff + v->it->slen != v->b->side.len)
		err_bug("pool_side: another record's bytes came between");
	buf_add(&v->b->side, p, n);
	v->it->slen += n;
}

void
pool_reject_rec(struct pool_verdict *v, const struct rec *r)
{
	set_reject(v, rec_reason(r));
	buf_adds(&v->b->detail, rec_detail(r));
	v->it->dlen = v->b->detail.len - v->it->doff;
}

/* Run fn over every record of batch b, with worker context ctx. */
static void
process(struct pool *p, struct batch *b, void *ctx, struct rec *r)
{
	struct pool_verdict v;
	struct item *it;
	size_t i;

	buf_reset(&b->out);
	buf_reset(&b->detail);
	buf_reset(&b->side);
	for (i = 0; i < b->n; i++) {
		it = &b->it[i];
		it->slen = 0;
		if (it->v == V_EMPTY)
			continue;
		it->v = V_EMIT;
		it->edited = false;
		rec_set_line(r, b->data.data + it->off, it->len, it->file,
		    it->line);
		v.it = it;
		v.b = b;
		p->fn(ctx, r, &v);
		if (it->v == V_EMIT && rec_edited(r)) {
			it->ooff = b->out.len;
			rec_render(r, &b->out);
			it->olen = b->out.len - it->ooff;
			it->edited = true;
		}
	}
}

static void
write_batch(struct pool *p, struct batch *b)
{
	struct item *it;
	size_t i;

	for (i = 0; i < b->n; i++) {
		it = &b->it[i];
		switch (it->v) {
		case V_EMIT:
			if (it->edited)
				run_emit_line(p->run, b->out.data + it->ooff,
				    it->olen);
			else
				run_emit_line(p->run, b->data.data + it->off,
				    it->len);
			break;
		case V_DROP:
			run_drop_count(p->run);
			break;
		case V_REJECT:
			/* details are NUL-separated only by length */
			{
				char *d = xstrndup(b->detail.data + it->doff,
				    it->dlen);

				run_reject_line(p->run, it->file, it->line,
				    b->data.data + it->off, it->len,
				    it->reason, d);
				free(d);
			}
			break;
		case V_EMPTY:
			run_reject_line(p->run, it->file, it->line, "", 0,
			    "empty-line", "empty line");
			break;
		}
		if (it->slen > 0 && p->side != NULL)
			p->side(p->side_arg, b->side.data + it->soff, it->slen);
	}
	b->n = 0;
	buf_reset(&b->data);
}

static void *
worker(void *arg)
{
	struct pool *p = ((void **)arg)[0];
	void *ctx = ((void **)arg)[1];
	struct rec r = REC_INIT;
	struct batch *b;
	size_t i;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		b = NULL;
		/* the oldest READY batch first keeps the ring moving */
		for (i = 0; i < p->nring; i++)
			if (p->ring[i].state == B_READY &&
			    (b == NULL || p->ring[i].seq < b->seq))
				b = &p->ring[i];
		if (b == NULL) {
			if (p->stop)
				break;
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		b->state = B_BUSY;
		pthread_mutex_unlock(&p->mu);
		process(p, b, ctx, &r);
		pthread_mutex_lock(&p->mu);
		b->state = B_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	rec_release(&r);
	return NULL;
}

enum drain_mode { DRAIN_READY, DRAIN_ONE, DRAIN_ALL };

/*
 * Write out finished batches in order: those already done (DRAIN_READY),
 * after waiting for the oldest in flight (DRAIN_ONE), or all (DRAIN_ALL).
 */
static void
drain(struct pool *p, enum drain_mode mode)
{
	struct batch *b;
	bool waited = false;

	for (;;) {
		b = &p->ring[p->next_write % p->nring];
		pthread_mutex_lock(&p->mu);
		if (b->state == B_FREE || (b->state != B_DONE &&
		    (mode == DRAIN_READY || (mode == DRAIN_ONE && waited)))) {
			pthread_mutex_unlock(&p->mu);
			return;
		}
		while (b->state != B_DONE)
			pthread_cond_wait(&p->done, &p->mu);
		pthread_mutex_unlock(&p->mu);
		waited = true;
		write_batch(p, b);
		pthread_mutex_lock(&p->mu);
		b->state = B_FREE;
		pthread_mutex_unlock(&p->mu);
		p->next_write++;
	}
}

/* Take the ring slot of the next sequence number for filling. */
static void
claim(struct pool *p)
{
	struct batch *b = &p->ring[p->next_seq % p->nring];

	pthread_mutex_lock(&p->mu);
	while (b->state != B_FREE) {
		pthread_mutex_unlock(&p->mu);
		drain(p, DRAIN_ONE);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	b->seq = p->next_seq++;
	b->n = 0;
	buf_reset(&b->data);
	p->cur = b;
}

/* Hand the batch being filled to the workers. */
static void
submit(struct pool *p)
{
	struct batch *b = p->cur;

	if (b == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	b->state = B_READY;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	p->cur = NULL;
}

/* Before a too-large line is streamed out: write all that came first. */
static void
flush_all(void *arg)
{
	struct pool *p = arg;

	submit(p);
	drain(p, DRAIN_ALL);
}

static struct item *
add_item(struct batch *b, const struct rec *r, enum verdict v)
{
	struct item *it;

	if (b->n == b->cap) {
		b->cap = b->cap < 64 ? 64 : b->cap * 2;
		b->it = xreallocarray(b->it, b->cap, sizeof(*b->it));
	}
	it = &b->it[b->n++];
	memset(it, 0, sizeof(*it));
	it->off = b->data.len;
	it->len = r->len;
	it->line = r->line;
	it->file = r->file;
	it->v = v;
	buf_add(&b->data, r->raw, r->len);
	return it;
}

/* Without threads: the same batches, processed in the calling thread. */
static void
run_inline(struct pool *p, void *ctx)
{
	struct rec r = REC_INIT;
	struct batch *b = &p->ring[0];
	enum run_read st;

	for (;;) {
		st = run_read(p->run, &r, NULL, NULL);
		if (st == RUN_EOF)
			break;
		if (st == RUN_EMPTY) {
			run_reject_line(p->run, r.file, r.line, "", 0,
			    "empty-line", "empty line");
			continue;
		}
		/* one record per batch: fn sees it in place, no copy */
		b->n = 0;
		buf_reset(&b->data);
		b->n = 1;
		if (b->cap == 0) {
			b->cap = 1;
			b->it = xcalloc(1, sizeof(*b->it));
		}
		memset(&b->it[0], 0, sizeof(b->it[0]));
		b->it[0].len = r.len;
		b->it[0].line = r.line;
		b->it[0].file = r.file;
		{
			struct pool_verdict v = { &b->it[0], b };

			buf_reset(&b->detail);
			buf_reset(&b->side);
			p->fn(ctx, &r, &v);
			switch (b->it[0].v) {
			case V_EMIT:
				run_emit(p->run, &r);
				break;
			case V_DROP:
				run_drop(p->run, &r);
				break;
			default:
				run_reject_line(p->run, r.file, r.line, r.raw,
				    r.len, b->it[0].reason,
				    buf_cstr(&b->detail));
				break;
			}
			if (b->it[0].slen > 0 && p->side != NULL)
				p->side(p->side_arg, b->side.data +
				    b->it[0].soff, b->it[0].slen);
		}
	}
	rec_release(&r);
}

void
pool_run(struct run *run, unsigned nthreads, pool_fn *fn, void *const ctx[])
{
	pool_run_side(run, nthreads, fn, ctx, NULL, NULL);
}

void
pool_run_side(struct run *run, unsigned nthreads, pool_fn *fn,
    void *const ctx[], pool_side_fn *side, void *side_arg)
{
	struct pool p;
	pthread_t *tid;
	void *(*args)[2];
	struct rec r = REC_INIT;
	enum run_read st;
	unsigned i;

	memset(&p, 0, sizeof(p));
	p.run = run;
	p.fn = fn;
	p.ctx = ctx;
	p.side = side;
	p.side_arg = side_arg;
	if (nthreads <= 1) {
		p.nring = 1;
		p.ring = xcalloc(1, sizeof(*p.ring));
		run_inline(&p, ctx[0]);
		buf_release(&p.ring[0].data);
		buf_release(&p.ring[0].out);
		buf_release(&p.ring[0].detail);
		buf_release(&p.ring[0].side);
		free(p.ring[0].it);
		free(p.ring);
		return;
	}
	p.nring = 2 * (size_t)nthreads + 2;
	p.ring = xcalloc(p.nring, sizeof(*p.ring));
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.work, NULL);
	pthread_cond_init(&p.done, NULL);
	tid = xreallocarray(NULL, nthreads, sizeof(*tid));
	args = xreallocarray(NULL, nthreads, sizeof(*args));
	for (i = 0; i < nthreads; i++) {
		args[i][0] = &p;
		args[i][1] = ctx[i];
		if (pthread_create(&tid[i], NULL, worker, args[i]) != 0)
			err_die("cannot start worker thread");
	}

	for (;;) {
		st = run_read(run, &r, flush_all, &p);
		if (st == RUN_EOF)
			break;
		if (p.cur == NULL)
			claim(&p);
		add_item(p.cur, &r, st == RUN_REC ? V_EMIT : V_EMPTY);
		if (p.cur->n >= BATCH_RECS || p.cur->data.len >= BATCH_BYTES) {
			submit(&p);
			drain(&p, DRAIN_READY);
		}
	}
	submit(&p);
	drain(&p, DRAIN_ALL);

	pthread_mutex_lock(&p.mu);
	p.stop = true;
	pthread_cond_broadcast(&p.work);
	pthread_mutex_unlock(&p.mu);
	for (i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < p.nring; i++) {
		buf_release(&p.ring[i].data);
		buf_release(&p.ring[i].out);
		buf_release(&p.ring[i].detail);
		buf_release(&p.ring[i].side);
		free(p.ring[i].it);
	}
	free(p.ring);
	free(tid);
	free(args);
	rec_release(&r);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.work);
	pthread_cond_destroy(&p.done);
}
