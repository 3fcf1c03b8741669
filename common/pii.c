/*
 * pii.c - the PII rule engine: loading and compiling the catalogue, and
 * scanning text with it (see pii.h for the contract).
 *
 * Built for scanning gigabytes of source code at disk speed: the keyword
 * prefilter (acscan.c) touches every byte once; a rule's regex runs only in
 * windows around its keywords' occurrences (the keyword's line, bounded by
 * the rule's window), so the cost of the regexes follows the number of
 * keyword hits, not the size of the text.  Windows of one rule are merged,
 * so no byte is searched twice by a rule, and every regex has bounded
 * quantifiers: linear time on any input.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <json-c/json.h>
#include <openssl/evp.h>
#include <pcre2.h>

#include "acscan.h"
#include "data.h"
#include "mem.h"
#include "pii.h"
#include "pii_int.h"

#define MAX_GROUPS_NAMED	8
#define WINDOW_MAX		(1u << 20)
#define DEFAULT_BEFORE		64
#define DEFAULT_AFTER		512

static const char *const kind_names[PII_NKINDS] = {
	"email", "ip_address", "key", "private_key", "password", "phone"
};
static const char *const kind_tags[PII_NKINDS] = {
	"<EMAIL>", "<IP_ADDRESS>", "<KEY>", "<PRIVATE_KEY>", "<PASSWORD>",
	"<PHONE>"
};
/* default priority by kind: where two findings overlap, higher wins */
static const int kind_priority[PII_NKINDS] = { 40, 20, 60, 100, 50, 10 };

enum { REQ_LETTER = 1, REQ_DIGIT = 2, REQ_UPPER = 4, REQ_LOWER = 8 };

struct rule {
	char		*id;
	const char	*origin;	/* file it came from (rules->files) */
	enum pii_kind	 kind;
	pcre2_code	*re;
	uint32_t	 sec[MAX_GROUPS_NAMED], nsec;
	uint32_t	 name[MAX_GROUPS_NAMED], nname;
	double		 entropy;
	unsigned	 require;
	bool		 stopwords;
	pcre2_code	**allow;	/* on the value */
	size_t		 nallow;
	pcre2_code	**allow_match;	/* on the whole match */
	size_t		 nallow_match;
	int		 check;
	int		 priority;
	bool		 multiline;
	size_t		 before, after;
	size_t		 min_len;
	size_t		 nkeywords;
};

struct kwinfo {
	uint32_t	*rules;
	size_t		 n;
	size_t		 len;
};

struct pii_rules {
	struct rule	*r;
	size_t		 n;
	struct ac	*ac;
	struct kwinfo	*kw;
	size_t		 nkw;
	uint32_t	*nokw;		/* rules without keywords */
	size_t		 nnokw;
	struct pii_data	 data;
	uint32_t	 max_pairs;	/* largest capture count + 1 */
	char		 digest[65];
	char		*files[2];
	size_t		 nfiles;
};

/* ---- kinds ---- */

const char *
pii_kind_name(enum pii_kind k)
{
	return (unsigned)k < PII_NKINDS ? kind_names[k] : "unknown";
}

const char *
pii_kind_tag(enum pii_kind k)
{
	return (unsigned)k < PII_NKINDS ? kind_tags[k] : "<PII>";
}

int
pii_kind_parse(const char *s, size_t n)
{
	int k;

	for (k = 0; k < PII_NKINDS; k++)
		if (strlen(kind_names[k]) == n &&
		    memcmp(kind_names[k], s, n) == 0)
			return k;
	return -1;
}

bool
pii_kinds_mask(const char *list, unsigned *mask, struct buf *err)
{
	const char *p = list, *q;
	int k;

	*mask = 0;
	for (;;) {
		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		k = pii_kind_parse(p, (size_t)(q - p));
		if (k < 0) {
			buf_addf(err, "unknown kind '%.*s' (expected email, "
			    "ip_address, key, private_key, password or phone)",
			    (int)(q - p), p);
			return false;
		}
		*mask |= 1u << k;
		if (*q == '\0')
			break;
		p = q + 1;
	}
	return true;
}

/* ---- word sets ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool
wordset_has(const struct wordset *s, const char *w, size_t n)
{
	size_t lo = 0, hi = s->n, mid, i;
	char key[96];
	int c;

	if (n == 0 || n >= sizeof(key))
		return false;
	for (i = 0; i < n; i++)
		key[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
	key[n] = '\0';
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(key, s->w[mid]);
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* A growable list of words, turned into a wordset at the end. */
struct wlist {
	char	**w;
	size_t	  n, cap;
};

static void
wlist_add(struct wlist *l, const char *s)
{
	size_t i, n = strlen(s);
	char *c = xmalloc(n + 1);

	for (i = 0; i <= n; i++)
		c[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->w = xreallocarray(l->w, l->cap, sizeof(*l->w));
	}
	l->w[l->n++] = c;
}

static void
wlist_to_set(struct wlist *l, struct wordset *s)
{
	size_t i, j = 0;

	if (l->n > 0)
		qsort(l->w, l->n, sizeof(*l->w), cmp_str);
	for (i = 0; i < l->n; i++) {
		if (j > 0 && strcmp(l->w[j - 1], l->w[i]) == 0)
			free(l->w[i]);
		else
			l->w[j++] = l->w[i];
	}
	s->w = l->w;
	s->n = j;
	l->w = NULL;
	l->n = l->cap = 0;
}

static void
wordset_release(struct wordset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->w[i]);
	free(s->w);
	s->w = NULL;
	s->n = 0;
}

/* ---- loading ---- */

enum { L_TLDS, L_EMAIL_ALLOW, L_SECRET_WORDS, L_STRONG_WORDS,
	L_PASSWORD_WORDS, L_DENY_BEFORE, L_DENY_AFTER, L_PLACEHOLDERS,
	L_STOPWORDS, L_NLISTS };

