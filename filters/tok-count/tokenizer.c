/*
 * tokenizer.c - loading tokenizers and encoding texts (see tokenizer.h).
 *
 * The semantics follow the reference code, cited where it matters:
 * Hugging Face tokenizers (added_vocabulary.rs find_matches, pre_tokenizer
 * splits, models/bpe) and tiktoken (CoreBPE::encode_native).  Files are
 * read with the strict scanner of common/jscan.h (tokenizer.json is 2-10
 * MB; a tree of 100,000 json-c objects would dominate start-up).
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <pcre2.h>

#include "bpe.h"
#include "err.h"
#include "jscan.h"
#include "mem.h"
#include "pretok.h"
#include "stream.h"
#include "tokenizer.h"

/* An added (Hugging Face) or special (tiktoken) token. */
struct added {
	char		*s;
	size_t		 n;
	uint32_t	 id;
	bool		 lstrip, rstrip, single_word, normalized, special;
};

/* Leftmost-longest search over a set of added tokens. */
struct matcher {
	struct added	**t;		/* by first byte, longest first */
	size_t		 n;
	uint32_t	 first[257];	/* t[first[b]..first[b+1]) start with b */
	int		 only;		/* the one first byte, or -1 */
};

struct tok {
	bool		 tiktoken;
	char		*desc;
	struct buf	 warn;
	struct bpe	*bpe;
	struct pretok	*pt;
	struct added	*added;
	size_t		 nadded;
	/* Hugging Face: non-normalized tokens first, then normalized ones;
	 * tiktoken: the specials in m[0] */
	struct matcher	 m[2];
	bool		 allowed;	/* match them (else plain text) */
	enum tok_special mode;
	uint32_t	*pre, *post;	/* post-processor ids (add_special) */
	size_t		 npre, npost;
	bool		 post_ok;
	char		*post_why;	/* why the post-processor is refused */
	bool		 add_special;
	pcre2_code	*word;		/* \w of Rust, for single_word */
	size_t		 vocab_size;
};

/* Pieces queued for BPE while their memory is fetched. */
#define QUEUE 8

struct queued {
	const char	*p;
	size_t		 n;
	uint64_t	 h;
};

struct tok_ctx {
	const struct tok	*t;
	struct queued		 q[QUEUE];
	unsigned		 qhead, qn;
	struct pretok_ctx	*pc;
	struct bpe_ctx		*bc;
	pcre2_match_data	*wmd;
	struct idvec		*out;
	struct buf		*err;
};

/* ---- small helpers ---- */

