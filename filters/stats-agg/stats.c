/*
 * stats.c - reading what a record contributes, adding it to the state,
 * merging states, stage summaries, and the state file (stats.h).
 *
 * Built for streams of millions of records: the per-record path reads
 * each field once from the scanned line (no json-c tree, except for the
 * small pii, detected_licenses and quality values), and the state has a
 * fixed size whatever the number of records.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "hex.h"
#include "err.h"
#include "stats.h"

const char *const metric_names[M_NDIST] = {
	"bytes", "lines", "max_line_length", "mean_line_length",
	"alnum_fraction", "n_tokens", "star_events_count"
};

const char *const omet_names[OM_N] = {
	"bytes", "max_line_length", "n_tokens"
};

#define STATE_FORMAT	"codesift-stats-agg-state"
#define STATE_VERSION	1

static const char UNKNOWN[] = "(unknown)";
static const char NONE[] = "(none)";

/* ---- reading a record ---- */

/* A string field: absent or null leaves *out empty (p NULL). */
static bool
opt_str(struct rec *r, const char *key, struct strv *out)
{
	int t = rec_type(r, key);

	out->p = NULL;
	out->n = 0;
	if (t < 0 || t == JT_NULL)
		return true;
	return rec_str(r, key, out) == REC_GOT;
}

/* An integer field in [0, VALUE_MAX]; absent or null: *has false. */
static bool
opt_count(struct rec *r, const char *key, bool *has, uint64_t *out)
{
	int t = rec_type(r, key);
	int64_t v;

	*has = false;
	if (t < 0 || t == JT_NULL)
		return true;
	if (rec_i64(r, key, &v) != REC_GOT)
		return false;
	if (v < 0 || (uint64_t)v > VALUE_MAX) {
		rec_fail(r, "bad-field", "field '%s' is %" PRId64 ", not a "
		    "count from 0 to 2^40", key, v);
		return false;
	}
	*has = true;
	*out = (uint64_t)v;
	return true;
}

/* A small nested value of JSON type want, parsed by json-c; NULL if absent. */
static bool
opt_json(struct rec *r, const char *key, int want, const char *what,
    json_object **out)
{
	int t = rec_type(r, key);

	*out = NULL;
	if (t < 0 || t == JT_NULL)
		return true;
	if (t != want) {
		rec_fail(r, "bad-field", "field '%s' is not %s", key, what);
		return false;
	}
	return (*out = rec_get_json(r, key)) != NULL;
}

static bool
check_pii(struct rec *r, json_object *pii)
{
	struct json_object_iterator it = json_object_iter_begin(pii);
	struct json_object_iterator end = json_object_iter_end(pii);
	json_object *v;
	int64_t n;

	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		v = json_object_iter_peek_value(&it);
		if (!json_object_is_type(v, json_type_int) ||
		    (n = json_object_get_int64(v)) < 0 ||
		    (uint64_t)n > VALUE_MAX) {
			rec_fail(r, "bad-field", "field 'pii': '%s' is not a "
			    "count", json_object_iter_peek_name(&it));
			return false;
		}
	}
	return true;
}

static bool
check_strings(struct rec *r, json_object *a, const char *what)
{
	size_t i, n = json_object_array_length(a);

	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i),
		    json_type_string)) {
			rec_fail(r, "bad-field", "%s: item %zu is not a string",
			    what, i + 1);
			return false;
		}
	return true;
}