static const struct {
	const char	*name;
	bool		 in_assignment;	/* under "assignment" */
} lists[L_NLISTS] = {
	{ "tlds", false }, { "email_allow_domains", false },
	{ "secret_words", true }, { "strong_words", true },
	{ "password_words", true }, { "deny_before", true },
	{ "deny_after", true }, { "placeholders", false },
	{ "stopwords", false }
};

struct spec {
	json_object	*obj;		/* borrowed from a root */
	const char	*origin;
};

struct loader {
	const struct pii_config *cfg;
	struct buf	*err;
	json_object	*roots[2];
	size_t		 nroots;
	struct spec	*specs;
	size_t		 nspecs, speccap;
	struct wlist	 lists[L_NLISTS];
	EVP_MD_CTX	*sha;
	struct pii_rules *rs;
};

static bool
fail(struct loader *L, const char *fmt, ...) ERR_PRINTF(2, 3);

static bool
fail(struct loader *L, const char *fmt, ...)
{
	va_list ap;

	if (L->err->len == 0) {
		va_start(ap, fmt);
		buf_vaddf(L->err, fmt, ap);
		va_end(ap);
	}
	return false;
}

static bool
read_file(struct loader *L, const char *path, struct buf *out)
{
	FILE *f;
	char chunk[65536];
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return fail(L, "%s: cannot open: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	if (ferror(f)) {
		fclose(f);
		return fail(L, "%s: cannot read: %s", path, strerror(errno));
	}
	fclose(f);
	if (out->data == NULL)
		buf_add(out, "", 0);
	return true;
}

static bool
add_list(struct loader *L, const char *origin, json_object *arr,
    const char *what, int li)
{
	size_t i, n;
	json_object *v;

	if (!json_object_is_type(arr, json_type_array))
		return fail(L, "%s: '%s' must be an array of strings", origin,
		    what);
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) == 0 ||
		    json_object_get_string_len(v) >= 96)
			return fail(L, "%s: '%s' must hold non-empty strings "
			    "(under 96 bytes)", origin, what);
		wlist_add(&L->lists[li], json_object_get_string(v));
	}
	return true;
}

static const char *
spec_id(json_object *o)
{
	json_object *v;

	if (json_object_object_get_ex(o, "id", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* Add (or replace, by id) the rules of one catalogue file. */
static bool
add_specs(struct loader *L, const char *origin, json_object *rules)
{
	size_t i, j, n;
	json_object *o;
	const char *id;

	if (!json_object_is_type(rules, json_type_array))
		return fail(L, "%s: 'rules' must be an array", origin);
	n = json_object_array_length(rules);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(rules, i);
		if (!json_object_is_type(o, json_type_object))
			return fail(L, "%s: rule #%zu is not an object", origin,
			    i + 1);
		if ((id = spec_id(o)) == NULL)
			return fail(L, "%s: rule #%zu has no string 'id'",
			    origin, i + 1);
		for (j = 0; j < L->nspecs; j++)
			if (strcmp(spec_id(L->specs[j].obj), id) == 0)
				break;
		if (j < L->nspecs && L->specs[j].origin == origin)
			return fail(L, "%s: rule '%s': duplicate id", origin,
			    id);
		if (j == L->nspecs) {
			if (L->nspecs == L->speccap) {
				L->speccap = L->speccap ? L->speccap * 2 : 128;
				L->specs = xreallocarray(L->specs, L->speccap,
				    sizeof(*L->specs));
			}
			L->nspecs++;
		}
		L->specs[j].obj = o;
		L->specs[j].origin = origin;
	}
	return true;
}

static bool
disable_specs(struct loader *L, const char *origin, json_object *arr)
{
	size_t i, j, n;
	json_object *v;
	const char *id;

	if (!json_object_is_type(arr, json_type_array))
		return fail(L, "%s: 'disable' must be an array of rule ids",
		    origin);
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string))
			return fail(L, "%s: 'disable' must hold rule ids",
			    origin);
		id = json_object_get_string(v);
		for (j = 0; j < L->nspecs; j++)
			if (strcmp(spec_id(L->specs[j].obj), id) == 0)
				break;
		if (j == L->nspecs)
			return fail(L, "%s: cannot disable rule '%s': no such "
			    "rule in the default catalogue", origin, id);
		memmove(&L->specs[j], &L->specs[j + 1],
		    (L->nspecs - j - 1) * sizeof(*L->specs));
		L->nspecs--;
	}
	return true;
}

/* The first member of o whose name is not in allowed (NULL-ended). */
static const char *
unknown_member(json_object *o, const char *const allowed[])
{
	struct json_object_iterator it = json_object_iter_begin(o);
	struct json_object_iterator end = json_object_iter_end(o);
	const char *name;
	size_t i;

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		name = json_object_iter_peek_name(&it);
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(name, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return name;
	}
	return NULL;
}

/*
 * Parse one catalogue file (its text in json[0..n)); base: it is the
 * default catalogue or a replacement, else an extension.
 */
