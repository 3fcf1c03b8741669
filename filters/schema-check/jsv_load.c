/*
 * jsv_load.c - loading JSON Schema documents, finding their resources and
 * anchors, resolving $ref and $dynamicRef, and compiling each schema
 * object once into a struct jnode.
 *
 * Compilation is iterative (a work queue, no recursion), so neither deep
 * nesting nor long $ref chains can exhaust the stack here.  Documents are
 * checked against their meta-schema once everything is compiled, and the
 * graph of in-place applicators is searched for cycles: a schema that
 * would apply itself to the same value without end is refused at load.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data.h"
#include "jscan.h"
#include "jsv_int.h"

#define MAX_DOC_BYTES	((size_t)64 << 20)
#define MAX_DOCS	10000
#define SHOW_META_ERRORS 3

struct loader {
	struct jsv	 *v;
	struct buf	 *err;
	bool		  failed;
	struct jnode	**q;		/* nodes to compile */
	size_t		  nq, qcap;
};

static bool
fail(struct loader *L, const char *fmt, ...) ERR_PRINTF(2, 3);

static bool
fail(struct loader *L, const char *fmt, ...)
{
	va_list ap;

	if (L->failed)
		return false;
	L->failed = true;
	buf_reset(L->err);
	va_start(ap, fmt);
	buf_vaddf(L->err, fmt, ap);
	va_end(ap);
	return false;
}

/* A failure located at schema object at within the document of res. */
static bool
fail_at(struct loader *L, const struct jres *res, json_object *at,
    const char *fmt, ...) ERR_PRINTF(4, 5);

static bool
fail_at(struct loader *L, const struct jres *res, json_object *at,
    const char *fmt, ...)
{
	struct buf ptr = BUF_INIT, msg = BUF_INIT;
	va_list ap;

	if (L->failed)
		return false;
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (res == NULL || at == NULL ||
	    !jptr_of(res->doc->root, at, &ptr))
		fail(L, "%s: %s", res != NULL ? res->doc->name : "schema",
		    msg.data);
	else
		fail(L, "%s: %s: %s", res->doc->name,
		    ptr.len > 0 ? ptr.data : "(root)", msg.data);
	buf_release(&ptr);
	buf_release(&msg);
	return false;
}

/* ---- documents ---- */

/* Line and column (1-based) of byte offset pos in text. */
static void
line_col(const char *text, size_t pos, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < pos; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80)
			(*col)++;
	}
}

