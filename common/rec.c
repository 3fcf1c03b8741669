/*
 * rec.c - line reader, lazy field access and in-place editing of NDJSON
 * records.  The reader keeps one buffer that grows to the longest line
 * seen (bounded by max_bytes); lines are returned in place, not copied.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "rec.h"
#include "stream.h"

/* ---- the record ---- */

struct rec_edit {
	size_t	key_off, key_len;	/* quoted key text in edbuf */
	size_t	val_off, val_len;	/* value text in edbuf */
	size_t	midx;			/* member replaced, or NOMEMBER */
	int	del;
};
#define NOMEMBER ((size_t)-1)

void
rec_set_line(struct rec *r, const char *raw, size_t len, const char *file,
    uint64_t line)
{
	r->raw = raw;
	r->len = len;
	r->file = file;
	r->line = line;
	r->scanned = 0;
	r->js.n = 0;
	arena_reset(&r->arena);
	r->reason = NULL;
	buf_reset(&r->detail);
	r->ned = 0;
	buf_reset(&r->edbuf);
	if (r->obj != NULL) {
		json_object_put(r->obj);
		r->obj = NULL;
	}
}

void
rec_release(struct rec *r)
{
	rec_set_line(r, NULL, 0, NULL, 0);
	jscan_release(&r->js);
	arena_release(&r->arena);
	buf_release(&r->detail);
	buf_release(&r->edbuf);
	free(r->ed);
	r->ed = NULL;
	r->edcap = 0;
}

void
rec_fail(struct rec *r, const char *reason, const char *fmt, ...)
{
	va_list ap;

	r->reason = reason;
	buf_reset(&r->detail);
	va_start(ap, fmt);
	buf_vaddf(&r->detail, fmt, ap);
	va_end(ap);
}

const char *
rec_reason(const struct rec *r)
{
	return r->reason != NULL ? r->reason : "bad-record";
}

const char *
rec_detail(const struct rec *r)
{
	return buf_cstr(&r->detail);
}

bool
rec_scan(struct rec *r)
{
	struct jscan_error e;
	enum jscan_status st;

	if (r->scanned != 0)
		return r->scanned > 0;
	st = jscan_object(&r->js, r->raw, r->len, &e);
	if (st == JSCAN_OK) {
		r->scanned = 1;
		return true;
	}
	r->scanned = -1;
	switch (st) {
	case JSCAN_NOT_OBJECT:
		rec_fail(r, "not-object", "not a JSON object");
		break;
	case JSCAN_BAD_UTF8:
		rec_fail(r, "bad-utf8", "column %zu: %s", e.pos + 1, e.what);
		break;
	default:
		rec_fail(r, "bad-json", "column %zu: %s", e.pos + 1, e.what);
		break;
	}
	return false;
}

static bool
key_is(struct rec *r, const struct jmember *m, const char *key, size_t klen)
{
	char *tmp;
	size_t n;

	if (!m->key_esc)
		return m->key_len == klen &&
		    memcmp(r->raw + m->key_off, key, klen) == 0;
	tmp = arena_alloc(&r->arena, m->key_len);
	n = jscan_unescape(r->raw + m->key_off, m->key_len, tmp);
	return n == klen && memcmp(tmp, key, klen) == 0;
}

static size_t
member_index(struct rec *r, const char *key)
{
	size_t i, klen = strlen(key);

	for (i = r->js.n; i-- > 0;)
		if (key_is(r, &r->js.m[i], key, klen))
			return i;
	return NOMEMBER;
}

const struct jmember *
rec_member(struct rec *r, const char *key)
{
	size_t i;

	if (!rec_scan(r))
		return NULL;
	i = member_index(r, key);
	return i == NOMEMBER ? NULL : &r->js.m[i];
}

int
rec_type(struct rec *r, const char *key)
{
	const struct jmember *m = rec_member(r, key);

	return m != NULL ? m->type : -1;
}

static const char *const type_names[] = {
	"null", "false", "true", "a number", "a string", "an array",
	"an object"
};

