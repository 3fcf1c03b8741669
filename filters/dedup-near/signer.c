/*
 * signer.c - pass one on N threads (see signer.h).
 *
 * Batches move FREE -> READY (filled by the main thread) -> BUSY (a
 * worker) -> DONE -> committed by the main thread in sequence -> FREE.
 * Workers touch only their batch and their own context; everything shared
 * (the run, the index, the spool) is the main thread's.  With one thread
 * the main thread processes each batch itself when it is full.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "err.h"
#include "mem.h"
#include "shingle.h"
#include "signer.h"

#define BATCH_RECS	256
#define BATCH_BYTES	(4u << 20)
#define SPOOL_FLUSH	(1u << 20)

enum ist { I_EMPTY, I_REJECT, I_SHORT, I_SIGNED };

struct item {
	size_t		 off, len;	/* the line in the batch */
	uint64_t	 line, seq;
	const char	*file;
	enum ist	 st;
	const char	*reason;
	size_t		 doff, dlen;	/* detail in batch detail */
	double		 keep;
	size_t		 idoff, idlen;	/* id in batch ids */
	size_t		 setoff, setn;	/* shingle set in batch sets */
	uint64_t	 lhash;
	uint64_t	 shingles;
};

enum bstate { B_FREE, B_READY, B_BUSY, B_DONE };

struct batch {
	enum bstate	 state;
	uint64_t	 seq;
	struct buf	 data;
	struct item	*it;
	size_t		 n, cap;
	uint64_t	*keys;		/* cap * bands */
	uint8_t		*sig;		/* cap * sig bytes */
	struct buf	 detail;
	struct buf	 ids;
	uint64_t	*sets;
	size_t		 nsets, setcap;
};

struct wctx {
	struct shingler	 sh;
	struct rec	 r;
	uint32_t	 sig32[MH_MAX_PERMS];
};

struct signer {
	struct run		*run;
	const struct signer_cfg	*cfg;
	const struct nd_params	*p;
	struct nd_index		*ix;
	struct signer_result	*res;
	unsigned		 nthreads;
	bool			 want_lhash;
	struct wctx		*w;
	pthread_mutex_t		 mu;
	pthread_cond_t		 work, done;
	struct batch		*ring;
	size_t			 nring;
	uint64_t		 next_seq, next_commit;
	struct batch		*cur;
	bool			 stop;
	struct buf		 spool;
	XXH3_state_t		*hash;
	uint64_t		 next_line;	/* seq expected next */
	size_t			 rejcap;
};

bool
nd_check(struct rec *r, const struct nd_params *p, struct strv *text,
    struct strv *id, double *keep)
{
	*keep = NAN;
	if (rec_str(r, p->field, text) != REC_GOT)
		return false;
	if (rec_str(r, p->id_field, id) != REC_GOT)
		return false;
	if (p->keep_field != NULL) {
		int t = rec_type(r, p->keep_field);

		if (t >= 0 && t != JT_NULL &&
		    rec_num(r, p->keep_field, keep) != REC_GOT)
			return false;
	}
	return true;
}

static void
write_all(int fd, const void *p, size_t n, const char *what)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			err_die_errno("writing the %s", what);
		c += w;
		n -= (size_t)w;
	}
}

static void
batch_room(struct signer *s, struct batch *b)
{
	size_t sb = nd_sig_bytes(s->p);

	if (b->n < b->cap)
		return;
	b->cap = b->cap < 64 ? 64 : b->cap * 2;
	b->it = xreallocarray(b->it, b->cap, sizeof(*b->it));
	b->keys = xreallocarray(b->keys, b->cap * s->p->bands,
	    sizeof(*b->keys));
	b->sig = xreallocarray(b->sig, b->cap, sb);
}