static json_object *
parse_json(struct loader *L, const char *text, size_t n, const char *name)
{
	struct jscan_error e;
	struct json_tokener *tok;
	json_object *o;
	size_t line, col;

	if (jscan_value(text, n, NULL, &e) != JSCAN_OK) {
		line_col(text, e.pos, &line, &col);
		fail(L, "%s:%zu:%zu: %s", name, line, col, e.what);
		return NULL;
	}
	if (n > INT_MAX) {
		fail(L, "%s: schema too large", name);
		return NULL;
	}
	if ((tok = json_tokener_new_ex(JSV_JSON_DEPTH + 2)) == NULL)
		err_die("out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)n);
	if (o == NULL && json_tokener_get_error(tok) == json_tokener_continue)
		o = json_tokener_parse_ex(tok, "", 1);	/* a bare number */
	if (o == NULL && json_tokener_get_error(tok) != json_tokener_success)
		fail(L, "%s: %s", name, json_tokener_error_desc(
		    json_tokener_get_error(tok)));
	json_tokener_free(tok);
	/* JSON null parses to NULL: not a schema either way */
	if (o == NULL && !L->failed)
		fail(L, "%s: a schema must be an object or a boolean, not "
		    "null", name);
	return o;
}

static struct jres *
new_res(struct loader *L, const char *uri, int draft, unsigned vocab,
    json_object *root, struct jdoc *doc)
{
	struct jsv *v = L->v;
	struct jres *r = xcalloc(1, sizeof(*r));

	r->uri = xstrdup(uri);
	r->draft = draft;
	r->vocab = vocab;
	r->root = root;
	r->doc = doc;
	v->res = xreallocarray(v->res, v->nres + 1, sizeof(*v->res));
	v->res[v->nres++] = r;
	return r;
}

static bool
reg(struct loader *L, const char *uri, json_object *obj, struct jres *res,
    bool dynamic)
{
	struct jentry *e, *old;

	if ((old = smap_get(&L->v->reg, uri)) != NULL) {
		if (old->obj == obj) {
			old->dynamic |= dynamic;
			return true;
		}
		return fail_at(L, res, obj, "'%s' is defined twice", uri);
	}
	e = xcalloc(1, sizeof(*e));
	e->obj = obj;
	e->res = res;
	e->dynamic = dynamic;
	smap_put(&L->v->reg, uri, e);
	return true;
}

static struct jdoc *fetch(struct loader *L, const char *uri, int inherit,
	    const struct jres *from, json_object *at);

/* The URI without a trailing empty fragment. */
static char *
strip_empty_frag(const char *uri)
{
	size_t n = strlen(uri);

	if (n > 0 && uri[n - 1] == '#')
		n--;
	return xstrndup(uri, n);
}

static const struct {
	const char	*uri;
	unsigned	 bit;
} vocabs[] = {
	{ "https://json-schema.org/draft/2020-12/vocab/core", VOC_CORE },
	{ "https://json-schema.org/draft/2020-12/vocab/applicator",
	    VOC_APPLICATOR },
	{ "https://json-schema.org/draft/2020-12/vocab/unevaluated",
	    VOC_UNEVALUATED },
	{ "https://json-schema.org/draft/2020-12/vocab/validation",
	    VOC_VALIDATION },
	{ "https://json-schema.org/draft/2020-12/vocab/meta-data",
	    VOC_METADATA },
	{ "https://json-schema.org/draft/2020-12/vocab/format-annotation",
	    VOC_FORMAT },
	{ "https://json-schema.org/draft/2020-12/vocab/format-assertion",
	    VOC_FORMAT_ASSERT },
	{ "https://json-schema.org/draft/2020-12/vocab/content", VOC_CONTENT },
};

/*
 * The dialect named by $schema meta: the two we know by URI, or a custom
 * meta-schema (loaded) whose own $schema gives the draft and whose
 * $vocabulary the keywords in use.
 */
static bool
dialect_of(struct loader *L, const char *meta, const struct jres *from,
    json_object *at, int *draft, unsigned *vocab, int depth)
{
	struct jentry *e;
	struct jdoc *d;
	json_object *sch, *voc;
	char *uri = strip_empty_frag(meta);
	unsigned bits = VOC_CORE;
	size_t i;
	bool ok = true;

	if (strcmp(uri, URI_2020) == 0) {
		*draft = 2020;
		*vocab = VOC_ALL;
		goto out;
	}
	if (strcmp(uri, URI_D7) == 0) {
		*draft = 7;
		*vocab = VOC_ALL;
		goto out;
	}
	if (depth > 8) {
		ok = fail_at(L, from, at, "meta-schema chain too long at '%s'",
		    meta);
		goto out;
	}
	if (strstr(uri, "json-schema.org/") != NULL) {
		ok = fail_at(L, from, at, "unsupported dialect '%s': this "
		    "validator implements draft 2020-12 and draft-07 (force "
		    "one with --draft)", meta);
		goto out;
	}
	if ((e = smap_get(&L->v->reg, uri)) == NULL) {
		if ((d = fetch(L, uri, 2020, from, at)) == NULL) {
			ok = false;
			goto out;
		}
		e = smap_get(&L->v->reg, uri);
		if (e == NULL)
			e = smap_get(&L->v->reg, d->res->uri);
	}
	if (e == NULL || !json_object_is_type(e->obj, json_type_object)) {
		ok = fail_at(L, from, at, "meta-schema '%s' is not a schema "
		    "object", meta);
		goto out;
	}
	*draft = e->res->draft;
	if (json_object_object_get_ex(e->obj, "$schema", &sch) &&
	    json_object_is_type(sch, json_type_string) &&
	    strcmp(json_object_get_string(sch), meta) != 0) {
		unsigned dummy;

		if (!dialect_of(L, json_object_get_string(sch), e->res, e->obj,
		    draft, &dummy, depth + 1)) {
			ok = false;
			goto out;
		}
	}
	if (*draft == 7 ||
	    !json_object_object_get_ex(e->obj, "$vocabulary", &voc) ||
	    !json_object_is_type(voc, json_type_object)) {
		*vocab = VOC_ALL;
		goto out;
	}
	json_object_object_foreach(voc, k, val) {
		for (i = 0; i < sizeof(vocabs) / sizeof(vocabs[0]); i++)
			if (strcmp(k, vocabs[i].uri) == 0)
				break;
		if (i < sizeof(vocabs) / sizeof(vocabs[0]))
			bits |= vocabs[i].bit;
		else if (json_object_get_boolean(val)) {
			ok = fail_at(L, e->res, e->obj, "meta-schema requires "
			    "vocabulary '%s', which is not supported", k);
			goto out;
		}
	}
	*vocab = bits;
out:
	free(uri);
	return ok;
}

/* ---- finding resources and anchors ---- */

enum kwshape { K_ONE, K_MAP, K_ARRAY, K_ONE_OR_ARRAY, K_DEPS };

static const struct {
	const char	*name;
	enum kwshape	 shape;
	unsigned	 drafts;	/* 1: draft-07, 2: 2020-12 */
} subkw[] = {
	{ "additionalProperties", K_ONE, 3 },
	{ "propertyNames", K_ONE, 3 },
	{ "contains", K_ONE, 3 },
	{ "not", K_ONE, 3 },
	{ "if", K_ONE, 3 },
	{ "then", K_ONE, 3 },
	{ "else", K_ONE, 3 },
	{ "unevaluatedProperties", K_ONE, 2 },
	{ "unevaluatedItems", K_ONE, 2 },
	{ "contentSchema", K_ONE, 2 },
	{ "additionalItems", K_ONE, 1 },
	{ "items", K_ONE, 2 },
	{ "items", K_ONE_OR_ARRAY, 1 },
	{ "properties", K_MAP, 3 },
	{ "patternProperties", K_MAP, 3 },
	{ "$defs", K_MAP, 2 },
	{ "definitions", K_MAP, 3 },
	{ "dependentSchemas", K_MAP, 2 },
	{ "dependencies", K_DEPS, 1 },
	{ "allOf", K_ARRAY, 3 },
	{ "anyOf", K_ARRAY, 3 },
	{ "oneOf", K_ARRAY, 3 },
	{ "prefixItems", K_ARRAY, 2 },
};

struct wframe {
	json_object	*obj;
	struct jres	*res;
	int		 depth;
};

struct wstack {
	struct wframe	*f;
	size_t		 n, cap;
};

static void
wpush(struct wstack *s, json_object *obj, struct jres *res, int depth)
{
	if (!json_object_is_type(obj, json_type_object))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap < 64 ? 64 : s->cap * 2;
		s->f = xreallocarray(s->f, s->cap, sizeof(*s->f));
	}
	s->f[s->n].obj = obj;
	s->f[s->n].res = res;
	s->f[s->n].depth = depth;
	s->n++;
}