static bool
check_quality(struct rec *r, json_object *q)
{
	json_object *ok, *failed;

	if (!json_object_object_get_ex(q, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		rec_fail(r, "bad-field", "field 'quality' has no boolean 'ok'");
		return false;
	}
	if (json_object_object_get_ex(q, "failed", &failed) &&
	    failed != NULL) {
		if (!json_object_is_type(failed, json_type_array)) {
			rec_fail(r, "bad-field", "field 'quality': 'failed' "
			    "is not an array");
			return false;
		}
		return check_strings(r, failed, "field 'quality' 'failed'");
	}
	return true;
}

bool
obs_read(struct obs *o, struct rec *r, const struct fields *f)
{
	const struct jmember *m;
	struct strv s;
	int t;

	memset(o, 0, sizeof(*o));
	if (!rec_scan(r))
		return false;

	/* content: measured in place, escaped */
	if ((m = rec_member(r, f->content)) != NULL && m->type != JT_NULL) {
		if (m->type != JT_STRING) {
			rec_fail(r, "bad-field", "field '%s' is not a string",
			    f->content);
			return false;
		}
		measure_json_string(r->raw + m->val_off + 1, m->val_len - 2,
		    &o->tm);
		o->has_content = o->has_bytes = true;
		o->bytes = o->tm.bytes;
	} else if (!opt_count(r, "length_bytes", &o->has_bytes, &o->bytes))
		return false;

	if (!opt_str(r, f->language, &o->lang) ||
	    !opt_str(r, "extension", &o->ext) ||
	    !opt_str(r, "license_type", &o->lictype) ||
	    !opt_str(r, "repo_name", &o->repo) ||
	    !opt_count(r, "n_tokens", &o->has_tokens, &o->tokens) ||
	    !opt_count(r, "star_events_count", &o->has_stars, &o->stars))
		return false;

	/* the id is only shown: a string, or a number as written */
	t = rec_type(r, f->id);
	if (t == JT_STRING) {
		if (rec_str(r, f->id, &o->id) != REC_GOT)
			return false;
	} else if (t == JT_NUMBER) {
		if (rec_raw(r, f->id, &s) != REC_GOT)
			return false;
		o->id = s;
	}

	t = rec_type(r, "dup_of");
	o->dup = t >= 0 && t != JT_NULL;

	if (!opt_json(r, "detected_licenses", JT_ARRAY, "an array",
	    &o->lics) ||
	    (o->lics != NULL && !check_strings(r, o->lics,
	    "field 'detected_licenses'")) ||
	    !opt_json(r, "pii", JT_OBJECT, "an object", &o->pii) ||
	    (o->pii != NULL && !check_pii(r, o->pii)) ||
	    !opt_json(r, "quality", JT_OBJECT, "an object", &o->quality) ||
	    (o->quality != NULL && !check_quality(r, o->quality))) {
		obs_release(o);
		return false;
	}
	return true;
}

void
obs_release(struct obs *o)
{
	json_object_put(o->lics);
	json_object_put(o->pii);
	json_object_put(o->quality);
	o->lics = o->pii = o->quality = NULL;
}

/* ---- the state ---- */

static void
lang_x_free(void *p)
{
	struct lang_x *x = p;
	int i;

	if (x == NULL)
		return;
	for (i = 0; i < OM_N; i++) {
		dd_release(&x->dd[i]);
		ext_release(&x->ext[i]);
	}
	free(x);
}

static struct lang_x *
lang_x_of(struct stats *s, struct group *g)
{
	struct lang_x *x;
	int i;

	if (g->x != NULL)
		return g->x;
	x = xcalloc(1, sizeof(*x));
	for (i = 0; i < OM_N; i++)
		ext_init(&x->ext[i], s->p.outliers);
	g->x = x;
	return x;
}

void
stats_init(struct stats *s, const struct stats_params *p)
{
	memset(s, 0, sizeof(*s));
	s->p = *p;
	dist_init(&s->d[M_BYTES], HIST_LOG, 0);
	dist_init(&s->d[M_LINES], HIST_LOG, 0);
	dist_init(&s->d[M_MAX_LINE], HIST_LOG, 0);
	dist_init(&s->d[M_MEAN_LINE], HIST_LOG, 16);
	dist_init(&s->d[M_ALNUM], HIST_UNIT, 32);
	dist_init(&s->d[M_TOKENS], HIST_LOG, 0);
	dist_init(&s->d[M_STARS], HIST_LOG, 0);
	ctab_init(&s->lang, LIMIT_LANGUAGES);
	ctab_init(&s->ext, LIMIT_NAMES);
	ctab_init(&s->lictype, LIMIT_NAMES);
	ctab_init(&s->lic, LIMIT_NAMES);
	ctab_init(&s->pii, LIMIT_NAMES);
	ctab_init(&s->qrule, LIMIT_NAMES);
	ss_init(&s->repos, p->repo_capacity);
}

static void
stage_free(struct stage *st)
{
	size_t i;

	free(st->stage);
	free(st->filter);
	for (i = 0; i < st->nshards; i++)
		free(st->shards[i]);
	free(st->shards);
	json_object_put(st->reasons);
}

void
stats_release(struct stats *s)
{
	size_t i;

	for (i = 0; i < M_NDIST; i++)
		dist_release(&s->d[i]);
	ctab_release(&s->lang, lang_x_free);
	ctab_release(&s->ext, NULL);
	ctab_release(&s->lictype, NULL);
	ctab_release(&s->lic, NULL);
	ctab_release(&s->pii, NULL);
	ctab_release(&s->qrule, NULL);
	ss_release(&s->repos);
	for (i = 0; i < s->nst; i++)
		stage_free(&s->st[i]);
	free(s->st);
	memset(s, 0, sizeof(*s));
}

static struct group *
name_group(struct ctab *t, struct strv v, const char *dflt)
{
	if (v.p == NULL || v.n == 0)
		return ctab_get(t, dflt, strlen(dflt));
	return ctab_get(t, v.p, v.n);
}

static void
add_extreme(struct lang_x *x, enum omet m, uint64_t v, const struct obs *o)
{
	struct cand c;

	dd_add(&x->dd[m], 1.0 + (double)v);
	cand_set(&c, v, o->id.p, o->id.n);
	ext_add(&x->ext[m], &c);
}

static void
add_pii(struct stats *s, struct group *lg, json_object *pii)
{
	struct json_object_iterator it = json_object_iter_begin(pii);
	struct json_object_iterator end = json_object_iter_end(pii);
	const char *kind;
	uint64_t n, total = 0, sum = 0;
	bool has_total = false;
	struct group *g;

	s->pii_checked++;
	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		kind = json_object_iter_peek_name(&it);
		n = (uint64_t)json_object_get_int64(
		    json_object_iter_peek_value(&it));
		if (strcmp(kind, "total") == 0) {
			has_total = true;
			total = n;
			continue;
		}
		sum += n;
		if (n == 0)
			continue;
		g = ctab_get(&s->pii, kind, strlen(kind));
		g->records++;
		g->pii += n;
	}
	if (!has_total)
		total = sum;
	if (total > 0) {
		s->pii_records++;
		s->pii_found += total;
		lg->pii++;
	}
}

static void
add_quality(struct stats *s, struct group *lg, json_object *q)
{
	json_object *ok, *failed;
	const char *id;
	size_t i, n;
	struct group *g;

	s->q_checked++;
	json_object_object_get_ex(q, "ok", &ok);
	if (json_object_get_boolean(ok)) {
		s->q_ok++;
		return;
	}
	s->q_failed++;
	lg->qfail++;
	if (!json_object_object_get_ex(q, "failed", &failed) || failed == NULL)
		return;
	n = json_object_array_length(failed);
	for (i = 0; i < n; i++) {
		id = json_object_get_string(json_object_array_get_idx(failed,
		    i));
		g = ctab_get(&s->qrule, id, strlen(id));
		g->records++;
	}
}