/* Find key, setting the reason when it is absent or the line is bad. */
static enum rec_get
lookup(struct rec *r, const char *key, const struct jmember **mp)
{
	if (!rec_scan(r))
		return REC_BAD;
	if ((*mp = rec_member(r, key)) == NULL) {
		rec_fail(r, "missing-field", "no field '%s'", key);
		return REC_ABSENT;
	}
	return REC_GOT;
}

static enum rec_get
wrong_type(struct rec *r, const char *key, const struct jmember *m,
    const char *want)
{
	rec_fail(r, "bad-field", "field '%s' is %s, not %s", key,
	    type_names[m->type], want);
	return REC_BAD;
}

struct strv
rec_member_str(struct rec *r, const struct jmember *m)
{
	struct strv s;
	char *d;

	s.p = r->raw + m->val_off + 1;
	s.n = m->val_len - 2;
	if (m->val_esc) {
		d = arena_alloc(&r->arena, s.n + 1);
		s.n = jscan_unescape(s.p, s.n, d);
		d[s.n] = '\0';
		s.p = d;
	}
	return s;
}

enum rec_get
rec_str(struct rec *r, const char *key, struct strv *out)
{
	const struct jmember *m;
	enum rec_get g;

	if ((g = lookup(r, key, &m)) != REC_GOT)
		return g;
	if (m->type != JT_STRING)
		return wrong_type(r, key, m, "a string");
	*out = rec_member_str(r, m);
	return REC_GOT;
}

enum rec_get
rec_str_canon(struct rec *r, const char *key, struct strv *out)
{
	const struct jmember *m;
	enum rec_get g;
	struct strv t;
	struct buf b = BUF_INIT;
	char *d;

	if ((g = lookup(r, key, &m)) != REC_GOT)
		return g;
	if (m->type != JT_STRING)
		return wrong_type(r, key, m, "a string");
	if (m->val_esc != JESC_OTHER) {
		out->p = r->raw + m->val_off + 1;
		out->n = m->val_len - 2;
		return REC_GOT;
	}
	t = rec_member_str(r, m);
	jscan_escape(&b, t.p, t.n);
	d = arena_alloc(&r->arena, b.len);
	memcpy(d, b.data + 1, b.len - 2);
	out->p = d;
	out->n = b.len - 2;
	buf_release(&b);
	return REC_GOT;
}

enum rec_get
rec_raw(struct rec *r, const char *key, struct strv *out)
{
	const struct jmember *m;
	enum rec_get g;

	if ((g = lookup(r, key, &m)) != REC_GOT)
		return g;
	out->p = r->raw + m->val_off;
	out->n = m->val_len;
	return REC_GOT;
}

enum rec_get
rec_i64(struct rec *r, const char *key, int64_t *out)
{
	const struct jmember *m;
	enum rec_get g;
	const char *p, *end;
	uint64_t v = 0, lim;
	bool neg;

	if ((g = lookup(r, key, &m)) != REC_GOT)
		return g;
	if (m->type != JT_NUMBER)
		return wrong_type(r, key, m, "an integer");
	p = r->raw + m->val_off;
	end = p + m->val_len;
	neg = *p == '-';
	if (neg)
		p++;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9') {
			rec_fail(r, "bad-field", "field '%s' is not an integer",
			    key);
			return REC_BAD;
		}
		if (v > (lim - (uint64_t)(*p - '0')) / 10) {
			rec_fail(r, "bad-field", "field '%s' is out of range",
			    key);
			return REC_BAD;
		}
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return REC_GOT;
}

enum rec_get
rec_num(struct rec *r, const char *key, double *out)
{
	const struct jmember *m;
	enum rec_get g;
	char tmp[64], *s;

	if ((g = lookup(r, key, &m)) != REC_GOT)
		return g;
	if (m->type != JT_NUMBER)
		return wrong_type(r, key, m, "a number");
	s = m->val_len < sizeof(tmp) ? tmp : arena_alloc(&r->arena,
	    m->val_len + 1);
	memcpy(s, r->raw + m->val_off, m->val_len);
	s[m->val_len] = '\0';
	*out = strtod(s, NULL);	/* the scanner checked the grammar */
	return REC_GOT;
}