static bool
load_doc(struct loader *L, const char *origin, const char *json, size_t n,
    bool allow_extends, bool *extends)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	static const char *const top_fields[] = { "version", "description",
	    "origin", "extends", "disable", "rules", "assignment", "tlds",
	    "email_allow_domains", "placeholders", "stopwords", NULL };
	static const char *const assignment_fields[] = { "secret_words",
	    "strong_words", "password_words", "deny_before", "deny_after",
	    NULL };
	json_object *root, *v, *a = NULL;
	const char *bad;
	int li;

	*extends = false;
	EVP_DigestUpdate(L->sha, json, n);
	tok = json_tokener_new();
	root = json_tokener_parse_ex(tok, json, (int)n);
	jerr = json_tokener_get_error(tok);
	if (root == NULL || jerr != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) < n) {
		size_t at = json_tokener_get_parse_end(tok);

		/* trailing whitespace after the document is fine */
		while (root != NULL && at < n && (json[at] == ' ' ||
		    json[at] == '\n' || json[at] == '\t' || json[at] == '\r'))
			at++;
		if (root == NULL || at < n) {
			json_tokener_free(tok);
			json_object_put(root);
			return fail(L, "%s: invalid JSON near byte %zu: %s",
			    origin, at, root == NULL ?
			    json_tokener_error_desc(jerr) : "trailing data");
		}
	}
	json_tokener_free(tok);
	L->roots[L->nroots++] = root;
	if (!json_object_is_type(root, json_type_object))
		return fail(L, "%s: the catalogue must be a JSON object",
		    origin);
	if ((bad = unknown_member(root, top_fields)) != NULL)
		return fail(L, "%s: unknown field '%s'", origin, bad);
	if (json_object_object_get_ex(root, "version", &v) &&
	    (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int(v) != 1))
		return fail(L, "%s: unsupported 'version' (expected 1)",
		    origin);
	if (json_object_object_get_ex(root, "extends", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    strcmp(json_object_get_string(v), "default") != 0)
			return fail(L, "%s: 'extends' must be \"default\"",
			    origin);
		if (!allow_extends)
			return fail(L, "%s: 'extends' is not allowed here",
			    origin);
		*extends = true;
	}
	if (json_object_object_get_ex(root, "disable", &v)) {
		if (!*extends)
			return fail(L, "%s: 'disable' needs \"extends\": "
			    "\"default\"", origin);
		if (!disable_specs(L, origin, v))
			return false;
	}
	if (json_object_object_get_ex(root, "rules", &v) &&
	    !add_specs(L, origin, v))
		return false;
	if (!json_object_object_get_ex(root, "assignment", &a))
		a = NULL;
	else if (!json_object_is_type(a, json_type_object))
		return fail(L, "%s: 'assignment' must be an object", origin);
	if (a != NULL && (bad = unknown_member(a, assignment_fields)) != NULL)
		return fail(L, "%s: unknown field 'assignment.%s'", origin,
		    bad);
	for (li = 0; li < L_NLISTS; li++) {
		json_object *parent = lists[li].in_assignment ? a : root;

		if (parent == NULL ||
		    !json_object_is_type(parent, json_type_object))
			continue;
		if (json_object_object_get_ex(parent, lists[li].name, &v) &&
		    !add_list(L, origin, v, lists[li].name, li))
			return false;
	}
	return true;
}

static bool
get_opt(json_object *o, const char *k, json_type t, json_object **v)
{
	if (!json_object_object_get_ex(o, k, v))
		return false;
	if (t == json_type_double && json_object_is_type(*v, json_type_int))
		return true;
	return json_object_is_type(*v, t);
}

static pcre2_code *
compile_re(struct loader *L, const char *origin, const char *id,
    const char *what, const char *re)
{
	pcre2_code *c;
	int ec;
	PCRE2_SIZE eo;
	PCRE2_UCHAR msg[256];

	c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
	    PCRE2_DUPNAMES, &ec, &eo, NULL);
	if (c == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		fail(L, "%s: rule '%s': invalid %s at offset %zu: %s", origin,
		    id, what, (size_t)eo, (const char *)msg);
		return NULL;
	}
	/* JIT is an optimization: without it (no JIT support) we still run */
	(void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
	return c;
}