void
stats_add(struct stats *s, const struct obs *o)
{
	struct group *lg, *g;
	struct lang_x *x;
	size_t i, n;
	const char *lic;

	s->records++;
	lg = name_group(&s->lang, o->lang, UNKNOWN);
	x = lang_x_of(s, lg);
	lg->records++;
	g = name_group(&s->ext, o->ext, NONE);
	g->records++;
	g->bytes += o->bytes;
	g = name_group(&s->lictype, o->lictype, UNKNOWN);
	g->records++;
	g->bytes += o->bytes;

	if (o->has_bytes) {
		dist_add(&s->d[M_BYTES], (double)o->bytes);
		lg->bytes += o->bytes;
		add_extreme(x, OM_BYTES, o->bytes, o);
		if (o->bytes == 0)
			s->empty++;
	} else
		s->no_size++;
	if (o->has_content) {
		s->with_content++;
		lg->lines += o->tm.lines;
		dist_add(&s->d[M_LINES], (double)o->tm.lines);
		dist_add(&s->d[M_MAX_LINE], (double)o->tm.max_line);
		add_extreme(x, OM_MAX_LINE, o->tm.max_line, o);
		if (o->tm.lines > 0)
			dist_add(&s->d[M_MEAN_LINE], (double)o->tm.line_chars /
			    (double)o->tm.lines);
		if (o->tm.chars > 0)
			dist_add(&s->d[M_ALNUM], (double)o->tm.alnum /
			    (double)o->tm.chars);
	}
	if (o->has_tokens) {
		dist_add(&s->d[M_TOKENS], (double)o->tokens);
		lg->tokens += o->tokens;
		lg->token_records++;
		add_extreme(x, OM_TOKENS, o->tokens, o);
	}
	if (o->has_stars)
		dist_add(&s->d[M_STARS], (double)o->stars);
	if (o->dup) {
		s->dups++;
		lg->dups++;
	}
	if (o->lics != NULL) {
		n = json_object_array_length(o->lics);
		for (i = 0; i < n; i++) {
			lic = json_object_get_string(
			    json_object_array_get_idx(o->lics, i));
			g = ctab_get(&s->lic, lic, strlen(lic));
			g->records++;
			g->bytes += o->bytes;
		}
	}
	if (o->pii != NULL)
		add_pii(s, lg, o->pii);
	if (o->quality != NULL)
		add_quality(s, lg, o->quality);
	if (o->repo.p != NULL && o->repo.n > 0) {
		s->repo_records++;
		s->repo_bytes += o->bytes;
		ss_add(&s->repos, o->repo.p, o->repo.n, o->bytes,
		    o->has_stars ? (int64_t)o->stars : -1);
		hll_add(&s->repo_hll, XXH3_64bits(o->repo.p,
		    name_len(o->repo.p, o->repo.n)));
	}
}

/* ---- merging ---- */

static void
group_merge(struct group *g, const struct group *o)
{
	g->records += o->records;
	g->bytes += o->bytes;
	g->lines += o->lines;
	g->tokens += o->tokens;
	g->token_records += o->token_records;
	g->dups += o->dups;
	g->pii += o->pii;
	g->qfail += o->qfail;
}

static void
ctab_merge(struct stats *s, struct ctab *t, const struct ctab *o, bool lang)
{
	const struct lang_x *ox;
	struct lang_x *x;
	struct group *g;
	size_t i;
	int k;

	t->overflow += o->overflow;
	for (i = 0; i < o->map.n; i++) {
		g = ctab_get(t, o->map.key[i], o->map.klen[i]);
		group_merge(g, &o->g[i]);
		if (!lang || (ox = o->g[i].x) == NULL)
			continue;
		x = lang_x_of(s, g);
		for (k = 0; k < OM_N; k++) {
			dd_merge(&x->dd[k], &ox->dd[k]);
			ext_merge(&x->ext[k], &ox->ext[k]);
		}
	}
}

static void
stage_merge(struct stats *s, const struct stage *o);

bool
stats_merge(struct stats *s, const struct stats *o, struct buf *why)
{
	size_t i;

	if (s->p.outliers != o->p.outliers ||
	    s->p.repo_capacity != o->p.repo_capacity) {
		buf_addf(why, "made with --outliers %u --repo-capacity %u, "
		    "not %u and %u like the first", o->p.outliers,
		    o->p.repo_capacity, s->p.outliers, s->p.repo_capacity);
		return false;
	}
	s->read += o->read;
	s->rejected += o->rejected;
	s->records += o->records;
	s->with_content += o->with_content;
	s->empty += o->empty;
	s->no_size += o->no_size;
	s->dups += o->dups;
	s->pii_checked += o->pii_checked;
	s->pii_records += o->pii_records;
	s->pii_found += o->pii_found;
	s->q_checked += o->q_checked;
	s->q_ok += o->q_ok;
	s->q_failed += o->q_failed;
	s->repo_records += o->repo_records;
	s->repo_bytes += o->repo_bytes;
	for (i = 0; i < M_NDIST; i++)
		dist_merge(&s->d[i], &o->d[i]);
	ctab_merge(s, &s->lang, &o->lang, true);
	ctab_merge(s, &s->ext, &o->ext, false);
	ctab_merge(s, &s->lictype, &o->lictype, false);
	ctab_merge(s, &s->lic, &o->lic, false);
	ctab_merge(s, &s->pii, &o->pii, false);
	ctab_merge(s, &s->qrule, &o->qrule, false);
	ss_merge(&s->repos, &o->repos);
	hll_merge(&s->repo_hll, &o->repo_hll);
	for (i = 0; i < o->nst; i++)
		stage_merge(s, &o->st[i]);
	return true;
}

/* ---- stage summaries ---- */

static struct stage *
stage_find(struct stats *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nst; i++)
		if (strcmp(s->st[i].stage, name) == 0)
			return &s->st[i];
	s->st = xreallocarray(s->st, s->nst + 1, sizeof(*s->st));
	memset(&s->st[s->nst], 0, sizeof(s->st[s->nst]));
	s->st[s->nst].stage = xstrdup(name);
	s->st[s->nst].reasons = json_object_new_object();
	return &s->st[s->nst++];
}

static bool
stage_has_shard(const struct stage *st, const char *shard)
{
	size_t i;

	for (i = 0; i < st->nshards; i++)
		if (strcmp(st->shards[i], shard) == 0)
			return true;
	return false;
}

static void
stage_add_shard(struct stage *st, const char *shard)
{
	st->shards = xreallocarray(st->shards, st->nshards + 1,
	    sizeof(*st->shards));
	st->shards[st->nshards++] = xstrdup(shard);
}