/* Check, shingle and sign every record of b (any thread). */
static void
process(struct signer *s, struct batch *b, struct wctx *w)
{
	const struct nd_params *p = s->p;
	size_t sb = nd_sig_bytes(p), i, nsh, nt, nset;
	const uint64_t *sh, *set;
	struct strv text, id;
	struct item *it;

	buf_reset(&b->detail);
	buf_reset(&b->ids);
	b->nsets = 0;
	for (i = 0; i < b->n; i++) {
		it = &b->it[i];
		if (it->st == I_EMPTY)
			continue;
		rec_set_line(&w->r, b->data.data + it->off, it->len, it->file,
		    it->line);
		if (!nd_check(&w->r, p, &text, &id, &it->keep)) {
			it->st = I_REJECT;
			it->reason = rec_reason(&w->r);
			it->doff = b->detail.len;
			buf_adds(&b->detail, rec_detail(&w->r));
			it->dlen = b->detail.len - it->doff;
			continue;
		}
		it->idoff = b->ids.len;
		buf_add(&b->ids, id.p, id.n);
		it->idlen = id.n;
		it->lhash = s->want_lhash ?
		    XXH3_64bits(b->data.data + it->off, it->len) : 0;
		it->setn = 0;
		nsh = shingle_text(&w->sh, text.p, text.n, p->ngram, &sh, &nt);
		it->shingles = nsh;
		if (nsh == 0 || nt < p->min_tokens) {
			it->st = I_SHORT;
			continue;
		}
		it->st = I_SIGNED;
		mh_sign(s->cfg->fam, sh, nsh, w->sig32);
		mh_band_keys(w->sig32, p->bands, p->rows,
		    b->keys + i * p->bands);
		mh_pack(w->sig32, p->perms, b->sig + i * sb);
		if (p->exact) {
			nset = shingle_set(&w->sh, nsh, &set);
			if (b->nsets + nset > b->setcap) {
				b->setcap = b->nsets + nset + b->setcap;
				b->sets = xreallocarray(b->sets, b->setcap,
				    sizeof(*b->sets));
			}
			memcpy(b->sets + b->nsets, set, nset * sizeof(*set));
			it->setoff = b->nsets;
			it->setn = nset;
			b->nsets += nset;
		}
	}
}

static void
add_rejected(struct signer *s, uint64_t seq)
{
	struct signer_result *res = s->res;

	if (res->nrejected == s->rejcap) {
		s->rejcap = s->rejcap < 64 ? 64 : 2 * s->rejcap;
		res->rejected = xreallocarray(res->rejected, s->rejcap,
		    sizeof(*res->rejected));
	}
	res->rejected[res->nrejected++] = seq;
}

/* Lines run_read() rejected itself (too large) leave gaps in seq. */
static void
gaps_until(struct signer *s, uint64_t seq)
{
	while (s->next_line < seq)
		add_rejected(s, s->next_line++);
	s->next_line = seq + 1;
}

static void
spool_line(struct signer *s, const char *p, size_t n)
{
	buf_add(&s->spool, p, n);
	buf_addc(&s->spool, '\n');
	if (s->spool.len >= SPOOL_FLUSH) {
		write_all(s->cfg->spool_fd, s->spool.data, s->spool.len,
		    "spool file");
		buf_reset(&s->spool);
	}
}

static void
add_set(struct signer *s, const uint64_t *v, size_t n)
{
	struct nd_setsrc *src = &s->ix->src[0];

	if (src->n % 1024 == 0)
		src->off = xreallocarray(src->off, src->n + 1025,
		    sizeof(*src->off));
	if (n > 0)
		write_all(s->cfg->set_fd, v, n * sizeof(*v),
		    "shingle set file");
	s->res->set_words += n;
	src->off[++src->n] = s->res->set_words;
}