static bool
read_all(const char *path, struct buf *out, struct buf *err)
{
	const char *why;
	struct istream *in = istream_open(path, &why);
	char chunk[1 << 16];
	struct stat st;
	ssize_t r;

	if (in == NULL) {
		buf_addf(err, "%s: %s", path, why);
		return false;
	}
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		buf_grow(out, (size_t)st.st_size);
	while ((r = istream_read(in, chunk, sizeof(chunk))) > 0)
		buf_add(out, chunk, (size_t)r);
	if (r < 0) {
		buf_addf(err, "%s: %s", path, istream_error(in));
		istream_close(in);
		return false;
	}
	istream_close(in);
	if (out->data == NULL)
		buf_add(out, "", 0);
	return true;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * GPT-2's byte-to-unicode table, inverted: the code point of a
 * byte-level character to its byte, or -1.  Printable bytes stand for
 * themselves; the other 68, in byte order, are U+0100..U+0143.
 */
static int
bl_byte(uint32_t cp)
{
	static int16_t inv[0x144];
	static bool init;
	int b, k = 0;

	if (!init) {
		for (b = 0; b < 0x144; b++)
			inv[b] = -1;
		for (b = 0; b < 256; b++) {
			if ((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 &&
			    b <= 0xAC) || (b >= 0xAE && b <= 0xFF))
				inv[b] = (int16_t)b;
			else
				inv[0x100 + k++] = (int16_t)b;
		}
		init = true;
	}
	return cp < 0x144 ? inv[cp] : -1;
}

/* Decode one UTF-8 character of valid text; returns its length. */
static size_t
utf8_dec(const unsigned char *p, size_t n, uint32_t *cp)
{
	if (p[0] < 0x80 || n < 2) {
		*cp = p[0];
		return 1;
	}
	if (p[0] < 0xE0) {
		*cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
		return 2;
	}
	if (p[0] < 0xF0 || n < 4) {
		*cp = (uint32_t)(p[0] & 0x0F) << 12 |
		    (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
		return 3;
	}
	*cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
	    (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
	return 4;
}

/*
 * A byte-level string (a vocab.json key) to raw bytes; false if a
 * character is outside the byte-level alphabet.
 */
static bool
bl_decode(const char *s, size_t n, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;
	int b;

	buf_reset(out);
	while (i < n) {
		k = utf8_dec(p + i, n - i, &cp);
		if ((b = bl_byte(cp)) < 0)
			return false;
		buf_addc(out, b);
		i += k;
	}
	return true;
}

/* White_Space, Rust's char::is_whitespace and \s */
static bool
is_ws_cp(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 ||
	    c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	    c == 0x3000;
}

/* ---- JSON access on text validated by jscan ---- */

struct jdoc {
	const char	*p;	/* the whole text */
	struct jscan	 s;
};

static void
jdoc_release(struct jdoc *d)
{
	jscan_release(&d->s);
}

/* Scan the object p[0..n); false with a message. */
static bool
jdoc_scan(struct jdoc *d, const char *p, size_t n, const char *what,
    struct buf *err)
{
	struct jscan_error je;
	enum jscan_status st;

	d->p = p;
	d->s = (struct jscan)JSCAN_INIT;
	st = jscan_object(&d->s, p, n, &je);
	if (st == JSCAN_OK)
		return true;
	if (st == JSCAN_NOT_OBJECT)
		buf_addf(err, "%s is not a JSON object", what);
	else
		buf_addf(err, "%s: %s at byte %zu", what, je.what, je.pos + 1);
	return false;
}

static bool
key_is(const struct jdoc *d, const struct jmember *m, const char *key)
{
	size_t n = strlen(key);

	if (!m->key_esc)
		return m->key_len == n &&
		    memcmp(d->p + m->key_off, key, n) == 0;
	{
		char *tmp = xmalloc(m->key_len + 1);
		size_t k = jscan_unescape(d->p + m->key_off, m->key_len, tmp);
		bool eq = k == n && memcmp(tmp, key, n) == 0;

		free(tmp);
		return eq;
	}
}

/* The member key (the last if repeated), or NULL. */
static const struct jmember *
jget(const struct jdoc *d, const char *key)
{
	const struct jmember *found = NULL;
	size_t i;

	for (i = 0; i < d->s.n; i++)
		if (key_is(d, &d->s.m[i], key))
			found = &d->s.m[i];
	return found;
}

/* A string value, unescaped into out (reset first). */
static void
jstr(const struct jdoc *d, const struct jmember *m, struct buf *out)
{
	buf_reset(out);
	buf_grow(out, m->val_len);
	out->len = jscan_unescape(d->p + m->val_off + 1, m->val_len - 2,
	    out->data);
	out->data[out->len] = '\0';
}

/* A member's string value into out; false if absent or not a string. */
static bool
jget_str(const struct jdoc *d, const char *key, struct buf *out)
{
	const struct jmember *m = jget(d, key);

	if (m == NULL || m->type != JT_STRING)
		return false;
	jstr(d, m, out);
	return true;
}

/* A boolean member, def when absent or null. */
static bool
jget_bool(const struct jdoc *d, const char *key, bool def)
{
	const struct jmember *m = jget(d, key);

	if (m == NULL || m->type == JT_NULL)
		return def;
	return m->type == JT_TRUE;
}

/* Parse a non-negative integer JSON number below lim. */
static bool
jnum_u32(const char *p, size_t n, uint32_t lim, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
		if (v >= lim)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* The elements of a JSON array text (validated), one by one. */
struct jarr {
	const char	*p;
	size_t		 n, pos;
};

static void
jarr_init(struct jarr *a, const char *p, size_t n)
{
	a->p = p;
	a->n = n;
	a->pos = 0;
	while (a->pos < n && a->p[a->pos] != '[')
		a->pos++;
	a->pos++;
}

static inline void
skip_ws(const char *p, size_t n, size_t *i)
{
	while (*i < n && (p[*i] == ' ' || p[*i] == '\t' || p[*i] == '\n' ||
	    p[*i] == '\r'))
		(*i)++;
}

static bool
jarr_next(struct jarr *a, size_t *off, size_t *len)
{
	const char *p = a->p;
	size_t i = a->pos, start;
	int depth = 0;

	skip_ws(p, a->n, &i);
	if (i >= a->n || p[i] == ']')
		return false;
	start = i;
	for (; i < a->n; i++) {
		char c = p[i];

		if (c == '"') {
			for (i++; i < a->n && p[i] != '"'; i++)
				if (p[i] == '\\')
					i++;
			continue;
		}
		if (c == '[' || c == '{')
			depth++;
		else if (c == ']' || c == '}') {
			if (depth == 0)
				break;
			depth--;
		} else if (c == ',' && depth == 0)
			break;
	}
	*off = start;
	*len = i;
	while (*len > start && (p[*len - 1] == ' ' || p[*len - 1] == '\t' ||
	    p[*len - 1] == '\n' || p[*len - 1] == '\r'))
		(*len)--;
	*len -= start;
	if (i < a->n && p[i] == ',')
		i++;
	a->pos = i;
	return true;
}

/* ---- matchers for added / special tokens ---- */

static int
cmp_added(const void *a, const void *b)
{
	const struct added *x = *(struct added *const *)a;
	const struct added *y = *(struct added *const *)b;
	unsigned char cx = (unsigned char)x->s[0], cy = (unsigned char)y->s[0];

	if (cx != cy)
		return cx < cy ? -1 : 1;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return 0;
}

static void
matcher_build(struct matcher *m)
{
	size_t i, b;
	int firsts = 0, last = -1;

	if (m->n > 0)
		qsort(m->t, m->n, sizeof(*m->t), cmp_added);
	for (b = 0, i = 0; b < 256; b++) {
		m->first[b] = (uint32_t)i;
		while (i < m->n && (unsigned char)m->t[i]->s[0] == b)
			i++;
		if ((uint32_t)i > m->first[b]) {
			firsts++;
			last = (int)b;
		}
	}
	m->first[256] = (uint32_t)m->n;
	m->only = firsts == 1 ? last : -1;
}

/* The leftmost-longest token at or after from: its start, or n. */
static size_t
matcher_find(const struct matcher *m, const char *p, size_t n, size_t from,
    const struct added **tok)
{
	size_t i = from, k;
	unsigned char c;

	while (i < n) {
		if (m->only >= 0) {
			const char *q = memchr(p + i, m->only, n - i);

			if (q == NULL)
				return n;
			i = (size_t)(q - p);
		}
		c = (unsigned char)p[i];
		for (k = m->first[c]; k < m->first[c + 1]; k++) {
			const struct added *t = m->t[k];

			if (t->n <= n - i && memcmp(p + i, t->s, t->n) == 0) {
				*tok = t;
				return i;
			}
		}
		i++;
	}
	return n;
}

/* ---- encoding ---- */

/*
 * The pre-tokenizer's pieces wait in a short queue: each one's cache line
 * and vocabulary slot are fetched when it arrives and used QUEUE pieces
 * later, so that memory latency overlaps the work on the others.
 */
static void
bpe_sink(void *arg, const char *p, size_t n)
{
	struct tok_ctx *c = arg;
	struct queued *x;

	if (n == 1) {
		if (c->qn == 0) {
			bpe_encode_hashed(c->bc, p, 1, 0, c->out);
			return;
		}
	}
	if (c->qn == QUEUE) {
		x = &c->q[c->qhead];
		bpe_encode_hashed(c->bc, x->p, x->n, x->h, c->out);
		c->qhead = (c->qhead + 1) % QUEUE;
		c->qn--;
	}
	x = &c->q[(c->qhead + c->qn) % QUEUE];
	x->p = p;
	x->n = n;
	x->h = n > 1 ? bpe_prefetch(c->bc, p, n) : 0;
	c->qn++;
}

static void
flush(struct tok_ctx *c)
{
	struct queued *x;

	while (c->qn > 0) {
		x = &c->q[c->qhead];
		bpe_encode_hashed(c->bc, x->p, x->n, x->h, c->out);
		c->qhead = (c->qhead + 1) % QUEUE;
		c->qn--;
	}
}

static bool
pieces(struct tok_ctx *c, const char *p, size_t n)
{
	bool ok = pretok_run(c->pc, p, n, bpe_sink, c, c->err);

	flush(c);
	return ok;
}

/* Rust's \w on the character at p (n > 0). */
static bool
is_word_at(struct tok_ctx *c, const char *p, size_t n)
{
	unsigned char b = (unsigned char)p[0];
	int rc;

	if (b < 0x80)
		return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') ||
		    (b >= 'A' && b <= 'Z') || b == '_';
	rc = pcre2_match(c->t->word, (PCRE2_SPTR)p, n, 0,
	    PCRE2_ANCHORED | PCRE2_NO_UTF_CHECK, c->wmd, NULL);
	return rc >= 0;
}

/* The start of the last character of p[0..n) (n > 0). */
static size_t
last_char(const char *p, size_t n)
{
	size_t i = n - 1;

	while (i > 0 && ((unsigned char)p[i] & 0xC0) == 0x80)
		i--;
	return i;
}

static bool added_split(struct tok_ctx *c, int level, const char *p,
    size_t n);

static bool
gap(struct tok_ctx *c, int level, const char *p, size_t n)
{
	if (n == 0)
		return true;
	if (level == 0 && c->t->m[1].n > 0)
		return added_split(c, 1, p, n);
	return pieces(c, p, n);
}

/*
 * Hugging Face AddedVocabulary::find_matches over p[0..n) with the tokens
 * of level (0: not normalized, 1: normalized), then the gaps.  Matching is
 * leftmost-longest and goes on after each match's end whatever its
 * options did (aho-corasick's find_iter).
 */
static bool
added_split(struct tok_ctx *c, int level, const char *p, size_t n)
{
	const struct matcher *m = &c->t->m[level];
	const struct added *t = NULL;
	size_t pos = 0, ms, start, stop, off = 0, k;
	uint32_t cp;

	while ((ms = matcher_find(m, p, n, pos, &t)) < n) {
		start = ms;
		stop = ms + t->n;
		pos = stop;
		if (t->single_word) {
			bool sspace = start == 0 ||
			    !is_word_at(c, p + last_char(p, start),
				start - last_char(p, start));
			bool espace = stop == n ||
			    !is_word_at(c, p + stop, n - stop);

			if (!sspace || !espace)
				continue;
		}
		if (t->lstrip) {
			size_t ns = start;

			while (ns > 0) {
				k = last_char(p, ns);
				utf8_dec((const unsigned char *)p + k, ns - k,
				    &cp);
				if (!is_ws_cp(cp))
					break;
				ns = k;
			}
			start = ns > off ? ns : off;
		}
		if (t->rstrip) {
			while (stop < n) {
				k = utf8_dec((const unsigned char *)p + stop,
				    n - stop, &cp);
				if (!is_ws_cp(cp))
					break;
				stop += k;
			}
		}
		if (off < start && !gap(c, level, p + off, start - off))
			return false;
		idvec_push(c->out, t->id);
		off = stop;
	}
	return off >= n || gap(c, level, p + off, n - off);
}

/* tiktoken encode_native: specials found leftmost, the text between
 * encoded as ordinary text. */
static bool
special_split(struct tok_ctx *c, const char *p, size_t n)
{
	const struct added *t = NULL;
	size_t pos = 0, ms;

	while ((ms = matcher_find(&c->t->m[0], p, n, pos, &t)) < n) {
		if (ms > pos && !pieces(c, p + pos, ms - pos))
			return false;
		idvec_push(c->out, t->id);
		pos = ms + t->n;
	}
	return pos >= n || pieces(c, p + pos, n - pos);
}

bool
tok_encode(struct tok_ctx *c, const char *p, size_t n, struct idvec *out,
    struct buf *err)
{
	const struct tok *t = c->t;
	bool ok = true;
	size_t i;

	c->out = out;
	c->err = err;
	if (t->add_special)
		for (i = 0; i < t->npre; i++)
			idvec_push(out, t->pre[i]);
	if (n > 0) {
		if (!t->allowed || (t->m[0].n == 0 && t->m[1].n == 0))
			ok = pieces(c, p, n);
		else if (t->tiktoken)
			ok = special_split(c, p, n);
		else if (t->m[0].n > 0)
			ok = added_split(c, 0, p, n);
		else
			ok = added_split(c, 1, p, n);
	}
	if (t->add_special)
		for (i = 0; i < t->npost; i++)
			idvec_push(out, t->post[i]);
	return ok;
}

struct tok_ctx *
tok_ctx_new(const struct tok *t)
{
	struct tok_ctx *c = xcalloc(1, sizeof(*c));

	c->t = t;
	c->pc = pretok_ctx_new(t->pt);
	c->bc = bpe_ctx_new(t->bpe);
	if (t->word != NULL &&
	    (c->wmd = pcre2_match_data_create_from_pattern(t->word, NULL)) ==
	    NULL)
		err_die("out of memory for PCRE2");
	return c;
}

void
tok_ctx_free(struct tok_ctx *c)
{
	if (c == NULL)
		return;
	pretok_ctx_free(c->pc);
	bpe_ctx_free(c->bc);
	pcre2_match_data_free(c->wmd);
	free(c);
}

void
tok_ctx_stats(const struct tok_ctx *c, uint64_t *pieces_, uint64_t *hits)
{
	bpe_ctx_stats(c->bc, pieces_, hits);
}

/* ---- building ---- */

static struct tok *
tok_alloc(bool tiktoken)
{
	struct tok *t = xcalloc(1, sizeof(*t));

	t->tiktoken = tiktoken;
	t->bpe = bpe_new(tiktoken ? BPE_RANKS : BPE_PAIRS);
	t->pt = pretok_new();
	t->post_ok = true;
	t->m[0].only = t->m[1].only = -1;
	return t;
}

void
tok_free(struct tok *t)
{
	size_t i;

	if (t == NULL)
		return;
	bpe_free(t->bpe);
	pretok_free(t->pt);
	for (i = 0; i < t->nadded; i++)
		free(t->added[i].s);
	free(t->added);
	free(t->m[0].t);
	free(t->m[1].t);
	free(t->pre);
	free(t->post);
	free(t->post_why);
	free(t->desc);
	buf_release(&t->warn);
	pcre2_code_free(t->word);
	free(t);
}

static struct added *
add_added(struct tok *t, const char *s, size_t n, uint32_t id)
{
	struct added *a;

	t->added = xreallocarray(t->added, t->nadded + 1, sizeof(*t->added));
	a = &t->added[t->nadded++];
	memset(a, 0, sizeof(*a));
	a->s = xstrndup(s, n);
	a->n = n;
	a->id = id;
	return a;
}

static void
build_matchers(struct tok *t)
{
	size_t i, k;

	for (i = 0; i < t->nadded; i++) {
		k = t->tiktoken || !t->added[i].normalized ? 0 : 1;
		t->m[k].t = xreallocarray(t->m[k].t, t->m[k].n + 1,
		    sizeof(*t->m[k].t));
		t->m[k].t[t->m[k].n++] = &t->added[i];
	}
	matcher_build(&t->m[0]);
	matcher_build(&t->m[1]);
}

void
tok_disable_fast(struct tok *t)
{
	pretok_set_fast(t->pt, false);
}

const char *
tok_family(const struct tok *t)
{
	return t->tiktoken ? "tiktoken" : "huggingface";
}

const char *
tok_describe(const struct tok *t)
{
	return t->desc;
}

const char *
tok_special_name(const struct tok *t)
{
	return t->allowed ? "allowed" : "text";
}

size_t
tok_vocab_size(const struct tok *t)
{
	return t->vocab_size;
}

const char *
tok_warnings(const struct tok *t)
{
	return buf_cstr(&t->warn);
}

bool
tok_configure(struct tok *t, enum tok_special mode, bool add_special,
    struct buf *err)
{
	t->mode = mode;
	t->allowed = mode == TOK_SPECIAL_ALLOWED ||
	    (mode == TOK_SPECIAL_AUTO && !t->tiktoken);
	if (add_special && t->tiktoken) {
		buf_adds(err, "--add-special: tiktoken encodings have no "
		    "post-processor tokens to add");
		return false;
	}
	if (add_special && !t->post_ok) {
		buf_addf(err, "--add-special: %s", t->post_why);
		return false;
	}
	t->add_special = add_special;
	return true;
}

/* ---- Hugging Face tokenizer.json ---- */

struct hfload {
	struct tok	*t;
	const char	*path;
	struct bpe	*raw;	/* vocab keys that are not byte-level strings */
	struct buf	 tmp, tmp2, dec;
	struct buf	*err;
	size_t		 bytelevel;	/* ByteLevel steps seen */
	bool		 bl_last;	/* the last step was ByteLevel */
};

/* The id of a vocabulary key (a byte-level string), or -1. */
static int64_t
vocab_id(struct hfload *L, const char *s, size_t n)
{
	if (n == 0)
		return -1;
	if (bl_decode(s, n, &L->dec))
		return bpe_find(L->t->bpe, L->dec.data, L->dec.len);
	return bpe_find(L->raw, s, n);
}

static bool
unsupported(struct hfload *L, const char *what, const char *name)
{
	buf_addf(L->err, "%s: unsupported %s '%s': tok-count handles "
	    "byte-level BPE only (see tok-count(1))", L->path, what, name);
	return false;
}

static bool
load_vocab(struct hfload *L, const char *p, size_t n)
{
	struct jdoc d;
	const struct jmember *m;
	uint32_t id;
	size_t i;

	if (!jdoc_scan(&d, p, n, "vocab", L->err)) {
		jdoc_release(&d);
		return false;
	}
	bpe_reserve(L->t->bpe, d.s.n, n / 2);
	for (i = 0; i < d.s.n; i++) {
		m = &d.s.m[i];
		if (m->type != JT_NUMBER || !jnum_u32(d.p + m->val_off,
		    m->val_len, BPE_MAX_ID, &id)) {
			buf_addf(L->err, "%s: vocab: the id of entry %zu is "
			    "not an integer below %u", L->path, i + 1,
			    BPE_MAX_ID);
			jdoc_release(&d);
			return false;
		}
		if (m->key_len == 0)
			continue;
		buf_reset(&L->tmp);
		buf_grow(&L->tmp, m->key_len);
		if (m->key_esc)
			L->tmp.len = jscan_unescape(d.p + m->key_off,
			    m->key_len, L->tmp.data);
		else {
			memcpy(L->tmp.data, d.p + m->key_off, m->key_len);
			L->tmp.len = m->key_len;
		}
		if (bl_decode(L->tmp.data, L->tmp.len, &L->dec))
			bpe_add_token(L->t->bpe, L->dec.data, L->dec.len, id);
		else
			bpe_add_token(L->raw, L->tmp.data, L->tmp.len, id);
	}
	L->t->vocab_size = bpe_count(L->t->bpe) + bpe_count(L->raw);
	jdoc_release(&d);
	return true;
}

/* One merge: the pair a, b of vocabulary keys, of rank rank. */
static bool
add_merge(struct hfload *L, const char *a, size_t an, const char *b,
    size_t bn, size_t rank)
{
	int64_t ia, ib, ic;

	ia = vocab_id(L, a, an);
	ib = vocab_id(L, b, bn);
	buf_reset(&L->tmp2);
	buf_add(&L->tmp2, a, an);
	buf_add(&L->tmp2, b, bn);
	ic = vocab_id(L, L->tmp2.data, L->tmp2.len);
	if (ia < 0 || ib < 0 || ic < 0) {
		buf_addf(L->err, "%s: merge %zu ('%.*s %.*s'): %s is not in "
		    "the vocabulary", L->path, rank + 1, (int)an, a, (int)bn,
		    b, ia < 0 ? "the first part" : ib < 0 ? "the second part" :
		    "the merged token");
		return false;
	}
	bpe_add_merge(L->t->bpe, (uint32_t)ia, (uint32_t)ib,
	    (uint32_t)rank, (uint32_t)ic);
	return true;
}

/* A merges line "a b": exactly one space. */
static bool
merge_line(struct hfload *L, const char *s, size_t n, size_t rank)
{
	const char *sp = memchr(s, ' ', n);

	if (sp == NULL || memchr(sp + 1, ' ', n - (size_t)(sp + 1 - s)) !=
	    NULL) {
		buf_addf(L->err, "%s: merge %zu ('%.*s') is not two tokens "
		    "separated by one space", L->path, rank + 1, (int)n, s);
		return false;
	}
	return add_merge(L, s, (size_t)(sp - s), sp + 1,
	    n - (size_t)(sp - s) - 1, rank);
}

static bool
load_merges_json(struct hfload *L, const char *p, size_t n)
{
	struct jarr a, inner;
	struct buf x = BUF_INIT, y = BUF_INIT;
	size_t off, len, o2, l2, rank = 0;
	bool ok = true;

	jarr_init(&a, p, n);
	while (ok && jarr_next(&a, &off, &len)) {
		const char *e = p + off;

		if (e[0] == '"') {
			buf_reset(&x);
			buf_grow(&x, len);
			x.len = jscan_unescape(e + 1, len - 2, x.data);
			ok = merge_line(L, x.data, x.len, rank);
		} else if (e[0] == '[') {
			/* the newer form: ["a", "b"] */
			int k = 0;

			jarr_init(&inner, e, len);
			while (jarr_next(&inner, &o2, &l2)) {
				struct buf *dst = k == 0 ? &x : &y;

				if (e[o2] != '"' || k >= 2)
					break;
				buf_reset(dst);
				buf_grow(dst, l2);
				dst->len = jscan_unescape(e + o2 + 1, l2 - 2,
				    dst->data);
				k++;
			}
			if (k != 2 || jarr_next(&inner, &o2, &l2)) {
				buf_addf(L->err, "%s: merge %zu is not a pair "
				    "of strings", L->path, rank + 1);
				ok = false;
			} else
				ok = add_merge(L, x.data, x.len, y.data, y.len,
				    rank);
		} else {
			buf_addf(L->err, "%s: merge %zu is neither a string "
			    "nor a pair", L->path, rank + 1);
			ok = false;
		}
		rank++;
	}
	buf_release(&x);
	buf_release(&y);
	return ok;
}

/* merges.txt: "#version" lines skipped, one "a b" per line. */
static bool
load_merges_txt(struct hfload *L, const char *p, size_t n)
{
	size_t i = 0, e, rank = 0, len;

	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);

		e = nl != NULL ? (size_t)(nl - p) : n;
		len = e - i;
		if (len > 0 && p[i + len - 1] == '\r')
			len--;
		if (!(len >= 8 && memcmp(p + i, "#version", 8) == 0)) {
			if (len == 0 && e >= n - 1)
				break;	/* the final newline */
			if (!merge_line(L, p + i, len, rank))
				return false;
			rank++;
		}
		i = e + 1;
	}
	return true;
}

static bool parse_pretok(struct hfload *L, const char *p, size_t n,
    int depth);

static bool
parse_behavior(struct hfload *L, const struct jdoc *d,
    enum pt_behavior *beh)
{
	static const struct { const char *n; enum pt_behavior b; } k[] = {
		{ "Removed", PT_REMOVED }, { "Isolated", PT_ISOLATED },
		{ "MergedWithPrevious", PT_MERGED_PREV },
		{ "MergedWithNext", PT_MERGED_NEXT },
		{ "Contiguous", PT_CONTIGUOUS },
	};
	size_t i;

	if (!jget_str(d, "behavior", &L->tmp)) {
		buf_addf(L->err, "%s: Split has no behavior", L->path);
		return false;
	}
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strcmp(L->tmp.data, k[i].n) == 0) {
			*beh = k[i].b;
			return true;
		}
	return unsupported(L, "Split behavior", L->tmp.data);
}

static bool
parse_split(struct hfload *L, const struct jdoc *d)
{
	const struct jmember *pm = jget(d, "pattern");
	struct jdoc pd;
	enum pt_behavior beh;
	struct buf why = BUF_INIT;
	bool invert = jget_bool(d, "invert", false), ok, regex;

	if (pm == NULL || pm->type != JT_OBJECT) {
		buf_addf(L->err, "%s: Split has no pattern", L->path);
		return false;
	}
	if (!parse_behavior(L, d, &beh))
		return false;
	if (!jdoc_scan(&pd, d->p + pm->val_off, pm->val_len, "Split pattern",
	    L->err)) {
		jdoc_release(&pd);
		return false;
	}
	regex = jget_str(&pd, "Regex", &L->tmp);
	if (!regex && !jget_str(&pd, "String", &L->tmp)) {
		jdoc_release(&pd);
		buf_addf(L->err, "%s: Split pattern is neither Regex nor "
		    "String", L->path);
		return false;
	}
	jdoc_release(&pd);
	ok = regex ? pretok_add_regex(L->t->pt, L->tmp.data, L->tmp.len, beh,
	    invert, &why) : pretok_add_literal(L->t->pt, L->tmp.data,
	    L->tmp.len, beh, invert, &why);
	if (!ok)
		buf_addf(L->err, "%s: Split pattern '%s': %s", L->path,
		    L->tmp.data, buf_cstr(&why));
	buf_release(&why);
	return ok;
}

static bool
parse_pretok(struct hfload *L, const char *p, size_t n, int depth)
{
	struct jdoc d;
	struct buf type = BUF_INIT, why = BUF_INIT;
	bool ok = true;

	if (depth > 8)
		return unsupported(L, "pre_tokenizer", "Sequence nesting");
	if (!jdoc_scan(&d, p, n, "pre_tokenizer", L->err)) {
		jdoc_release(&d);
		return false;
	}
	if (!jget_str(&d, "type", &type)) {
		buf_addf(L->err, "%s: pre_tokenizer without a type", L->path);
		ok = false;
	} else if (L->bl_last) {
		buf_addf(L->err, "%s: unsupported pre_tokenizer: '%s' after "
		    "ByteLevel (it would see byte-level characters)", L->path,
		    type.data);
		ok = false;
	} else if (strcmp(type.data, "Sequence") == 0) {
		const struct jmember *m = jget(&d, "pretokenizers");
		struct jarr a;
		size_t off, len;

		if (m == NULL || m->type != JT_ARRAY) {
			buf_addf(L->err, "%s: Sequence without pretokenizers",
			    L->path);
			ok = false;
		} else {
			jarr_init(&a, d.p + m->val_off, m->val_len);
			while (ok && jarr_next(&a, &off, &len))
				ok = parse_pretok(L, d.p + m->val_off + off,
				    len, depth + 1);
		}
	} else if (strcmp(type.data, "ByteLevel") == 0) {
		ok = pretok_add_bytelevel(L->t->pt,
		    jget_bool(&d, "add_prefix_space", true),
		    jget_bool(&d, "use_regex", true), &why);
		if (!ok)
			buf_addf(L->err, "%s: %s", L->path, buf_cstr(&why));
		L->bytelevel++;
		L->bl_last = true;
	} else if (strcmp(type.data, "Split") == 0)
		ok = parse_split(L, &d);
	else if (strcmp(type.data, "Digits") == 0) {
		ok = pretok_add_digits(L->t->pt,
		    jget_bool(&d, "individual_digits", false), &why);
		if (!ok)
			buf_addf(L->err, "%s: %s", L->path, buf_cstr(&why));
	} else
		ok = unsupported(L, "pre_tokenizer", type.data);
	jdoc_release(&d);
	buf_release(&type);
	buf_release(&why);
	return ok;
}

/* Post-processor: the ids it puts before and after one sequence. */
struct post {
	struct idvec	pre, post;
	struct buf	why;
};

static bool parse_post(struct hfload *L, const char *p, size_t n,
    struct post *o, int depth);

/* ["<s>", 0]: the id of a cls/sep pair */
static bool
pair_id(struct hfload *L, const struct jdoc *d, const char *key,
    uint32_t *id)
{
	const struct jmember *m = jget(d, key);
	struct jarr a;
	size_t off, len;
	int k = 0;

	if (m == NULL || m->type != JT_ARRAY)
		return false;
	jarr_init(&a, d->p + m->val_off, m->val_len);
	while (jarr_next(&a, &off, &len)) {
		if (k == 1 && !jnum_u32(d->p + m->val_off + off, len,
		    UINT32_MAX, id))
			return false;
		k++;
	}
	(void)L;
	return k == 2;
}

static bool
parse_template(struct hfload *L, const struct jdoc *d, struct post *o)
{
	const struct jmember *single = jget(d, "single");
	const struct jmember *sp = jget(d, "special_tokens");
	struct jdoc spd, item, inner;
	struct jarr a;
	size_t off, len;
	bool seen_a = false, ok = true;

	if (single == NULL || single->type != JT_ARRAY || sp == NULL ||
	    sp->type != JT_OBJECT) {
		buf_adds(&o->why, "TemplateProcessing without single or "
		    "special_tokens");
		return false;
	}
	if (!jdoc_scan(&spd, d->p + sp->val_off, sp->val_len,
	    "special_tokens", &o->why)) {
		jdoc_release(&spd);
		return false;
	}
	jarr_init(&a, d->p + single->val_off, single->val_len);
	while (ok && jarr_next(&a, &off, &len)) {
		const struct jmember *st, *sq, *tm, *ids;

		if (!jdoc_scan(&item, d->p + single->val_off + off, len,
		    "template piece", &o->why)) {
			jdoc_release(&item);
			ok = false;
			break;
		}
		st = jget(&item, "SpecialToken");
		sq = jget(&item, "Sequence");
		if (sq != NULL) {
			struct jdoc sd;

			if (!jdoc_scan(&sd, item.p + sq->val_off, sq->val_len,
			    "Sequence", &o->why) || !jget_str(&sd, "id",
			    &L->tmp) || strcmp(L->tmp.data, "A") != 0 ||
			    seen_a) {
				buf_reset(&o->why);
				buf_adds(&o->why, "a single-sequence template "
				    "must use sequence A once");
				ok = false;
			}
			seen_a = true;
			jdoc_release(&sd);
		} else if (st != NULL) {
			struct jdoc td;
			struct jarr ia;
			size_t o2, l2, i;
			uint32_t id;
			bool named = jdoc_scan(&inner, item.p + st->val_off,
			    st->val_len, "SpecialToken", &o->why) &&
			    jget_str(&inner, "id", &L->tmp);

			jdoc_release(&inner);
			tm = NULL;
			for (i = 0; named && i < spd.s.n; i++)
				if (key_is(&spd, &spd.s.m[i], L->tmp.data))
					tm = &spd.s.m[i];
			if (tm == NULL || !jdoc_scan(&td, spd.p + tm->val_off,
			    tm->val_len, "special token", &o->why) ||
			    (ids = jget(&td, "ids")) == NULL ||
			    ids->type != JT_ARRAY) {
				buf_reset(&o->why);
				buf_addf(&o->why, "template token '%s' has no "
				    "ids", named ? L->tmp.data : "?");
				ok = false;
				if (tm != NULL)
					jdoc_release(&td);
			} else {
				jarr_init(&ia, td.p + ids->val_off,
				    ids->val_len);
				while (jarr_next(&ia, &o2, &l2))
					if (jnum_u32(td.p + ids->val_off + o2,
					    l2, UINT32_MAX, &id))
						idvec_push(seen_a ? &o->post :
						    &o->pre, id);
				jdoc_release(&td);
			}
		} else {
			buf_reset(&o->why);
			buf_adds(&o->why, "a template piece is neither "
			    "SpecialToken nor Sequence");
			ok = false;
		}
		jdoc_release(&item);
	}
	jdoc_release(&spd);
	if (ok && !seen_a) {
		buf_adds(&o->why, "the single template has no sequence A");
		ok = false;
	}
	return ok;
}

static bool
parse_post(struct hfload *L, const char *p, size_t n, struct post *o,
    int depth)
{
	struct jdoc d;
	struct buf type = BUF_INIT;
	bool ok = true;
	uint32_t cls, sep;

	if (depth > 8 || !jdoc_scan(&d, p, n, "post_processor", &o->why) ||
	    !jget_str(&d, "type", &type)) {
		if (o->why.len == 0)
			buf_adds(&o->why, "malformed post_processor");
		jdoc_release(&d);
		buf_release(&type);
		return false;
	}
	if (strcmp(type.data, "ByteLevel") == 0)
		;	/* offsets only */
	else if (strcmp(type.data, "RobertaProcessing") == 0 ||
	    strcmp(type.data, "BertProcessing") == 0) {
		if (!pair_id(L, &d, "cls", &cls) || !pair_id(L, &d, "sep",
		    &sep)) {
			buf_addf(&o->why, "%s without cls and sep", type.data);
			ok = false;
		} else {
			/* wraps what earlier processors produced */
			struct idvec pre = IDVEC_INIT;
			size_t i;

			idvec_push(&pre, cls);
			for (i = 0; i < o->pre.n; i++)
				idvec_push(&pre, o->pre.v[i]);
			idvec_release(&o->pre);
			o->pre = pre;
			idvec_push(&o->post, sep);
		}
	} else if (strcmp(type.data, "TemplateProcessing") == 0) {
		struct post tp;
		size_t i;

		memset(&tp, 0, sizeof(tp));
		ok = parse_template(L, &d, &tp);
		if (ok) {
			for (i = 0; i < o->pre.n; i++)
				idvec_push(&tp.pre, o->pre.v[i]);
			idvec_release(&o->pre);
			o->pre = tp.pre;
			for (i = 0; i < tp.post.n; i++)
				idvec_push(&o->post, tp.post.v[i]);
			idvec_release(&tp.post);
		} else {
			buf_add(&o->why, tp.why.data, tp.why.len);
			idvec_release(&tp.pre);
			idvec_release(&tp.post);
		}
		buf_release(&tp.why);
	} else if (strcmp(type.data, "Sequence") == 0) {
		const struct jmember *m = jget(&d, "processors");
		struct jarr a;
		size_t off, len;

		if (m == NULL || m->type != JT_ARRAY) {
			buf_adds(&o->why, "Sequence without processors");
			ok = false;
		} else {
			jarr_init(&a, d.p + m->val_off, m->val_len);
			while (ok && jarr_next(&a, &off, &len))
				ok = parse_post(L, d.p + m->val_off + off,
				    len, o, depth + 1);
		}
	} else {
		buf_addf(&o->why, "unsupported post_processor '%s'",
		    type.data);
		ok = false;
	}
	jdoc_release(&d);
	buf_release(&type);
	return ok;
}

static void
set_post(struct tok *t, struct post *o, bool ok)
{
	t->post_ok = ok;
	if (ok) {
		t->pre = o->pre.v;
		t->npre = o->pre.n;
		t->post = o->post.v;
		t->npost = o->post.n;
	} else {
		t->post_why = xstrdup(buf_cstr(&o->why));
		idvec_release(&o->pre);
		idvec_release(&o->post);
	}
	buf_release(&o->why);
}

/*
 * Hugging Face's id for an added token (TokenizerImpl deserialization ->
 * AddedVocabulary::add_tokens): the model's id of its content, else the
 * next id after the vocabulary and the added tokens so far.
 */
static uint32_t
added_id(struct hfload *L, const char *s, size_t n, uint32_t listed,
    int64_t *max_added)
{
	int64_t id = vocab_id(L, s, n);
	int64_t vs = (int64_t)L->t->vocab_size;

	if (id < 0) {
		if (*max_added < 0)
			id = vs;
		else
			id = *max_added >= vs || vs == 0 ? *max_added + 1 : vs;
	}
	if ((uint32_t)id != listed)
		buf_addf(&L->t->warn, "added token '%.*s' listed with id %u "
		    "has id %lld (as in Hugging Face tokenizers)\n", (int)n, s,
		    listed, (long long)id);
	if (id > *max_added)
		*max_added = id;
	return (uint32_t)id;
}

static bool
load_added(struct hfload *L, const char *p, size_t n)
{
	struct jarr a;
	struct jdoc d;
	size_t off, len, i;
	int64_t max_added = -1;
	uint32_t listed;
	bool ok = true;

	jarr_init(&a, p, n);
	while (ok && jarr_next(&a, &off, &len)) {
		const struct jmember *idm;
		struct added *x;
		bool dup = false;

		if (!jdoc_scan(&d, p + off, len, "added token", L->err)) {
			jdoc_release(&d);
			return false;
		}
		idm = jget(&d, "id");
		if (!jget_str(&d, "content", &L->tmp) || idm == NULL ||
		    !jnum_u32(d.p + idm->val_off, idm->val_len, BPE_MAX_ID,
		    &listed)) {
			buf_addf(L->err, "%s: an added token lacks content or "
			    "id", L->path);
			jdoc_release(&d);
			return false;
		}
		if (L->tmp.len == 0) {
			jdoc_release(&d);
			continue;	/* ignored, as Hugging Face does */
		}
		for (i = 0; i < L->t->nadded; i++)
			if (L->t->added[i].n == L->tmp.len &&
			    memcmp(L->t->added[i].s, L->tmp.data,
			    L->tmp.len) == 0)
				dup = true;
		if (dup) {
			jdoc_release(&d);
			continue;
		}
		x = add_added(L->t, L->tmp.data, L->tmp.len,
		    added_id(L, L->tmp.data, L->tmp.len, listed, &max_added));
		x->lstrip = jget_bool(&d, "lstrip", false);
		x->rstrip = jget_bool(&d, "rstrip", false);
		x->single_word = jget_bool(&d, "single_word", false);
		x->special = jget_bool(&d, "special", false);
		/* AddedToken::from: normalized defaults to !special */
		x->normalized = jget_bool(&d, "normalized", !x->special);
		jdoc_release(&d);
	}
	return ok;
}

static bool
needs_word(const struct tok *t)
{
	size_t i;

	for (i = 0; i < t->nadded; i++)
		if (t->added[i].single_word)
			return true;
	return false;
}

static bool
finish_hf(struct hfload *L)
{
	struct tok *t = L->t;
	const char *why;
	int ec;
	PCRE2_SIZE eo;

	if ((why = bpe_finish(t->bpe)) != NULL) {
		buf_addf(L->err, "%s: %s", L->path, why);
		return false;
	}
	if (L->bytelevel != 1 || !L->bl_last) {
		buf_addf(L->err, "%s: unsupported pre_tokenizer: %s", L->path,
		    L->bytelevel == 0 ? "no ByteLevel step, so not a "
		    "byte-level BPE" : "more than one ByteLevel step");
		return false;
	}
	build_matchers(t);
	if (needs_word(t)) {
		/* Rust's \w; letters, marks and digits in Unicode 16 */
		static const char w[] = "[\\p{Alphabetic}\\p{L}\\p{M}\\p{Nd}"
		    "\\p{Pc}\\x{200C}\\x{200D}]";
		struct buf pat = BUF_INIT, werr = BUF_INIT;

		if (!pretok_expand_unicode(w, sizeof(w) - 1, &pat, &werr))
			err_bug("word class: %s", buf_cstr(&werr));
		t->word = pcre2_compile((PCRE2_SPTR)pat.data, pat.len,
		    PCRE2_UTF | PCRE2_UCP, &ec, &eo, NULL);
		if (t->word == NULL)
			err_bug("word class does not compile");
		buf_release(&pat);
		buf_release(&werr);
	}
	return true;
}

static bool
check_model(struct hfload *L, const struct jdoc *m, int64_t *unk,
    bool *fuse, bool *ignore, bool *byte_fallback)
{
	const struct jmember *x;
	struct buf s = BUF_INIT;
	bool ok = true;

	if (jget_str(m, "type", &s) && strcmp(s.data, "BPE") != 0)
		ok = unsupported(L, "model type", s.data);
	else if ((x = jget(m, "dropout")) != NULL && x->type != JT_NULL &&
	    !(x->type == JT_NUMBER && strspn(m->p + x->val_off, "0.") ==
	    x->val_len)) {
		buf_addf(L->err, "%s: unsupported BPE dropout: counts would "
		    "be random", L->path);
		ok = false;
	} else if ((jget_str(m, "continuing_subword_prefix", &s) &&
	    s.len > 0) || (jget_str(m, "end_of_word_suffix", &s) &&
	    s.len > 0)) {
		buf_addf(L->err, "%s: unsupported BPE option: a subword "
		    "prefix or suffix ('%s')", L->path, s.data);
		ok = false;
	}
	*unk = -1;
	*fuse = jget_bool(m, "fuse_unk", false);
	*ignore = jget_bool(m, "ignore_merges", false);
	*byte_fallback = jget_bool(m, "byte_fallback", false);
	if (ok && jget_str(m, "unk_token", &s))
		*unk = vocab_id(L, s.data, s.len);
	buf_release(&s);
	return ok;
}

static bool
load_hf_json(struct hfload *L, const char *p, size_t n)
{
	struct jdoc top, model;
	const struct jmember *x, *mm;
	struct post post;
	int64_t unk;
	bool fuse, ignore, bfb, ok = false;

	memset(&post, 0, sizeof(post));
	if (!jdoc_scan(&top, p, n, L->path, L->err))
		goto out_top;
	if ((x = jget(&top, "normalizer")) != NULL && x->type != JT_NULL) {
		struct jdoc nd;
		const struct jmember *list;

		if (!jdoc_scan(&nd, p + x->val_off, x->val_len, "normalizer",
		    L->err) || !jget_str(&nd, "type", &L->tmp)) {
			jdoc_release(&nd);
			goto out_top;
		}
		list = jget(&nd, "normalizers");
		/* an empty Sequence changes nothing */
		if (!(strcmp(L->tmp.data, "Sequence") == 0 && list != NULL &&
		    list->type == JT_ARRAY && strspn(p + x->val_off +
		    list->val_off + 1, " \t\r\n") == list->val_len - 2)) {
			jdoc_release(&nd);
			unsupported(L, "normalizer", L->tmp.data);
			goto out_top;
		}
		jdoc_release(&nd);
	}
	if ((x = jget(&top, "truncation")) != NULL && x->type != JT_NULL) {
		buf_addf(L->err, "%s: unsupported truncation: it would cap "
		    "the counts; remove it (jq '.truncation = null')", L->path);
		goto out_top;
	}
	if ((x = jget(&top, "padding")) != NULL && x->type != JT_NULL) {
		buf_addf(L->err, "%s: unsupported padding: it would change "
		    "the counts; remove it (jq '.padding = null')", L->path);
		goto out_top;
	}
	if ((mm = jget(&top, "model")) == NULL || mm->type != JT_OBJECT) {
		buf_addf(L->err, "%s: no model: not a tokenizer.json",
		    L->path);
		goto out_top;
	}
	if (!jdoc_scan(&model, p + mm->val_off, mm->val_len, "model",
	    L->err))
		goto out_model;
	if ((x = jget(&model, "vocab")) == NULL || x->type != JT_OBJECT) {
		if (jget_str(&model, "type", &L->tmp) &&
		    strcmp(L->tmp.data, "BPE") != 0)
			unsupported(L, "model type", L->tmp.data);
		else
			buf_addf(L->err, "%s: the model has no vocab",
			    L->path);
		goto out_model;
	}
	if (!check_model(L, &model, &unk, &fuse, &ignore, &bfb) ||
	    !load_vocab(L, model.p + x->val_off, x->val_len))
		goto out_model;
	if ((x = jget(&model, "merges")) == NULL || x->type != JT_ARRAY) {
		buf_addf(L->err, "%s: the model has no merges", L->path);
		goto out_model;
	}
	if (!load_merges_json(L, model.p + x->val_off, x->val_len))
		goto out_model;
	/* unk_token is looked up after the vocabulary is in */
	if (jget_str(&model, "unk_token", &L->tmp))
		unk = vocab_id(L, L->tmp.data, L->tmp.len);
	bpe_set_unk(L->t->bpe, unk, fuse);
	bpe_set_ignore_merges(L->t->bpe, ignore);
	if ((x = jget(&top, "pre_tokenizer")) == NULL || x->type == JT_NULL) {
		buf_addf(L->err, "%s: unsupported pre_tokenizer: none, so "
		    "not a byte-level BPE", L->path);
		goto out_model;
	}
	if (!parse_pretok(L, p + x->val_off, x->val_len, 0))
		goto out_model;
	if ((x = jget(&top, "added_tokens")) != NULL && x->type == JT_ARRAY &&
	    !load_added(L, p + x->val_off, x->val_len))
		goto out_model;
	if ((x = jget(&top, "post_processor")) != NULL && x->type != JT_NULL)
		set_post(L->t, &post, parse_post(L, p + x->val_off,
		    x->val_len, &post, 0));
	if (!finish_hf(L))
		goto out_model;
	{
		unsigned char b;
		int i;
		bool all = true;

		for (i = 0; i < 256; i++) {
			b = (unsigned char)i;
			if (bpe_find(L->t->bpe, &b, 1) < 0)
				all = false;
		}
		if (!all && bfb) {
			buf_addf(L->err, "%s: unsupported byte_fallback with "
			    "bytes missing from the vocabulary", L->path);
			goto out_model;
		}
	}
	ok = true;
out_model:
	jdoc_release(&model);
out_top:
	jdoc_release(&top);
	return ok;
}

/*
 * vocab.json + merges.txt, set up as transformers' converters do for the
 * slow tokenizers that ship these two files: ByteLevel without prefix
 * space, and by vocabulary, RoBERTa's special tokens and <s> ... </s>
 * (RobertaConverter: CodeBERT, RoBERTa) or GPT-2's <|endoftext|>.
 */
static bool
load_pair(struct hfload *L, const char *vp, size_t vn, const char *mp,
    size_t mn, const char *mpath)
{
	static const char *const roberta[] = { "<s>", "<pad>", "</s>",
	    "<unk>", "<mask>" };
	int64_t id, s, e;
	struct buf why = BUF_INIT;
	size_t i;
	const char *path = L->path;

	if (!load_vocab(L, vp, vn))
		return false;
	L->path = mpath;
	if (!load_merges_txt(L, mp, mn))
		return false;
	L->path = path;
	if (!pretok_add_bytelevel(L->t->pt, false, true, &why))
		err_bug("GPT-2 pattern: %s", buf_cstr(&why));
	buf_release(&why);
	L->bytelevel = 1;
	L->bl_last = true;
	s = vocab_id(L, "<s>", 3);
	e = vocab_id(L, "</s>", 4);
	if (s >= 0 && e >= 0) {
		for (i = 0; i < 5; i++) {
			struct added *a;

			if ((id = vocab_id(L, roberta[i],
			    strlen(roberta[i]))) < 0)
				continue;
			a = add_added(L->t, roberta[i], strlen(roberta[i]),
			    (uint32_t)id);
			a->special = true;
			a->lstrip = i == 4;
		}
		L->t->pre = xmalloc(sizeof(uint32_t));
		L->t->post = xmalloc(sizeof(uint32_t));
		L->t->pre[0] = (uint32_t)s;
		L->t->post[0] = (uint32_t)e;
		L->t->npre = L->t->npost = 1;
	} else if ((id = vocab_id(L, "<|endoftext|>", 13)) >= 0) {
		struct added *a = add_added(L->t, "<|endoftext|>", 13,
		    (uint32_t)id);

		a->special = true;
		a->normalized = true;
	}
	return finish_hf(L);
}

struct tok *
tok_load_hf(const char *path, const char *merges, struct buf *err)
{
	struct hfload L;
	struct buf file = BUF_INIT, mfile = BUF_INIT, name = BUF_INIT;
	struct buf mname = BUF_INIT;
	struct tok *t = NULL;
	bool ok = false, pair;

	memset(&L, 0, sizeof(L));
	L.err = err;
	if (is_dir(path)) {
		buf_addf(&name, "%s/tokenizer.json", path);
		if (!exists(name.data)) {
			buf_reset(&name);
			buf_addf(&name, "%s/vocab.json", path);
			if (!exists(name.data)) {
				buf_addf(err, "%s: no tokenizer.json or "
				    "vocab.json in this directory", path);
				goto out;
			}
		}
	} else
		buf_adds(&name, path);
	if (!read_all(name.data, &file, err))
		goto out;
	t = tok_alloc(false);
	L.t = t;
	L.path = name.data;
	L.raw = bpe_new(BPE_PAIRS);
	/* a tokenizer.json has a "model"; a vocab.json maps tokens to ids */
	{
		struct jdoc d;

		if (!jdoc_scan(&d, file.data, file.len, name.data, err)) {
			jdoc_release(&d);
			goto out;
		}
		{
			const struct jmember *mm = jget(&d, "model");

			pair = mm == NULL || mm->type != JT_OBJECT;
		}
		if (pair && d.s.n > 0 && d.s.m[0].type != JT_NUMBER) {
			buf_addf(err, "%s: neither a tokenizer.json (no "
			    "model) nor a vocab.json", name.data);
			jdoc_release(&d);
			goto out;
		}
		jdoc_release(&d);
	}
	if (pair) {
		if (merges != NULL)
			buf_adds(&mname, merges);
		else {
			const char *slash = strrchr(name.data, '/');

			if (slash != NULL)
				buf_add(&mname, name.data,
				    (size_t)(slash - name.data) + 1);
			buf_adds(&mname, "merges.txt");
		}
		if (!read_all(mname.data, &mfile, err))
			goto out;
		ok = load_pair(&L, file.data, file.len, mfile.data, mfile.len,
		    mname.data);
	} else {
		if (merges != NULL) {
			buf_addf(err, "--merges: %s is a tokenizer.json, "
			    "which holds its merges", name.data);
			goto out;
		}
		ok = load_hf_json(&L, file.data, file.len);
	}
	if (ok) {
		struct buf d = BUF_INIT;

		buf_addf(&d, "%s%s%s (Hugging Face BPE, %zu tokens, %zu "
		    "merges, %zu added tokens)", name.data, pair ? " + " : "",
		    pair ? mname.data : "", t->vocab_size, bpe_merges(t->bpe),
		    t->nadded);
		t->desc = buf_detach(&d, NULL);
	}
out:
	if (!ok) {
		tok_free(t);
		t = NULL;
	}
	bpe_free(L.raw);
	buf_release(&L.tmp);
	buf_release(&L.tmp2);
	buf_release(&L.dec);
	buf_release(&file);
	buf_release(&mfile);
	buf_release(&name);
	buf_release(&mname);
	return t;
}

/* ---- tiktoken ---- */

struct special {
	const char	*s;
	uint32_t	 id;
};

struct encoding {
	const char		*name;
	const char		*ranks;		/* file name */
	const char		*sha256;	/* pinned by tiktoken */
	const char		*pattern;
	const struct special	*sp;
	size_t			 nsp;
	uint32_t		 n_vocab;
};

static const struct special gpt2_sp[] = { { "<|endoftext|>", 50256 } };
static const struct special p50k_edit_sp[] = {
	{ "<|endoftext|>", 50256 }, { "<|fim_prefix|>", 50281 },
	{ "<|fim_middle|>", 50282 }, { "<|fim_suffix|>", 50283 },
};
static const struct special cl100k_sp[] = {
	{ "<|endoftext|>", 100257 }, { "<|fim_prefix|>", 100258 },
	{ "<|fim_middle|>", 100259 }, { "<|fim_suffix|>", 100260 },
	{ "<|endofprompt|>", 100276 },
};
static const struct special o200k_sp[] = {
	{ "<|endoftext|>", 199999 }, { "<|endofprompt|>", 200018 },
};

#define R50K_SHA "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"
#define P50K_SHA "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069"
#define CL100K_SHA "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
#define O200K_SHA "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"

static const struct encoding encodings[] = {
	{ "gpt2", "r50k_base.tiktoken", R50K_SHA, PT_GPT2_PATTERN, gpt2_sp,
	    1, 50257 },
	{ "r50k_base", "r50k_base.tiktoken", R50K_SHA, PT_GPT2_PATTERN,
	    gpt2_sp, 1, 50257 },
	{ "p50k_base", "p50k_base.tiktoken", P50K_SHA, PT_GPT2_PATTERN,
	    gpt2_sp, 1, 50281 },
	{ "p50k_edit", "p50k_base.tiktoken", P50K_SHA, PT_GPT2_PATTERN,
	    p50k_edit_sp, 4, 50284 },
	{ "cl100k_base", "cl100k_base.tiktoken", CL100K_SHA,
	    PT_CL100K_PATTERN, cl100k_sp, 5, 100277 },
	{ "o200k_base", "o200k_base.tiktoken", O200K_SHA, PT_O200K_PATTERN,
	    o200k_sp, 2, 200019 },
};
#define NENC (sizeof(encodings) / sizeof(encodings[0]))

const char *const *
tok_encodings(void)
{
	static const char *names[NENC + 1];
	size_t i;

	for (i = 0; i < NENC; i++)
		names[i] = encodings[i].name;
	names[NENC] = NULL;
	return names;
}

static const struct encoding *
find_encoding(const char *name)
{
	size_t i;

	for (i = 0; i < NENC; i++)
		if (strcmp(encodings[i].name, name) == 0)
			return &encodings[i];
	return NULL;
}

const char *
tok_ranks_file(const char *name)
{
	const struct encoding *e = find_encoding(name);

	return e != NULL ? e->ranks : NULL;
}

/* base64 digit values; 64 marks '=', 0xFF anything else */
static const unsigned char b64v[256] = {
#define X8 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF
	X8, X8, X8, X8, X8,
	0xFF, 0xFF, 0xFF, 62, 0xFF, 0xFF, 0xFF, 63,		/* '+' '/' */
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61,			/* 0-9 */
	0xFF, 0xFF, 0xFF, 64, 0xFF, 0xFF, 0xFF,			/* '=' */
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
	18, 19, 20, 21, 22, 23, 24, 25,				/* A-Z */
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
	42, 43, 44, 45, 46, 47, 48, 49, 50, 51,			/* a-z */
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8
#undef X8
};

/* Standard base64 with padding; returns the length, or -1. */
static long
b64dec(const char *s, size_t n, unsigned char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned a, b, c, d;
	size_t i, o = 0;

	if (n % 4 != 0 || n == 0)
		return -1;
	for (i = 0; i + 4 < n; i += 4) {
		a = b64v[p[i]];
		b = b64v[p[i + 1]];
		c = b64v[p[i + 2]];
		d = b64v[p[i + 3]];
		if ((a | b | c | d) >= 64)
			return -1;
		out[o++] = (unsigned char)(a << 2 | b >> 4);
		out[o++] = (unsigned char)(b << 4 | c >> 2);
		out[o++] = (unsigned char)(c << 6 | d);
	}
	/* the last group may end in one or two '=' */
	a = b64v[p[i]];
	b = b64v[p[i + 1]];
	c = b64v[p[i + 2]];
	d = b64v[p[i + 3]];
	if (a >= 64 || b >= 64 || c > 64 || d > 64 || (c == 64 && d != 64))
		return -1;
	out[o++] = (unsigned char)(a << 2 | b >> 4);
	if (c != 64)
		out[o++] = (unsigned char)(b << 4 | c >> 2);
	if (d != 64)
		out[o++] = (unsigned char)(c << 6 | d);
	return (long)o;
}

static void
sha256_hex(const void *p, size_t n, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32)
		err_die("sha256 failed");
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

#define RANK_BATCH 4096

static bool
load_ranks(struct tok *t, const char *path, const char *p, size_t n,
    struct buf *err)
{
	struct bpe_entry *e = xreallocarray(NULL, RANK_BATCH, sizeof(*e));
	unsigned char *dec = xmalloc(RANK_BATCH * 64), *d = dec;
	size_t i = 0, line = 0, end, sp, ne = 0, lines = 0;
	const char *q = p, *stop = p + n;
	uint32_t rank;
	long k;

	while ((q = memchr(q, '\n', (size_t)(stop - q))) != NULL) {
		lines++;
		q++;
	}
	/* base64 is 4/3 of the bytes, plus " rank\n" */
	bpe_reserve(t->bpe, lines + 1, n * 3 / 4);
	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);

		end = nl != NULL ? (size_t)(nl - p) : n;
		line++;
		if (end > i) {
			const char *s = memchr(p + i, ' ', end - i);

			sp = s != NULL ? (size_t)(s - p) : end;
			if (d + 384 > dec + RANK_BATCH * 64) {
				bpe_add_tokens(t->bpe, e, ne);
				ne = 0;
				d = dec;
			}
			if (s == NULL || sp - i > 512 || (k = b64dec(p + i,
			    sp - i, d)) <= 0 || !jnum_u32(p + sp + 1,
			    end - sp - 1, BPE_MAX_ID, &rank)) {
				buf_addf(err, "%s:%zu: not 'base64 rank'",
				    path, line);
				free(e);
				free(dec);
				return false;
			}
			e[ne].p = d;
			e[ne].n = (uint32_t)k;
			e[ne].id = rank;
			d += k;
			if (++ne == RANK_BATCH) {
				bpe_add_tokens(t->bpe, e, ne);
				ne = 0;
				d = dec;
			}
		}
		i = end + 1;
	}
	bpe_add_tokens(t->bpe, e, ne);
	free(e);
	free(dec);
	return true;
}