static const char *
str_member(json_object *o, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static bool
add_anchor(struct loader *L, struct jres *res, json_object *obj,
    const char *name, bool dynamic)
{
	struct buf u = BUF_INIT;
	bool ok;

	buf_addf(&u, "%s#%s", res->uri, name);
	ok = reg(L, u.data, obj, res, dynamic);
	buf_release(&u);
	if (ok && dynamic) {
		res->dyn = xreallocarray(res->dyn, res->ndyn + 1,
		    sizeof(*res->dyn));
		res->dyn[res->ndyn].name = name;
		res->dyn[res->ndyn].obj = obj;
		res->dyn[res->ndyn].node = NULL;
		res->ndyn++;
	}
	return ok;
}

/* A subschema with $id: a new resource (or, in draft-07, an anchor). */
static struct jres *
enter_id(struct loader *L, json_object *obj, struct jres *cur)
{
	const char *id = str_member(obj, "$id"), *ms, *hash;
	char *abs, *base;
	struct jres *r;
	int draft = cur->draft;
	unsigned vocab = cur->vocab;

	if (id == NULL)
		return cur;
	if (cur->draft == 7 && id[0] == '#') {
		add_anchor(L, cur, obj, id + 1, false);
		return cur;
	}
	abs = uri_resolve(cur->uri, id);
	hash = strchr(abs, '#');
	base = xstrndup(abs, hash != NULL ? (size_t)(hash - abs) :
	    strlen(abs));
	if ((ms = str_member(obj, "$schema")) != NULL &&
	    !dialect_of(L, ms, cur, obj, &draft, &vocab, 0)) {
		free(abs);
		free(base);
		return NULL;
	}
	r = new_res(L, base, draft, vocab, obj, cur->doc);
	if (!reg(L, base, obj, r, false))
		r = NULL;
	else if (draft == 7 && hash != NULL && hash[1] != '\0')
		add_anchor(L, r, obj, hash + 1, false);
	free(abs);
	free(base);
	return r;
}

/* Index every schema object of d: its resource, $ids and anchors. */
static bool
index_doc(struct loader *L, struct jdoc *d)
{
	struct wstack s = { NULL, 0, 0 };
	struct wframe f;
	json_object *v, *x;
	const char *a;
	size_t i, k, n;
	unsigned dm;

	wpush(&s, d->root, d->res, 0);
	while (s.n > 0 && !L->failed) {
		f = s.f[--s.n];
		if (pmap_get(&L->v->where, f.obj) != NULL)
			continue;
		if (f.depth > JSV_JSON_DEPTH) {
			fail_at(L, f.res, f.obj, "schema nested too deeply");
			break;
		}
		/* draft-07: $ref makes every sibling keyword inert */
		if (f.res->draft == 7 &&
		    json_object_object_get_ex(f.obj, "$ref", &v)) {
			pmap_put(&L->v->where, f.obj, f.res);
			continue;
		}
		if (f.obj != d->root &&
		    (f.res = enter_id(L, f.obj, f.res)) == NULL)
			break;
		pmap_put(&L->v->where, f.obj, f.res);
		if (f.res->draft == 2020) {
			if ((a = str_member(f.obj, "$anchor")) != NULL &&
			    !add_anchor(L, f.res, f.obj, a, false))
				break;
			if ((a = str_member(f.obj, "$dynamicAnchor")) != NULL &&
			    !add_anchor(L, f.res, f.obj, a, true))
				break;
		}
		dm = f.res->draft == 7 ? 1 : 2;
		for (k = 0; k < sizeof(subkw) / sizeof(subkw[0]); k++) {
			if (!(subkw[k].drafts & dm) ||
			    !json_object_object_get_ex(f.obj, subkw[k].name,
			    &v))
				continue;
			switch (subkw[k].shape) {
			case K_ONE:
				wpush(&s, v, f.res, f.depth + 1);
				break;
			case K_ONE_OR_ARRAY:
			case K_ARRAY:
				if (!json_object_is_type(v, json_type_array)) {
					if (subkw[k].shape == K_ONE_OR_ARRAY)
						wpush(&s, v, f.res,
						    f.depth + 1);
					break;
				}
				n = json_object_array_length(v);
				for (i = n; i-- > 0;)
					wpush(&s, json_object_array_get_idx(v,
					    i), f.res, f.depth + 1);
				break;
			case K_MAP:
			case K_DEPS:
				if (!json_object_is_type(v, json_type_object))
					break;
				json_object_object_foreach(v, key, sub) {
					(void)key;
					x = sub;
					wpush(&s, x, f.res, f.depth + 1);
				}
				break;
			}
		}
	}
	free(s.f);
	return !L->failed;
}

/*
 * Register a parsed document found at uri.  inherit: the draft for a
 * document without $schema.  The root's $id (if any) names it too.
 */
static struct jdoc *
add_doc(struct loader *L, const char *uri, json_object *root,
    const char *name, bool bundled, int inherit, bool forced)
{
	struct jsv *v = L->v;
	struct jdoc *d = xcalloc(1, sizeof(*d));
	const char *id = NULL, *ms = NULL, *hash;
	char *base, *abs;
	int draft = inherit;
	unsigned vocab = VOC_ALL;
	json_object *ref;

	d->root = root;
	d->uri = xstrdup(uri);
	d->name = xstrdup(name);
	d->bundled = bundled;
	d->checked = bundled;
	v->docs = xreallocarray(v->docs, v->ndocs + 1, sizeof(*v->docs));
	v->docs[v->ndocs++] = d;
	if (v->ndocs > MAX_DOCS) {
		fail(L, "%s: more than %d schema documents", name, MAX_DOCS);
		return NULL;
	}
	if (json_object_is_type(root, json_type_object)) {
		ms = str_member(root, "$schema");
		id = str_member(root, "$id");
	}
	d->meta = ms;
	d->forced = forced;
	/* a temporary resource to name the document in messages */
	d->res = new_res(L, uri, draft, vocab, root, d);
	if (ms != NULL && !forced &&
	    !dialect_of(L, ms, d->res, root, &draft, &vocab, 0))
		return NULL;
	if (draft == 7 && json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "$ref", &ref))
		id = NULL;	/* $ref hides $id in draft-07 */
	base = xstrdup(uri);
	if (id != NULL && !(draft == 7 && id[0] == '#')) {
		abs = uri_resolve(uri, id);
		hash = strchr(abs, '#');
		free(base);
		base = xstrndup(abs, hash != NULL ? (size_t)(hash - abs) :
		    strlen(abs));
		free(abs);
	}
	d->res = new_res(L, base, draft, vocab, root, d);
	free(base);
	if (!reg(L, d->res->uri, root, d->res, false))
		return NULL;
	if (strcmp(uri, d->res->uri) != 0 && !reg(L, uri, root, d->res, false))
		return NULL;
	if (id != NULL && draft == 7) {
		if (id[0] == '#')
			add_anchor(L, d->res, root, id + 1, false);
		else if ((hash = strchr(id, '#')) != NULL && hash[1] != '\0')
			add_anchor(L, d->res, root, hash + 1, false);
	}
	if (L->failed || !index_doc(L, d))
		return NULL;
	return d;
}

static char *
read_file(struct loader *L, const char *path, size_t *n)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t got;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		fail(L, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_add(&b, chunk, got);
		if (b.len > MAX_DOC_BYTES) {
			fclose(f);
			buf_release(&b);
			fail(L, "%s: schema larger than %zu bytes", path,
			    MAX_DOC_BYTES);
			return NULL;
		}
	}
	if (ferror(f)) {
		fail(L, "%s: %s", path, strerror(errno));
		fclose(f);
		buf_release(&b);
		return NULL;
	}
	fclose(f);
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_detach(&b, n);
}

static struct jdoc *
load_file(struct loader *L, const char *uri, const char *path, bool bundled,
    int inherit)
{
	json_object *root;
	struct jdoc *d;
	size_t n;
	char *text;

	if ((text = read_file(L, path, &n)) == NULL)
		return NULL;
	root = parse_json(L, text, n, path);
	free(text);
	if (root == NULL)
		return NULL;
	if ((d = add_doc(L, uri, root, path, bundled, inherit, false)) == NULL)
		return NULL;
	return d;
}