static bool
id_ok(const char *id)
{
	const char *p;

	if (*id == '\0' || strlen(id) > 64)
		return false;
	for (p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

/* Find the groups called name in code c. */
static uint32_t
named_groups(pcre2_code *c, const char *name, uint32_t *out)
{
	PCRE2_SPTR first, last, e;
	uint32_t n = 0, esize;
	int r;

	r = pcre2_substring_nametable_scan(c, (PCRE2_SPTR)name, &first,
	    &last);
	if (r < 0)
		return 0;
	(void)pcre2_pattern_info(c, PCRE2_INFO_NAMEENTRYSIZE, &esize);
	if (first == NULL) {
		out[0] = (uint32_t)r;
		return 1;
	}
	for (e = first; e <= last && n < MAX_GROUPS_NAMED; e += esize)
		out[n++] = ((uint32_t)e[0] << 8) | e[1];
	return n;
}

static bool
compile_rule(struct loader *L, const struct spec *sp, struct rule *r,
    struct wlist *kwords)
{
	static const char *const rule_fields[] = { "id", "kind", "regex",
	    "keywords", "entropy", "require", "stopwords", "allow",
	    "allow_match", "check", "priority", "multiline", "window",
	    "min_length", "description", NULL };
	json_object *o = sp->obj, *v, *e;
	const char *id = spec_id(o), *origin = sp->origin, *bad;
	uint32_t ncap;
	size_t i, n;
	int k;

	memset(r, 0, sizeof(*r));
	r->origin = origin;
	if (!id_ok(id))
		return fail(L, "%s: rule '%s': bad id (lower-case letters, "
		    "digits, '-', '_', '.'; at most 64)", origin, id);
	r->id = xstrdup(id);
	if ((bad = unknown_member(o, rule_fields)) != NULL)
		return fail(L, "%s: rule '%s': unknown field '%s'", origin, id,
		    bad);
	if (!get_opt(o, "kind", json_type_string, &v))
		return fail(L, "%s: rule '%s': missing string 'kind'", origin,
		    id);
	k = pii_kind_parse(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v));
	if (k < 0)
		return fail(L, "%s: rule '%s': unknown kind '%s'", origin, id,
		    json_object_get_string(v));
	r->kind = (enum pii_kind)k;
	r->priority = kind_priority[k];
	if (!get_opt(o, "regex", json_type_string, &v))
		return fail(L, "%s: rule '%s': missing string 'regex'", origin,
		    id);
	if ((r->re = compile_re(L, origin, id, "regex",
	    json_object_get_string(v))) == NULL)
		return false;
	(void)pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &ncap);
	if (ncap + 1 > L->rs->max_pairs)
		L->rs->max_pairs = ncap + 1;
	r->nsec = named_groups(r->re, "secret", r->sec);
	r->nname = named_groups(r->re, "name", r->name);
	r->before = DEFAULT_BEFORE;
	r->after = DEFAULT_AFTER;
	if (json_object_object_get_ex(o, "keywords", &v)) {
		if (!json_object_is_type(v, json_type_array))
			return fail(L, "%s: rule '%s': 'keywords' must be an "
			    "array of strings", origin, id);
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(v, i);
			if (!json_object_is_type(e, json_type_string) ||
			    json_object_get_string_len(e) == 0 ||
			    json_object_get_string_len(e) > 64)
				return fail(L, "%s: rule '%s': keywords "
				    "must be non-empty strings of at most 64 "
				    "bytes", origin, id);
			wlist_add(kwords, json_object_get_string(e));
		}
		r->nkeywords = n;
	}
	if (json_object_object_get_ex(o, "entropy", &v)) {
		if (!get_opt(o, "entropy", json_type_double, &v) ||
		    json_object_get_double(v) < 0 ||
		    json_object_get_double(v) > 8)
			return fail(L, "%s: rule '%s': 'entropy' must be a "
			    "number from 0 to 8 (bits per byte)", origin, id);
		r->entropy = json_object_get_double(v);
	}
	if (json_object_object_get_ex(o, "require", &v)) {
		if (!json_object_is_type(v, json_type_array))
			return fail(L, "%s: rule '%s': 'require' must be an "
			    "array", origin, id);
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			const char *s;

			e = json_object_array_get_idx(v, i);
			s = json_object_is_type(e, json_type_string) ?
			    json_object_get_string(e) : "";
			if (strcmp(s, "letter") == 0)
				r->require |= REQ_LETTER;
			else if (strcmp(s, "digit") == 0)
				r->require |= REQ_DIGIT;
			else if (strcmp(s, "upper") == 0)
				r->require |= REQ_UPPER;
			else if (strcmp(s, "lower") == 0)
				r->require |= REQ_LOWER;
			else
				return fail(L, "%s: rule '%s': 'require' takes "
				    "letter, digit, upper, lower", origin, id);
		}
	}
	if (json_object_object_get_ex(o, "stopwords", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return fail(L, "%s: rule '%s': 'stopwords' must be "
			    "true or false", origin, id);
		r->stopwords = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(o, "multiline", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return fail(L, "%s: rule '%s': 'multiline' must be "
			    "true or false", origin, id);
		r->multiline = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(o, "check", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    (r->check = pii_check_parse(json_object_get_string(v))) <
		    0)
			return fail(L, "%s: rule '%s': unknown check '%s'",
			    origin, id, json_object_is_type(v,
			    json_type_string) ? json_object_get_string(v) :
			    "?");
	}
	if (json_object_object_get_ex(o, "priority", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int(v) < 0 ||
		    json_object_get_int(v) > 1000)
			return fail(L, "%s: rule '%s': 'priority' must be an "
			    "integer from 0 to 1000", origin, id);
		r->priority = json_object_get_int(v);
	}
	if (json_object_object_get_ex(o, "min_length", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int(v) < 0 ||
		    json_object_get_int(v) > 65536)
			return fail(L, "%s: rule '%s': 'min_length' must be an "
			    "integer from 0 to 65536", origin, id);
		r->min_len = (size_t)json_object_get_int(v);
	}
	if (json_object_object_get_ex(o, "window", &v)) {
		json_object *b, *a;

		if (!json_object_is_type(v, json_type_array) ||
		    json_object_array_length(v) != 2 ||
		    !json_object_is_type(b = json_object_array_get_idx(v, 0),
		    json_type_int) ||
		    !json_object_is_type(a = json_object_array_get_idx(v, 1),
		    json_type_int) ||
		    json_object_get_int64(b) < 0 ||
		    json_object_get_int64(a) < 0 ||
		    json_object_get_int64(b) > WINDOW_MAX ||
		    json_object_get_int64(a) > WINDOW_MAX)
			return fail(L, "%s: rule '%s': 'window' must be "
			    "[bytes before, bytes after], each at most %u",
			    origin, id, WINDOW_MAX);
		r->before = (size_t)json_object_get_int64(b);
		r->after = (size_t)json_object_get_int64(a);
	}
	for (k = 0; k < 2; k++) {
		const char *f = k == 0 ? "allow" : "allow_match";
		pcre2_code ***dst = k == 0 ? &r->allow : &r->allow_match;
		size_t *dn = k == 0 ? &r->nallow : &r->nallow_match;

		if (!json_object_object_get_ex(o, f, &v))
			continue;
		if (!json_object_is_type(v, json_type_array))
			return fail(L, "%s: rule '%s': '%s' must be an "
			    "array of regexes", origin, id, f);
		n = json_object_array_length(v);
		*dst = xcalloc(n ? n : 1, sizeof(**dst));
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(v, i);
			if (!json_object_is_type(e, json_type_string))
				return fail(L, "%s: rule '%s': '%s' must hold "
				    "strings", origin, id, f);
			if (((*dst)[i] = compile_re(L, origin, id, f,
			    json_object_get_string(e))) == NULL)
				return false;
			(*dn)++;
		}
	}
	return true;
}

