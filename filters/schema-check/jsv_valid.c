/*
 * jsv_valid.c - evaluating a compiled schema against a json-c value.
 *
 * One recursive function, validate(), applies the keywords of a node.
 * In the fast mode it stops at the first failure and keeps no paths; in
 * the explain mode it goes on, keeping the instance pointer and the
 * keyword path on two stacks, and records each error.  Errors inside
 * anyOf, oneOf, not, if and contains are not errors of the whole (they
 * are probes) and are suppressed ("quiet").
 *
 * unevaluatedProperties/Items need the annotations of the keywords around
 * them: a node that has one collects, in a bit set over the instance's
 * members or items, what its own keywords and its successful in-place
 * subschemas evaluated.  Nodes without them pass their parent's set down
 * (or none), so ordinary schemas pay nothing.
 *
 * The dynamic scope ($dynamicRef) is the stack of schema resources
 * entered on the way to the current node.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "jscan.h"
#include "jsv_int.h"

struct seg {
	const char	*s;	/* a name, or NULL for an index */
	size_t		 n;	/* its length, or the index */
};

struct segs {
	struct seg	*a;
	size_t		 n, cap;
};

struct rframe {
	const struct jnode	*n;
	json_object		*inst;
};

struct jsv_ctx {
	const struct jsv	*v;
	pcre2_match_data	*md;
	struct arena		 ar;
	bool			 explain;
	int			 quiet;
	size_t			 max, nerr, total;
	struct jsv_error	*errs;
	size_t			 errcap;
	struct segs		 kp, ip;
	const struct jres	**scope;
	size_t			 nscope, scap;
	struct rframe		*rs;
	size_t			 nrs, rcap;
	size_t			 depth;
	int			 why;		/* inside why_none() */
	struct buf		 tmp;
};

/* Annotations on one instance: which members or items were evaluated. */
struct eval {
	uint64_t	*bits;
	size_t		 n;
	bool		 all;
};

/* ---- small helpers ---- */

size_t
utf8_count(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += (p[i] & 0xC0) != 0x80;
	return k;
}

static unsigned
type_of(json_object *o)
{
	double d;

	switch (json_object_get_type(o)) {
	case json_type_null:
		return T_NULL;
	case json_type_boolean:
		return T_BOOLEAN;
	case json_type_int:
		return T_NUMBER | T_INTEGER;
	case json_type_double:
		d = json_object_get_double(o);
		return isfinite(d) && floor(d) == d ? T_NUMBER | T_INTEGER :
		    T_NUMBER;
	case json_type_string:
		return T_STRING;
	case json_type_array:
		return T_ARRAY;
	case json_type_object:
		return T_OBJECT;
	}
	return 0;
}

static long double
num_of(json_object *o)
{
	int64_t i;

	if (json_object_is_type(o, json_type_int)) {
		i = json_object_get_int64(o);
		if (i == INT64_MAX)
			return (long double)json_object_get_uint64(o);
		return (long double)i;
	}
	return (long double)json_object_get_double(o);
}

bool
jsv_equal(json_object *a, json_object *b)
{
	unsigned ta = type_of(a), tb = type_of(b);
	size_t i, n;
	json_object *bv;

	if ((ta & T_NUMBER) && (tb & T_NUMBER))
		return num_of(a) == num_of(b);
	if (ta != tb)
		return false;
	switch (ta) {
	case T_NULL:
		return true;
	case T_BOOLEAN:
		return json_object_get_boolean(a) == json_object_get_boolean(b);
	case T_STRING:
		return json_object_get_string_len(a) ==
		    json_object_get_string_len(b) &&
		    memcmp(json_object_get_string(a), json_object_get_string(b),
		    (size_t)json_object_get_string_len(a)) == 0;
	case T_ARRAY:
		n = json_object_array_length(a);
		if (n != json_object_array_length(b))
			return false;
		for (i = 0; i < n; i++)
			if (!jsv_equal(json_object_array_get_idx(a, i),
			    json_object_array_get_idx(b, i)))
				return false;
		return true;
	case T_OBJECT:
		if (json_object_object_length(a) !=
		    json_object_object_length(b))
			return false;
		json_object_object_foreach(a, k, av) {
			if (!json_object_object_get_ex(b, k, &bv) ||
			    !jsv_equal(av, bv))
				return false;
		}
		return true;
	}
	return false;
}

/* A hash consistent with jsv_equal(). */
static uint64_t
hash_of(json_object *o)
{
	unsigned t = type_of(o);
	uint64_t h = t, x;
	long double v;
	double d;
	size_t i, n;
	int64_t iv;

	if (t & T_NUMBER) {
		v = num_of(o);
		if (v == 0)
			v = 0;		/* -0 == 0 */
		if (v >= -9.2e18L && v <= 9.2e18L && floorl(v) == v) {
			iv = (int64_t)v;
			return XXH3_64bits(&iv, sizeof(iv)) ^ 1;
		}
		d = (double)v;
		return XXH3_64bits(&d, sizeof(d)) ^ 2;
	}
	switch (t) {
	case T_BOOLEAN:
		return 3 + (uint64_t)json_object_get_boolean(o);
	case T_STRING:
		return XXH3_64bits(json_object_get_string(o),
		    (size_t)json_object_get_string_len(o)) ^ 5;
	case T_ARRAY:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			h = h * 0x100000001B3ULL ^
			    hash_of(json_object_array_get_idx(o, i));
		return h;
	case T_OBJECT:
		x = 0;
		json_object_object_foreach(o, k, val)
			x += XXH3_64bits(k, strlen(k)) * 31 + hash_of(val);
		return x ^ 7;
	}
	return h;
}