static void
reasons_add(json_object *to, json_object *from)
{
	struct json_object_iterator it = json_object_iter_begin(from);
	struct json_object_iterator end = json_object_iter_end(from);
	json_object *cur;
	const char *k;
	int64_t n;

	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		k = json_object_iter_peek_name(&it);
		n = json_object_get_int64(json_object_iter_peek_value(&it));
		if (json_object_object_get_ex(to, k, &cur))
			n += json_object_get_int64(cur);
		json_object_object_add(to, k, json_object_new_int64(n));
	}
}

static void
stage_merge(struct stats *s, const struct stage *o)
{
	struct stage *st = stage_find(s, o->stage);
	size_t i;

	if (st->filter == NULL)
		st->filter = xstrdup(o->filter);
	st->rin += o->rin;
	st->rout += o->rout;
	st->rdrop += o->rdrop;
	st->rrej += o->rrej;
	st->bin += o->bin;
	st->bout += o->bout;
	st->secs += o->secs;
	for (i = 0; i < o->nshards; i++)
		stage_add_shard(st, o->shards[i]);
	reasons_add(st->reasons, o->reasons);
}

/* A member that must be a non-negative integer. */
static bool
get_u64(json_object *o, const char *key, bool required, uint64_t *v,
    struct buf *why)
{
	json_object *m;
	int64_t n;

	*v = 0;
	if (!json_object_object_get_ex(o, key, &m) || m == NULL) {
		if (required)
			buf_addf(why, "no integer '%s'", key);
		return !required;
	}
	if (!json_object_is_type(m, json_type_int)) {
		buf_addf(why, "'%s' is not an integer", key);
		return false;
	}
	if (json_object_get_int64(m) == INT64_MAX) {
		*v = json_object_get_uint64(m);
		return true;
	}
	if ((n = json_object_get_int64(m)) < 0) {
		buf_addf(why, "'%s' is negative", key);
		return false;
	}
	*v = (uint64_t)n;
	return true;
}

static const char *
get_string(json_object *o, const char *key)
{
	json_object *m;

	if (!json_object_object_get_ex(o, key, &m) ||
	    !json_object_is_type(m, json_type_string))
		return NULL;
	return json_object_get_string(m);
}

static json_object *
get_typed(json_object *o, const char *key, enum json_type t)
{
	json_object *m;

	if (!json_object_object_get_ex(o, key, &m) ||
	    !json_object_is_type(m, t))
		return NULL;
	return m;
}

/* Parse text[0..n) as one JSON value; NULL with a message on error. */
static json_object *
parse_json(const char *text, size_t n, struct buf *why)
{
	struct json_tokener *tok;
	json_object *o;

	if (n > INT32_MAX) {
		buf_adds(why, "file too large");
		return NULL;
	}
	if ((tok = json_tokener_new_ex(64)) == NULL)
		err_die("out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)n);
	if (o == NULL) {
		buf_addf(why, "not JSON: %s", json_tokener_error_desc(
		    json_tokener_get_error(tok)));
	} else {
		/* only white space may follow */
		size_t k = (size_t)json_tokener_get_parse_end(tok);

		while (k < n && (text[k] == ' ' || text[k] == '\n' ||
		    text[k] == '\t' || text[k] == '\r'))
			k++;
		if (k < n) {
			buf_addf(why, "not JSON: text after the value");
			json_object_put(o);
			o = NULL;
		}
	}
	json_tokener_free(tok);
	return o;
}

/* Fill a stage from one summary object; false with why. */
static bool
summary_stage(json_object *j, struct stage *st, struct buf *why)
{
	json_object *rec, *by, *rs, *d;
	const char *stage, *filter, *shard;
	struct json_object_iterator it, end;

	memset(st, 0, sizeof(*st));
	if (!json_object_is_type(j, json_type_object)) {
		buf_adds(why, "not a JSON object");
		return false;
	}
	filter = get_string(j, "filter");
	stage = get_string(j, "stage");
	if (filter == NULL && stage == NULL) {
		buf_adds(why, "no 'filter' or 'stage' name");
		return false;
	}
	if ((rec = get_typed(j, "records", json_type_object)) == NULL) {
		buf_adds(why, "no 'records' object");
		return false;
	}
	if (!get_u64(rec, "in", true, &st->rin, why) ||
	    !get_u64(rec, "out", true, &st->rout, why) ||
	    !get_u64(rec, "dropped", true, &st->rdrop, why) ||
	    !get_u64(rec, "rejected", true, &st->rrej, why))
		return false;
	if ((by = get_typed(j, "bytes", json_type_object)) != NULL &&
	    (!get_u64(by, "in", false, &st->bin, why) ||
	    !get_u64(by, "out", false, &st->bout, why)))
		return false;
	if (json_object_object_get_ex(j, "duration_seconds", &d) &&
	    (json_object_is_type(d, json_type_double) ||
	    json_object_is_type(d, json_type_int)))
		st->secs = json_object_get_double(d);
	st->reasons = json_object_new_object();
	if ((rs = get_typed(j, "rejects_by_reason", json_type_object)) !=
	    NULL) {
		it = json_object_iter_begin(rs);
		end = json_object_iter_end(rs);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it)) {
			d = json_object_iter_peek_value(&it);
			if (!json_object_is_type(d, json_type_int) ||
			    json_object_get_int64(d) < 0) {
				buf_addf(why, "rejects_by_reason '%s' is not "
				    "a count", json_object_iter_peek_name(&it));
				json_object_put(st->reasons);
				st->reasons = NULL;
				return false;
			}
			json_object_object_add(st->reasons,
			    json_object_iter_peek_name(&it),
			    json_object_get(d));
		}
	}
	st->stage = xstrdup(stage != NULL ? stage : filter);
	st->filter = xstrdup(filter != NULL ? filter : stage);
	shard = get_string(j, "shard");
	st->shards = xmalloc(sizeof(*st->shards));
	st->shards[0] = xstrdup(shard != NULL ? shard : "");
	st->nshards = 1;
	return true;
}

