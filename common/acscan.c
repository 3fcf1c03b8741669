/*
 * acscan.c - Aho-Corasick keyword search, compiled to a DFA over byte
 * classes.  Built for the PII prefilter: a few hundred short keywords,
 * scanned over gigabytes of source code, so the inner loop is one load
 * per byte and a flag test.
 */
#include <stdlib.h>
#include <string.h>

#include "acscan.h"
#include "mem.h"

#define AC_OUT	0x80000000u	/* flag in a transition: target has output */

struct kw {
	char		*s;
	size_t		 n;
	uint32_t	 id;
};

struct ac {
	struct kw	*kw;
	size_t		 nkw, kwcap;
	uint8_t		 cls[256];	/* byte -> class */
	uint32_t	 ncls;
	uint32_t	*delta;		/* [state*ncls + class]: row | AC_OUT */
	size_t		 nstates;
	uint32_t	*out_off;	/* per state: first output in out */
	uint32_t	*out_n;		/* per state: number of outputs */
	uint32_t	*out;		/* keyword ids */
	int		 built;
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

struct ac *
ac_new(void)
{
	return xcalloc(1, sizeof(struct ac));
}

void
ac_add(struct ac *a, const char *kw, size_t n, uint32_t id)
{
	struct kw *k;
	size_t i;

	if (a->built || n == 0)
		err_bug("ac_add after build or with an empty keyword");
	if (a->nkw == a->kwcap) {
		a->kwcap = a->kwcap ? a->kwcap * 2 : 64;
		a->kw = xreallocarray(a->kw, a->kwcap, sizeof(*a->kw));
	}
	k = &a->kw[a->nkw++];
	k->s = xmalloc(n);
	for (i = 0; i < n; i++)
		k->s[i] = (char)lower((unsigned char)kw[i]);
	k->n = n;
	k->id = id;
}

size_t
ac_states(const struct ac *a)
{
	return a->nstates;
}

/* trie node during construction */
struct tnode {
	uint32_t	 fail;
	uint32_t	 nown;		/* ids ending here */
	uint32_t	 own_off;	/* in the own-ids array */
};

void
ac_build(struct ac *a)
{
	struct tnode *t;
	uint32_t *own, *queue, *first_own;
	int64_t *tr;		/* trie transitions during build, -1 = none */
	size_t cap, i, j, total_len = 1, head, tail, nown, outcap, nout;
	uint32_t c, s, u, f, ncls;

	if (a->built)
		err_bug("ac_build called twice");
	a->built = 1;
	/* byte classes: class 0 for bytes in no keyword */
	memset(a->cls, 0, sizeof(a->cls));
	ncls = 1;
	for (i = 0; i < a->nkw; i++)
		for (j = 0; j < a->kw[i].n; j++) {
			c = (unsigned char)a->kw[i].s[j];
			if (a->cls[c] == 0)
				a->cls[c] = (uint8_t)ncls++;
			if (ncls > 255)
				err_bug("too many keyword byte classes");
		}
	for (c = 'A'; c <= 'Z'; c++)
		a->cls[c] = a->cls[c - 'A' + 'a'];
	a->ncls = ncls;
	for (i = 0; i < a->nkw; i++)
		total_len += a->kw[i].n;
	cap = total_len;
	if (cap > (size_t)(AC_OUT - 1) / ncls)
		err_bug("keyword set too large");
	tr = xreallocarray(NULL, cap * ncls, sizeof(*tr));
	for (i = 0; i < cap * ncls; i++)
		tr[i] = -1;
	t = xcalloc(cap, sizeof(*t));
	/* own ids: count per node first, as a linked insertion */
	first_own = xcalloc(cap, sizeof(*first_own));
	own = xreallocarray(NULL, a->nkw + 1, sizeof(*own));
	a->nstates = 1;
	{
		uint32_t *end_of = xreallocarray(NULL, a->nkw + 1,
		    sizeof(*end_of));

		for (i = 0; i < a->nkw; i++) {
			s = 0;
			for (j = 0; j < a->kw[i].n; j++) {
				c = a->cls[(unsigned char)a->kw[i].s[j]];
				if (tr[(size_t)s * ncls + c] < 0)
					tr[(size_t)s * ncls + c] =
					    (int64_t)a->nstates++;
				s = (uint32_t)tr[(size_t)s * ncls + c];
			}
			end_of[i] = s;
			t[s].nown++;
		}
		/* prefix sums of own counts */
		nown = 0;
		for (s = 0; s < a->nstates; s++) {
			t[s].own_off = (uint32_t)nown;
			nown += t[s].nown;
		}
		for (i = 0; i < a->nkw; i++) {
			s = end_of[i];
			own[t[s].own_off + first_own[s]++] = a->kw[i].id;
		}
		free(end_of);
	}
	free(first_own);

	/* BFS: failure links, complete transitions, merged outputs */
	queue = xreallocarray(NULL, a->nstates, sizeof(*queue));
	a->out_off = xcalloc(a->nstates, sizeof(*a->out_off));
	a->out_n = xcalloc(a->nstates, sizeof(*a->out_n));
	outcap = a->nkw + 16;
	a->out = xreallocarray(NULL, outcap, sizeof(*a->out));
	nout = 0;
	head = tail = 0;
	t[0].fail = 0;
	for (c = 0; c < ncls; c++) {
		int64_t v = tr[c];

		if (v < 0 || c == 0)
			tr[c] = v < 0 ? 0 : v;
		if (v > 0) {
			t[v].fail = 0;
			queue[tail++] = (uint32_t)v;
		}
	}
	/* class 0 never starts a keyword; its transition stays at root */
	tr[0] = 0;
	/* root has no output */
	while (head < tail) {
		s = queue[head++];
		f = t[s].fail;
		/* outputs: own, then those of the failure state (done first) */
		a->out_off[s] = (uint32_t)nout;
		for (i = 0; i < t[s].nown; i++) {
			if (nout == outcap) {
				outcap *= 2;
				a->out = xreallocarray(a->out, outcap,
				    sizeof(*a->out));
			}
			a->out[nout++] = own[t[s].own_off + i];
		}
		for (i = 0; i < a->out_n[f]; i++) {
			if (nout == outcap) {
				outcap *= 2;
				a->out = xreallocarray(a->out, outcap,
				    sizeof(*a->out));
			}
			a->out[nout++] = a->out[a->out_off[f] + i];
		}
		a->out_n[s] = (uint32_t)(nout - a->out_off[s]);
		for (c = 0; c < ncls; c++) {
			int64_t v = tr[(size_t)s * ncls + c];

			if (v > 0 && c != 0) {
				u = (uint32_t)v;
				t[u].fail = (uint32_t)tr[(size_t)f * ncls + c];
				if (t[u].fail == u)
					t[u].fail = 0;
				queue[tail++] = u;
			} else
				tr[(size_t)s * ncls + c] =
				    tr[(size_t)f * ncls + c];
		}
	}
	free(queue);
	free(own);
	free(t);
	/* final table: row offsets with the output flag */
	a->delta = xreallocarray(NULL, a->nstates * ncls, sizeof(*a->delta));
	for (i = 0; i < a->nstates * ncls; i++) {
		u = (uint32_t)tr[i];
		a->delta[i] = (uint32_t)(u * ncls) |
		    (a->out_n[u] > 0 ? AC_OUT : 0);
	}
	free(tr);
	for (i = 0; i < a->nkw; i++)
		free(a->kw[i].s);
	free(a->kw);
	a->kw = NULL;
}

void
ac_free(struct ac *a)
{
	size_t i;

	if (a == NULL)
		return;
	if (!a->built)
		for (i = 0; i < a->nkw; i++)
			free(a->kw[i].s);
	free(a->kw);
	free(a->delta);
	free(a->out_off);
	free(a->out_n);
	free(a->out);
	free(a);
}

void
ac_scan(const struct ac *a, const char *text, size_t n, ac_hit_fn *fn,
    void *arg)
{
	const uint32_t *delta = a->delta;
	const uint8_t *cls = a->cls;
	const unsigned char *p = (const unsigned char *)text;
	uint32_t row = 0, st, k;
	size_t i;

	if (!a->built)
		err_bug("ac_scan before ac_build");
	if (a->nstates <= 1)
		return;
	for (i = 0; i < n; i++) {
		row = delta[row + cls[p[i]]];
		if (row & AC_OUT) {
			row &= ~AC_OUT;
			st = row / a->ncls;
			for (k = 0; k < a->out_n[st]; k++)
				fn(arg, a->out[a->out_off[st] + k], i + 1);
		}
	}
}