enum rec_get
rec_bool(struct rec *r, const char *key, bool *out)
{
	const struct jmember *m;
	enum rec_get g;

	if ((g = lookup(r, key, &m)) != REC_GOT)
		return g;
	if (m->type != JT_TRUE && m->type != JT_FALSE)
		return wrong_type(r, key, m, "a boolean");
	*out = m->type == JT_TRUE;
	return REC_GOT;
}

static json_object *
parse_text(struct rec *r, const char *p, size_t n)
{
	struct json_tokener *tok;
	json_object *o;

	if (n > INT_MAX) {
		rec_fail(r, "bad-json", "value too large for json-c");
		return NULL;
	}
	if ((tok = json_tokener_new_ex(JSCAN_MAX_DEPTH + 2)) == NULL)
		err_die("out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, p, (int)n);
	/* a trailing NUL (bare numbers) is consumed as the end */
	if (o == NULL || (tok->char_offset != (int)n &&
	    !(tok->char_offset == (int)n - 1 && p[n - 1] == '\0'))) {
		rec_fail(r, "bad-json", "%s", json_tokener_error_desc(
		    json_tokener_get_error(tok)));
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

json_object *
rec_get_json(struct rec *r, const char *key)
{
	const struct jmember *m;

	if (lookup(r, key, &m) != REC_GOT)
		return NULL;
	if (m->type == JT_NULL)
		return NULL;	/* json-c's null is NULL; callers test type */
	if (m->type == JT_NUMBER) {
		/* json-c needs the end of a bare number: give it a NUL */
		char *t = arena_alloc(&r->arena, m->val_len + 1);

		memcpy(t, r->raw + m->val_off, m->val_len);
		t[m->val_len] = '\0';
		return parse_text(r, t, m->val_len + 1);
	}
	return parse_text(r, r->raw + m->val_off, m->val_len);
}

/*
 * A number member as json-c would make it, without a tokener: integers
 * that fit int64 or uint64 as ints, anything else as a double that keeps
 * its text (json-c itself would clamp a larger integer).
 */
static json_object *
number_json(struct rec *r, const char *p, size_t n)
{
	char tmp[64], *s;
	int64_t i;
	uint64_t u;
	bool integer = true;
	size_t k;

	for (k = 0; k < n; k++)
		if (p[k] == '.' || p[k] == 'e' || p[k] == 'E')
			integer = false;
	s = n < sizeof(tmp) ? tmp : arena_alloc(&r->arena, n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	if (integer) {
		errno = 0;
		if (s[0] == '-') {
			i = strtoll(s, NULL, 10);
			if (errno == 0)
				return json_object_new_int64(i);
		} else {
			u = strtoull(s, NULL, 10);
			if (errno == 0)
				return u <= INT64_MAX ?
				    json_object_new_int64((int64_t)u) :
				    json_object_new_uint64(u);
		}
	}
	return json_object_new_double_s(strtod(s, NULL), s);
}

/*
 * The tree is built member by member from the scan: strings are
 * unescaped by jscan (fast on long texts) and numbers and literals made
 * directly; only nested arrays and objects go through json-c's tokener.
 * The result is what json-c would parse (the last of duplicate keys
 * wins), several times faster on records that are mostly one string.
 */
json_object *
rec_json(struct rec *r)
{
	const struct jmember *m;
	json_object *o, *v;
	struct strv s;
	char *key;
	size_t i;

	if (r->obj != NULL)
		return r->obj;
	if (!rec_scan(r))
		return NULL;
	o = json_object_new_object();
	for (i = 0; i < r->js.n; i++) {
		m = &r->js.m[i];
		key = arena_alloc(&r->arena, m->key_len + 1);
		if (m->key_esc)
			key[jscan_unescape(r->raw + m->key_off, m->key_len,
			    key)] = '\0';
		else {
			memcpy(key, r->raw + m->key_off, m->key_len);
			key[m->key_len] = '\0';
		}
		switch (m->type) {
		case JT_NULL:
			v = NULL;
			break;
		case JT_FALSE:
		case JT_TRUE:
			v = json_object_new_boolean(m->type == JT_TRUE);
			break;
		case JT_NUMBER:
			v = number_json(r, r->raw + m->val_off, m->val_len);
			break;
		case JT_STRING:
			s = rec_member_str(r, m);
			if (s.n > INT_MAX) {
				rec_fail(r, "bad-json", "string too large for "
				    "json-c");
				json_object_put(o);
				return NULL;
			}
			v = json_object_new_string_len(s.p, (int)s.n);
			break;
		default:
			if ((v = parse_text(r, r->raw + m->val_off,
			    m->val_len)) == NULL) {
				json_object_put(o);
				return NULL;
			}
			break;
		}
		if (v == NULL && m->type != JT_NULL)
			err_die("out of memory");
		json_object_object_add(o, key, v);
	}
	r->obj = o;
	return o;
}

/* ---- editing ---- */

static struct rec_edit *
edit_for_key(struct rec *r, const char *key)
{
	size_t i, klen = strlen(key);
	struct rec_edit *e;

	for (i = 0; i < r->ned; i++) {
		e = &r->ed[i];
		if (!e->del && e->key_len == klen + 2 &&
		    memcmp(r->edbuf.data + e->key_off + 1, key, klen) == 0)
			return e;
	}
	return NULL;
}

static struct rec_edit *
new_edit(struct rec *r)
{
	struct rec_edit *e;

	if (r->ned == r->edcap) {
		r->edcap = r->edcap < 8 ? 8 : r->edcap * 2;
		r->ed = xreallocarray(r->ed, r->edcap, sizeof(*r->ed));
	}
	e = &r->ed[r->ned++];
	memset(e, 0, sizeof(*e));
	return e;
}

static void
must_scan(struct rec *r)
{
	if (!rec_scan(r))
		err_bug("editing a record that is not a JSON object");
}

/*
 * Start setting key: returns the edit, whose value text the caller appends
 * to edbuf and then closes with end_set().
 */
static size_t
begin_set(struct rec *r, const char *key)
{
	struct rec_edit *e;
	size_t klen = strlen(key);

	must_scan(r);
	if ((e = edit_for_key(r, key)) == NULL) {
		e = new_edit(r);
		e->key_off = r->edbuf.len;
		jscan_escape(&r->edbuf, key, klen);
		e->key_len = r->edbuf.len - e->key_off;
		e->midx = member_index(r, key);
	}
	e->val_off = r->edbuf.len;
	return (size_t)(e - r->ed);
}

static void
end_set(struct rec *r, size_t ei)
{
	r->ed[ei].val_len = r->edbuf.len - r->ed[ei].val_off;
}

void
rec_set_str(struct rec *r, const char *key, const char *s, size_t n)
{
	size_t ei = begin_set(r, key);

	jscan_escape(&r->edbuf, s, n);
	end_set(r, ei);
}

void
rec_set_raw(struct rec *r, const char *key, const char *json, size_t n)
{
	size_t ei = begin_set(r, key);

	buf_add(&r->edbuf, json, n);
	end_set(r, ei);
}

void
rec_set_i64(struct rec *r, const char *key, int64_t v)
{
	size_t ei = begin_set(r, key);

	buf_addf(&r->edbuf, "%lld", (long long)v);
	end_set(r, ei);
}

void
rec_del(struct rec *r, const char *key)
{
	struct rec_edit *e;
	size_t i, klen = strlen(key);

	must_scan(r);
	if ((e = edit_for_key(r, key)) != NULL)
		e->del = 1;	/* a pending set of key is undone */
	for (i = 0; i < r->js.n; i++)
		if (key_is(r, &r->js.m[i], key, klen)) {
			e = new_edit(r);
			e->midx = i;
			e->del = 1;
		}
}

bool
rec_edited(const struct rec *r)
{
	return r->ned > 0;
}

static const struct rec_edit *
edit_of_member(const struct rec *r, size_t i)
{
	size_t k;

	for (k = r->ned; k-- > 0;)
		if (r->ed[k].midx == i)
			return &r->ed[k];
	return NULL;
}

void
rec_render(struct rec *r, struct buf *out)
{
	const struct jmember *m;
	const struct rec_edit *e;
	size_t open, close, i, prev_end = 0, k;
	bool first = true, prev_kept = false;

	if (r->ned == 0) {
		buf_add(out, r->raw, r->len);
		return;
	}
	must_scan(r);
	for (open = 0; r->raw[open] != '{'; open++)
		;
	for (close = r->len; r->raw[close - 1] != '}'; close--)
		;
	close--;
	buf_add(out, r->raw, open + 1);
	for (i = 0; i < r->js.n; i++) {
		size_t kstart;

		m = &r->js.m[i];
		e = edit_of_member(r, i);
		kstart = m->key_off - 1;
		if (e != NULL && e->del) {
			prev_kept = false;
			continue;
		}
		if (!first) {
			/* keep the original separator between neighbours */
			if (prev_kept)
				buf_add(out, r->raw + prev_end,
				    kstart - prev_end);
			else
				buf_addc(out, ',');
		}
		first = false;
		if (e != NULL) {
			buf_add(out, r->raw + kstart, m->val_off - kstart);
			buf_add(out, r->edbuf.data + e->val_off, e->val_len);
		} else
			buf_add(out, r->raw + kstart,
			    m->val_off + m->val_len - kstart);
		prev_end = m->val_off + m->val_len;
		prev_kept = true;
	}
	for (k = 0; k < r->ned; k++) {
		e = &r->ed[k];
		if (e->midx != NOMEMBER || e->del)
			continue;
		if (!first)
			buf_addc(out, ',');
		first = false;
		buf_add(out, r->edbuf.data + e->key_off, e->key_len);
		buf_addc(out, ':');
		buf_add(out, r->edbuf.data + e->val_off, e->val_len);
	}
	buf_add(out, r->raw + close, r->len - close);
}

/* ---- the line reader ---- */

#define READ_CHUNK	(1u << 20)
#define BUF_START	(4u << 20)

struct rec_in {
	char		**paths;
	size_t		 npaths, next;
	struct istream	*cur;
	uint64_t	 line;
	char		*buf;
	size_t		 cap, start, end, scan;
	int		 eof;		/* current input at its end */
	int		 draining;	/* inside a REC_TOOBIG line */
	size_t		 dpos;
	size_t		 max;
	uint64_t	 bytes;
};

const char *
rec_in_check(char *const paths[], size_t n, const char **why)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct istream *s;
		struct stat st;

		if (strcmp(paths[i], "-") == 0)
			continue;
		if (access(paths[i], R_OK) < 0) {
			*why = strerror(errno);
			return paths[i];
		}
		/*
		 * A .gz/.zst name must hold that format.  Only regular files
		 * are sniffed: reading a pipe (<(cmd), a FIFO) would eat the
		 * bytes the run needs.
		 */
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			*why = "is a directory";
			return paths[i];
		}
		if (stat(paths[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if ((s = istream_open(paths[i], why)) == NULL)
			return paths[i];
		istream_close(s);
	}
	return NULL;
}

struct rec_in *
rec_in_open(char *const paths[], size_t n, size_t max_bytes)
{
	struct rec_in *in = xcalloc(1, sizeof(*in));
	size_t i;

	in->paths = xreallocarray(NULL, n > 0 ? n : 1, sizeof(*in->paths));
	for (i = 0; i < n; i++)
		in->paths[i] = xstrdup(paths[i]);
	if (n == 0)
		in->paths[n++] = xstrdup("-");
	in->npaths = n;
	in->max = max_bytes;
	in->cap = BUF_START;
	in->buf = xmalloc(in->cap);
	return in;
}

static bool
open_next(struct rec_in *in)
{
	const char *why;
	const char *path;

	if (in->next >= in->npaths)
		return false;
	path = in->paths[in->next++];
	if ((in->cur = istream_open(path, &why)) == NULL)
		err_die("%s: %s", path, why);
	in->line = 0;
	in->eof = 0;
	in->start = in->end = in->scan = 0;
	return true;
}

/* Read more input after in->end, making room first. */
static void
fill(struct rec_in *in)
{
	ssize_t got;

	if (in->start > 0 && in->cap - in->end < READ_CHUNK) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->scan -= in->start;
		in->dpos = in->dpos > in->start ? in->dpos - in->start : 0;
		in->start = 0;
	}
	if (in->cap - in->end < READ_CHUNK) {
		if (in->cap > SIZE_MAX / 2)
			err_die("%s: line too long", istream_name(in->cur));
		in->cap *= 2;
		in->buf = xrealloc(in->buf, in->cap);
	}
	got = istream_read(in->cur, in->buf + in->end, in->cap - in->end);
	if (got < 0)
		err_die("%s: %s", istream_name(in->cur),
		    istream_error(in->cur));
	if (got == 0)
		in->eof = 1;
	in->end += (size_t)got;
}

static enum rec_next
too_big(struct rec_in *in, struct rec *r)
{
	rec_set_line(r, in->buf + in->start, in->max,
	    istream_name(in->cur), ++in->line);
	in->draining = 1;
	in->dpos = in->start + in->max;
	in->bytes += in->max;
	return REC_TOOBIG;
}

bool
rec_in_drain(struct rec_in *in, const char **p, size_t *n)
{
	char *q;

	if (!in->draining)
		return false;
	for (;;) {
		if (in->dpos < in->end) {
			*p = in->buf + in->dpos;
			q = memchr(*p, '\n', in->end - in->dpos);
			if (q != NULL) {
				*n = (size_t)(q - *p);
				in->start = in->scan = (size_t)(q - in->buf) + 1;
				in->draining = 0;
				in->bytes += *n + 1;
			} else {
				*n = in->end - in->dpos;
				in->dpos = in->end;
				in->bytes += *n;
			}
			return true;
		}
		/* everything buffered belongs to this line: start over */
		in->start = in->end = in->scan = in->dpos = 0;
		if (in->eof) {
			in->draining = 0;
			return false;
		}
		fill(in);
	}
}

enum rec_next
rec_in_next(struct rec_in *in, struct rec *r)
{
	const char *p;
	size_t n, len;
	char *q;

	while (in->draining)
		(void)rec_in_drain(in, &p, &n);
	for (;;) {
		if (in->cur == NULL && !open_next(in))
			return REC_EOF;
		q = memchr(in->buf + in->scan, '\n', in->end - in->scan);
		if (q != NULL) {
			len = (size_t)(q - (in->buf + in->start));
			if (len > in->max)
				return too_big(in, r);
			rec_set_line(r, in->buf + in->start, len,
			    istream_name(in->cur), ++in->line);
			in->start = in->scan = in->start + len + 1;
			in->bytes += len + 1;
			return REC_OK;
		}
		in->scan = in->end;
		if (in->end - in->start > in->max)
			return too_big(in, r);
		if (in->eof) {
			if (in->start < in->end) {
				/* a last line without a newline */
				len = in->end - in->start;
				rec_set_line(r, in->buf + in->start, len,
				    istream_name(in->cur), ++in->line);
				in->start = in->scan = in->end;
				in->bytes += len;
				return REC_OK;
			}
			istream_close(in->cur);
			in->cur = NULL;
			continue;
		}
		fill(in);
	}
}

uint64_t
rec_in_bytes(const struct rec_in *in)
{
	return in->bytes;
}

void
rec_in_close(struct rec_in *in)
{
	size_t i;

	if (in == NULL)
		return;
	istream_close(in->cur);
	for (i = 0; i < in->npaths; i++)
		free(in->paths[i]);
	free(in->paths);
	free(in->buf);
	free(in);
}