bool
stats_add_summary(struct stats *s, const char *path, const char *text,
    size_t n, struct buf *why)
{
	json_object *j;
	struct stage st;
	size_t i;
	bool ok;

	(void)path;
	if ((j = parse_json(text, n, why)) == NULL)
		return false;
	ok = summary_stage(j, &st, why);
	json_object_put(j);
	if (!ok) {
		stage_free(&st);
		return false;
	}
	for (i = 0; i < s->nst; i++)
		if (strcmp(s->st[i].stage, st.stage) == 0 &&
		    stage_has_shard(&s->st[i], st.shards[0])) {
			buf_addf(why, "stage '%s'%s%s%s was given before",
			    st.stage, *st.shards[0] ? " (shard '" : "",
			    st.shards[0], *st.shards[0] ? "')" : "");
			stage_free(&st);
			return false;
		}
	stage_merge(s, &st);
	stage_free(&st);
	return true;
}

static int
filter_rank(const char *f)
{
	static const char *const order[] = {
		"swh-fetch", "pii-scrub", "dedup-exact", "dedup-near",
		"tok-count", "schema-check", "stats-agg"
	};
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (f != NULL && strcmp(f, order[i]) == 0)
			return (int)i;
	return (int)(sizeof(order) / sizeof(order[0]));
}

void
stats_sort_stages(struct stats *s)
{
	size_t i, j;
	struct stage t;

	/* insertion sort: stable, and there are a handful of stages */
	for (i = 1; i < s->nst; i++) {
		t = s->st[i];
		for (j = i; j > 0 && filter_rank(s->st[j - 1].filter) >
		    filter_rank(t.filter); j--)
			s->st[j] = s->st[j - 1];
		s->st[j] = t;
	}
}

/* ---- the state file ---- */

static json_object *
jstr_n(const char *s, size_t n)
{
	return json_object_new_string_len(s, (int)n);
}

static json_object *
ju64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static json_object *
ju128(u128 v)
{
	char t[40];

	u128_format(v, t);
	return json_object_new_string(t);
}

/* A sketch as {"zero":z,"lo":i,"buckets":[...]} without end zeros. */
static json_object *
save_dd(const struct ddsketch *d)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	uint32_t b = 0, e = d->n, i;

	while (b < e && d->counts[b] == 0)
		b++;
	while (e > b && d->counts[e - 1] == 0)
		e--;
	json_object_object_add(o, "zero", ju64(d->zero));
	json_object_object_add(o, "lo", json_object_new_int(
	    b < e ? d->lo + (int32_t)b : 0));
	for (i = b; i < e; i++)
		json_object_array_add(a, ju64(d->counts[i]));
	json_object_object_add(o, "buckets", a);
	return o;
}

static json_object *
save_dist(const struct dist *d)
{
	json_object *o = save_dd(&d->dd), *h = json_object_new_array();
	size_t i;

	json_object_object_add(o, "count", ju64(d->count));
	json_object_object_add(o, "min", json_object_new_double(d->min));
	json_object_object_add(o, "max", json_object_new_double(d->max));
	json_object_object_add(o, "sum", ju128(d->sum));
	json_object_object_add(o, "sumsq", ju128(d->sumsq));
	for (i = 0; i < dist_nbins(d); i++)
		json_object_array_add(h, ju64(d->hist[i]));
	json_object_object_add(o, "hist", h);
	return o;
}

static json_object *
save_group(const char *name, size_t len, const struct group *g)
{
	json_object *a = json_object_new_array();

	json_object_array_add(a, jstr_n(name, len));
	json_object_array_add(a, ju64(g->records));
	json_object_array_add(a, ju64(g->bytes));
	json_object_array_add(a, ju64(g->lines));
	json_object_array_add(a, ju64(g->tokens));
	json_object_array_add(a, ju64(g->token_records));
	json_object_array_add(a, ju64(g->dups));
	json_object_array_add(a, ju64(g->pii));
	json_object_array_add(a, ju64(g->qfail));
	return a;
}

static json_object *
save_cands(const struct cand *c, uint32_t n)
{
	json_object *a = json_object_new_array(), *e;
	uint32_t i;

	for (i = 0; i < n; i++) {
		e = json_object_new_array();
		json_object_array_add(e, ju64(c[i].v));
		json_object_array_add(e, c[i].hasid ?
		    jstr_n(c[i].id, c[i].idlen) : NULL);
		json_object_array_add(a, e);
	}
	return a;
}

static json_object *
save_ctab(const struct ctab *t, bool lang)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	json_object *g, *xs, *xo;
	const struct lang_x *x;
	size_t i;
	int k;

	json_object_object_add(o, "overflow", ju64(t->overflow));
	for (i = 0; i < t->map.n; i++) {
		g = save_group(t->map.key[i], t->map.klen[i], &t->g[i]);
		if (lang) {
			xs = json_object_new_array();
			x = t->g[i].x;
			for (k = 0; k < OM_N && x != NULL; k++) {
				xo = save_dd(&x->dd[k]);
				json_object_object_add(xo, "high", save_cands(
				    x->ext[k].hi, x->ext[k].nhi));
				json_object_object_add(xo, "low", save_cands(
				    x->ext[k].lo, x->ext[k].nlo));
				json_object_array_add(xs, xo);
			}
			json_object_array_add(g, xs);
		}
		json_object_array_add(a, g);
	}
	json_object_object_add(o, "groups", a);
	return o;
}

static json_object *
save_repos(const struct stats *s)
{
	const struct spacesaving *r = &s->repos;
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	json_object *e;
	char *h = xmalloc(2 * HLL_M + 1);
	size_t i;

	json_object_object_add(o, "evicted",
	    json_object_new_boolean(r->evicted));
	for (i = 0; i < r->map.n; i++) {
		e = json_object_new_array();
		json_object_array_add(e, jstr_n(r->map.key[i],
		    r->map.klen[i]));
		json_object_array_add(e, ju64(r->it[i].count));
		json_object_array_add(e, ju64(r->it[i].err));
		json_object_array_add(e, ju64(r->it[i].bytes));
		json_object_array_add(e, ju64(r->it[i].bytes_err));
		json_object_array_add(e, json_object_new_int64(
		    r->it[i].stars));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "items", a);
	hex_encode(h, s->repo_hll.reg, HLL_M);
	json_object_object_add(o, "hll", json_object_new_string(h));
	free(h);
	return o;
}