/* Load the document at absolute uri (no fragment). */
static struct jdoc *
fetch(struct loader *L, const char *uri, int inherit, const struct jres *from,
    json_object *at)
{
	struct jsv *v = L->v;
	const struct jmap *best = NULL;
	struct buf path = BUF_INIT;
	struct jdoc *d = NULL;
	size_t i, n, bestlen = 0;
	char *p;

	/* the official meta-schemas, bundled in configs/schemas/ */
	if (strcmp(uri, URI_2020) == 0 || strcmp(uri, URI_D7) == 0 ||
	    strncmp(uri, "https://json-schema.org/draft/2020-12/meta/",
	    43) == 0) {
		buf_addf(&path, "schemas/%s.json", strstr(uri, "//") + 2);
		if ((p = data_path(path.data)) == NULL) {
			fail(L, "bundled meta-schema '%s' not found (looked "
			    "for %s under $CODESIFT_DATADIR, configs/ and %s)",
			    uri, path.data, CODESIFT_DATADIR);
			buf_release(&path);
			return NULL;
		}
		d = load_file(L, uri, p, true, inherit);
		free(p);
		buf_release(&path);
		return d;
	}
	for (i = 0; i < v->o.nmaps; i++) {
		n = strlen(v->maps[i].prefix);
		if (strncmp(uri, v->maps[i].prefix, n) == 0 && n >= bestlen) {
			best = &v->maps[i];
			bestlen = n;
		}
	}
	if (best != NULL) {
		n = strlen(best->dir);
		buf_adds(&path, best->dir);
		if (n > 0 && best->dir[n - 1] != '/' && uri[bestlen] != '/')
			buf_addc(&path, '/');
		uri_pct_decode(uri + bestlen, strlen(uri + bestlen), &path);
	} else if (strncmp(uri, "file://", 7) == 0) {
		p = strchr(uri + 7, '/');
		if (p == NULL || (p != uri + 7 &&
		    strncmp(uri + 7, "localhost/", 10) != 0)) {
			fail_at(L, from, at, "cannot load '%s': only local "
			    "file: URIs can be read", uri);
			return NULL;
		}
		uri_pct_decode(p, strlen(p), &path);
	} else {
		fail_at(L, from, at, "cannot resolve '%s': no such schema is "
		    "loaded and there is no network access (map it to a "
		    "directory with --schema-map PREFIX=DIR)", uri);
		return NULL;
	}
	d = load_file(L, uri, path.data, false, inherit);
	buf_release(&path);
	return d;
}

/* ---- resolving references ---- */

/*
 * Resolve ref against the base of res.  On success *obj is the target
 * and *tres its resource; *ent the registry entry when the fragment was
 * an anchor (NULL otherwise).
 */
static bool
resolve(struct loader *L, const struct jres *res, json_object *at,
    const char *ref, json_object **obj, struct jres **tres,
    struct jentry **ent)
{
	struct jsv *v = L->v;
	struct buf frag = BUF_INIT, key = BUF_INIT;
	json_object *trail[JSV_JSON_DEPTH + 2];
	struct jentry *e;
	struct jres *r;
	size_t ntrail, i;
	char *abs = uri_resolve(res->uri, ref), *hash;
	bool ok = false;

	*ent = NULL;
	if ((hash = strchr(abs, '#')) != NULL) {
		uri_pct_decode(hash + 1, strlen(hash + 1), &frag);
		*hash = '\0';
	}
	if ((e = smap_get(&v->reg, abs)) == NULL) {
		if (fetch(L, abs, res->draft, res, at) == NULL)
			goto out;
		if ((e = smap_get(&v->reg, abs)) == NULL) {
			fail_at(L, res, at, "'%s' does not name a schema", abs);
			goto out;
		}
	}
	if (frag.len == 0) {
		*obj = e->obj;
		*tres = e->res;
		ok = true;
	} else if (frag.data[0] == '/') {
		if (!jptr_get(e->obj, frag.data, obj, trail, &ntrail,
		    sizeof(trail) / sizeof(trail[0]))) {
			fail_at(L, res, at, "$ref '%s': no value at '%s' in "
			    "'%s'", ref, frag.data, abs);
			goto out;
		}
		*tres = e->res;
		for (i = ntrail; i-- > 0;)
			if ((r = pmap_get(&v->where, trail[i])) != NULL) {
				*tres = r;
				break;
			}
		ok = true;
	} else {
		buf_addf(&key, "%s#%s", abs, frag.data);
		if ((*ent = smap_get(&v->reg, key.data)) == NULL) {
			fail_at(L, res, at, "$ref '%s': no anchor '%s' in '%s'",
			    ref, frag.data, abs);
			goto out;
		}
		*obj = (*ent)->obj;
		*tres = (*ent)->res;
		ok = true;
	}
out:
	free(abs);
	buf_release(&frag);
	buf_release(&key);
	return ok;
}

/* ---- compiling ---- */

static struct jnode *
node_for(struct loader *L, json_object *obj, struct jres *res)
{
	struct jsv *v = L->v;
	struct jnode *n;
	struct jres *r;

	if (json_object_is_type(obj, json_type_boolean))
		return json_object_get_boolean(obj) ? &v->t : &v->f;
	if (!json_object_is_type(obj, json_type_object)) {
		fail_at(L, res, obj, "a schema must be an object or a boolean");
		return NULL;
	}
	if ((n = pmap_get(&v->nodes, obj)) != NULL)
		return n;
	if ((r = pmap_get(&v->where, obj)) != NULL)
		res = r;
	n = xcalloc(1, sizeof(*n));
	n->kind = JN_OBJ;
	n->src = obj;
	n->res = res;
	n->draft = (uint8_t)(res->draft == 7 ? 7 : 20);
	n->format = -1;
	pmap_put(&v->nodes, obj, n);
	if (v->nall == v->allcap) {
		v->allcap = v->allcap < 64 ? 64 : v->allcap * 2;
		v->all = xreallocarray(v->all, v->allcap, sizeof(*v->all));
	}
	v->all[v->nall++] = n;
	if (L->nq == L->qcap) {
		L->qcap = L->qcap < 64 ? 64 : L->qcap * 2;
		L->q = xreallocarray(L->q, L->qcap, sizeof(*L->q));
	}
	L->q[L->nq++] = n;
	return n;
}

static bool
get_count(struct loader *L, struct jnode *n, json_object *val,
    const char *kw, uint64_t *out)
{
	double d;

	if (json_object_is_type(val, json_type_int)) {
		if (json_object_get_int64(val) < 0)
			return fail_at(L, n->res, n->src, "'%s' must not be "
			    "negative", kw);
		*out = json_object_get_uint64(val);
		return true;
	}
	if (json_object_is_type(val, json_type_double)) {
		d = json_object_get_double(val);
		if (d >= 0 && d == (double)(uint64_t)d && d < 1.8e19) {
			*out = (uint64_t)d;
			return true;
		}
	}
	return fail_at(L, n->res, n->src, "'%s' must be a non-negative "
	    "integer", kw);
}

static bool
get_num(struct loader *L, struct jnode *n, json_object *val,
    const char *kw, struct jnum *out)
{
	if (json_object_is_type(val, json_type_int)) {
		if (json_object_get_int64(val) == INT64_MAX)
			out->v = (long double)json_object_get_uint64(val);
		else
			out->v = (long double)json_object_get_int64(val);
	} else if (json_object_is_type(val, json_type_double))
		out->v = (long double)json_object_get_double(val);
	else
		return fail_at(L, n->res, n->src, "'%s' must be a number",
		    kw);
	out->src = val;
	return true;
}

static bool
get_regex(struct loader *L, struct jnode *n, const char *src,
    struct jre *re)
{
	PCRE2_UCHAR msg[160];
	size_t off;
	int code;

