/*
 * tally.c - counting failures and rendering them (report, summary,
 * metrics).  Tables are small (rules, keywords, reasons, languages): linear
 * search is enough.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "quality.h"
#include "tally.h"

void
tally_init(struct tally *t, size_t nrules)
{
	memset(t, 0, sizeof(*t));
	t->nrules = nrules;
	t->rule_failed = xcalloc(nrules + 1, sizeof(*t->rule_failed));
	t->rule_applied = xcalloc(nrules + 1, sizeof(*t->rule_applied));
	t->rule_ids = xcalloc(nrules + 1, sizeof(*t->rule_ids));
}

static void
ids_release(struct tally_ids *ids)
{
	size_t i;

	for (i = 0; i < ids->n; i++)
		free(ids->id[i]);
	ids->n = 0;
}

static void
tab_release(struct tally_tab *tab)
{
	size_t i;

	for (i = 0; i < tab->n; i++) {
		free(tab->k[i].key);
		ids_release(&tab->k[i].ids);
	}
	free(tab->k);
	memset(tab, 0, sizeof(*tab));
}

void
tally_release(struct tally *t)
{
	size_t i;

	for (i = 0; i < t->nrules; i++)
		ids_release(&t->rule_ids[i]);
	free(t->rule_failed);
	free(t->rule_applied);
	free(t->rule_ids);
	tab_release(&t->keywords);
	tab_release(&t->reasons);
	tab_release(&t->langs);
	memset(t, 0, sizeof(*t));
}

void
tally_id(struct tally_ids *ids, uint64_t ord, const char *id)
{
	size_t i, k;

	if (ids->n == TALLY_FIRST_IDS && ord >= ids->ord[ids->n - 1])
		return;
	for (i = ids->n; i > 0 && ids->ord[i - 1] > ord; i--)
		;
	if (ids->n == TALLY_FIRST_IDS) {
		free(ids->id[ids->n - 1]);
		ids->n--;
	}
	for (k = ids->n; k > i; k--) {
		ids->ord[k] = ids->ord[k - 1];
		ids->id[k] = ids->id[k - 1];
	}
	ids->ord[i] = ord;
	ids->id[i] = xstrdup(id);
	ids->n++;
}

struct tally_key *
tally_get(struct tally_tab *tab, const char *key, size_t n)
{
	struct tally_key *k;
	size_t i;

	for (i = 0; i < tab->n; i++)
		if (strlen(tab->k[i].key) == n &&
		    memcmp(tab->k[i].key, key, n) == 0)
			return &tab->k[i];
	if (tab->n == tab->cap) {
		tab->cap = tab->cap < 16 ? 16 : tab->cap * 2;
		tab->k = xreallocarray(tab->k, tab->cap, sizeof(*tab->k));
	}
	k = &tab->k[tab->n++];
	memset(k, 0, sizeof(*k));
	k->key = xstrndup(key, n);
	return k;
}

static void
ids_merge(struct tally_ids *dst, const struct tally_ids *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		tally_id(dst, src->ord[i], src->id[i]);
}

static void
tab_merge(struct tally_tab *dst, const struct tally_tab *src)
{
	struct tally_key *k;
	size_t i;

	for (i = 0; i < src->n; i++) {
		k = tally_get(dst, src->k[i].key, strlen(src->k[i].key));
		k->failed += src->k[i].failed;
		k->records += src->k[i].records;
		ids_merge(&k->ids, &src->k[i].ids);
	}
}

void
tally_merge(struct tally *dst, const struct tally *src)
{
	size_t i;

	dst->passed += src->passed;
	dst->failed += src->failed;
	dst->schema_failed += src->schema_failed;
	dst->rules_failed += src->rules_failed;
	for (i = 0; i < dst->nrules && i < src->nrules; i++) {
		dst->rule_failed[i] += src->rule_failed[i];
		dst->rule_applied[i] += src->rule_applied[i];
		ids_merge(&dst->rule_ids[i], &src->rule_ids[i]);
	}
	tab_merge(&dst->keywords, &src->keywords);
	tab_merge(&dst->reasons, &src->reasons);
	tab_merge(&dst->langs, &src->langs);
}

/* ---- rendering ---- */