/* Hand the records of a finished batch to the run and the index. */
static void
commit(struct signer *s, struct batch *b)
{
	const struct nd_params *p = s->p;
	struct nd_index *ix = s->ix;
	size_t sb = nd_sig_bytes(p), i;
	const char *raw;
	struct item *it;
	uint64_t k;
	unsigned bd;
	char *d;

	for (i = 0; i < b->n; i++) {
		it = &b->it[i];
		raw = b->data.data + it->off;
		gaps_until(s, it->seq);
		switch (it->st) {
		case I_EMPTY:
			add_rejected(s, it->seq);
			run_reject_line(s->run, it->file, it->line, "", 0,
			    "empty-line", "empty line");
			continue;
		case I_REJECT:
			add_rejected(s, it->seq);
			d = xstrndup(b->detail.data + it->doff, it->dlen);
			run_reject_line(s->run, it->file, it->line, raw,
			    it->len, it->reason, d);
			free(d);
			continue;
		default:
			break;
		}
		k = ix->n;
		nd_index_reserve(ix, k + 1);
		ix->flags[k] = it->st == I_SHORT ? ND_SHORT : 0;
		if (it->st == I_SIGNED) {
			for (bd = 0; bd < p->bands; bd++)
				if (ix->keys[bd] != NULL)
					ix->keys[bd][k] =
					    b->keys[i * p->bands + bd];
			memcpy(ix->sig + k * sb, b->sig + i * sb, sb);
			s->res->signed_++;
			s->res->shingles += it->shingles;
		} else {
			for (bd = 0; bd < p->bands; bd++)
				if (ix->keys[bd] != NULL)
					ix->keys[bd][k] = 0;
			memset(ix->sig + k * sb, 0, sb);
		}
		if (ix->keep != NULL)
			ix->keep[k] = it->keep;
		if (ix->id_off != NULL) {
			buf_add(&ix->ids, b->ids.data + it->idoff, it->idlen);
			ix->id_off[k + 1] = ix->ids.len;
		}
		if (ix->line_hash != NULL)
			ix->line_hash[k] = it->lhash;
		if (p->exact)
			add_set(s, b->sets + it->setoff, it->setn);
		ix->n = k + 1;
		s->res->accepted++;
		XXH3_64bits_update(s->hash, raw, it->len);
		XXH3_64bits_update(s->hash, "\n", 1);
		if (s->cfg->spool_fd >= 0)
			spool_line(s, raw, it->len);
	}
	b->n = 0;
	buf_reset(&b->data);
}

static void *
worker(void *arg)
{
	struct signer *s = ((void **)arg)[0];
	struct wctx *w = ((void **)arg)[1];
	struct batch *b;
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		b = NULL;
		for (i = 0; i < s->nring; i++)
			if (s->ring[i].state == B_READY &&
			    (b == NULL || s->ring[i].seq < b->seq))
				b = &s->ring[i];
		if (b == NULL) {
			if (s->stop)
				break;
			pthread_cond_wait(&s->work, &s->mu);
			continue;
		}
		b->state = B_BUSY;
		pthread_mutex_unlock(&s->mu);
		process(s, b, w);
		pthread_mutex_lock(&s->mu);
		b->state = B_DONE;
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

enum drain_mode { DRAIN_READY, DRAIN_ONE, DRAIN_ALL };

/*
 * Commit finished batches in order: those already done (DRAIN_READY),
 * after waiting for the oldest in flight (DRAIN_ONE), or all (DRAIN_ALL).
 */
static void
drain(struct signer *s, enum drain_mode mode)
{
	struct batch *b;
	bool waited = false;

	for (;;) {
		b = &s->ring[s->next_commit % s->nring];
		pthread_mutex_lock(&s->mu);
		if (b->state == B_FREE || (b->state != B_DONE &&
		    (mode == DRAIN_READY || (mode == DRAIN_ONE && waited)))) {
			pthread_mutex_unlock(&s->mu);
			return;
		}
		while (b->state != B_DONE)
			pthread_cond_wait(&s->done, &s->mu);
		pthread_mutex_unlock(&s->mu);
		waited = true;
		commit(s, b);
		pthread_mutex_lock(&s->mu);
		b->state = B_FREE;
		pthread_mutex_unlock(&s->mu);
		s->next_commit++;
	}
}

static void
submit(struct signer *s)
{
	struct batch *b = s->cur;

	if (b == NULL)
		return;
	s->cur = NULL;
	if (s->nthreads <= 1) {
		process(s, b, &s->w[0]);
		commit(s, b);
		return;
	}
	pthread_mutex_lock(&s->mu);
	b->state = B_READY;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->mu);
}