	re->src = src;
	re->code = jsv_regex_compile(src, strlen(src), &code, &off);
	if (re->code == NULL) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		return fail_at(L, n->res, n->src, "invalid regular expression "
		    "'%s': %s at offset %zu", src, (const char *)msg, off);
	}
	(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	return true;
}

static bool
get_strings(struct loader *L, struct jnode *n, json_object *val,
    const char *kw, const char ***out, size_t *nout)
{
	size_t i, k = json_object_is_type(val, json_type_array) ?
	    json_object_array_length(val) : 0;
	json_object *e;

	if (!json_object_is_type(val, json_type_array))
		return fail_at(L, n->res, n->src, "'%s' must be an array of "
		    "strings", kw);
	*out = xreallocarray(NULL, k > 0 ? k : 1, sizeof(**out));
	*nout = k;
	for (i = 0; i < k; i++) {
		e = json_object_array_get_idx(val, i);
		if (!json_object_is_type(e, json_type_string))
			return fail_at(L, n->res, n->src, "'%s' must be an "
			    "array of strings", kw);
		(*out)[i] = json_object_get_string(e);
	}
	return true;
}

static struct jnode **
get_schema_array(struct loader *L, struct jnode *n, json_object *val,
    const char *kw, size_t *nout)
{
	struct jnode **a;
	size_t i, k;

	if (!json_object_is_type(val, json_type_array) ||
	    (k = json_object_array_length(val)) == 0) {
		fail_at(L, n->res, n->src, "'%s' must be a non-empty array of "
		    "schemas", kw);
		return NULL;
	}
	a = xcalloc(k, sizeof(*a));
	for (i = 0; i < k; i++)
		if ((a[i] = node_for(L, json_object_array_get_idx(val, i),
		    n->res)) == NULL) {
			free(a);
			return NULL;
		}
	*nout = k;
	return a;
}