struct hidx {
	uint64_t	h;
	size_t		i;
};

static int
hidx_cmp(const void *a, const void *b)
{
	const struct hidx *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Are the items of array a unique?  If not, *i < *j are two equal ones. */
static bool
unique_items(json_object *a, size_t *ii, size_t *jj)
{
	size_t n = json_object_array_length(a), i, j, k;
	struct hidx *h;
	bool ok = true;

	if (n < 32) {
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (jsv_equal(json_object_array_get_idx(a, i),
				    json_object_array_get_idx(a, j))) {
					*ii = i;
					*jj = j;
					return false;
				}
		return true;
	}
	h = xreallocarray(NULL, n, sizeof(*h));
	for (i = 0; i < n; i++) {
		h[i].h = hash_of(json_object_array_get_idx(a, i));
		h[i].i = i;
	}
	qsort(h, n, sizeof(*h), hidx_cmp);
	for (i = 0; i < n && ok; i = k) {
		for (k = i + 1; k < n && h[k].h == h[i].h; k++)
			;
		for (j = i; j < k && ok; j++)
			for (size_t m = j + 1; m < k; m++)
				if (jsv_equal(json_object_array_get_idx(a,
				    h[j].i), json_object_array_get_idx(a,
				    h[m].i))) {
					*ii = h[j].i;
					*jj = h[m].i;
					ok = false;
					break;
				}
	}
	free(h);
	return ok;
}

/* ---- paths and errors ---- */

static void
push(struct segs *s, const char *name, size_t n)
{
	if (s->n == s->cap) {
		s->cap = s->cap < 32 ? 32 : s->cap * 2;
		s->a = xreallocarray(s->a, s->cap, sizeof(*s->a));
	}
	s->a[s->n].s = name;
	s->a[s->n].n = n;
	s->n++;
}

/* Keyword path segments, kept only when explaining. */
static inline void
kpush(struct jsv_ctx *c, const char *kw)
{
	if (c->explain)
		push(&c->kp, kw, strlen(kw));
}

static inline void
kpushn(struct jsv_ctx *c, const char *name, size_t n)
{
	if (c->explain)
		push(&c->kp, name, n);
}

static inline void
kpushi(struct jsv_ctx *c, size_t i)
{
	if (c->explain)
		push(&c->kp, NULL, i);
}

static inline void
kpop(struct jsv_ctx *c, size_t k)
{
	if (c->explain)
		c->kp.n -= k;
}

static inline void
ipush(struct jsv_ctx *c, const char *name)
{
	if (c->explain)
		push(&c->ip, name, strlen(name));
}

static inline void
ipushi(struct jsv_ctx *c, size_t i)
{
	if (c->explain)
		push(&c->ip, NULL, i);
}

static inline void
ipop(struct jsv_ctx *c)
{
	if (c->explain)
		c->ip.n--;
}

static void
render(const struct segs *s, const char *last, struct buf *b)
{
	size_t i;
	char num[32];

	for (i = 0; i < s->n; i++) {
		if (s->a[i].s == NULL) {
			snprintf(num, sizeof(num), "/%zu", s->a[i].n);
			buf_adds(b, num);
		} else
			jptr_add(b, s->a[i].s, s->a[i].n);
	}
	if (last != NULL)
		jptr_add(b, last, strlen(last));
	if (b->data == NULL)
		buf_adds(b, "");
}

static const char *
arena_str(struct jsv_ctx *c, const struct buf *b)
{
	char *s = arena_alloc(&c->ar, b->len + 1);

	memcpy(s, b->data != NULL ? b->data : "", b->len);
	s[b->len] = '\0';
	return s;
}

/* Record an error of keyword kw (NULL: the false schema at kp). */
static void
error(struct jsv_ctx *c, const char *kw, const char *fmt, ...)
    ERR_PRINTF(3, 4);

static void
error(struct jsv_ctx *c, const char *kw, const char *fmt, ...)
{
	struct jsv_error *e;
	va_list ap;

	if (!c->explain || c->quiet > 0)
		return;
	c->total++;
	if (c->nerr >= c->max)
		return;
	if (c->nerr == c->errcap) {
		c->errcap = c->errcap < 16 ? 16 : c->errcap * 2;
		c->errs = xreallocarray(c->errs, c->errcap, sizeof(*c->errs));
	}
	e = &c->errs[c->nerr++];
	buf_reset(&c->tmp);
	render(&c->ip, NULL, &c->tmp);
	e->instance = arena_str(c, &c->tmp);
	buf_reset(&c->tmp);
	render(&c->kp, kw, &c->tmp);
	e->schema = arena_str(c, &c->tmp);
	if (kw == NULL) {
		/* the false schema: name it by the keyword holding it */
		kw = "false";
		if (c->kp.n > 0 && c->kp.a[c->kp.n - 1].s != NULL) {
			buf_reset(&c->tmp);
			buf_add(&c->tmp, c->kp.a[c->kp.n - 1].s,
			    c->kp.a[c->kp.n - 1].n);
			kw = arena_str(c, &c->tmp);
		} else if (c->kp.n > 1 && c->kp.a[c->kp.n - 2].s != NULL) {
			buf_reset(&c->tmp);
			buf_add(&c->tmp, c->kp.a[c->kp.n - 2].s,
			    c->kp.a[c->kp.n - 2].n);
			kw = arena_str(c, &c->tmp);
		}
	}
	e->keyword = kw;
	buf_reset(&c->tmp);
	va_start(ap, fmt);
	buf_vaddf(&c->tmp, fmt, ap);
	va_end(ap);
	e->message = arena_str(c, &c->tmp);
}

/*
 * JSON text of o into b, at most about limit bytes (then "...").  Done
 * here rather than by json-c, which caches the text inside the object:
 * schemas are shared between threads.
 */
static void
dump(struct buf *b, json_object *o, size_t limit)
{
	size_t i, n, start = b->len;
	const char *s;
	bool first = true;

	if (b->len > limit)
		return;
	switch (json_object_get_type(o)) {
	case json_type_null:
		buf_adds(b, "null");
		break;
	case json_type_boolean:
		buf_adds(b, json_object_get_boolean(o) ? "true" : "false");
		break;
	case json_type_int:
		if (json_object_get_int64(o) == INT64_MAX)
			buf_addf(b, "%llu", (unsigned long long)
			    json_object_get_uint64(o));
		else
			buf_addf(b, "%lld",
			    (long long)json_object_get_int64(o));
		break;
	case json_type_double:
		buf_addf(b, "%.17g", json_object_get_double(o));
		break;
	case json_type_string:
		s = json_object_get_string(o);
		n = (size_t)json_object_get_string_len(o);
		if (n > limit) {
			n = limit;
			while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
				n--;
			jscan_escape(b, s, n);
			b->len--;
			buf_adds(b, "...\"");
		} else
			jscan_escape(b, s, n);
		break;
	case json_type_array:
		buf_addc(b, '[');
		n = json_object_array_length(o);
		for (i = 0; i < n && b->len - start < limit; i++) {
			if (i > 0)
				buf_addc(b, ',');
			dump(b, json_object_array_get_idx(o, i), limit);
		}
		buf_adds(b, i < n ? ",...]" : "]");
		break;
	case json_type_object:
		buf_addc(b, '{');
		json_object_object_foreach(o, k, v) {
			if (!first)
				buf_addc(b, ',');
			first = false;
			if (b->len - start >= limit) {
				buf_adds(b, "...");
				break;
			}
			jscan_escape(b, k, strlen(k));
			buf_addc(b, ':');
			dump(b, v, limit);
		}
		buf_addc(b, '}');
		break;
	}
}

/* A short rendering of an instance for messages (never a whole text). */
static const char *
show(struct jsv_ctx *c, json_object *o)
{
	struct buf b = BUF_INIT;
	const char *r;

	if (json_object_is_type(o, json_type_array))
		buf_addf(&b, "an array of %zu item%s",
		    json_object_array_length(o),
		    json_object_array_length(o) == 1 ? "" : "s");
	else if (json_object_is_type(o, json_type_object))
		buf_addf(&b, "an object with %d propert%s",
		    json_object_object_length(o),
		    json_object_object_length(o) == 1 ? "y" : "ies");
	else
		dump(&b, o, 60);
	r = arena_str(c, &b);
	buf_release(&b);
	return r;
}

static const char *
show_schema_value(struct jsv_ctx *c, json_object *o)
{
	struct buf b = BUF_INIT;
	const char *r;

	dump(&b, o, 80);
	r = arena_str(c, &b);
	buf_release(&b);
	return r;
}

/* What a false schema says, from the keyword that holds it. */
static const char *
false_message(struct jsv_ctx *c, json_object *inst)
{
	static const struct {
		const char	*kw;
		const char	*msg;
	} m[] = {
		{ "additionalProperties", "property is not allowed" },
		{ "unevaluatedProperties", "property is not allowed" },
		{ "properties", "property is not allowed" },
		{ "patternProperties", "property is not allowed" },
		{ "propertyNames", "property name is not allowed" },
		{ "items", "item is not allowed" },
		{ "additionalItems", "item is not allowed" },
		{ "unevaluatedItems", "item is not allowed" },
		{ "prefixItems", "item is not allowed" },
	};
	const struct seg *s;
	struct buf b = BUF_INIT;
	const char *r;
	size_t i, k;

	if (!c->explain || c->quiet > 0)
		return "";
	/* the keyword is the last name, or the one before an index or name */
	for (k = c->kp.n; k-- > 0 && k + 3 > c->kp.n;) {
		s = &c->kp.a[k];
		if (s->s == NULL)
			continue;
		for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
			if (strlen(m[i].kw) == s->n &&
			    memcmp(m[i].kw, s->s, s->n) == 0)
				return m[i].msg;
	}
	buf_addf(&b, "%s is not allowed (the schema is false)",
	    show(c, inst));
	r = arena_str(c, &b);
	buf_release(&b);
	return r;
}

/* ---- annotations ---- */

static struct eval *
ev_new(struct jsv_ctx *c, json_object *inst)
{
	struct eval *e;
	size_t n = 0, words;

	if (json_object_is_type(inst, json_type_object))
		n = (size_t)json_object_object_length(inst);
	else if (json_object_is_type(inst, json_type_array))
		n = json_object_array_length(inst);
	else
		return NULL;
	words = (n + 63) / 64;
	e = arena_alloc(&c->ar, sizeof(*e));
	e->n = n;
	e->all = false;
	e->bits = arena_alloc(&c->ar, (words > 0 ? words : 1) *
	    sizeof(uint64_t));
	memset(e->bits, 0, (words > 0 ? words : 1) * sizeof(uint64_t));
	return e;
}

static inline void
ev_mark(struct eval *e, size_t i)
{
	if (e != NULL && i < e->n)
		e->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

static inline bool
ev_has(const struct eval *e, size_t i)
{
	return e->all || (e->bits[i / 64] >> (i % 64) & 1);
}

static void
ev_or(struct eval *dst, const struct eval *src)
{
	size_t i;

	if (dst == NULL || src == NULL)
		return;
	if (src->all) {
		dst->all = true;
		return;
	}
	for (i = 0; i < (dst->n + 63) / 64; i++)
		dst->bits[i] |= src->bits[i];
}

/* ---- evaluation ---- */

static bool validate(struct jsv_ctx *c, const struct jnode *n,
	    json_object *inst, struct eval *ev);

static const struct jnode *
dynamic_target(const struct jsv_ctx *c, const struct jnode *n)
{
	const struct jres *r;
	size_t i, k;

	if (n->dyn_name == NULL)
		return n->dynref;
	for (i = 0; i < c->nscope; i++) {
		r = c->scope[i];
		for (k = 0; k < r->ndyn; k++)
			if (strcmp(r->dyn[k].name, n->dyn_name) == 0 &&
			    r->dyn[k].node != NULL)
				return r->dyn[k].node;
	}
	return n->dynref;
}

/* Apply target to inst through a reference, refusing endless loops. */
static bool
follow(struct jsv_ctx *c, const struct jnode *t, json_object *inst,
    struct eval *ev, const char *kw)
{
	size_t i;
	bool ok;

	for (i = c->nrs; i-- > 0;)
		if (c->rs[i].n == t && c->rs[i].inst == inst) {
			error(c, kw, "the schema refers back to itself for the "
			    "same value (an endless %s loop)", kw);
			return false;
		}
	if (c->nrs == c->rcap) {
		c->rcap = c->rcap < 32 ? 32 : c->rcap * 2;
		c->rs = xreallocarray(c->rs, c->rcap, sizeof(*c->rs));
	}
	c->rs[c->nrs].n = t;
	c->rs[c->nrs].inst = inst;
	c->nrs++;
	kpush(c, kw);
	ok = validate(c, t, inst, ev);
	kpop(c, 1);
	c->nrs--;
	return ok;
}

static bool
match_re(struct jsv_ctx *c, const struct jre *re, const char *s, size_t n)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0,
	    PCRE2_NO_UTF_CHECK, c->md, NULL);

	return rc >= 0;
}