static void
rule_release(struct rule *r)
{
	size_t i;

	free(r->id);
	pcre2_code_free(r->re);
	for (i = 0; i < r->nallow; i++)
		pcre2_code_free(r->allow[i]);
	free(r->allow);
	for (i = 0; i < r->nallow_match; i++)
		pcre2_code_free(r->allow_match[i]);
	free(r->allow_match);
}

void
pii_rules_free(struct pii_rules *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++)
		rule_release(&rs->r[i]);
	free(rs->r);
	ac_free(rs->ac);
	for (i = 0; i < rs->nkw; i++)
		free(rs->kw[i].rules);
	free(rs->kw);
	free(rs->nokw);
	wordset_release(&rs->data.tlds);
	wordset_release(&rs->data.email_allow);
	wordset_release(&rs->data.secret_words);
	wordset_release(&rs->data.strong_words);
	wordset_release(&rs->data.password_words);
	wordset_release(&rs->data.deny_before);
	wordset_release(&rs->data.deny_after);
	wordset_release(&rs->data.placeholders);
	ac_free(rs->data.stopwords);
	for (i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs);
}

/* Compile the merged specs into L->rs. */
static bool
finish(struct loader *L)
{
	struct pii_rules *rs = L->rs;
	struct wlist kwl = { NULL, 0, 0 }, allkw = { NULL, 0, 0 };
	struct wordset kwset;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen, i;
	size_t si, j, kept;
	struct rule r;
	bool ok = true;
	uint32_t **kwrules = NULL;
	size_t *kwn = NULL;

	rs->max_pairs = 1;
	rs->r = xcalloc(L->nspecs ? L->nspecs : 1, sizeof(*rs->r));
	/* per rule, its keywords go to kwl; remember where they start */
	for (si = 0; si < L->nspecs; si++) {
		size_t k0 = kwl.n;

		if (!compile_rule(L, &L->specs[si], &r, &kwl)) {
			rule_release(&r);
			for (j = k0; j < kwl.n; j++)
				free(kwl.w[j]);
			kwl.n = k0;
			ok = false;
			break;
		}
		if (!(L->cfg->kinds & (1u << r.kind))) {
			rule_release(&r);
			for (j = k0; j < kwl.n; j++)
				free(kwl.w[j]);
			kwl.n = k0;
			continue;
		}
		/* allkw: the kept rules' keywords, in rule order */
		for (j = k0; j < kwl.n; j++) {
			wlist_add(&allkw, kwl.w[j]);
			free(kwl.w[j]);
		}
		kwl.n = k0;
		rs->r[rs->n++] = r;
	}
	free(kwl.w);
	if (!ok) {
		for (j = 0; j < allkw.n; j++)
			free(allkw.w[j]);
		free(allkw.w);
		return false;
	}
	/* distinct keywords */
	{
		struct wlist copy = { NULL, 0, 0 };

		for (j = 0; j < allkw.n; j++)
			wlist_add(&copy, allkw.w[j]);
		wlist_to_set(&copy, &kwset);
	}
	rs->nkw = kwset.n;
	rs->kw = xcalloc(kwset.n ? kwset.n : 1, sizeof(*rs->kw));
	kwrules = xcalloc(kwset.n ? kwset.n : 1, sizeof(*kwrules));
	kwn = xcalloc(kwset.n ? kwset.n : 1, sizeof(*kwn));
	/* walk the rules again, in order, with their keyword counts */
	{
		size_t pos = 0, ri, k;

		for (ri = 0; ri < rs->n; ri++) {
			if (rs->r[ri].nkeywords == 0) {
				rs->nokw = xreallocarray(rs->nokw,
				    rs->nnokw + 1, sizeof(*rs->nokw));
				rs->nokw[rs->nnokw++] = (uint32_t)ri;
				continue;
			}
			for (k = 0; k < rs->r[ri].nkeywords; k++, pos++) {
				size_t lo = 0, hi = kwset.n, mid = 0;
				int c = 1;

				while (lo < hi) {
					mid = lo + (hi - lo) / 2;
					c = strcmp(allkw.w[pos], kwset.w[mid]);
					if (c == 0)
						break;
					if (c < 0)
						hi = mid;
					else
						lo = mid + 1;
				}
				if (c != 0)
					err_bug("keyword lost");
				if (kwn[mid] > 0 &&
				    kwrules[mid][kwn[mid] - 1] == (uint32_t)ri)
					continue;	/* same keyword twice */
				kwrules[mid] = xreallocarray(kwrules[mid],
				    kwn[mid] + 1, sizeof(**kwrules));
				kwrules[mid][kwn[mid]++] = (uint32_t)ri;
			}
		}
	}
	rs->ac = ac_new();
	for (j = 0; j < kwset.n; j++) {
		rs->kw[j].rules = kwrules[j];
		rs->kw[j].n = kwn[j];
		rs->kw[j].len = strlen(kwset.w[j]);
		ac_add(rs->ac, kwset.w[j], rs->kw[j].len, (uint32_t)j);
	}
	ac_build(rs->ac);
	free(kwrules);
	free(kwn);
	wordset_release(&kwset);
	for (j = 0; j < allkw.n; j++)
		free(allkw.w[j]);
	free(allkw.w);

	wlist_to_set(&L->lists[L_TLDS], &rs->data.tlds);
	wlist_to_set(&L->lists[L_EMAIL_ALLOW], &rs->data.email_allow);
	wlist_to_set(&L->lists[L_SECRET_WORDS], &rs->data.secret_words);
	wlist_to_set(&L->lists[L_STRONG_WORDS], &rs->data.strong_words);
	wlist_to_set(&L->lists[L_PASSWORD_WORDS], &rs->data.password_words);
	wlist_to_set(&L->lists[L_DENY_BEFORE], &rs->data.deny_before);
	wlist_to_set(&L->lists[L_DENY_AFTER], &rs->data.deny_after);
	wlist_to_set(&L->lists[L_PLACEHOLDERS], &rs->data.placeholders);
	rs->data.stopwords = ac_new();
	kept = 0;
	for (j = 0; j < L->lists[L_STOPWORDS].n; j++) {
		ac_add(rs->data.stopwords, L->lists[L_STOPWORDS].w[j],
		    strlen(L->lists[L_STOPWORDS].w[j]), (uint32_t)kept++);
		free(L->lists[L_STOPWORDS].w[j]);
	}
	free(L->lists[L_STOPWORDS].w);
	L->lists[L_STOPWORDS].w = NULL;
	L->lists[L_STOPWORDS].n = 0;
	ac_build(rs->data.stopwords);
	rs->data.private_ips = L->cfg->private_ips;

	EVP_DigestFinal_ex(L->sha, md, &mdlen);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(rs->digest + 2 * i, 3, "%02x", md[i]);
	return true;
}