static json_object *
save_stages(const struct stats *s)
{
	json_object *a = json_object_new_array(), *o, *r, *sh;
	const struct stage *st;
	size_t i, k;

	for (i = 0; i < s->nst; i++) {
		st = &s->st[i];
		o = json_object_new_object();
		json_object_object_add(o, "stage",
		    json_object_new_string(st->stage));
		json_object_object_add(o, "filter",
		    json_object_new_string(st->filter));
		r = json_object_new_object();
		json_object_object_add(r, "in", ju64(st->rin));
		json_object_object_add(r, "out", ju64(st->rout));
		json_object_object_add(r, "dropped", ju64(st->rdrop));
		json_object_object_add(r, "rejected", ju64(st->rrej));
		json_object_object_add(o, "records", r);
		r = json_object_new_object();
		json_object_object_add(r, "in", ju64(st->bin));
		json_object_object_add(r, "out", ju64(st->bout));
		json_object_object_add(o, "bytes", r);
		json_object_object_add(o, "duration_seconds",
		    json_object_new_double(st->secs));
		sh = json_object_new_array();
		for (k = 0; k < st->nshards; k++)
			json_object_array_add(sh,
			    json_object_new_string(st->shards[k]));
		json_object_object_add(o, "shards", sh);
		json_object_object_add(o, "rejects_by_reason",
		    json_object_get(st->reasons));
		json_object_array_add(a, o);
	}
	return a;
}

void
stats_save(struct stats *s, struct buf *out)
{
	json_object *o = json_object_new_object(), *p, *d;
	size_t i;

	json_object_object_add(o, "format",
	    json_object_new_string(STATE_FORMAT));
	json_object_object_add(o, "version",
	    json_object_new_int(STATE_VERSION));
	p = json_object_new_object();
	json_object_object_add(p, "outliers", ju64(s->p.outliers));
	json_object_object_add(p, "repo_capacity", ju64(s->p.repo_capacity));
	json_object_object_add(p, "relative_error",
	    json_object_new_double(DD_ALPHA));
	json_object_object_add(o, "params", p);
#define C(name) json_object_object_add(o, #name, ju64(s->name))
	C(read); C(rejected); C(records); C(with_content); C(empty);
	C(no_size); C(dups); C(pii_checked); C(pii_records); C(pii_found);
	C(q_checked); C(q_ok); C(q_failed); C(repo_records); C(repo_bytes);
#undef C
	d = json_object_new_object();
	for (i = 0; i < M_NDIST; i++)
		json_object_object_add(d, metric_names[i], save_dist(&s->d[i]));
	json_object_object_add(o, "distributions", d);
	json_object_object_add(o, "languages", save_ctab(&s->lang, true));
	json_object_object_add(o, "extensions", save_ctab(&s->ext, false));
	json_object_object_add(o, "license_types",
	    save_ctab(&s->lictype, false));
	json_object_object_add(o, "licenses", save_ctab(&s->lic, false));
	json_object_object_add(o, "pii_kinds", save_ctab(&s->pii, false));
	json_object_object_add(o, "quality_rules", save_ctab(&s->qrule, false));
	json_object_object_add(o, "repos", save_repos(s));
	json_object_object_add(o, "stages", save_stages(s));
	buf_adds(out, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	buf_addc(out, '\n');
	json_object_put(o);
}

/* ---- loading, every value checked: a state file is input ---- */

static bool
load_dd(json_object *o, struct ddsketch *d, struct buf *why)
{
	json_object *lo, *b, *v;
	uint64_t z, n;
	int64_t l;
	size_t i, len;

	if (!get_u64(o, "zero", true, &z, why))
		return false;
	if ((lo = get_typed(o, "lo", json_type_int)) == NULL ||
	    (b = get_typed(o, "buckets", json_type_array)) == NULL) {
		buf_adds(why, "a sketch lacks 'lo' or 'buckets'");
		return false;
	}
	l = json_object_get_int64(lo);
	len = json_object_array_length(b);
	if (len > 0 && (l < DD_INDEX_MIN || l > DD_INDEX_MAX ||
	    (int64_t)len > DD_INDEX_MAX - l + 1)) {
		buf_adds(why, "sketch buckets out of range");
		return false;
	}
	d->zero = z;
	d->count = z;
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(b, i);
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 0) {
			buf_adds(why, "a sketch bucket is not a count");
			return false;
		}
		n = (uint64_t)json_object_get_int64(v);
		if (n > 0)
			dd_add_bucket(d, (int32_t)(l + (int64_t)i), n);
	}
	return true;
}

static bool
get_double(json_object *o, const char *key, double *v, struct buf *why)
{
	json_object *m;

	if (!json_object_object_get_ex(o, key, &m) ||
	    !(json_object_is_type(m, json_type_double) ||
	    json_object_is_type(m, json_type_int))) {
		buf_addf(why, "no number '%s'", key);
		return false;
	}
	*v = json_object_get_double(m);
	if (!isfinite(*v) || *v < 0) {
		buf_addf(why, "'%s' out of range", key);
		return false;
	}
	return true;
}

static bool
get_u128(json_object *o, const char *key, u128 *v, struct buf *why)
{
	const char *s = get_string(o, key);

	if (s == NULL || !u128_parse(s, v)) {
		buf_addf(why, "no decimal string '%s'", key);
		return false;
	}
	return true;
}