static json_object *
ids_json(const struct tally_ids *ids)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < ids->n; i++)
		json_object_array_add(a, json_object_new_string(ids->id[i]));
	return a;
}

static json_object *
share(uint64_t part, uint64_t whole)
{
	double v = whole > 0 ? (double)part / (double)whole : 0;

	return json_object_new_double(round(v * 1e6) / 1e6);
}

static int
key_cmp(const void *a, const void *b)
{
	const struct tally_key *x = a, *y = b;

	return strcmp(x->key, y->key);
}

/* The table sorted by key (a copy of the array; keys are shared). */
static struct tally_key *
sorted(const struct tally_tab *tab)
{
	struct tally_key *k = xreallocarray(NULL, tab->n + 1, sizeof(*k));

	if (tab->n > 0)
		memcpy(k, tab->k, tab->n * sizeof(*k));
	qsort(k, tab->n, sizeof(*k), key_cmp);
	return k;
}

static json_object *
tab_json(const struct tally_tab *tab, bool langs, uint64_t records)
{
	json_object *o = json_object_new_object(), *e;
	struct tally_key *k = sorted(tab);
	size_t i;

	for (i = 0; i < tab->n; i++) {
		e = json_object_new_object();
		if (langs) {
			json_object_object_add(e, "records",
			    json_object_new_int64((int64_t)k[i].records));
			json_object_object_add(e, "failed",
			    json_object_new_int64((int64_t)k[i].failed));
			json_object_object_add(e, "fail_share",
			    share(k[i].failed, k[i].records));
		} else {
			json_object_object_add(e, "failed",
			    json_object_new_int64((int64_t)k[i].failed));
			json_object_object_add(e, "share",
			    share(k[i].failed, records));
		}
		json_object_object_add(e, "first_ids", ids_json(&k[i].ids));
		json_object_object_add(o, k[i].key, e);
	}
	free(k);
	return o;
}

json_object *
tally_report(const struct tally *t, const struct tally_meta *m)
{
	json_object *o = json_object_new_object(), *s, *r, *e, *g;
	const struct qrule *qr;
	uint64_t failed = m->records - t->passed;
	size_t i;

	json_object_object_add(o, "records",
	    json_object_new_int64((int64_t)m->records));
	json_object_object_add(o, "passed",
	    json_object_new_int64((int64_t)t->passed));
	json_object_object_add(o, "failed",
	    json_object_new_int64((int64_t)failed));
	json_object_object_add(o, "fail_share", share(failed, m->records));
	g = json_object_new_object();
	json_object_object_add(g, "max_fail", m->max_fail != NULL ?
	    json_object_new_string(m->max_fail) : NULL);
	json_object_object_add(g, "failed",
	    json_object_new_boolean(m->gate_failed));
	json_object_object_add(o, "gate", g);

	s = json_object_new_object();
	json_object_object_add(s, "file", m->schema != NULL ?
	    json_object_new_string(m->schema) : NULL);
	if (m->schema != NULL)
		json_object_object_add(s, "draft", json_object_new_string(
		    m->draft == 7 ? "draft-07" : "2020-12"));
	json_object_object_add(s, "failed",
	    json_object_new_int64((int64_t)t->schema_failed));
	json_object_object_add(s, "share", share(t->schema_failed,
	    m->records));
	json_object_object_add(s, "keywords", tab_json(&t->keywords, false,
	    m->records));
	json_object_object_add(o, "schema", s);

	r = json_object_new_object();
	for (i = 0; m->q != NULL && i < m->q->n; i++) {
		qr = &m->q->r[i];
		if (!qr->enabled)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "check",
		    json_object_new_string(qcheck_name(qr->check)));
		json_object_object_add(e, "threshold",
		    json_object_new_double(qr->threshold));
		json_object_object_add(e, "applied",
		    json_object_new_int64((int64_t)t->rule_applied[i]));
		json_object_object_add(e, "failed",
		    json_object_new_int64((int64_t)t->rule_failed[i]));
		json_object_object_add(e, "share", share(t->rule_failed[i],
		    m->records));
		json_object_object_add(e, "first_ids",
		    ids_json(&t->rule_ids[i]));
		json_object_object_add(r, qr->id, e);
	}
	e = json_object_new_object();
	json_object_object_add(e, "file", m->rules != NULL ?
	    json_object_new_string(m->rules) : NULL);
	json_object_object_add(e, "failed",
	    json_object_new_int64((int64_t)t->rules_failed));
	json_object_object_add(e, "share", share(t->rules_failed,
	    m->records));
	json_object_object_add(e, "by_rule", r);
	json_object_object_add(o, "rules", e);

	json_object_object_add(o, "unchecked", tab_json(&t->reasons, false,
	    m->records));
	json_object_object_add(o, "languages", tab_json(&t->langs, true, 0));
	return o;
}