struct tok *
tok_load_tiktoken(const char *name, const char *dir, struct buf *err)
{
	static const char *const ext[] = { "", ".zst", ".gz" };
	const struct encoding *enc = find_encoding(name);
	struct buf path = BUF_INIT, file = BUF_INIT, why = BUF_INIT, d = BUF_INIT;
	struct tok *t = NULL;
	const char *msg;
	char hex[65];
	size_t i;

	if (enc == NULL) {
		buf_addf(err, "unknown encoding '%s': expected gpt2, "
		    "r50k_base, p50k_base, p50k_edit, cl100k_base or "
		    "o200k_base", name);
		return NULL;
	}
	for (i = 0; i < 3; i++) {
		buf_reset(&path);
		buf_addf(&path, "%s/%s%s", dir, enc->ranks, ext[i]);
		if (exists(path.data))
			break;
	}
	if (i == 3) {
		buf_addf(err, "%s: no %s (or .zst, .gz) in this directory: "
		    "give --tokenizer-dir (the file is "
		    "openaipublic.blob.core.windows.net/encodings/%s)", dir,
		    enc->ranks, enc->ranks);
		goto fail;
	}
	if (!read_all(path.data, &file, err))
		goto fail;
	sha256_hex(file.data, file.len, hex);
	if (strcmp(hex, enc->sha256) != 0) {
		buf_addf(err, "%s: sha256 %s is not that of %s (%s), which "
		    "tiktoken pins", path.data, hex, enc->ranks, enc->sha256);
		goto fail;
	}
	t = tok_alloc(true);
	if (!load_ranks(t, path.data, file.data, file.len, err))
		goto fail;
	if ((msg = bpe_finish(t->bpe)) != NULL) {
		buf_addf(err, "%s: %s", path.data, msg);
		goto fail;
	}
	/* tiktoken keeps the regex matches only */
	if (!pretok_add_regex(t->pt, enc->pattern, strlen(enc->pattern),
	    PT_REMOVED, true, &why))
		err_bug("%s pattern: %s", enc->name, buf_cstr(&why));
	for (i = 0; i < enc->nsp; i++)
		add_added(t, enc->sp[i].s, strlen(enc->sp[i].s),
		    enc->sp[i].id)->special = true;
	build_matchers(t);
	t->vocab_size = enc->n_vocab;
	buf_addf(&d, "%s (tiktoken, %s, %zu ranks, %zu special tokens)",
	    enc->name, path.data, bpe_count(t->bpe), enc->nsp);
	t->desc = buf_detach(&d, NULL);
	buf_release(&path);
	buf_release(&file);
	buf_release(&why);
	return t;
fail:
	tok_free(t);
	buf_release(&path);
	buf_release(&file);
	buf_release(&why);
	buf_release(&d);
	return NULL;
}