static void
loader_release(struct loader *L)
{
	size_t i, j;

	for (i = 0; i < L->nroots; i++)
		json_object_put(L->roots[i]);
	free(L->specs);
	for (i = 0; i < L_NLISTS; i++) {
		for (j = 0; j < L->lists[i].n; j++)
			free(L->lists[i].w[j]);
		free(L->lists[i].w);
	}
	EVP_MD_CTX_free(L->sha);
}

static struct pii_rules *
load(const struct pii_config *cfg, struct buf *err, const char *name,
    const char *json, size_t n)
{
	struct loader L;
	struct pii_rules *rs;
	struct buf text = BUF_INIT, dtext = BUF_INIT;
	char *defpath = NULL;
	bool extends = false, ok = false, dext;

	memset(&L, 0, sizeof(L));
	L.cfg = cfg;
	L.err = err;
	L.sha = EVP_MD_CTX_new();
	if (L.sha == NULL || !EVP_DigestInit_ex(L.sha, EVP_sha256(), NULL))
		err_die("cannot initialize SHA-256");
	rs = xcalloc(1, sizeof(*rs));
	L.rs = rs;
	if (json != NULL) {
		rs->files[rs->nfiles++] = xstrdup(name);
		ok = load_doc(&L, rs->files[0], json, n, false, &extends);
	} else if (cfg->rules_file != NULL) {
		rs->files[rs->nfiles++] = xstrdup(cfg->rules_file);
		ok = read_file(&L, cfg->rules_file, &text);
		if (ok) {
			/* a quick look for "extends" decides the order */
			struct json_object *peek = json_tokener_parse(
			    text.data), *v;

			dext = peek != NULL &&
			    json_object_is_type(peek, json_type_object) &&
			    json_object_object_get_ex(peek, "extends", &v);
			json_object_put(peek);
			if (dext) {
				defpath = data_path("pii-rules.json");
				if (defpath == NULL)
					ok = fail(&L, "pii-rules.json: the "
					    "default catalogue was not found "
					    "(set CODESIFT_DATADIR)");
				else {
					rs->files[rs->nfiles++] = defpath;
					defpath = NULL;
					ok = read_file(&L, rs->files[1],
					    &dtext) && load_doc(&L,
					    rs->files[1], dtext.data,
					    dtext.len, false, &extends);
				}
			}
			ok = ok && load_doc(&L, rs->files[0], text.data,
			    text.len, true, &extends);
		}
	} else {
		defpath = data_path("pii-rules.json");
		if (defpath == NULL)
			ok = fail(&L, "pii-rules.json: the default catalogue "
			    "was not found (set CODESIFT_DATADIR)");
		else {
			rs->files[rs->nfiles++] = defpath;
			defpath = NULL;
			ok = read_file(&L, rs->files[0], &text) &&
			    load_doc(&L, rs->files[0], text.data, text.len,
			    false, &extends);
		}
	}
	ok = ok && finish(&L);
	loader_release(&L);
	buf_release(&text);
	buf_release(&dtext);
	free(defpath);
	if (!ok) {
		pii_rules_free(rs);
		return NULL;
	}
	return rs;
}

struct pii_rules *
pii_rules_load(const struct pii_config *cfg, struct buf *err)
{
	return load(cfg, err, NULL, NULL, 0);
}

struct pii_rules *
pii_rules_parse(const char *json, size_t n, const char *name,
    const struct pii_config *cfg, struct buf *err)
{
	return load(cfg, err, name, json, n);
}

size_t
pii_rules_count(const struct pii_rules *rs)
{
	return rs->n;
}

const char *
pii_rule_id(const struct pii_rules *rs, size_t i)
{
	return i < rs->n ? rs->r[i].id : "?";
}

enum pii_kind
pii_rule_kind(const struct pii_rules *rs, size_t i)
{
	return i < rs->n ? rs->r[i].kind : PII_KEY;
}

const char *
pii_rules_digest(const struct pii_rules *rs)
{
	return rs->digest;
}

/* ---- scanning ---- */

struct hits {
	size_t	*p;
	size_t	 n, cap;
};

struct cand {
	struct pii_finding	f;
	int			prio;
};

struct pii_match {
	const struct pii_rules	*rs;
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	pcre2_jit_stack		*jit;
	struct hits		*h;		/* per rule */
	uint32_t		*active;	/* rules with hits */
	size_t			 nactive;
	struct cand		*c;
	size_t			 nc, ccap;
	struct pii_finding	*out;
	size_t			 nout, outcap;
	struct cand		**order;
	size_t			 ordcap;
	uint64_t		*bits;		/* taken bytes, for resolve() */
	size_t			 bitcap;	/* in 64-bit words */
	const char		*t;
	size_t			 n;
};