static const struct jprop *
find_prop(const struct jprop *p, size_t np, const char *name, size_t len)
{
	size_t lo = 0, hi = np, mid, m;
	int cmp;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		m = p[mid].len < len ? p[mid].len : len;
		cmp = memcmp(p[mid].name, name, m);
		if (cmp == 0)
			cmp = p[mid].len < len ? -1 : p[mid].len > len;
		if (cmp == 0)
			return &p[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

#define FAIL() do { ok = false; if (!full) goto out; } while (0)

static bool
check_number(struct jsv_ctx *c, const struct jnode *n, json_object *inst,
    bool full)
{
	long double x = num_of(inst), q;
	double dq;
	bool ok = true;

	if ((n->has & H_MIN) && x < n->min.v) {
		error(c, "minimum", "%s is less than the minimum of %s",
		    show(c, inst), show_schema_value(c, n->min.src));
		FAIL();
	}
	if ((n->has & H_MAX) && x > n->max.v) {
		error(c, "maximum", "%s is greater than the maximum of %s",
		    show(c, inst), show_schema_value(c, n->max.src));
		FAIL();
	}
	if ((n->has & H_XMIN) && x <= n->xmin.v) {
		error(c, "exclusiveMinimum", "%s is not greater than %s",
		    show(c, inst), show_schema_value(c, n->xmin.src));
		FAIL();
	}
	if ((n->has & H_XMAX) && x >= n->xmax.v) {
		error(c, "exclusiveMaximum", "%s is not less than %s",
		    show(c, inst), show_schema_value(c, n->xmax.src));
		FAIL();
	}
	if (n->has & H_MULT) {
		bool mult;

		if (floorl(x) == x && floorl(n->mult.v) == n->mult.v &&
		    fabsl(x) < 9.2e18L) {
			q = fmodl(x, n->mult.v);
			mult = q == 0;
		} else {
			/* doubles, as JSON numbers are: tolerate rounding */
			dq = (double)x / (double)n->mult.v;
			mult = isfinite(dq) && fabs(dq - nearbyint(dq)) < 1e-9;
		}
		if (!mult) {
			error(c, "multipleOf", "%s is not a multiple of %s",
			    show(c, inst), show_schema_value(c, n->mult.src));
			FAIL();
		}
	}
out:
	return ok;
}

static bool
check_string(struct jsv_ctx *c, const struct jnode *n, json_object *inst,
    bool full)
{
	const char *s = json_object_get_string(inst);
	size_t len = (size_t)json_object_get_string_len(inst), cp = 0;
	bool ok = true;

	if (n->has & (H_MINLEN | H_MAXLEN))
		cp = utf8_count(s, len);
	if ((n->has & H_MINLEN) && cp < n->min_len) {
		error(c, "minLength", "%s is shorter than %llu characters",
		    show(c, inst), (unsigned long long)n->min_len);
		FAIL();
	}
	if ((n->has & H_MAXLEN) && cp > n->max_len) {
		error(c, "maxLength", "%s is longer than %llu characters",
		    show(c, inst), (unsigned long long)n->max_len);
		FAIL();
	}
	if ((n->has & H_PATTERN) && !match_re(c, &n->pattern, s, len)) {
		error(c, "pattern", "%s does not match pattern %s",
		    show(c, inst), show_schema_value(c,
		    json_object_object_get(n->src, "pattern")));
		FAIL();
	}
	if ((n->has & H_FORMAT) && n->format >= 0 &&
	    !jsv_format_check(n->format, s, len)) {
		error(c, "format", "%s is not a valid \"%s\"", show(c, inst),
		    n->format_name);
		FAIL();
	}
out:
	return ok;
}

static bool
check_array(struct jsv_ctx *c, const struct jnode *n, json_object *inst,
    struct eval *ev, bool full)
{
	size_t len = json_object_array_length(inst), i, k, cnt = 0, min;
	const struct jnode *rest = NULL;
	json_object *item;
	bool ok = true, r;

	if ((n->has & H_MINITEMS) && len < n->min_items) {
		error(c, "minItems", "%s is shorter than %llu", show(c, inst),
		    (unsigned long long)n->min_items);
		FAIL();
	}
	if ((n->has & H_MAXITEMS) && len > n->max_items) {
		error(c, "maxItems", "%s is longer than %llu", show(c, inst),
		    (unsigned long long)n->max_items);
		FAIL();
	}
	if ((n->has & H_UNIQUE) && !unique_items(inst, &i, &k)) {
		error(c, "uniqueItems", "items %zu and %zu are equal", i, k);
		FAIL();
	}
	k = n->nprefix < len ? n->nprefix : len;
	for (i = 0; i < k; i++) {
		kpush(c, n->draft == 7 ? "items" : "prefixItems");
		kpushi(c, i);
		ipushi(c, i);
		r = validate(c, n->prefix[i], json_object_array_get_idx(inst,
		    i), NULL);
		ipop(c);
		kpop(c, 2);
		ev_mark(ev, i);
		if (!r)
			FAIL();
	}
	if (n->items != NULL)
		rest = n->items;
	else if (n->items_array && n->addl_items != NULL)
		rest = n->addl_items;
	if (rest != NULL) {
		for (i = n->nprefix; i < len; i++) {
			kpush(c, rest == n->items ? "items" :
			    "additionalItems");
			ipushi(c, i);
			r = validate(c, rest,
			    json_object_array_get_idx(inst, i), NULL);
			ipop(c);
			kpop(c, 1);
			if (!r)
				FAIL();
		}
		if (ev != NULL)
			ev->all = true;
	}
	if (n->contains != NULL) {
		min = (n->has & H_MINCONT) ? (size_t)n->min_cont : 1;
		c->quiet++;
		for (i = 0; i < len; i++) {
			item = json_object_array_get_idx(inst, i);
			if (validate(c, n->contains, item, NULL)) {
				cnt++;
				ev_mark(ev, i);
				if (ev == NULL && !(n->has & H_MAXCONT) &&
				    cnt >= min)
					break;
			}
		}
		c->quiet--;
		if (cnt < min) {
			error(c, "contains", "the array has %zu items matching "
			    "'contains', fewer than %zu", cnt, min);
			FAIL();
		}
		if ((n->has & H_MAXCONT) && cnt > n->max_cont) {
			error(c, "maxContains", "the array has %zu items "
			    "matching 'contains', more than %llu", cnt,
			    (unsigned long long)n->max_cont);
			FAIL();
		}
	}
out:
	return ok;
}

static bool
check_object(struct jsv_ctx *c, const struct jnode *n, json_object *inst,
    struct eval *ev, bool full)
{
	const struct jprop *p;
	json_object *kv, *dummy;
	size_t i = 0, k, m, len, nprops;
	bool ok = true, r, matched;

	nprops = (size_t)json_object_object_length(inst);
	if ((n->has & H_MINPROPS) && nprops < n->min_props) {
		error(c, "minProperties", "%s has fewer than %llu",
		    show(c, inst), (unsigned long long)n->min_props);
		FAIL();
	}
	if ((n->has & H_MAXPROPS) && nprops > n->max_props) {
		error(c, "maxProperties", "%s has more than %llu",
		    show(c, inst), (unsigned long long)n->max_props);
		FAIL();
	}
	if (n->has & H_REQUIRED)
		for (k = 0; k < n->nrequired; k++)
			if (!json_object_object_get_ex(inst, n->required[k],
			    &dummy)) {
				ipush(c, n->required[k]);
				error(c, "required", "required property is "
				    "missing");
				ipop(c);
				FAIL();
			}
	for (k = 0; k < n->ndepreq; k++) {
		if (!json_object_object_get_ex(inst, n->depreq[k].name, &dummy))
			continue;
		for (m = 0; m < n->depreq[k].nreq; m++)
			if (!json_object_object_get_ex(inst,
			    n->depreq[k].req[m], &dummy)) {
				ipush(c, n->depreq[k].req[m]);
				error(c, n->draft == 7 ? "dependencies" :
				    "dependentRequired", "required property is "
				    "missing (\"%s\" is present)",
				    n->depreq[k].name);
				ipop(c);
				FAIL();
			}
	}
	if (n->nprops > 0 || n->npprops > 0 || n->addl_props != NULL ||
	    n->prop_names != NULL) {
		json_object_object_foreach(inst, key, val) {
			len = strlen(key);
			matched = false;
			if (n->nprops > 0 &&
			    (p = find_prop(n->props, n->nprops, key, len)) !=
			    NULL) {
				matched = true;
				kpush(c, "properties");
				kpushn(c, p->name, p->len);
				ipush(c, key);
				r = validate(c, p->s, val, NULL);
				ipop(c);
				kpop(c, 2);
				ev_mark(ev, i);
				if (!r)
					FAIL();
			}
			for (k = 0; k < n->npprops; k++) {
				if (!match_re(c, &n->pprops[k].re, key, len))
					continue;
				matched = true;
				kpush(c, "patternProperties");
				kpush(c, n->pprops[k].re.src);
				ipush(c, key);
				r = validate(c, n->pprops[k].s, val, NULL);
				ipop(c);
				kpop(c, 2);
				ev_mark(ev, i);
				if (!r)
					FAIL();
			}
			if (!matched && n->addl_props != NULL) {
				kpush(c, "additionalProperties");
				ipush(c, key);
				r = validate(c, n->addl_props, val, NULL);
				ipop(c);
				kpop(c, 1);
				ev_mark(ev, i);
				if (!r)
					FAIL();
			}
			if (n->prop_names != NULL) {
				kv = json_object_new_string_len(key, (int)len);
				kpush(c, "propertyNames");
				ipush(c, key);
				r = validate(c, n->prop_names, kv, NULL);
				ipop(c);
				kpop(c, 1);
				json_object_put(kv);
				if (!r)
					FAIL();
			}
			i++;
		}
	}
out:
	return ok;
}

static bool
check_unevaluated(struct jsv_ctx *c, const struct jnode *n,
    json_object *inst, struct eval *mine, bool full)
{
	size_t i = 0, len;
	bool ok = true, r;

	if (mine == NULL)
		return true;
	if (n->unev_props != NULL &&
	    json_object_is_type(inst, json_type_object)) {
		json_object_object_foreach(inst, key, val) {
			if (!ev_has(mine, i)) {
				kpush(c, "unevaluatedProperties");
				ipush(c, key);
				r = validate(c, n->unev_props, val, NULL);
				ipop(c);
				kpop(c, 1);
				if (!r)
					FAIL();
			}
			i++;
		}
		mine->all = true;
	}
	if (n->unev_items != NULL &&
	    json_object_is_type(inst, json_type_array)) {
		len = json_object_array_length(inst);
		for (i = 0; i < len; i++) {
			if (ev_has(mine, i))
				continue;
			kpush(c, "unevaluatedItems");
			ipushi(c, i);
			r = validate(c, n->unev_items,
			    json_object_array_get_idx(inst, i), NULL);
			ipop(c);
			kpop(c, 1);
			if (!r)
				FAIL();
		}
		mine->all = true;
	}
out:
	return ok;
}

/*
 * Why none of the schemas a[0..n) matches, for the message of anyOf or
 * oneOf: " (the first error of each; ...)", found by evaluating them
 * again with errors kept (explaining only), then dropped; or "".
 */
static const char *
why_none(struct jsv_ctx *c, const char *kw, struct jnode *const *a,
    size_t n, json_object *inst)
{
	struct buf b = BUF_INIT;
	size_t i, mark = c->nerr, total = c->total, max = c->max, here;
	const char *r;

	/* one level only: nested anyOfs would multiply the work */
	if (c->why > 0 || c->nerr >= c->max)
		return "";
	c->why++;
	buf_reset(&c->tmp);
	render(&c->ip, NULL, &c->tmp);
	here = c->tmp.len;
	for (i = 0; i < n && i < 4; i++) {
		c->max = mark + 1;
		kpush(c, kw);
		kpushi(c, i);
		(void)validate(c, a[i], inst, NULL);
		kpop(c, 2);
		if (c->nerr > mark) {
			const struct jsv_error *e = &c->errs[mark];

			buf_adds(&b, b.len > 0 ? "; " : " (");
			/* deeper than here: say where */
			if (strlen(e->instance) > here)
				buf_addf(&b, "%s: ", e->instance);
			buf_adds(&b, e->message);
		}
		c->nerr = mark;
		c->total = total;
	}
	if (n > 4 && b.len > 0)
		buf_adds(&b, "; ...");
	if (b.len > 0)
		buf_addc(&b, ')');
	c->max = max;
	c->why--;
	if (b.data == NULL)
		buf_adds(&b, "");
	r = arena_str(c, &b);
	buf_release(&b);
	return r;
}

/* The in-place applicators: allOf, anyOf, oneOf, not, if, dependentSchemas. */
static bool
check_inplace(struct jsv_ctx *c, const struct jnode *n, json_object *inst,
    struct eval *mine, bool full)
{
	struct eval *t, *one = NULL;
	json_object *dummy;
	size_t i, cnt, first = 0;
	bool ok = true, r;

	for (i = 0; i < n->nall; i++) {
		kpush(c, "allOf");
		kpushi(c, i);
		r = validate(c, n->all_of[i], inst, mine);
		kpop(c, 2);
		if (!r)
			FAIL();
	}
	if (n->nany > 0) {
		cnt = 0;
		for (i = 0; i < n->nany; i++) {
			t = mine != NULL ? ev_new(c, inst) : NULL;
			c->quiet++;
			r = validate(c, n->any_of[i], inst, t);
			c->quiet--;
			if (r) {
				cnt++;
				ev_or(mine, t);
				if (mine == NULL)
					break;
			}
		}
		if (cnt == 0) {
			error(c, "anyOf", "%s matches none of the %zu anyOf "
			    "schemas%s", show(c, inst), n->nany, full ?
			    why_none(c, "anyOf", n->any_of, n->nany, inst) :
			    "");
			FAIL();
		}
	}
	if (n->none > 0) {
		cnt = 0;
		for (i = 0; i < n->none; i++) {
			t = mine != NULL ? ev_new(c, inst) : NULL;
			c->quiet++;
			r = validate(c, n->one_of[i], inst, t);
			c->quiet--;
			if (r) {
				if (cnt++ == 0) {
					first = i;
					one = t;
				} else
					break;
			}
		}
		if (cnt == 0) {
			error(c, "oneOf", "%s matches none of the %zu oneOf "
			    "schemas%s", show(c, inst), n->none, full ?
			    why_none(c, "oneOf", n->one_of, n->none, inst) :
			    "");
			FAIL();
		} else if (cnt > 1) {
			error(c, "oneOf", "%s matches oneOf schemas %zu and "
			    "%zu, not exactly one", show(c, inst), first, i);
			FAIL();
		} else
			ev_or(mine, one);
	}
	if (n->not_ != NULL) {
		c->quiet++;
		r = validate(c, n->not_, inst, NULL);
		c->quiet--;
		if (r) {
			error(c, "not", "%s must not match the 'not' schema",
			    show(c, inst));
			FAIL();
		}
	}
	if (n->if_ != NULL) {
		t = mine != NULL ? ev_new(c, inst) : NULL;
		c->quiet++;
		r = validate(c, n->if_, inst, t);
		c->quiet--;
		if (r) {
			ev_or(mine, t);
			if (n->then_ != NULL) {
				kpush(c, "then");
				r = validate(c, n->then_, inst, mine);
				kpop(c, 1);
				if (!r)
					FAIL();
			}
		} else if (n->else_ != NULL) {
			kpush(c, "else");
			r = validate(c, n->else_, inst, mine);
			kpop(c, 1);
			if (!r)
				FAIL();
		}
	}
	for (i = 0; i < n->ndepsch; i++) {
		if (!json_object_object_get_ex(inst, n->depsch[i].name, &dummy))
			continue;
		kpush(c, n->draft == 7 ? "dependencies" : "dependentSchemas");
		kpushn(c, n->depsch[i].name, n->depsch[i].len);
		r = validate(c, n->depsch[i].s, inst, mine);
		kpop(c, 2);
		if (!r)
			FAIL();
	}
out:
	return ok;
}

static bool
validate(struct jsv_ctx *c, const struct jnode *n, json_object *inst,
    struct eval *ev)
{
	struct eval *mine = ev;
	bool full = c->explain && c->quiet == 0, ok = true, pushed = false;
	unsigned t;
	size_t i;

	if (n->kind == JN_TRUE)
		return true;
	if (n->kind == JN_FALSE) {
		error(c, NULL, "%s", false_message(c, inst));
		return false;
	}
	if (++c->depth > c->v->o.max_depth) {
		error(c, NULL, "schema evaluation nested deeper than %zu "
		    "levels", c->v->o.max_depth);
		c->depth--;
		return false;
	}
	if (c->nscope == 0 || c->scope[c->nscope - 1] != n->res) {
		if (c->nscope == c->scap) {
			c->scap = c->scap < 16 ? 16 : c->scap * 2;
			c->scope = xreallocarray(c->scope, c->scap,
			    sizeof(*c->scope));
		}
		c->scope[c->nscope++] = n->res;
		pushed = true;
	}
	if (n->unev)
		mine = ev_new(c, inst);
	t = type_of(inst);

	if (n->ref != NULL && !follow(c, n->ref, inst, mine, "$ref"))
		FAIL();
	if (n->dynref != NULL &&
	    !follow(c, dynamic_target(c, n), inst, mine, "$dynamicRef"))
		FAIL();
	if ((n->has & H_TYPE) && !(n->types & t)) {
		error(c, "type", "%s is not of type %s", show(c, inst),
		    show_schema_value(c, json_object_object_get(n->src,
		    "type")));
		FAIL();
	}
	if ((n->has & H_CONST) && !jsv_equal(inst, n->cnst)) {
		error(c, "const", "%s is not %s", show(c, inst),
		    show_schema_value(c, n->cnst));
		FAIL();
	}
	if (n->has & H_ENUM) {
		for (i = 0; i < n->nenum; i++)
			if (jsv_equal(inst, n->enums[i]))
				break;
		if (i == n->nenum) {
			error(c, "enum", "%s is not one of %s", show(c, inst),
			    show_schema_value(c, json_object_object_get(n->src,
			    "enum")));
			FAIL();
		}
	}
	if ((t & T_NUMBER) && (n->has & H_NUMERIC) &&
	    !check_number(c, n, inst, full))
		FAIL();
	if (t == T_STRING && (n->has & H_STRING) &&
	    !check_string(c, n, inst, full))
		FAIL();
	if (t == T_ARRAY && !check_array(c, n, inst, mine, full))
		FAIL();
	if (t == T_OBJECT && !check_object(c, n, inst, mine, full))
		FAIL();
	if (!check_inplace(c, n, inst, mine, full))
		FAIL();
	if (n->unev && !check_unevaluated(c, n, inst, mine, full))
		FAIL();
	if (ok && n->unev && ev != NULL)
		ev_or(ev, mine);
out:
	if (pushed)
		c->nscope--;
	c->depth--;
	return ok;
}

/* ---- the public side ---- */

struct jsv_ctx *
jsv_ctx_new(const struct jsv *v)
{
	struct jsv_ctx *c = xcalloc(1, sizeof(*c));

	c->v = v;
	if ((c->md = pcre2_match_data_create(1, NULL)) == NULL)
		err_die("out of memory");
	return c;
}

void
jsv_ctx_free(struct jsv_ctx *c)
{
	if (c == NULL)
		return;
	pcre2_match_data_free(c->md);
	arena_release(&c->ar);
	free(c->errs);
	free(c->kp.a);
	free(c->ip.a);
	free(c->scope);
	free(c->rs);
	buf_release(&c->tmp);
	free(c);
}

static void
reset(struct jsv_ctx *c)
{
	arena_reset(&c->ar);
	c->nerr = c->total = 0;
	c->kp.n = c->ip.n = 0;
	c->nscope = c->nrs = c->depth = 0;
	c->quiet = c->why = 0;
}

bool
jsv_valid(struct jsv_ctx *c, json_object *inst)
{
	reset(c);
	c->explain = false;
	return validate(c, c->v->root, inst, NULL);
}

size_t
jsv_explain_node(struct jsv_ctx *c, const struct jnode *n,
    json_object *inst, size_t max)
{
	bool ok;

	reset(c);
	c->explain = true;
	c->max = max > 0 ? max : 1;
	ok = validate(c, n, inst, NULL);
	c->explain = false;
	if (!ok && c->total == 0) {
		/* cannot happen; never call a failure valid */
		c->explain = true;
		error(c, NULL, "the value does not match the schema");
		c->explain = false;
	}
	return ok ? 0 : c->nerr;
}

size_t
jsv_explain(struct jsv_ctx *c, json_object *inst, size_t max)
{
	return jsv_explain_node(c, c->v->root, inst, max);
}

const struct jsv_error *
jsv_error(const struct jsv_ctx *c, size_t i)
{
	return i < c->nerr ? &c->errs[i] : NULL;
}

size_t
jsv_nerrors_total(const struct jsv_ctx *c)
{
	return c->total;
}