static bool
load_dist(json_object *o, struct dist *d, struct buf *why)
{
	json_object *h, *v;
	uint64_t count, sum = 0;
	size_t i;

	if (o == NULL) {
		buf_adds(why, "a distribution is missing");
		return false;
	}
	if (!load_dd(o, &d->dd, why) ||
	    !get_u64(o, "count", true, &count, why) ||
	    !get_double(o, "min", &d->min, why) ||
	    !get_double(o, "max", &d->max, why) ||
	    !get_u128(o, "sum", &d->sum, why) ||
	    !get_u128(o, "sumsq", &d->sumsq, why))
		return false;
	d->count = count;
	if ((h = get_typed(o, "hist", json_type_array)) == NULL ||
	    json_object_array_length(h) != dist_nbins(d)) {
		buf_adds(why, "a histogram has the wrong size");
		return false;
	}
	for (i = 0; i < dist_nbins(d); i++) {
		v = json_object_array_get_idx(h, i);
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 0) {
			buf_adds(why, "a histogram bin is not a count");
			return false;
		}
		d->hist[i] = (uint64_t)json_object_get_int64(v);
		sum += d->hist[i];
	}
	if (sum != count || d->dd.count != count || d->min > d->max) {
		buf_adds(why, "a distribution does not add up");
		return false;
	}
	return true;
}

static bool
load_cands(json_object *a, struct extremes *e, bool high, struct buf *why)
{
	json_object *c, *v, *id;
	struct cand k;
	size_t i, n;

	if (a == NULL || !json_object_is_type(a, json_type_array) ||
	    (n = json_object_array_length(a)) > e->cap) {
		buf_adds(why, "bad list of extreme values");
		return false;
	}
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(a, i);
		if (!json_object_is_type(c, json_type_array) ||
		    json_object_array_length(c) != 2 ||
		    !json_object_is_type(v = json_object_array_get_idx(c, 0),
		    json_type_int) || json_object_get_int64(v) < 0) {
			buf_adds(why, "bad extreme value");
			return false;
		}
		id = json_object_array_get_idx(c, 1);
		if (id != NULL && !json_object_is_type(id, json_type_string)) {
			buf_adds(why, "bad id of an extreme value");
			return false;
		}
		cand_set(&k, (uint64_t)json_object_get_int64(v),
		    id != NULL ? json_object_get_string(id) : NULL,
		    id != NULL ? (size_t)json_object_get_string_len(id) : 0);
		ext_add_side(e, &k, high);
	}
	return true;
}

static bool
load_group(json_object *a, struct group *g, struct buf *why)
{
	uint64_t *f[] = { &g->records, &g->bytes, &g->lines, &g->tokens,
	    &g->token_records, &g->dups, &g->pii, &g->qfail };
	json_object *v;
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		v = json_object_array_get_idx(a, i + 1);
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 0) {
			buf_adds(why, "a group count is not a count");
			return false;
		}
		*f[i] = (uint64_t)json_object_get_int64(v);
	}
	return true;
}

static bool
load_ctab(struct stats *s, json_object *o, struct ctab *t, bool lang,
    struct buf *why)
{
	json_object *a, *e, *name, *xs, *xo;
	struct group *g;
	struct lang_x *x;
	size_t i, n, want = lang ? 10 : 9;
	int k;

	if (o == NULL || !get_u64(o, "overflow", true, &t->overflow, why) ||
	    (a = get_typed(o, "groups", json_type_array)) == NULL) {
		buf_adds(why, why->len ? "" : "a table is missing");
		return false;
	}
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_array) ||
		    json_object_array_length(e) != want ||
		    !json_object_is_type(name = json_object_array_get_idx(e,
		    0), json_type_string)) {
			buf_adds(why, "bad table entry");
			return false;
		}
		if (strmap_find(&t->map, json_object_get_string(name),
		    (size_t)json_object_get_string_len(name)) != STRMAP_NONE ||
		    (size_t)json_object_get_string_len(name) > NAME_MAX_BYTES) {
			buf_adds(why, "a table name is repeated or too long");
			return false;
		}
		g = ctab_get_exact(t, json_object_get_string(name),
		    (size_t)json_object_get_string_len(name));
		if (!load_group(e, g, why))
			return false;
		if (!lang)
			continue;
		xs = json_object_array_get_idx(e, 9);
		if (!json_object_is_type(xs, json_type_array) ||
		    json_object_array_length(xs) != OM_N) {
			buf_adds(why, "bad outlier data of a language");
			return false;
		}
		x = lang_x_of(s, g);
		for (k = 0; k < OM_N; k++) {
			xo = json_object_array_get_idx(xs, (size_t)k);
			if (!json_object_is_type(xo, json_type_object) ||
			    !load_dd(xo, &x->dd[k], why) ||
			    !load_cands(get_typed(xo, "high",
			    json_type_array), &x->ext[k], true, why) ||
			    !load_cands(get_typed(xo, "low",
			    json_type_array), &x->ext[k], false, why))
				return false;
		}
	}
	if (t->map.n > t->limit + 1) {
		buf_adds(why, "a table has more names than its limit");
		return false;
	}
	return true;
}

