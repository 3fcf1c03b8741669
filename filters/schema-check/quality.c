/*
 * quality.c - loading the quality rules and measuring a text against them.
 *
 * The measuring pass is built for source files of a few KiB to a MiB:
 * ASCII bytes go through one table lookup each (alphanumeric, line break,
 * NUL); other characters are decoded and looked up in the Unicode table of
 * ualnum.c.  Encoded runs are a second, cheaper pass that only looks
 * closely at '0' and '\\'.  Definitions (so that a Python script computes
 * the same figures; see bench/quality_rules.py):
 *
 *   lines      str.splitlines(): breaks are \n, \r, \r\n, \v, \f,
 *              \x1c-\x1e, U+0085, U+2028, U+2029; a last line counts if
 *              it is not empty
 *   lengths    in characters (code points), breaks excluded
 *   alnum      str.isalnum() characters / all characters
 *   encoded    characters in matches of [A-Za-z0-9+/=\n]{64,},
 *              (?:(?:0[xX]|\\x)[0-9A-Fa-f]{2}[, \t\r\n]*){8,} and
 *              (?:\\u[0-9A-Fa-f]{4}){8,} (their union) / all characters
 *   header     the first header_lines lines; markers match ignoring ASCII
 *              case
 *   PII        the findings of the pii-scrub engine (common/pii.h) with
 *              the default catalogue (or pii_rules), of the rule's kinds
 */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <json-c/json.h>

#include "hex.h"
#include "jscan.h"
#include "quality.h"

static const char *const check_names[Q_NCHECKS] = {
	"max_bytes", "min_bytes", "max_line_length", "mean_line_length",
	"min_alnum_fraction", "max_encoded_fraction", "generated_markers",
	"max_replacement_chars", "max_nul_chars", "max_pii"
};

const char *
qcheck_name(enum qcheck c)
{
	return check_names[c];
}

/* ---- loading ---- */

static bool
bad(struct buf *err, const char *name, const char *id, const char *fmt, ...)
    ERR_PRINTF(4, 5);

static bool
bad(struct buf *err, const char *name, const char *id, const char *fmt, ...)
{
	va_list ap;

	buf_reset(err);
	if (id != NULL)
		buf_addf(err, "%s: rule '%s': ", name, id);
	else
		buf_addf(err, "%s: ", name);
	va_start(ap, fmt);
	buf_vaddf(err, fmt, ap);
	va_end(ap);
	return false;
}

static void
free_strings(char **a, size_t n)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < n; i++)
		free(a[i]);
	free(a);
}

static bool
get_strings(json_object *v, char ***out, size_t *n, bool lower)
{
	size_t i, k;
	json_object *e;
	char *s;

	if (!json_object_is_type(v, json_type_array))
		return false;
	k = json_object_array_length(v);
	*out = xcalloc(k + 1, sizeof(**out));
	for (i = 0; i < k; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string) ||
		    json_object_get_string_len(e) == 0)
			return false;
		s = xstrdup(json_object_get_string(e));
		if (lower)
			for (char *p = s; *p != '\0'; p++)
				*p = (char)tolower((unsigned char)*p);
		(*out)[i] = s;
		*n = i + 1;
	}
	return true;
}

static bool
get_count(json_object *v, uint64_t *out)
{
	double d;

	if (json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) >= 0) {
		*out = (uint64_t)json_object_get_int64(v);
		return true;
	}
	if (json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
		if (d >= 0 && d < 1e18 && floor(d) == d) {
			*out = (uint64_t)d;
			return true;
		}
	}
	return false;
}