struct pii_match *
pii_match_new(const struct pii_rules *rs)
{
	struct pii_match *m = xcalloc(1, sizeof(*m));

	m->rs = rs;
	m->md = pcre2_match_data_create(rs->max_pairs, NULL);
	m->mctx = pcre2_match_context_create(NULL);
	m->jit = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	if (m->md == NULL || m->mctx == NULL)
		err_die("out of memory for regex match data");
	if (m->jit != NULL)
		pcre2_jit_stack_assign(m->mctx, NULL, m->jit);
	/* a backstop against a catastrophic user regex; ours never get near */
	pcre2_set_match_limit(m->mctx, 50u * 1000 * 1000);
	pcre2_set_depth_limit(m->mctx, 10000);
	m->h = xcalloc(rs->n ? rs->n : 1, sizeof(*m->h));
	m->active = xcalloc(rs->n ? rs->n : 1, sizeof(*m->active));
	return m;
}

void
pii_match_free(struct pii_match *m)
{
	size_t i;

	if (m == NULL)
		return;
	pcre2_match_data_free(m->md);
	pcre2_match_context_free(m->mctx);
	pcre2_jit_stack_free(m->jit);
	for (i = 0; i < m->rs->n; i++)
		free(m->h[i].p);
	free(m->h);
	free(m->active);
	free(m->c);
	free(m->out);
	free(m->order);
	free(m->bits);
	free(m);
}

static void
on_hit(void *arg, uint32_t id, size_t end)
{
	struct pii_match *m = arg;
	const struct kwinfo *kw = &m->rs->kw[id];
	size_t p = end - kw->len, i;
	struct hits *h;
	uint32_t r;

	for (i = 0; i < kw->n; i++) {
		r = kw->rules[i];
		h = &m->h[r];
		if (h->n == 0)
			m->active[m->nactive++] = r;
		else if (h->p[h->n - 1] == p)
			continue;
		if (h->n == h->cap) {
			h->cap = h->cap ? h->cap * 2 : 16;
			h->p = xreallocarray(h->p, h->cap, sizeof(*h->p));
		}
		h->p[h->n++] = p;
	}
}

static bool
class_ok(unsigned req, const char *s, size_t n)
{
	unsigned have = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= '0' && c <= '9')
			have |= REQ_DIGIT;
		else if (c >= 'a' && c <= 'z')
			have |= REQ_LETTER | REQ_LOWER;
		else if (c >= 'A' && c <= 'Z')
			have |= REQ_LETTER | REQ_UPPER;
	}
	return (have & req) == req;
}

static bool
any_match(pcre2_code *const *res, size_t n, const char *s, size_t len,
    pcre2_match_data *md, pcre2_match_context *mctx)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pcre2_match(res[i], (PCRE2_SPTR)s, len, 0, 0, md, mctx) >=
		    0)
			return true;
	return false;
}

static struct span
first_set(const PCRE2_SIZE *ov, uint32_t rc, const uint32_t *g, uint32_t ng)
{
	struct span sp = { SIZE_MAX, SIZE_MAX };
	uint32_t i;

	for (i = 0; i < ng; i++) {
		if (g[i] >= rc || ov[2 * g[i]] == PCRE2_UNSET)
			continue;
		sp.s = ov[2 * g[i]];
		sp.e = ov[2 * g[i] + 1];
		break;
	}
	return sp;
}

static void
add_cand(struct pii_match *m, const struct rule *r, size_t ri, size_t s,
    size_t e)
{
	struct cand *c;

	if (m->nc == m->ccap) {
		m->ccap = m->ccap ? m->ccap * 2 : 32;
		m->c = xreallocarray(m->c, m->ccap, sizeof(*m->c));
	}
	c = &m->c[m->nc++];
	c->f.start = s;
	c->f.end = e;
	c->f.kind = r->kind;
	c->f.rule = (unsigned)ri;
	c->prio = r->priority;
}

/* Judge one regex match of rule ri; add it as a candidate if it passes. */
static void
judge(struct pii_match *m, size_t ri, const PCRE2_SIZE *ov, uint32_t rc)
{
	const struct rule *r = &m->rs->r[ri];
	struct pii_cand k;

	k.t = m->t;
	k.n = m->n;
	k.m.s = ov[0];
	k.m.e = ov[1];
	k.sec = r->nsec ? first_set(ov, rc, r->sec, r->nsec) : k.m;
	if (k.sec.s == SIZE_MAX)
		k.sec = k.m;
	k.name = first_set(ov, rc, r->name, r->nname);
	if (k.sec.e <= k.sec.s || k.sec.e - k.sec.s < r->min_len)
		return;
	if (r->require && !class_ok(r->require, k.t + k.sec.s,
	    k.sec.e - k.sec.s))
		return;
	if (r->stopwords && pii_has_stopword(&m->rs->data, k.t + k.sec.s,
	    k.sec.e - k.sec.s))
		return;
	/* the checks that weigh entropy themselves get the minimum */
	if (r->entropy > 0 && r->check == CHECK_NONE &&
	    pii_entropy(k.t + k.sec.s, k.sec.e - k.sec.s) < r->entropy)
		return;
	if (r->check != CHECK_NONE && !pii_check_run((enum pii_check)r->check,
	    &m->rs->data, &k, r->entropy))
		return;
	if (k.sec.e <= k.sec.s)
		return;
	if (r->nallow && any_match(r->allow, r->nallow, k.t + k.sec.s,
	    k.sec.e - k.sec.s, m->md, m->mctx))
		return;
	if (r->nallow_match && any_match(r->allow_match, r->nallow_match,
	    k.t + k.m.s, k.m.e - k.m.s, m->md, m->mctx))
		return;
	add_cand(m, r, ri, k.sec.s, k.sec.e);
}