static bool
load_repos(struct stats *s, json_object *o, struct buf *why)
{
	json_object *a, *e, *ev, *v;
	struct ss_item it;
	const char *h;
	size_t i, n, k;
	uint64_t *f[4];
	int hi, lo;

	if (o == NULL || (a = get_typed(o, "items", json_type_array)) == NULL ||
	    (ev = get_typed(o, "evicted", json_type_boolean)) == NULL ||
	    (h = get_string(o, "hll")) == NULL || strlen(h) != 2 * HLL_M) {
		buf_adds(why, "bad 'repos'");
		return false;
	}
	n = json_object_array_length(a);
	if (n > s->repos.cap) {
		buf_adds(why, "more repositories than --repo-capacity");
		return false;
	}
	f[0] = &it.count;
	f[1] = &it.err;
	f[2] = &it.bytes;
	f[3] = &it.bytes_err;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_array) ||
		    json_object_array_length(e) != 6 ||
		    !json_object_is_type(v = json_object_array_get_idx(e, 0),
		    json_type_string) ||
		    (size_t)json_object_get_string_len(v) > NAME_MAX_BYTES ||
		    strmap_find(&s->repos.map, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v)) != STRMAP_NONE) {
			buf_adds(why, "bad repository entry");
			return false;
		}
		memset(&it, 0, sizeof(it));
		for (k = 0; k < 4; k++) {
			json_object *c = json_object_array_get_idx(e, k + 1);

			if (!json_object_is_type(c, json_type_int) ||
			    json_object_get_int64(c) < 0) {
				buf_adds(why, "bad repository count");
				return false;
			}
			*f[k] = (uint64_t)json_object_get_int64(c);
		}
		v = json_object_array_get_idx(e, 5);
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < -1) {
			buf_adds(why, "bad repository stars");
			return false;
		}
		it.stars = json_object_get_int64(v);
		ss_put(&s->repos, json_object_get_string(
		    json_object_array_get_idx(e, 0)),
		    (size_t)json_object_get_string_len(
		    json_object_array_get_idx(e, 0)), &it);
	}
	s->repos.evicted = json_object_get_boolean(ev);
	for (i = 0; i < HLL_M; i++) {
		hi = hex_digit((unsigned char)h[2 * i]);
		lo = hex_digit((unsigned char)h[2 * i + 1]);
		if (hi < 0 || lo < 0 || hi * 16 + lo > 64 - HLL_P + 1) {
			buf_adds(why, "bad 'hll'");
			return false;
		}
		s->repo_hll.reg[i] = (uint8_t)(hi * 16 + lo);
	}
	return true;
}

static bool
load_stages(struct stats *s, json_object *a, struct buf *why)
{
	json_object *o, *sh;
	struct stage st;
	size_t i, k, n;

	if (a == NULL) {
		buf_adds(why, "no 'stages'");
		return false;
	}
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(a, i);
		if (!summary_stage(o, &st, why))
			goto bad;
		if ((sh = get_typed(o, "shards", json_type_array)) == NULL) {
			buf_adds(why, "a stage has no 'shards'");
			goto bad;
		}
		/* the shard list replaces the one summary_stage() made */
		free(st.shards[0]);
		st.nshards = 0;
		for (k = 0; k < json_object_array_length(sh); k++) {
			const char *name = json_object_get_string(
			    json_object_array_get_idx(sh, k));

			if (!json_object_is_type(json_object_array_get_idx(sh,
			    k), json_type_string)) {
				buf_adds(why, "a shard name is not a string");
				goto bad;
			}
			stage_add_shard(&st, name);
		}
		stage_merge(s, &st);
		stage_free(&st);
	}
	return true;
bad:
	stage_free(&st);
	return false;
}

bool
stats_load(struct stats *s, const char *text, size_t n, struct buf *why)
{
	json_object *o, *p, *d;
	struct stats_params sp;
	const char *fmt;
	uint64_t out, rc, v;
	double alpha;
	size_t i;
	bool ok = false;

	memset(s, 0, sizeof(*s));
	if ((o = parse_json(text, n, why)) == NULL) {
		buf_adds(why, " (not a stats-agg state)");
		return false;
	}
	fmt = get_string(o, "format");
	if (fmt == NULL || strcmp(fmt, STATE_FORMAT) != 0) {
		buf_adds(why, "not a stats-agg state (no format '"
		    STATE_FORMAT "')");
		goto done;
	}
	if (!get_u64(o, "version", true, &v, why))
		goto done;
	if (v != STATE_VERSION) {
		buf_addf(why, "state version %" PRIu64 ", this stats-agg "
		    "reads version %d", v, STATE_VERSION);
		goto done;
	}
	if ((p = get_typed(o, "params", json_type_object)) == NULL ||
	    !get_u64(p, "outliers", true, &out, why) ||
	    !get_u64(p, "repo_capacity", true, &rc, why) ||
	    !get_double(p, "relative_error", &alpha, why)) {
		buf_adds(why, why->len ? "" : "bad 'params'");
		goto done;
	}
	if (out > OUTLIERS_MAX || rc < 1 || rc > REPO_CAPACITY_MAX ||
	    alpha != DD_ALPHA) {
		buf_adds(why, "'params' out of range or another sketch "
		    "accuracy");
		goto done;
	}
	sp.outliers = (uint32_t)out;
	sp.repo_capacity = (uint32_t)rc;
	stats_init(s, &sp);
#define C(name) if (!get_u64(o, #name, true, &s->name, why)) goto done
	C(read); C(rejected); C(records); C(with_content); C(empty);
	C(no_size); C(dups); C(pii_checked); C(pii_records); C(pii_found);
	C(q_checked); C(q_ok); C(q_failed); C(repo_records); C(repo_bytes);
#undef C
	if ((d = get_typed(o, "distributions", json_type_object)) == NULL) {
		buf_adds(why, "no 'distributions'");
		goto done;
	}
	for (i = 0; i < M_NDIST; i++)
		if (!load_dist(get_typed(d, metric_names[i], json_type_object),
		    &s->d[i], why))
			goto done;
	if (!load_ctab(s, get_typed(o, "languages", json_type_object),
	    &s->lang, true, why) ||
	    !load_ctab(s, get_typed(o, "extensions", json_type_object),
	    &s->ext, false, why) ||
	    !load_ctab(s, get_typed(o, "license_types", json_type_object),
	    &s->lictype, false, why) ||
	    !load_ctab(s, get_typed(o, "licenses", json_type_object),
	    &s->lic, false, why) ||
	    !load_ctab(s, get_typed(o, "pii_kinds", json_type_object),
	    &s->pii, false, why) ||
	    !load_ctab(s, get_typed(o, "quality_rules", json_type_object),
	    &s->qrule, false, why) ||
	    !load_repos(s, get_typed(o, "repos", json_type_object), why) ||
	    !load_stages(s, get_typed(o, "stages", json_type_array), why))
		goto done;
	ok = true;
done:
	json_object_put(o);
	return ok;
}