static bool
valid_id(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static bool
parse_rule(json_object *o, struct qrule *r, const char *name,
    struct buf *err)
{
	json_object *v;
	const char *id = "?";
	size_t c;
	bool have_check = false, have_thr = false;

	if (!json_object_is_type(o, json_type_object))
		return bad(err, name, NULL, "each rule must be an object");
	if (json_object_object_get_ex(o, "id", &v) &&
	    json_object_is_type(v, json_type_string))
		id = json_object_get_string(v);
	else
		return bad(err, name, NULL, "a rule has no string 'id'");
	if (!valid_id(id))
		return bad(err, name, id, "ids are lower case letters, digits "
		    "and '-', '_', '.'");
	r->id = xstrdup(id);
	r->header_lines = 5;
	r->max_run = UINT64_MAX;
	r->pii_kinds = PII_ALL_KINDS;
	r->enabled = true;
	json_object_object_foreach(o, k, val) {
		if (strcmp(k, "id") == 0)
			continue;
		if (strcmp(k, "check") == 0) {
			if (!json_object_is_type(val, json_type_string))
				return bad(err, name, id, "'check' must be a "
				    "string");
			for (c = 0; c < Q_NCHECKS; c++)
				if (strcmp(json_object_get_string(val),
				    check_names[c]) == 0)
					break;
			if (c == Q_NCHECKS)
				return bad(err, name, id, "unknown check '%s'",
				    json_object_get_string(val));
			r->check = (enum qcheck)c;
			have_check = true;
		} else if (strcmp(k, "threshold") == 0) {
			if (!json_object_is_type(val, json_type_int) &&
			    !json_object_is_type(val, json_type_double))
				return bad(err, name, id, "'threshold' must be "
				    "a number");
			r->threshold = json_object_get_double(val);
			if (!isfinite(r->threshold) || r->threshold < 0)
				return bad(err, name, id, "'threshold' must be "
				    "a number >= 0");
			have_thr = true;
		} else if (strcmp(k, "description") == 0) {
			if (!json_object_is_type(val, json_type_string))
				return bad(err, name, id, "'description' must "
				    "be a string");
			r->description = xstrdup(json_object_get_string(val));
		} else if (strcmp(k, "languages") == 0) {
			if (!get_strings(val, &r->langs, &r->nlangs, false))
				return bad(err, name, id, "'languages' must be "
				    "an array of language names");
		} else if (strcmp(k, "skip_languages") == 0) {
			if (!get_strings(val, &r->skip, &r->nskip, false))
				return bad(err, name, id, "'skip_languages' "
				    "must be an array of language names");
		} else if (strcmp(k, "max_run") == 0) {
			if (!get_count(val, &r->max_run))
				return bad(err, name, id, "'max_run' must be a "
				    "whole number");
		} else if (strcmp(k, "markers") == 0) {
			if (!get_strings(val, &r->markers, &r->nmarkers, true))
				return bad(err, name, id, "'markers' must be "
				    "an array of non-empty strings");
		} else if (strcmp(k, "kinds") == 0) {
			char **kinds = NULL;
			size_t nk = 0, i;
			int kind;

			if (!get_strings(val, &kinds, &nk, false)) {
				free_strings(kinds, nk);
				return bad(err, name, id, "'kinds' must be an "
				    "array of PII kinds");
			}
			r->pii_kinds = 0;
			for (i = 0; i < nk; i++) {
				kind = pii_kind_parse(kinds[i],
				    strlen(kinds[i]));
				if (kind < 0) {
					bad(err, name, id, "unknown PII kind "
					    "'%s'", kinds[i]);
					free_strings(kinds, nk);
					return false;
				}
				r->pii_kinds |= 1u << kind;
			}
			free_strings(kinds, nk);
			if (r->pii_kinds == 0)
				return bad(err, name, id, "'kinds' is empty");
		} else if (strcmp(k, "private_ips") == 0) {
			if (!json_object_is_type(val, json_type_boolean))
				return bad(err, name, id, "'private_ips' must "
				    "be true or false");
			r->private_ips = json_object_get_boolean(val);
		} else if (strcmp(k, "pii_rules") == 0) {
			if (!json_object_is_type(val, json_type_string))
				return bad(err, name, id, "'pii_rules' must be "
				    "a file name");
			r->pii_rules = xstrdup(json_object_get_string(val));
		} else if (strcmp(k, "header_lines") == 0) {
			if (!get_count(val, &r->header_lines) ||
			    r->header_lines == 0)
				return bad(err, name, id, "'header_lines' must "
				    "be a whole number > 0");
		} else
			return bad(err, name, id, "unknown key '%s'", k);
	}
	if (!have_check)
		return bad(err, name, id, "no 'check'");
	if (!have_thr)
		return bad(err, name, id, "no 'threshold'");
	if ((r->check == Q_MIN_ALNUM || r->check == Q_MAX_ENCODED) &&
	    r->threshold > 1)
		return bad(err, name, id, "'threshold' is a fraction, between "
		    "0 and 1");
	if (r->check == Q_GENERATED && r->nmarkers == 0)
		return bad(err, name, id, "'generated_markers' needs a list of "
		    "'markers'");
	if (r->check != Q_GENERATED && (r->nmarkers > 0))
		return bad(err, name, id, "'markers' only applies to "
		    "'generated_markers'");
	if (r->check != Q_MAX_ENCODED && r->max_run != UINT64_MAX)
		return bad(err, name, id, "'max_run' only applies to "
		    "'max_encoded_fraction'");
	if (r->check != Q_MAX_PII && (r->pii_rules != NULL ||
	    r->private_ips || r->pii_kinds != PII_ALL_KINDS))
		return bad(err, name, id, "'kinds', 'private_ips' and "
		    "'pii_rules' only apply to 'max_pii'");
	if (r->nlangs > 0 && r->nskip > 0)
		return bad(err, name, id, "give 'languages' or "
		    "'skip_languages', not both");
	return true;
}

void
qrules_free(struct qrules *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++) {
		free(q->r[i].id);
		free(q->r[i].description);
		free_strings(q->r[i].langs, q->r[i].nlangs);
		free_strings(q->r[i].skip, q->r[i].nskip);
		free_strings(q->r[i].markers, q->r[i].nmarkers);
		free(q->r[i].pii_rules);
		pii_rules_free(q->r[i].pii);
	}
	free(q->r);
	free(q->name);
	free(q);
}