/* Run rule ri over t[ws..we), all matches. */
static void
run_window(struct pii_match *m, size_t ri, size_t ws, size_t we)
{
	const struct rule *r = &m->rs->r[ri];
	uint32_t opts = 0;
	PCRE2_SIZE *ov;
	size_t off = ws, ms, me;
	int rc;

	if (we < m->n && m->t[we] != '\n')
		opts |= PCRE2_NOTEOL;
	while (off <= we) {
		rc = pcre2_match(r->re, (PCRE2_SPTR)m->t, we, off, opts, m->md,
		    m->mctx);
		if (rc < 0)
			break;		/* no match, or a limit: give up here */
		ov = pcre2_get_ovector_pointer(m->md);
		ms = ov[0];
		me = ov[1];
		judge(m, ri, ov, rc == 0 ? 1 : (uint32_t)rc);
		off = me > ms ? me : ms + 1;
		/* judge() reused the match data: ov is stale from here */
	}
}

static void
run_rule(struct pii_match *m, size_t ri)
{
	const struct rule *r = &m->rs->r[ri];
	const struct hits *h = &m->h[ri];
	const char *t = m->t, *q;
	size_t i, p, kwend, ws, we, lo, hi, cs = 0, ce = 0;
	bool have = false;

	for (i = 0; i < h->n; i++) {
		p = h->p[i];
		kwend = p + 1;	/* at least the keyword's first byte */
		lo = p > r->before ? p - r->before : 0;
		hi = r->after > m->n - kwend ? m->n : kwend + r->after;
		ws = lo;
		we = hi;
		if (!r->multiline) {
			q = p > lo ? memrchr(t + lo, '\n', p - lo) : NULL;
			if (q != NULL)
				ws = (size_t)(q - t) + 1;
			q = memchr(t + p, '\n', hi - p);
			if (q != NULL)
				we = (size_t)(q - t);
		}
		if (have && ws <= ce) {
			if (we > ce)
				ce = we;
			continue;
		}
		if (have)
			run_window(m, ri, cs, ce);
		cs = ws;
		ce = we;
		have = true;
	}
	if (have)
		run_window(m, ri, cs, ce);
}

static int
cmp_prio(const void *a, const void *b)
{
	const struct cand *x = *(struct cand *const *)a;
	const struct cand *y = *(struct cand *const *)b;
	size_t lx = x->f.end - x->f.start, ly = y->f.end - y->f.start;

	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	if (lx != ly)
		return lx > ly ? -1 : 1;
	if (x->f.start != y->f.start)
		return x->f.start < y->f.start ? -1 : 1;
	return x->f.rule < y->f.rule ? -1 : x->f.rule > y->f.rule;
}

static int
cmp_start(const void *a, const void *b)
{
	const struct pii_finding *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Is any byte of [s, e) marked in the coverage bitmap? */
static bool
covered(const uint64_t *bits, size_t s, size_t e)
{
	size_t i;

	for (i = s; i < e; i++) {
		if ((i & 63) == 0 && i + 64 <= e) {
			if (bits[i >> 6] != 0)
				return true;
			i += 63;
			continue;
		}
		if (bits[i >> 6] & (1ULL << (i & 63)))
			return true;
	}
	return false;
}

static void
mark(uint64_t *bits, size_t s, size_t e, bool on)
{
	size_t i;

	for (i = s; i < e; i++) {
		if ((i & 63) == 0 && i + 64 <= e) {
			bits[i >> 6] = on ? ~0ULL : 0;
			i += 63;
			continue;
		}
		if (on)
			bits[i >> 6] |= 1ULL << (i & 63);
		else
			bits[i >> 6] &= ~(1ULL << (i & 63));
	}
}

/*
 * Keep the best candidates that do not overlap, sorted by start: in order
 * of priority, then length, take a candidate if none of its bytes is taken
 * yet (a bitmap of the text, so the cost follows the candidates' lengths,
 * never their number squared).
 */
static void
resolve(struct pii_match *m)
{
	size_t i, words;
	struct pii_finding *f;

	m->nout = 0;
	if (m->nc == 0)
		return;
	if (m->ordcap < m->nc) {
		m->ordcap = m->nc;
		m->order = xreallocarray(m->order, m->ordcap,
		    sizeof(*m->order));
	}
	if (m->outcap < m->nc) {
		m->outcap = m->nc;
		m->out = xreallocarray(m->out, m->outcap, sizeof(*m->out));
	}
	words = m->n / 64 + 1;
	if (m->bitcap < words) {
		free(m->bits);
		m->bits = xcalloc(words, sizeof(*m->bits));
		m->bitcap = words;
	}
	for (i = 0; i < m->nc; i++)
		m->order[i] = &m->c[i];
	if (m->nc > 1)
		qsort(m->order, m->nc, sizeof(*m->order), cmp_prio);
	for (i = 0; i < m->nc; i++) {
		f = &m->order[i]->f;
		if (covered(m->bits, f->start, f->end))
			continue;
		mark(m->bits, f->start, f->end, true);
		m->out[m->nout++] = *f;
	}
	/* clear what we marked: the bitmap is all zero between scans */
	for (i = 0; i < m->nout; i++)
		mark(m->bits, m->out[i].start, m->out[i].end, false);
	if (m->nout > 1)
		qsort(m->out, m->nout, sizeof(*m->out), cmp_start);
}

size_t
pii_scan(struct pii_match *m, const char *text, size_t n,
    const struct pii_finding **out)
{
	const struct pii_rules *rs = m->rs;
	size_t i, ri;

	m->t = text;
	m->n = n;
	m->nc = 0;
	m->nactive = 0;
	if (n > 0)
		ac_scan(rs->ac, text, n, on_hit, m);
	for (i = 0; i < m->nactive; i++) {
		ri = m->active[i];
		run_rule(m, ri);
		m->h[ri].n = 0;
	}
	for (i = 0; i < rs->nnokw && n > 0; i++)
		run_window(m, rs->nokw[i], 0, n);
	resolve(m);
	*out = m->out;
	return m->nout;
}