static int
prop_cmp(const void *a, const void *b)
{
	const struct jprop *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static bool
get_schema_map(struct loader *L, struct jnode *n, json_object *val,
    const char *kw, struct jprop **out, size_t *nout)
{
	size_t k = 0;

	if (!json_object_is_type(val, json_type_object))
		return fail_at(L, n->res, n->src, "'%s' must be an object of "
		    "schemas", kw);
	*out = xcalloc((size_t)json_object_object_length(val) + 1,
	    sizeof(**out));
	json_object_object_foreach(val, key, sub) {
		(*out)[k].name = key;
		(*out)[k].len = strlen(key);
		if (((*out)[k].s = node_for(L, sub, n->res)) == NULL)
			return false;
		k++;
	}
	qsort(*out, k, sizeof(**out), prop_cmp);
	*nout = k;
	return true;
}

static const struct {
	const char	*name;
	unsigned	 bit;
} type_names[] = {
	{ "null", T_NULL }, { "boolean", T_BOOLEAN }, { "object", T_OBJECT },
	{ "array", T_ARRAY }, { "number", T_NUMBER }, { "string", T_STRING },
	{ "integer", T_INTEGER }
};

static bool
get_type(struct loader *L, struct jnode *n, json_object *val)
{
	size_t i, k, cnt = 1;
	json_object *e = val;
	const char *s;

	if (json_object_is_type(val, json_type_array))
		cnt = json_object_array_length(val);
	for (k = 0; k < cnt; k++) {
		if (json_object_is_type(val, json_type_array))
			e = json_object_array_get_idx(val, k);
		if (!json_object_is_type(e, json_type_string))
			return fail_at(L, n->res, n->src, "'type' must be a "
			    "type name or an array of them");
		s = json_object_get_string(e);
		for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
			if (strcmp(s, type_names[i].name) == 0)
				break;
		if (i == sizeof(type_names) / sizeof(type_names[0]))
			return fail_at(L, n->res, n->src, "unknown type '%s'",
			    s);
		n->types |= type_names[i].bit;
	}
	n->has |= H_TYPE;
	return true;
}

static bool
compile_ref(struct loader *L, struct jnode *n, const char *ref, bool dynamic)
{
	json_object *obj;
	struct jres *tres;
	struct jentry *ent;
	struct jnode *t;
	size_t i;

	if (!resolve(L, n->res, n->src, ref, &obj, &tres, &ent))
		return false;
	if ((t = node_for(L, obj, tres)) == NULL)
		return false;
	if (!dynamic) {
		n->ref = t;
		return true;
	}
	n->dynref = t;
	/* bookended: the static target is itself a $dynamicAnchor */
	if (ent != NULL && ent->dynamic)
		for (i = 0; i < tres->ndyn; i++)
			if (tres->dyn[i].obj == obj) {
				n->dyn_name = tres->dyn[i].name;
				break;
			}
	return true;
}

static bool
compile(struct loader *L, struct jnode *n)
{
	json_object *o = n->src, *val;
	unsigned vocab = n->res->vocab;
	bool d7 = n->draft == 7, app = vocab & VOC_APPLICATOR,
	    val_on = vocab & VOC_VALIDATION;
	size_t i;

	n->compiled = true;
	if (d7 && json_object_object_get_ex(o, "$ref", &val)) {
		if (!json_object_is_type(val, json_type_string))
			return fail_at(L, n->res, o, "'$ref' must be a string");
		return compile_ref(L, n, json_object_get_string(val), false);
	}
	json_object_object_foreach(o, k, v) {
		val = v;
		if (k[0] == '$') {
			if (strcmp(k, "$ref") == 0 ||
			    (!d7 && strcmp(k, "$dynamicRef") == 0)) {
				if (!json_object_is_type(val, json_type_string))
					return fail_at(L, n->res, o,
					    "'%s' must be a string", k);
				if (!compile_ref(L, n, json_object_get_string(
				    val), k[1] == 'd'))
					return false;
			}
			continue;
		}
		if (strcmp(k, "type") == 0 && val_on) {
			if (!get_type(L, n, val))
				return false;
		} else if (strcmp(k, "const") == 0 && val_on) {
			n->cnst = val;
			n->has |= H_CONST;
		} else if (strcmp(k, "enum") == 0 && val_on) {
			if (!json_object_is_type(val, json_type_array))
				return fail_at(L, n->res, o,
				    "'enum' must be an array");
			n->nenum = json_object_array_length(val);
			n->enums = xcalloc(n->nenum + 1, sizeof(*n->enums));
			for (i = 0; i < n->nenum; i++)
				n->enums[i] = json_object_array_get_idx(val, i);
			n->has |= H_ENUM;
		} else if (strcmp(k, "minimum") == 0 && val_on) {
			if (!get_num(L, n, val, k, &n->min))
				return false;
			n->has |= H_MIN;
		} else if (strcmp(k, "maximum") == 0 && val_on) {
			if (!get_num(L, n, val, k, &n->max))
				return false;
			n->has |= H_MAX;
		} else if (strcmp(k, "exclusiveMinimum") == 0 && val_on) {
			if (!get_num(L, n, val, k, &n->xmin))
				return false;
			n->has |= H_XMIN;
		} else if (strcmp(k, "exclusiveMaximum") == 0 && val_on) {
			if (!get_num(L, n, val, k, &n->xmax))
				return false;
			n->has |= H_XMAX;
		} else if (strcmp(k, "multipleOf") == 0 && val_on) {
			if (!get_num(L, n, val, k, &n->mult))
				return false;
			if (!(n->mult.v > 0))
				return fail_at(L, n->res, o,
				    "'multipleOf' must be greater than 0");
			n->has |= H_MULT;
		} else if (strcmp(k, "minLength") == 0 && val_on) {
			if (!get_count(L, n, val, k, &n->min_len))
				return false;
			n->has |= H_MINLEN;
		} else if (strcmp(k, "maxLength") == 0 && val_on) {
			if (!get_count(L, n, val, k, &n->max_len))
				return false;
			n->has |= H_MAXLEN;
		} else if (strcmp(k, "pattern") == 0 && val_on) {
			if (!json_object_is_type(val, json_type_string))
				return fail_at(L, n->res, o,
				    "'pattern' must be a string");
			if (!get_regex(L, n, json_object_get_string(val),
			    &n->pattern))
				return false;
			n->has |= H_PATTERN;
		} else if (strcmp(k, "minItems") == 0 && val_on) {
			if (!get_count(L, n, val, k, &n->min_items))
				return false;
			n->has |= H_MINITEMS;
		} else if (strcmp(k, "maxItems") == 0 && val_on) {
			if (!get_count(L, n, val, k, &n->max_items))
				return false;
			n->has |= H_MAXITEMS;
		} else if (strcmp(k, "uniqueItems") == 0 && val_on) {
			if (!json_object_is_type(val, json_type_boolean))
				return fail_at(L, n->res, o,
				    "'uniqueItems' must be a boolean");
			if (json_object_get_boolean(val))
				n->has |= H_UNIQUE;
		} else if (strcmp(k, "minContains") == 0 && val_on && !d7) {
			if (!get_count(L, n, val, k, &n->min_cont))
				return false;
			n->has |= H_MINCONT;
		} else if (strcmp(k, "maxContains") == 0 && val_on && !d7) {
			if (!get_count(L, n, val, k, &n->max_cont))
				return false;
			n->has |= H_MAXCONT;
		} else if (strcmp(k, "minProperties") == 0 && val_on) {
			if (!get_count(L, n, val, k, &n->min_props))
				return false;
			n->has |= H_MINPROPS;
		} else if (strcmp(k, "maxProperties") == 0 && val_on) {
			if (!get_count(L, n, val, k, &n->max_props))
				return false;
			n->has |= H_MAXPROPS;
		} else if (strcmp(k, "required") == 0 && val_on) {
			if (!get_strings(L, n, val, k, &n->required,
			    &n->nrequired))
				return false;
			n->has |= H_REQUIRED;
		} else if (strcmp(k, "dependentRequired") == 0 && val_on &&
		    !d7) {
			if (!json_object_is_type(val, json_type_object))
				return fail_at(L, n->res, o, "'%s' must be an "
				    "object", k);
			n->depreq = xcalloc((size_t)json_object_object_length(
			    val) + 1, sizeof(*n->depreq));
			json_object_object_foreach(val, dk, dv) {
				struct jdepreq *d = &n->depreq[n->ndepreq++];

				d->name = dk;
				if (!get_strings(L, n, dv, k, &d->req,
				    &d->nreq))
					return false;
			}
		} else if (strcmp(k, "format") == 0 &&
		    (vocab & (VOC_FORMAT | VOC_FORMAT_ASSERT))) {
			if (!json_object_is_type(val, json_type_string))
				return fail_at(L, n->res, o, "'format' must be "
				    "a string");
			n->format_name = json_object_get_string(val);
			n->format = jsv_format_lookup(n->format_name);
			if (L->v->o.format_assert ||
			    (vocab & VOC_FORMAT_ASSERT))
				n->has |= H_FORMAT;
		} else if (!app && !(strncmp(k, "unevaluated", 11) == 0 &&
		    (vocab & VOC_UNEVALUATED))) {
			continue;
		} else if (strcmp(k, "properties") == 0) {
			if (!get_schema_map(L, n, val, k, &n->props,
			    &n->nprops))
				return false;
		} else if (strcmp(k, "patternProperties") == 0) {
			if (!json_object_is_type(val, json_type_object))
				return fail_at(L, n->res, o, "'%s' must be an "
				    "object of schemas", k);
			n->pprops = xcalloc((size_t)json_object_object_length(
			    val) + 1, sizeof(*n->pprops));
			json_object_object_foreach(val, pk, pv) {
				struct jpprop *p = &n->pprops[n->npprops++];

				if (!get_regex(L, n, pk, &p->re) ||
				    (p->s = node_for(L, pv, n->res)) == NULL)
					return false;
			}
		} else if (strcmp(k, "additionalProperties") == 0) {
			if ((n->addl_props = node_for(L, val, n->res)) == NULL)
				return false;
		} else if (strcmp(k, "propertyNames") == 0) {
			if ((n->prop_names = node_for(L, val, n->res)) == NULL)
				return false;
		} else if (strcmp(k, "unevaluatedProperties") == 0 && !d7) {
			if ((n->unev_props = node_for(L, val, n->res)) == NULL)
				return false;
			n->unev = true;
		} else if (strcmp(k, "unevaluatedItems") == 0 && !d7) {
			if ((n->unev_items = node_for(L, val, n->res)) == NULL)
				return false;
			n->unev = true;
		} else if (strcmp(k, "prefixItems") == 0 && !d7) {
			if ((n->prefix = get_schema_array(L, n, val, k,
			    &n->nprefix)) == NULL)
				return false;
		} else if (strcmp(k, "items") == 0) {
			if (d7 && json_object_is_type(val, json_type_array)) {
				n->items_array = true;
				if (json_object_array_length(val) == 0)
					continue;
				if ((n->prefix = get_schema_array(L, n, val, k,
				    &n->nprefix)) == NULL)
					return false;
			} else if ((n->items = node_for(L, val, n->res)) ==
			    NULL)
				return false;
		} else if (strcmp(k, "additionalItems") == 0 && d7) {
			if ((n->addl_items = node_for(L, val, n->res)) == NULL)
				return false;
		} else if (strcmp(k, "contains") == 0) {
			if ((n->contains = node_for(L, val, n->res)) == NULL)
				return false;
		} else if (strcmp(k, "allOf") == 0) {
			if ((n->all_of = get_schema_array(L, n, val, k,
			    &n->nall)) == NULL)
				return false;
		} else if (strcmp(k, "anyOf") == 0) {
			if ((n->any_of = get_schema_array(L, n, val, k,
			    &n->nany)) == NULL)
				return false;
		} else if (strcmp(k, "oneOf") == 0) {
			if ((n->one_of = get_schema_array(L, n, val, k,
			    &n->none)) == NULL)
				return false;
		} else if (strcmp(k, "not") == 0) {
			if ((n->not_ = node_for(L, val, n->res)) == NULL)
				return false;
		} else if (strcmp(k, "if") == 0) {
			if ((n->if_ = node_for(L, val, n->res)) == NULL)
				return false;
		} else if (strcmp(k, "then") == 0) {
			if ((n->then_ = node_for(L, val, n->res)) == NULL)
				return false;
		} else if (strcmp(k, "else") == 0) {
			if ((n->else_ = node_for(L, val, n->res)) == NULL)
				return false;
		} else if (strcmp(k, "dependentSchemas") == 0 && !d7) {
			if (!get_schema_map(L, n, val, k, &n->depsch,
			    &n->ndepsch))
				return false;
		} else if (strcmp(k, "dependencies") == 0 && d7) {
			if (!json_object_is_type(val, json_type_object))
				return fail_at(L, n->res, o, "'%s' must be an "
				    "object", k);
			n->depsch = xcalloc((size_t)json_object_object_length(
			    val) + 1, sizeof(*n->depsch));
			n->depreq = xcalloc((size_t)json_object_object_length(
			    val) + 1, sizeof(*n->depreq));
			json_object_object_foreach(val, dk, dv) {
				if (json_object_is_type(dv, json_type_array)) {
					struct jdepreq *d =
					    &n->depreq[n->ndepreq++];

					d->name = dk;
					if (!get_strings(L, n, dv, k, &d->req,
					    &d->nreq))
						return false;
				} else {
					struct jprop *p =
					    &n->depsch[n->ndepsch++];

					p->name = dk;
					p->len = strlen(dk);
					if ((p->s = node_for(L, dv, n->res)) ==
					    NULL)
						return false;
				}
			}
		}
	}
	return true;
}

static bool
drain(struct loader *L)
{
	struct jnode *n;

	while (L->nq > 0 && !L->failed) {
		n = L->q[--L->nq];
		if (!n->compiled && !compile(L, n))
			return false;
	}
	return !L->failed;
}

/*
 * Compile the nodes of every $dynamicAnchor found so far; with checked,
 * only those of documents already checked against their meta-schema.
 */
static bool
compile_anchors(struct loader *L, bool checked)
{
	struct jsv *v = L->v;
	size_t i, k;

	for (i = 0; i < v->nres; i++)
		for (k = 0; k < v->res[i]->ndyn; k++)
			if (checked && !v->res[i]->doc->checked)
				continue;
			else if (v->res[i]->dyn[k].node == NULL &&
			    (v->res[i]->dyn[k].node = node_for(L,
			    v->res[i]->dyn[k].obj, v->res[i])) == NULL)
				return false;
	return drain(L);
}

/* ---- meta-schema checks ---- */

static bool
check_doc(struct loader *L, struct jdoc *d)
{
	const char *meta = d->meta;
	json_object *obj;
	struct jres *tres;
	struct jentry *ent;
	struct jnode *mn;
	struct jsv_ctx *c;
	const struct jsv_error *e;
	struct buf msg = BUF_INIT;
	size_t n, i;

	if (meta == NULL || d->forced)
		meta = d->res->draft == 7 ? URI_D7 "#" : URI_2020;
	if (!resolve(L, d->res, d->root, meta, &obj, &tres, &ent) ||
	    (mn = node_for(L, obj, tres)) == NULL || !drain(L) ||
	    !compile_anchors(L, true))
		return false;
	d->checked = true;
	c = jsv_ctx_new(L->v);
	n = jsv_explain_node(c, mn, d->root, SHOW_META_ERRORS);
	if (n > 0) {
		for (i = 0; i < n; i++) {
			e = jsv_error(c, i);
			buf_addf(&msg, "%s%s: %s (meta-schema %s)",
			    i > 0 ? "; " : "",
			    *e->instance != '\0' ? e->instance : "(root)",
			    e->message, *e->schema != '\0' ? e->schema : "/");
		}
		if (jsv_nerrors_total(c) > n)
			buf_addf(&msg, "; and %zu more",
			    jsv_nerrors_total(c) - n);
		fail(L, "%s: not a valid schema: %s", d->name, msg.data);
	}
	jsv_ctx_free(c);
	buf_release(&msg);
	return !L->failed;
}

/* ---- cycles of in-place applicators ---- */

static size_t
inplace_edges(const struct jnode *n, const struct jnode **out)
{
	size_t k = 0, i;

	if (n->kind != JN_OBJ)
		return 0;
	if (n->ref != NULL)
		out[k++] = n->ref;
	if (n->dynref != NULL)
		out[k++] = n->dynref;
	for (i = 0; i < n->nall; i++)
		out[k++] = n->all_of[i];
	for (i = 0; i < n->nany; i++)
		out[k++] = n->any_of[i];
	for (i = 0; i < n->none; i++)
		out[k++] = n->one_of[i];
	if (n->not_ != NULL)
		out[k++] = n->not_;
	if (n->if_ != NULL)
		out[k++] = n->if_;
	if (n->then_ != NULL)
		out[k++] = n->then_;
	if (n->else_ != NULL)
		out[k++] = n->else_;
	for (i = 0; i < n->ndepsch; i++)
		out[k++] = n->depsch[i].s;
	return k;
}

static size_t
nedges_max(const struct jnode *n)
{
	return n->kind != JN_OBJ ? 0 :
	    9 + n->nall + n->nany + n->none + n->ndepsch;
}

/*
 * Depth-first search (iterative) for a cycle of in-place applicators:
 * such a schema evaluates itself on the same value without end.
 */
static bool
check_cycles(struct loader *L)
{
	struct jsv *v = L->v;
	struct pmap color = { NULL, 0, 0 };	/* 1 on stack, 2 done */
	struct frame {
		const struct jnode	*n;
		const struct jnode	**e;
		size_t			 ne, next;
	} *st = NULL;
	size_t nst = 0, cap = 0, i;
	const struct jnode *m;
	uintptr_t c;

	for (i = 0; i < v->nall && !L->failed; i++) {
		if (pmap_get(&color, v->all[i]) != NULL)
			continue;
		nst = 0;
		for (m = v->all[i];;) {
			if (m != NULL) {
				if (nst == cap) {
					cap = cap < 64 ? 64 : cap * 2;
					st = xreallocarray(st, cap,
					    sizeof(*st));
				}
				st[nst].n = m;
				st[nst].e = xcalloc(nedges_max(m) + 1,
				    sizeof(*st[nst].e));
				st[nst].ne = inplace_edges(m, st[nst].e);
				st[nst].next = 0;
				nst++;
				pmap_put(&color, m, (void *)1);
			}
			if (nst == 0)
				break;
			if (st[nst - 1].next == st[nst - 1].ne) {
				pmap_put(&color, st[nst - 1].n, (void *)2);
				free(st[nst - 1].e);
				nst--;
				m = NULL;
				if (nst == 0)
					break;
				continue;
			}
			m = st[nst - 1].e[st[nst - 1].next++];
			c = (uintptr_t)pmap_get(&color, m);
			if (c == 2 || m->kind != JN_OBJ) {
				m = NULL;
				continue;
			}
			if (c == 1) {
				fail_at(L, m->res, m->src, "this schema "
				    "applies itself to the same value without "
				    "end (a cycle of $ref or in-place "
				    "applicators)");
				break;
			}
		}
		while (nst > 0)
			free(st[--nst].e);
	}
	free(st);
	pmap_release(&color);
	return !L->failed;
}

/* ---- the public side ---- */

static struct jsv *
jsv_new(const struct jsv_opts *o)
{
	struct jsv *v = xcalloc(1, sizeof(*v));
	size_t i;

	v->o = *o;
	if (v->o.max_depth == 0)
		v->o.max_depth = JSV_MAX_DEPTH;
	v->maps = xcalloc(o->nmaps + 1, sizeof(*v->maps));
	for (i = 0; i < o->nmaps; i++) {
		v->maps[i].prefix = xstrdup(o->maps[i].prefix);
		v->maps[i].dir = xstrdup(o->maps[i].dir);
	}
	v->t.kind = JN_TRUE;
	v->t.compiled = true;
	v->t.format = -1;
	v->f.kind = JN_FALSE;
	v->f.compiled = true;
	v->f.format = -1;
	return v;
}

static struct jsv *
finish(struct loader *L, struct jdoc *d)
{
	struct jsv *v = L->v;
	size_t i;

	/*
	 * Check the documents against their meta-schemas before compiling
	 * them: the meta-schema's message is the clearer one.  Last loaded
	 * first, so that a custom meta-schema is checked (and its dynamic
	 * anchors compiled) before the schemas that use it.
	 */
	for (i = v->ndocs; i-- > 0 && !L->failed;)
		if (!v->docs[i]->checked)
			check_doc(L, v->docs[i]);
	if (d != NULL && !L->failed) {
		v->draft = d->res->draft;
		v->root = node_for(L, d->root, d->res);
	}
	if (!L->failed)
		drain(L);
	if (!L->failed)
		compile_anchors(L, false);
	/* documents that $refs brought in */
	for (i = 0; i < v->ndocs && !L->failed; i++)
		if (!v->docs[i]->checked)
			check_doc(L, v->docs[i]);
	if (!L->failed)
		check_cycles(L);
	free(L->q);
	if (L->failed) {
		jsv_free(v);
		return NULL;
	}
	return v;
}

/* The file: URI of path, or NULL if it does not exist. */
static char *
file_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;
	char *abs = realpath(path, NULL);
	const char *p;

	if (abs == NULL)
		return NULL;
	buf_adds(&b, "file://");
	for (p = abs; *p != '\0'; p++) {
		unsigned char ch = (unsigned char)*p;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("/-._~", ch) != NULL)
			buf_addc(&b, ch);
		else {
			buf_addc(&b, '%');
			buf_addc(&b, hex[ch >> 4]);
			buf_addc(&b, hex[ch & 15]);
		}
	}
	free(abs);
	return buf_detach(&b, NULL);
}