struct qrules *
qrules_parse(const char *text, size_t n, const char *name, struct buf *err)
{
	struct jscan_error e;
	struct json_tokener *tok;
	json_object *root = NULL, *rules = NULL;
	struct qrules *q = xcalloc(1, sizeof(*q));
	size_t i, k, line = 1, col = 1;
	bool ok = false;

	q->name = xstrdup(name);
	if (jscan_value(text, n, NULL, &e) != JSCAN_OK) {
		for (i = 0; i < e.pos; i++)
			if (text[i] == '\n') {
				line++;
				col = 1;
			} else
				col++;
		bad(err, name, NULL, "%zu:%zu: %s", line, col, e.what);
		buf_reset(err);
		buf_addf(err, "%s:%zu:%zu: %s", name, line, col, e.what);
		goto out;
	}
	if ((tok = json_tokener_new_ex(64)) == NULL)
		err_die("out of memory");
	root = json_tokener_parse_ex(tok, text, (int)n);
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_object)) {
		bad(err, name, NULL, "the rules file must be a JSON object "
		    "with a 'rules' array");
		goto out;
	}
	json_object_object_foreach(root, key, val) {
		if (strcmp(key, "rules") == 0)
			rules = val;
		else if (key[0] != '$' && strcmp(key, "description") != 0) {
			bad(err, name, NULL, "unknown key '%s'", key);
			goto out;
		}
	}
	if (!json_object_is_type(rules, json_type_array)) {
		bad(err, name, NULL, "no 'rules' array");
		goto out;
	}
	q->n = json_object_array_length(rules);
	q->r = xcalloc(q->n + 1, sizeof(*q->r));
	for (i = 0; i < q->n; i++) {
		if (!parse_rule(json_object_array_get_idx(rules, i), &q->r[i],
		    name, err))
			goto out;
		for (k = 0; k < i; k++)
			if (strcmp(q->r[k].id, q->r[i].id) == 0) {
				bad(err, name, q->r[i].id, "the id is used "
				    "twice");
				goto out;
			}
	}
	ok = true;
out:
	json_object_put(root);
	if (!ok) {
		qrules_free(q);
		return NULL;
	}
	return q;
}

struct qrules *
qrules_load(const char *path, struct buf *err)
{
	struct buf text = BUF_INIT;
	struct qrules *q;
	char chunk[65536];
	size_t got;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		buf_reset(err);
		buf_addf(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	    text.len < ((size_t)16 << 20))
		buf_add(&text, chunk, got);
	if (ferror(f) || text.len >= ((size_t)16 << 20)) {
		buf_reset(err);
		buf_addf(err, "%s: %s", path, ferror(f) ? strerror(errno) :
		    "rules file too large");
		fclose(f);
		buf_release(&text);
		return NULL;
	}
	fclose(f);
	if (text.data == NULL)
		buf_adds(&text, "");
	q = qrules_parse(text.data, text.len, path, err);
	buf_release(&text);
	return q;
}