/* Take the ring slot of the next batch, committing the oldest to free it. */
static void
claim(struct signer *s)
{
	struct batch *b;

	if (s->nthreads <= 1) {
		s->cur = &s->ring[0];
		return;
	}
	b = &s->ring[s->next_seq % s->nring];
	pthread_mutex_lock(&s->mu);
	while (b->state != B_FREE) {
		pthread_mutex_unlock(&s->mu);
		drain(s, DRAIN_ONE);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	b->seq = s->next_seq++;
	b->n = 0;
	buf_reset(&b->data);
	s->cur = b;
}

/* Before a too-large line is streamed to the rejects: commit all before. */
static void
flush_all(void *arg)
{
	struct signer *s = arg;

	submit(s);
	if (s->nthreads > 1)
		drain(s, DRAIN_ALL);
}

void
signer_run(struct run *run, const struct signer_cfg *c, struct nd_index *ix,
    struct signer_result *res)
{
	struct signer s;
	struct rec r = REC_INIT;
	enum run_read rd;
	struct item *it;
	pthread_t *tid = NULL;
	void *(*args)[2] = NULL;
	unsigned i;

	memset(&s, 0, sizeof(s));
	memset(res, 0, sizeof(*res));
	s.run = run;
	s.cfg = c;
	s.p = &ix->p;
	s.ix = ix;
	s.res = res;
	s.nthreads = c->threads > 0 ? c->threads : 1;
	s.want_lhash = ix->line_hash != NULL;
	s.hash = XXH3_createState();
	if (s.hash == NULL)
		err_die("out of memory");
	XXH3_64bits_reset(s.hash);
	if (ix->p.exact) {
		ix->src = xcalloc(1, sizeof(*ix->src));
		ix->nsrc = 1;
		ix->src[0].fd = c->set_fd;
		ix->src[0].off = xcalloc(1025, sizeof(uint64_t));
	}
	s.w = xcalloc(s.nthreads, sizeof(*s.w));
	for (i = 0; i < s.nthreads; i++) {
		struct wctx init = { SHINGLER_INIT, REC_INIT, { 0 } };

		s.w[i] = init;
	}
	s.nring = s.nthreads <= 1 ? 1 : 2 * (size_t)s.nthreads + 2;
	s.ring = xcalloc(s.nring, sizeof(*s.ring));
	if (s.nthreads > 1) {
		pthread_mutex_init(&s.mu, NULL);
		pthread_cond_init(&s.work, NULL);
		pthread_cond_init(&s.done, NULL);
		tid = xreallocarray(NULL, s.nthreads, sizeof(*tid));
		args = xreallocarray(NULL, s.nthreads, sizeof(*args));
		for (i = 0; i < s.nthreads; i++) {
			args[i][0] = &s;
			args[i][1] = &s.w[i];
			if (pthread_create(&tid[i], NULL, worker, args[i]) != 0)
				err_die("cannot start worker thread");
		}
	}

	while ((rd = run_read(run, &r, flush_all, &s)) != RUN_EOF) {
		if (s.cur == NULL)
			claim(&s);
		batch_room(&s, s.cur);
		it = &s.cur->it[s.cur->n++];
		memset(it, 0, sizeof(*it));
		it->off = s.cur->data.len;
		it->len = r.len;
		it->line = r.line;
		it->file = r.file;
		it->seq = run_count_in(run) - 1;
		it->st = rd == RUN_EMPTY ? I_EMPTY : I_SIGNED;
		buf_add(&s.cur->data, r.raw, r.len);
		if (s.cur->n >= BATCH_RECS || s.cur->data.len >= BATCH_BYTES) {
			submit(&s);
			if (s.nthreads > 1)
				drain(&s, DRAIN_READY);
		}
	}
	submit(&s);
	if (s.nthreads > 1) {
		drain(&s, DRAIN_ALL);
		pthread_mutex_lock(&s.mu);
		s.stop = true;
		pthread_cond_broadcast(&s.work);
		pthread_mutex_unlock(&s.mu);
		for (i = 0; i < s.nthreads; i++)
			pthread_join(tid[i], NULL);
		pthread_mutex_destroy(&s.mu);
		pthread_cond_destroy(&s.work);
		pthread_cond_destroy(&s.done);
	}
	res->lines = run_count_in(run);
	gaps_until(&s, res->lines);
	if (s.spool.len > 0)
		write_all(c->spool_fd, s.spool.data, s.spool.len,
		    "spool file");
	res->hash = XXH3_64bits_digest(s.hash);

	XXH3_freeState(s.hash);
	buf_release(&s.spool);
	for (i = 0; i < s.nring; i++) {
		buf_release(&s.ring[i].data);
		buf_release(&s.ring[i].detail);
		buf_release(&s.ring[i].ids);
		free(s.ring[i].it);
		free(s.ring[i].keys);
		free(s.ring[i].sig);
		free(s.ring[i].sets);
	}
	free(s.ring);
	for (i = 0; i < s.nthreads; i++) {
		shingler_release(&s.w[i].sh);
		rec_release(&s.w[i].r);
	}
	free(s.w);
	free(tid);
	free(args);
	rec_release(&r);
}

void
signer_result_release(struct signer_result *res)
{
	free(res->rejected);
	memset(res, 0, sizeof(*res));
}