static int
forced_draft(const struct jsv_opts *o)
{
	return o->draft == JSV_DRAFT_7 ? 7 : 2020;
}

struct jsv *
jsv_load_mem(const char *text, size_t n, const char *name,
    const struct jsv_opts *o, struct buf *err)
{
	struct loader L;
	json_object *root;
	struct jdoc *d = NULL;
	char *uri;

	memset(&L, 0, sizeof(L));
	L.v = jsv_new(o);
	L.err = err;
	root = parse_json(&L, text, n, name);
	if (root != NULL) {
		if (strncmp(name, "urn:", 4) == 0)
			uri = xstrdup(name);
		else if ((uri = file_uri(name)) == NULL) {
			struct buf u = BUF_INIT;

			buf_adds(&u, "urn:codesift:schema");
			uri = buf_detach(&u, NULL);
		}
		d = add_doc(&L, uri, root, name, false, forced_draft(o),
		    o->draft != JSV_DRAFT_AUTO);
		free(uri);
	}
	return finish(&L, d);
}

struct jsv *
jsv_load(const char *path, const struct jsv_opts *o, struct buf *err)
{
	struct loader L;
	struct jsv *v;
	char *text;
	size_t n;

	memset(&L, 0, sizeof(L));
	L.err = err;
	text = read_file(&L, path, &n);
	if (text == NULL)
		return NULL;
	v = jsv_load_mem(text, n, path, o, err);
	free(text);
	return v;
}