static bool
in_list(const char *list, const char *id)
{
	size_t n = strlen(id);
	const char *p = list, *e;

	while (*p != '\0') {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == n && memcmp(p, id, n) == 0)
			return true;
		p = *e == ',' ? e + 1 : e;
	}
	return false;
}

/* Every id of list names a rule. */
static bool
check_list(const struct qrules *q, const char *list, const char *opt,
    struct buf *err)
{
	const char *p = list, *e;
	size_t i;

	while (*p != '\0') {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		for (i = 0; i < q->n; i++)
			if (strlen(q->r[i].id) == (size_t)(e - p) &&
			    memcmp(q->r[i].id, p, (size_t)(e - p)) == 0)
				break;
		if (i == q->n || e == p) {
			buf_reset(err);
			buf_addf(err, "%s: no rule '%.*s' in %s", opt,
			    (int)(e - p), p, q->name);
			return false;
		}
		p = *e == ',' ? e + 1 : e;
	}
	return true;
}

bool
qrules_select(struct qrules *q, const char *only, const char *skip,
    struct buf *err)
{
	size_t i;

	if ((only != NULL && !check_list(q, only, "--only", err)) ||
	    (skip != NULL && !check_list(q, skip, "--skip", err)))
		return false;
	for (i = 0; i < q->n; i++) {
		struct qrule *r = &q->r[i];
		struct pii_config cfg = PII_CONFIG_INIT;
		struct buf e = BUF_INIT;

		r->enabled = (only == NULL || in_list(only, r->id)) &&
		    (skip == NULL || !in_list(skip, r->id));
		if (!r->enabled || r->check != Q_MAX_PII || r->pii != NULL)
			continue;
		cfg.rules_file = r->pii_rules;
		cfg.kinds = r->pii_kinds;
		cfg.private_ips = r->private_ips;
		if ((r->pii = pii_rules_load(&cfg, &e)) == NULL) {
			buf_reset(err);
			buf_addf(err, "%s: rule '%s': %s", q->name, r->id,
			    e.data);
			buf_release(&e);
			return false;
		}
	}
	return true;
}

struct qctx {
	struct pii_match	**m;	/* per rule, for the PII rules */
	size_t			  n;
};

struct qctx *
qctx_new(const struct qrules *q)
{
	struct qctx *c = xcalloc(1, sizeof(*c));
	size_t i;

	c->n = q->n;
	c->m = xcalloc(q->n + 1, sizeof(*c->m));
	for (i = 0; i < q->n; i++)
		if (q->r[i].enabled && q->r[i].pii != NULL)
			c->m[i] = pii_match_new(q->r[i].pii);
	return c;
}

void
qctx_free(struct qctx *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		pii_match_free(c->m[i]);
	free(c->m);
	free(c);
}

/* ---- measuring ---- */

enum { C_ALNUM = 1, C_BREAK = 2, C_NUL = 4, C_CR = 8 };

static const unsigned char *
ascii_class(void)
{
	static unsigned char t[128];
	static bool init;
	int c;

	if (init)
		return t;
	for (c = 0; c < 128; c++) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			t[c] = C_ALNUM;
		if (c == '\n' || c == '\v' || c == '\f' || c == 0x1c ||
		    c == 0x1d || c == 0x1e)
			t[c] = C_BREAK;
		if (c == '\r')
			t[c] = C_BREAK | C_CR;
		if (c == 0)
			t[c] = C_NUL;
	}
	init = true;
	return t;
}