void
tally_stats(const struct tally *t, const struct tally_meta *m,
    json_object *stats)
{
	json_object *r = json_object_new_object();
	size_t i;

	json_object_object_add(stats, "passed",
	    json_object_new_int64((int64_t)t->passed));
	json_object_object_add(stats, "failed",
	    json_object_new_int64((int64_t)(m->records - t->passed)));
	json_object_object_add(stats, "fail_share",
	    share(m->records - t->passed, m->records));
	json_object_object_add(stats, "schema_failed",
	    json_object_new_int64((int64_t)t->schema_failed));
	json_object_object_add(stats, "rules_failed",
	    json_object_new_int64((int64_t)t->rules_failed));
	for (i = 0; m->q != NULL && i < m->q->n; i++)
		if (m->q->r[i].enabled)
			json_object_object_add(r, m->q->r[i].id,
			    json_object_new_int64((int64_t)t->rule_failed[i]));
	json_object_object_add(stats, "failed_by_rule", r);
	r = json_object_new_object();
	for (i = 0; i < t->keywords.n; i++)
		json_object_object_add(r, t->keywords.k[i].key,
		    json_object_new_int64((int64_t)t->keywords.k[i].failed));
	json_object_object_add(stats, "failed_by_keyword", r);
}

void
tally_metrics(const struct tally *t, const struct tally_meta *m,
    struct metrics *mx)
{
	struct buf lb = BUF_INIT, name = BUF_INIT;
	uint64_t failed = m->records - t->passed;
	size_t i;

	metrics_gauge(mx, "codesift_check_passed",
	    "Records that passed the schema and every quality rule.", NULL,
	    (double)t->passed);
	metrics_gauge(mx, "codesift_check_failed",
	    "Records that failed the schema, a rule, or could not be read.",
	    NULL, (double)failed);
	metrics_gauge(mx, "codesift_check_fail_share",
	    "Share of the records read that failed (the --max-fail gate).",
	    NULL, m->records > 0 ? (double)failed / (double)m->records : 0);
	metrics_gauge(mx, "codesift_check_gate_failed",
	    "1 if the --max-fail gate failed in the last run.", NULL,
	    m->gate_failed ? 1 : 0);
	metrics_family(mx, "codesift_quality_failed", "gauge",
	    "Records failing each quality rule (rule=\"<id>\") and each JSON "
	    "Schema keyword (rule=\"schema:<keyword>\") in the last run.");
	for (i = 0; m->q != NULL && i < m->q->n; i++) {
		if (!m->q->r[i].enabled)
			continue;
		buf_reset(&lb);
		metrics_label(&lb, "rule", m->q->r[i].id);
		metrics_sample(mx, "codesift_quality_failed",
		    "codesift_quality_failed", lb.data,
		    (double)t->rule_failed[i]);
	}
	for (i = 0; i < t->keywords.n; i++) {
		buf_reset(&lb);
		buf_reset(&name);
		buf_addf(&name, "schema:%s", t->keywords.k[i].key);
		metrics_label(&lb, "rule", name.data);
		metrics_sample(mx, "codesift_quality_failed",
		    "codesift_quality_failed", lb.data,
		    (double)t->keywords.k[i].failed);
	}
	buf_release(&name);
	buf_release(&lb);
}