int
jsv_draft(const struct jsv *v)
{
	return v->draft;
}

size_t
jsv_ndocs(const struct jsv *v)
{
	return v->ndocs;
}

static void
free_node(struct jnode *n)
{
	size_t i;

	free(n->enums);
	if (n->pattern.code != NULL)
		pcre2_code_free(n->pattern.code);
	free(n->props);
	for (i = 0; i < n->npprops; i++)
		if (n->pprops[i].re.code != NULL)
			pcre2_code_free(n->pprops[i].re.code);
	free(n->pprops);
	free(n->prefix);
	free(n->all_of);
	free(n->any_of);
	free(n->one_of);
	free(n->required);
	for (i = 0; i < n->ndepreq; i++)
		free(n->depreq[i].req);
	free(n->depreq);
	free(n->depsch);
	free(n);
}

void
jsv_free(struct jsv *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nall; i++)
		free_node(v->all[i]);
	free(v->all);
	for (i = 0; i < v->reg.cap; i++)
		free(v->reg.e != NULL ? v->reg.e[i].val : NULL);
	smap_release(&v->reg);
	pmap_release(&v->where);
	pmap_release(&v->nodes);
	for (i = 0; i < v->nres; i++) {
		free(v->res[i]->uri);
		free(v->res[i]->dyn);
		free(v->res[i]);
	}
	free(v->res);
	for (i = 0; i < v->ndocs; i++) {
		json_object_put(v->docs[i]->root);
		free(v->docs[i]->uri);
		free(v->docs[i]->name);
		free(v->docs[i]);
	}
	free(v->docs);
	for (i = 0; i < v->o.nmaps; i++) {
		free(v->maps[i].prefix);
		free(v->maps[i].dir);
	}
	free(v->maps);
	free(v);
}