static bool
alnum_cp(uint32_t cp)
{
	size_t lo = 0, hi = qual_alnum_nranges, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (cp < qual_alnum_ranges[mid][0])
			hi = mid;
		else if (cp > qual_alnum_ranges[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* Decode the (valid) UTF-8 sequence at p; *len gets its length. */
static uint32_t
decode(const unsigned char *p, size_t n, size_t *len)
{
	if (p[0] < 0xE0 && n >= 2) {
		*len = 2;
		return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
	}
	if (p[0] < 0xF0 && n >= 3) {
		*len = 3;
		return (uint32_t)(p[0] & 0x0F) << 12 |
		    (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
	}
	if (n >= 4) {
		*len = 4;
		return (uint32_t)(p[0] & 0x07) << 18 |
		    (uint32_t)(p[1] & 0x3F) << 12 |
		    (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
	}
	*len = 1;	/* truncated: count the byte as one character */
	return 0xFFFD;
}

#if defined(__SSE2__)
/* Bytes of v within [lo, hi], as a mask. */
static inline __m128i
in_range(__m128i v, char lo, char hi)
{
	__m128i d = _mm_sub_epi8(v, _mm_set1_epi8(lo));

	return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8((char)(hi - lo))),
	    d);
}

/* Set bits of a 16-bit mask (no popcnt instruction in baseline x86-64). */
static inline unsigned
popcount16(unsigned v)
{
	v = v - ((v >> 1) & 0x5555u);
	v = (v & 0x3333u) + ((v >> 2) & 0x3333u);
	v = (v + (v >> 4)) & 0x0F0Fu;
	return (v + (v >> 8)) & 0x1Fu;
}

/* ASCII letters and digits of v, as a mask. */
static inline __m128i
alnum16(__m128i v)
{
	return _mm_or_si128(in_range(v, '0', '9'),
	    in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z'));
}
#endif

static inline void
end_line(struct qstats *st, uint64_t *cur)
{
	st->lines++;
	st->line_sum += *cur;
	if (*cur > st->line_max)
		st->line_max = *cur;
	*cur = 0;
}

static void
measure(const char *text, size_t n, struct qstats *st)
{
	const unsigned char *p = (const unsigned char *)text;
	const unsigned char *cls = ascii_class();
	uint64_t cur = 0, alnum = 0, nul = 0, ascii = 0;
	size_t i = 0, len;
	uint32_t cp;
	unsigned char c, f;

	while (i < n) {
#if defined(__SSE2__)
		/*
		 * 16 ASCII bytes whose only controls are \n and \t (nearly
		 * every block of source code) at once.
		 */
		if (i + 16 <= n) {
			__m128i v = _mm_loadu_si128((const __m128i *)(p + i));
			unsigned nl = (unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
			unsigned tab = (unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
			unsigned ctl = (unsigned)_mm_movemask_epi8(
			    _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
			unsigned prev = 0, pos;

			if ((ctl & ~(nl | tab)) == 0) {
				alnum += popcount16((unsigned)_mm_movemask_epi8(
				    alnum16(v)));
				ascii += 16;
				while (nl != 0) {
					pos = (unsigned)__builtin_ctz(nl);
					cur += pos - prev;
					end_line(st, &cur);
					prev = pos + 1;
					nl &= nl - 1;
				}
				cur += 16 - prev;
				i += 16;
				continue;
			}
		}
#endif
		c = p[i];
		if (c < 0x80) {
			f = cls[c];
			if (f <= C_ALNUM) {
				/* the common case: an ordinary character */
				alnum += f;
				cur++;
				ascii++;
				i++;
				continue;
			}
			ascii++;
			if (f & C_BREAK) {
				if ((f & C_CR) && i + 1 < n &&
				    p[i + 1] == '\n') {
					ascii++;
					end_line(st, &cur);
					i += 2;
					continue;
				}
				end_line(st, &cur);
			} else {	/* NUL */
				nul++;
				cur++;
			}
			i++;
			continue;
		}
		cp = decode(p + i, n - i, &len);
		st->chars++;
		if (cp == 0x85 || cp == 0x2028 || cp == 0x2029)
			end_line(st, &cur);
		else {
			cur++;
			if (cp == 0xFFFD)
				st->replacement++;
			else if (alnum_cp(cp))
				alnum++;
		}
		i += len;
	}
	if (cur > 0)
		end_line(st, &cur);
	st->bytes = n;
	st->chars += ascii;
	st->alnum = alnum;
	st->nul = nul;
}

struct span {
	size_t	a, b;
};

struct spans {
	struct span	*s;
	size_t		 n, cap;
	struct span	 local[16];
};

static void
add_span(struct spans *sp, size_t a, size_t b)
{
	if (sp->n == sp->cap) {
		size_t cap = sp->cap * 2;

		if (sp->s == sp->local) {
			sp->s = xreallocarray(NULL, cap, sizeof(*sp->s));
			memcpy(sp->s, sp->local, sizeof(sp->local));
		} else
			sp->s = xreallocarray(sp->s, cap, sizeof(*sp->s));
		sp->cap = cap;
	}
	sp->s[sp->n].a = a;
	sp->s[sp->n].b = b;
	sp->n++;
}

/* End of a hex-bytes match starting at i, or 0. */
static size_t
hex_match(const unsigned char *s, size_t n, size_t i)
{
	size_t groups = 0, j = i, k;

	for (;;) {
		if (j + 1 < n && ((s[j] == '0' && (s[j + 1] == 'x' ||
		    s[j + 1] == 'X')) || (s[j] == '\\' && s[j + 1] == 'x')))
			k = j + 2;
		else
			break;
		if (k + 2 > n || !hex_is_digit(s[k]) || !hex_is_digit(s[k + 1]))
			break;
		k += 2;
		while (k < n && (s[k] == ',' || s[k] == ' ' || s[k] == '\t' ||
		    s[k] == '\r' || s[k] == '\n'))
			k++;
		groups++;
		j = k;
	}
	return groups >= 8 ? j : 0;
}

/* End of a \uXXXX run (8 or more) starting at i, or 0. */
static size_t
uesc_match(const unsigned char *s, size_t n, size_t i)
{
	size_t groups = 0, j = i;

	while (j + 6 <= n && s[j] == '\\' && s[j + 1] == 'u' &&
	    hex_is_digit(s[j + 2]) && hex_is_digit(s[j + 3]) && hex_is_digit(s[j + 4]) &&
	    hex_is_digit(s[j + 5])) {
		groups++;
		j += 6;
	}
	return groups >= 8 ? j : 0;
}

/* Characters in encoded runs (their union) and the longest run. */
static void
encoded(const char *text, size_t n, struct qstats *st)
{
	static unsigned char b64[256];
	static bool init;
	const unsigned char *s = (const unsigned char *)text;
	struct spans b = { NULL, 0, 16, { { 0, 0 } } };
	struct spans h = { NULL, 0, 16, { { 0, 0 } } };
	const unsigned char *q;
	size_t i, run = 0, e, x, y, cur_a, cur_b, total = 0, maxrun = 0;
	size_t n0, nb;
	int c;

	if (!init) {
		for (c = 0; c < 256; c++)
			b64[c] = (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '+' || c == '/' || c == '=' || c == '\n';
		init = true;
	}
	b.s = b.local;
	h.s = h.local;
	i = 0;
#if defined(__SSE2__)
	/*
	 * 64 bytes at a time: a mask of the bytes that break a run.  Runs
	 * inside a block are shorter than 64; only the one reaching into the
	 * block from before and the one leaving it matter.
	 */
	for (; i + 64 <= n; i += 64) {
		uint64_t m = 0;
		unsigned k, brk;

		for (k = 0; k < 4; k++) {
			__m128i v = _mm_loadu_si128((const __m128i *)(s + i +
			    16 * k));
			__m128i in = _mm_or_si128(alnum16(v), _mm_or_si128(
			    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')),
			    _mm_cmpeq_epi8(v, _mm_set1_epi8('/'))),
			    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('=')),
			    _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')))));

			brk = ~(unsigned)_mm_movemask_epi8(in) & 0xFFFFu;
			m |= (uint64_t)brk << (16 * k);
		}
		if (m == 0) {
			run += 64;
			continue;
		}
		run += (size_t)__builtin_ctzll(m);
		if (run >= 64)
			add_span(&b, i + (size_t)__builtin_ctzll(m) - run,
			    i + (size_t)__builtin_ctzll(m));
		run = (size_t)__builtin_clzll(m);
	}
#endif
	for (; i < n; i++) {
		if (b64[s[i]]) {
			run++;
			continue;
		}
		if (run >= 64)
			add_span(&b, i - run, i);
		run = 0;
	}
	if (run >= 64)
		add_span(&b, n - run, n);
	/* the next '0' and '\\', searched again only once passed */
	n0 = nb = 0;
	for (i = 0; i < n;) {
		if (n0 < i || (n0 == 0 && i == 0)) {
			q = memchr(s + i, '0', n - i);
			n0 = q != NULL ? (size_t)(q - s) : n;
		}
		if (nb < i || (nb == 0 && i == 0)) {
			q = memchr(s + i, '\\', n - i);
			nb = q != NULL ? (size_t)(q - s) : n;
		}
		i = n0 < nb ? n0 : nb;
		if (i >= n)
			break;
		if ((e = hex_match(s, n, i)) != 0 ||
		    (e = uesc_match(s, n, i)) != 0) {
			add_span(&h, i, e);
			i = e;
		} else
			i++;
	}
	/* the union of two sorted lists of disjoint spans */
	x = y = 0;
	while (x < b.n || y < h.n) {
		const struct span *sp;

		if (y >= h.n || (x < b.n && b.s[x].a <= h.s[y].a))
			sp = &b.s[x++];
		else
			sp = &h.s[y++];
		if (sp->b - sp->a > maxrun)
			maxrun = sp->b - sp->a;
		cur_a = sp->a;
		cur_b = sp->b;
		for (;;) {
			if (x < b.n && b.s[x].a < cur_b) {
				if (b.s[x].b - b.s[x].a > maxrun)
					maxrun = b.s[x].b - b.s[x].a;
				if (b.s[x].b > cur_b)
					cur_b = b.s[x].b;
				x++;
			} else if (y < h.n && h.s[y].a < cur_b) {
				if (h.s[y].b - h.s[y].a > maxrun)
					maxrun = h.s[y].b - h.s[y].a;
				if (h.s[y].b > cur_b)
					cur_b = h.s[y].b;
				y++;
			} else
				break;
		}
		total += cur_b - cur_a;
	}
	if (b.s != b.local)
		free(b.s);
	if (h.s != h.local)
		free(h.s);
	st->encoded = total;
	st->encoded_max = maxrun;
}

/* Bytes of the first k lines of text, as str.splitlines() breaks them. */
static size_t
first_lines(const char *text, size_t n, uint64_t k)
{
	const unsigned char *p = (const unsigned char *)text;
	uint64_t lines = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = p[i];
		size_t brk = 0;

		if (c == '\n' || c == '\v' || c == '\f' || c == 0x1c ||
		    c == 0x1d || c == 0x1e)
			brk = 1;
		else if (c == '\r')
			brk = i + 1 < n && p[i + 1] == '\n' ? 2 : 1;
		else if (c == 0xC2 && i + 1 < n && p[i + 1] == 0x85)
			brk = 2;
		else if (c == 0xE2 && i + 2 < n && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xA8 || p[i + 2] == 0xA9))
			brk = 3;
		if (brk == 0)
			continue;
		if (++lines == k)
			return i;
		i += brk - 1;
	}
	return n;
}

/* Markers of r found in text[0..n), ignoring ASCII case. */
static uint64_t
markers(const struct qrule *r, const char *text, size_t n)
{
	uint64_t found = 0;
	size_t k, i, m, len;
	const char *mk;

	for (k = 0; k < r->nmarkers; k++) {
		mk = r->markers[k];
		len = strlen(mk);
		for (i = 0; i + len <= n; i++) {
			if (tolower((unsigned char)text[i]) != mk[0])
				continue;
			for (m = 1; m < len; m++)
				if (tolower((unsigned char)text[i + m]) !=
				    mk[m])
					break;
			if (m == len) {
				found++;
				break;
			}
		}
	}
	return found;
}

static bool
in_scope(const struct qrule *r, const char *lang, size_t n)
{
	size_t i;

	for (i = 0; i < r->nskip; i++)
		if (strlen(r->skip[i]) == n && memcmp(r->skip[i], lang, n) == 0)
			return false;
	if (r->nlangs == 0)
		return true;
	for (i = 0; i < r->nlangs; i++)
		if (strlen(r->langs[i]) == n &&
		    memcmp(r->langs[i], lang, n) == 0)
			return true;
	return false;
}

size_t
qrules_check(const struct qrules *q, struct qctx *c, const char *text,
    size_t n, const char *lang, size_t langlen, struct qresult *res,
    struct qstats *st)
{
	struct qstats local;
	const struct qrule *r;
	bool need_measure = false, need_encoded = false;
	size_t i, failed = 0;
	double v;

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	for (i = 0; i < q->n; i++) {
		r = &q->r[i];
		memset(&res[i], 0, sizeof(res[i]));
		res[i].applied = r->enabled && in_scope(r, lang, langlen);
		if (!res[i].applied)
			continue;
		if (r->check == Q_MAX_ENCODED)
			need_encoded = true;
		if (r->check != Q_MAX_BYTES && r->check != Q_MIN_BYTES &&
		    r->check != Q_GENERATED && r->check != Q_MAX_PII)
			need_measure = true;
		if (r->check == Q_MAX_PII && (c == NULL || c->m[i] == NULL))
			err_bug("PII rule '%s' without its scanner", r->id);
	}
	st->bytes = n;
	if (need_measure)
		measure(text, n, st);
	if (need_encoded)
		encoded(text, n, st);
	for (i = 0; i < q->n; i++) {
		r = &q->r[i];
		if (!res[i].applied)
			continue;
		switch (r->check) {
		case Q_MAX_BYTES:
			v = (double)st->bytes;
			res[i].failed = v > r->threshold;
			break;
		case Q_MIN_BYTES:
			v = (double)st->bytes;
			res[i].failed = v < r->threshold;
			break;
		case Q_MAX_LINE:
			v = (double)st->line_max;
			res[i].failed = v > r->threshold;
			break;
		case Q_MEAN_LINE:
			v = st->lines > 0 ? (double)st->line_sum /
			    (double)st->lines : 0;
			res[i].failed = v > r->threshold;
			break;
		case Q_MIN_ALNUM:
			v = st->chars > 0 ? (double)st->alnum /
			    (double)st->chars : 0;
			res[i].failed = v < r->threshold;
			break;
		case Q_MAX_ENCODED:
			v = st->chars > 0 ? (double)st->encoded /
			    (double)st->chars : 0;
			res[i].failed = v > r->threshold ||
			    st->encoded_max > r->max_run;
			break;
		case Q_GENERATED:
			st->header_end = first_lines(text, n, r->header_lines);
			st->markers = markers(r, text, st->header_end);
			v = (double)st->markers;
			res[i].failed = v > r->threshold;
			break;
		case Q_MAX_REPLACEMENT:
			v = (double)st->replacement;
			res[i].failed = v > r->threshold;
			break;
		case Q_MAX_NUL:
			v = (double)st->nul;
			res[i].failed = v > r->threshold;
			break;
		case Q_MAX_PII: {
			const struct pii_finding *f;
			size_t k, nf = pii_scan(c->m[i], text, n, &f);

			for (k = 0; k < nf; k++)
				res[i].pii[f[k].kind]++;
			v = (double)nf;
			res[i].failed = v > r->threshold;
			break;
		}
		default:
			v = 0;
			break;
		}
		res[i].value = v;
		failed += res[i].failed;
	}
	return failed;
}

void
qrule_explain(const struct qrule *r, const struct qresult *res,
    struct buf *b)
{
	double t = r->threshold;

	switch (r->check) {
	case Q_MAX_BYTES:
		buf_addf(b, "%.0f bytes > %.0f", res->value, t);
		break;
	case Q_MIN_BYTES:
		buf_addf(b, "%.0f bytes < %.0f", res->value, t);
		break;
	case Q_MAX_LINE:
		buf_addf(b, "longest line %.0f > %.0f", res->value, t);
		break;
	case Q_MEAN_LINE:
		buf_addf(b, "mean line length %.1f > %g", res->value, t);
		break;
	case Q_MIN_ALNUM:
		buf_addf(b, "alphanumeric share %.3f < %g", res->value, t);
		break;
	case Q_MAX_ENCODED:
		if (res->value > t)
			buf_addf(b, "encoded share %.3f > %g", res->value, t);
		else
			buf_addf(b, "an encoded run longer than %llu",
			    (unsigned long long)r->max_run);
		break;
	case Q_GENERATED:
		buf_addf(b, "%.0f generated-file marker%s in the first %llu "
		    "lines", res->value, res->value == 1 ? "" : "s",
		    (unsigned long long)r->header_lines);
		break;
	case Q_MAX_REPLACEMENT:
		buf_addf(b, "%.0f U+FFFD replacement character%s > %.0f",
		    res->value, res->value == 1 ? "" : "s", t);
		break;
	case Q_MAX_NUL:
		buf_addf(b, "%.0f NUL character%s > %.0f", res->value,
		    res->value == 1 ? "" : "s", t);
		break;
	case Q_MAX_PII: {
		size_t k;
		bool first = true;

		buf_addf(b, "%.0f PII finding%s > %.0f (", res->value,
		    res->value == 1 ? "" : "s", t);
		for (k = 0; k < PII_NKINDS; k++)
			if (res->pii[k] > 0) {
				buf_addf(b, "%s%s %u", first ? "" : ", ",
				    pii_kind_name((enum pii_kind)k),
				    (unsigned)res->pii[k]);
				first = false;
			}
		buf_addc(b, ')');
		break;
	}
	default:
		break;
	}
}
