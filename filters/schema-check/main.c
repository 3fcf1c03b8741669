/*
 * schema-check - the quality gate before training: each record is
 * validated against a JSON Schema (draft 2020-12 or draft-07) and against
 * code-quality rules.  Records that pass go out byte for byte; the others
 * go to --rejects with every failed keyword and rule (or stay, marked,
 * with --mark).  --max-fail turns too many failures into exit status 1,
 * after everything is written, so that DVC and Airflow stop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data.h"
#include "err.h"
#include "jscan.h"
#include "jsv.h"
#include "mem.h"
#include "opt.h"
#include "pool.h"
#include "quality.h"
#include "rec.h"
#include "run.h"
#include "stream.h"
#include "tally.h"

#define DEFAULT_SCHEMA	"schemas/final-record.json"
#define DEFAULT_RULES	"quality.json"
#define QUALITY_OK	"{\"ok\":true,\"failed\":[]}"

enum {
	O_DRAFT = OPT_FILTER_BASE,
	O_FORMAT_ASSERT,
	O_LANGUAGE_FIELD,
	O_MARK,
	O_MAX_ERRORS,
	O_MAX_FAIL,
	O_NO_RULES,
	O_NO_SCHEMA,
	O_ONLY,
	O_REPORT,
	O_RULES,
	O_SCHEMA,
	O_SCHEMA_MAP,
	O_SKIP,
	O_VALUES
};

static struct {
	const char	*schema;
	bool		 no_schema;
	enum jsv_draft	 draft;
	bool		 format_assert;
	struct map {
		char	*prefix;
		char	*dir;
	}		*maps;
	size_t		 nmaps;
	bool		 values;
	const char	*rules;
	bool		 no_rules;
	const char	*only, *skip;
	bool		 mark;
	bool		 max_fail_set, max_fail_pct;
	double		 max_fail;
	const char	*max_fail_arg;
	const char	*report;
	unsigned	 threads;
	const char	*language_field;
	size_t		 max_errors;
} opts = { NULL, false, JSV_DRAFT_AUTO, false, NULL, 0, false, NULL, false,
	NULL, NULL, false, false, false, 0, NULL, NULL, 1, "language", 20 };

static const struct option longopts[] = {
	{ "draft",		required_argument, NULL, O_DRAFT },
	{ "format-assert",	no_argument,	   NULL, O_FORMAT_ASSERT },
	{ "jobs",		required_argument, NULL, 'j' },
	{ "language-field",	required_argument, NULL, O_LANGUAGE_FIELD },
	{ "mark",		no_argument,	   NULL, O_MARK },
	{ "max-errors",		required_argument, NULL, O_MAX_ERRORS },
	{ "max-fail",		required_argument, NULL, O_MAX_FAIL },
	{ "no-rules",		no_argument,	   NULL, O_NO_RULES },
	{ "no-schema",		no_argument,	   NULL, O_NO_SCHEMA },
	{ "only",		required_argument, NULL, O_ONLY },
	{ "report",		required_argument, NULL, O_REPORT },
	{ "rules",		required_argument, NULL, O_RULES },
	{ "schema",		required_argument, NULL, O_SCHEMA },
	{ "schema-map",		required_argument, NULL, O_SCHEMA_MAP },
	{ "skip",		required_argument, NULL, O_SKIP },
	{ "values",		no_argument,	   NULL, O_VALUES },
	{ NULL, 0, NULL, 0 }
};

static const char help[] =
"      --schema FILE       JSON Schema to validate against (default: the\n"
"                          final training record, " DEFAULT_SCHEMA ")\n"
"      --no-schema         check the quality rules only\n"
"      --draft D           validate the schema as draft D: 7 or 2020-12\n"
"                          (default: from its $schema, else 2020-12)\n"
"      --format-assert     check \"format\" (date-time, email, ipv4, uri,\n"
"                          uuid, regex, ...) instead of ignoring it\n"
"      --schema-map PREFIX=DIR\n"
"                          resolve $ref URIs starting with PREFIX to files\n"
"                          under DIR (repeatable; there is no network)\n"
"      --values            each line is any JSON value, not a record\n"
"                          (schema only; no rules, no --mark)\n"
"      --rules FILE        quality rules (default: " DEFAULT_RULES ")\n"
"      --no-rules          check the schema only\n"
"      --only IDS          run only these rules (comma-separated ids)\n"
"      --skip IDS          do not run these rules\n"
"      --language-field F  language field for rule scopes (default:\n"
"                          language)\n"
"      --mark              keep failing records, adding 'quality':\n"
"                          {\"ok\":false,\"failed\":[...],\"errors\":[...]}\n"
"                          (and {\"ok\":true,\"failed\":[]} to the others)\n"
"      --max-fail N|P%     exit 1 if more than N records (or P% of them)\n"
"                          fail, after writing everything\n"
"      --report FILE       write counts per rule, keyword and language,\n"
"                          with the first failing ids, as JSON\n"
"      --max-errors N      errors listed per record (default 20)\n"
"  -j, --jobs N            check on N threads (0: one per CPU); output\n"
"                          order and content do not depend on N\n";

static void
add_map(const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct stat st;

	if (eq == NULL || eq == arg || eq[1] == '\0')
		err_usage("invalid value '%s' for --schema-map: expected "
		    "PREFIX=DIR", arg);
	if (stat(eq + 1, &st) < 0 || !S_ISDIR(st.st_mode))
		err_usage("--schema-map %s: '%s' is not a directory", arg,
		    eq + 1);
	opts.maps = xreallocarray(opts.maps, opts.nmaps + 1,
	    sizeof(*opts.maps));
	opts.maps[opts.nmaps].prefix = xstrndup(arg, (size_t)(eq - arg));
	opts.maps[opts.nmaps].dir = xstrdup(eq + 1);
	opts.nmaps++;
}

static void
handle(int c, const char *arg)
{
	switch (c) {
	case 'j':
		opts.threads = opt_threads("--jobs", arg);
		break;
	case O_DRAFT:
		if (strcmp(arg, "7") == 0 || strcmp(arg, "draft-07") == 0 ||
		    strcmp(arg, "draft7") == 0)
			opts.draft = JSV_DRAFT_7;
		else if (strcmp(arg, "2020-12") == 0 ||
		    strcmp(arg, "draft2020-12") == 0 ||
		    strcmp(arg, "2020") == 0)
			opts.draft = JSV_DRAFT_2020;
		else
			err_usage("invalid value '%s' for --draft: expected 7 "
			    "or 2020-12", arg);
		break;
	case O_FORMAT_ASSERT:
		opts.format_assert = true;
		break;
	case O_LANGUAGE_FIELD:
		if (*arg == '\0')
			err_usage("--language-field needs a field name");
		opts.language_field = arg;
		break;
	case O_MARK:
		opts.mark = true;
		break;
	case O_MAX_ERRORS:
		opts.max_errors = opt_size("--max-errors", arg, 1, 10000);
		break;
	case O_MAX_FAIL:
		opt_limit("--max-fail", arg, &opts.max_fail,
		    &opts.max_fail_pct);
		opts.max_fail_set = true;
		opts.max_fail_arg = arg;
		break;
	case O_NO_RULES:
		opts.no_rules = true;
		break;
	case O_NO_SCHEMA:
		opts.no_schema = true;
		break;
	case O_ONLY:
		opts.only = arg;
		break;
	case O_REPORT:
		opts.report = arg;
		break;
	case O_RULES:
		opts.rules = arg;
		break;
	case O_SCHEMA:
		opts.schema = arg;
		break;
	case O_SCHEMA_MAP:
		add_map(arg);
		break;
	case O_SKIP:
		opts.skip = arg;
		break;
	case O_VALUES:
		opts.values = true;
		break;
	}
}

static const struct opt_prog prog = {
	"usage: schema-check [--schema FILE | --no-schema] [--draft 7|2020-12] "
	"[--format-assert]\n"
	"                    [--schema-map PREFIX=DIR] [--values] "
	"[--rules FILE | --no-rules]\n"
	"                    [--only IDS] [--skip IDS] [--mark] "
	"[--max-fail N|P%] [--report FILE]\n"
	"                    [-j N] [options] [file ...]",
	"Validate records against a JSON Schema and code-quality rules; a "
	"gate for pipelines.",
	help, "j:", longopts, handle
};

/* ---- checking one record ---- */

struct shared {
	const struct jsv	*jsv;
	const struct qrules	*q;
	const struct opt_shared	*o;
};

struct worker {
	const struct shared	*sh;
	struct jsv_ctx		*jc;
	struct qctx		*qc;
	struct qresult		*qres;
	struct tally		 t;
	struct json_tokener	*tok;
	struct buf		 detail, extra, mark, tmp;
	const char		**kws;		/* keywords of this record */
	size_t			 nkw, kwcap;
};

static const char *
display_ptr(const char *p)
{
	return *p != '\0' ? p : "(root)";
}

/* Parse a --values line: false (and a reject) if it is not JSON. */
static bool
parse_value(struct worker *w, struct rec *r, struct pool_verdict *v,
    json_object **out)
{
	struct jscan_error e;
	enum jscan_status st;

	st = jscan_value(r->raw, r->len, NULL, &e);
	if (st != JSCAN_OK) {
		rec_fail(r, st == JSCAN_BAD_UTF8 ? "bad-utf8" : "bad-json",
		    "column %zu: %s", e.pos + 1, e.what);
		pool_reject_rec(v, r);
		return false;
	}
	json_tokener_reset(w->tok);
	*out = json_tokener_parse_ex(w->tok, r->raw, (int)r->len);
	if (*out == NULL &&
	    json_tokener_get_error(w->tok) == json_tokener_continue)
		*out = json_tokener_parse_ex(w->tok, "", 1);
	if (*out == NULL &&
	    json_tokener_get_error(w->tok) != json_tokener_success) {
		rec_fail(r, "bad-json", "%s", json_tokener_error_desc(
		    json_tokener_get_error(w->tok)));
		pool_reject_rec(v, r);
		return false;
	}
	return true;
}

/* The id to report for r: its id field, else file:line. */
static void
record_id(struct rec *r, const struct opt_shared *o, bool values,
    struct buf *b)
{
	struct strv id;

	buf_reset(b);
	if (!values && rec_str(r, o->id_field, &id) == REC_GOT) {
		buf_add(b, id.p, id.n);
		return;
	}
	buf_addf(b, "%s:%llu", r->file, (unsigned long long)r->line);
}

static void
note_keyword(struct worker *w, const char *kw)
{
	size_t i;

	for (i = 0; i < w->nkw; i++)
		if (strcmp(w->kws[i], kw) == 0)
			return;
	if (w->nkw == w->kwcap) {
		w->kwcap = w->kwcap < 8 ? 8 : w->kwcap * 2;
		w->kws = xreallocarray(w->kws, w->kwcap, sizeof(*w->kws));
	}
	w->kws[w->nkw++] = kw;
}

static void
add_json_member(struct buf *b, const char *key, const char *val)
{
	jscan_escape(b, key, strlen(key));
	buf_addc(b, ':');
	jscan_escape(b, val, strlen(val));
}

/*
 * A failed record: detail text, the "errors" member of the reject (or the
 * "quality" value with --mark), and the tallies.
 */
static void
failed(struct worker *w, struct rec *r, struct pool_verdict *v,
    json_object *inst, bool schema_ok, size_t nfailed_rules,
    const char *id)
{
	const struct shared *sh = w->sh;
	const struct jsv_error *e;
	struct tally_key *k;
	struct buf *d = &w->detail, *x = &w->extra, *m = &w->mark;
	uint64_t ord = pool_ord(v);
	size_t i, n = 0, more = 0;
	bool first = true;

	buf_reset(d);
	buf_reset(x);
	buf_reset(m);
	w->nkw = 0;
	buf_adds(x, "\"errors\":[");
	buf_adds(m, "{\"ok\":false,\"failed\":[");
	if (!schema_ok) {
		n = jsv_explain(w->jc, inst, opts.max_errors);
		more = jsv_nerrors_total(w->jc) - n;
		for (i = 0; i < n; i++) {
			e = jsv_error(w->jc, i);
			note_keyword(w, e->keyword);
			buf_reset(&w->tmp);
			buf_addf(&w->tmp, "%s: %s (schema %s)",
			    display_ptr(e->instance), e->message,
			    *e->schema != '\0' ? e->schema : "/");
			buf_addf(d, "%s%s", d->len > 0 ? "; " : "",
			    w->tmp.data);
			buf_adds(x, first ? "{" : ",{");
			first = false;
			add_json_member(x, "rule", "schema");
			buf_addc(x, ',');
			add_json_member(x, "keyword", e->keyword);
			buf_addc(x, ',');
			add_json_member(x, "instance", e->instance);
			buf_addc(x, ',');
			add_json_member(x, "schema", e->schema);
			buf_addc(x, ',');
			add_json_member(x, "message", e->message);
			buf_addc(x, '}');
		}
		if (more > 0)
			buf_addf(d, "; and %zu more schema errors", more);
		w->t.schema_failed++;
		for (i = 0; i < w->nkw; i++) {
			k = tally_get(&w->t.keywords, w->kws[i],
			    strlen(w->kws[i]));
			k->failed++;
			tally_id(&k->ids, ord, id);
			buf_reset(&w->tmp);
			buf_addf(&w->tmp, "schema:%s", w->kws[i]);
			buf_adds(m, i > 0 ? "," : "");
			jscan_escape(m, w->tmp.data, w->tmp.len);
		}
	}
	if (nfailed_rules > 0) {
		w->t.rules_failed++;
		for (i = 0; i < sh->q->n; i++) {
			if (!w->qres[i].failed)
				continue;
			w->t.rule_failed[i]++;
			tally_id(&w->t.rule_ids[i], ord, id);
			buf_reset(&w->tmp);
			qrule_explain(&sh->q->r[i], &w->qres[i], &w->tmp);
			buf_addf(d, "%s%s: %s", d->len > 0 ? "; " : "",
			    sh->q->r[i].id, w->tmp.data);
			buf_adds(x, first ? "{" : ",{");
			first = false;
			add_json_member(x, "rule", sh->q->r[i].id);
			buf_addc(x, ',');
			add_json_member(x, "message", w->tmp.data);
			buf_addf(x, ",\"value\":%.6g,\"threshold\":%.6g}",
			    w->qres[i].value, sh->q->r[i].threshold);
			buf_adds(m, m->data[m->len - 1] == '[' ? "" : ",");
			jscan_escape(m, sh->q->r[i].id, strlen(sh->q->r[i].id));
		}
	}
	buf_addc(x, ']');
	w->t.failed++;
	if (!opts.mark) {
		pool_reject_extra(v, schema_ok ? "quality-failed" :
		    "schema-invalid", x->data, "%s", d->data);
		return;
	}
	/* --mark: the same errors, as messages, in the record */
	buf_adds(m, "],\"errors\":[");
	first = true;
	for (i = 0; i < n; i++) {
		e = jsv_error(w->jc, i);
		buf_reset(&w->tmp);
		buf_addf(&w->tmp, "%s: %s (schema %s)",
		    display_ptr(e->instance), e->message,
		    *e->schema != '\0' ? e->schema : "/");
		buf_adds(m, first ? "" : ",");
		first = false;
		jscan_escape(m, w->tmp.data, w->tmp.len);
	}
	for (i = 0; nfailed_rules > 0 && i < sh->q->n; i++) {
		if (!w->qres[i].failed)
			continue;
		buf_reset(&w->tmp);
		buf_addf(&w->tmp, "%s: ", sh->q->r[i].id);
		qrule_explain(&sh->q->r[i], &w->qres[i], &w->tmp);
		buf_adds(m, first ? "" : ",");
		first = false;
		jscan_escape(m, w->tmp.data, w->tmp.len);
	}
	buf_adds(m, "]}");
	rec_set_raw(r, "quality", m->data, m->len);
}

static void
check(void *ctx, struct rec *r, struct pool_verdict *v)
{
	struct worker *w = ctx;
	const struct shared *sh = w->sh;
	const struct opt_shared *o = sh->o;
	json_object *inst = NULL, *tv, *owned = NULL;
	struct strv text = { NULL, 0 }, lang = { "", 0 };
	struct tally_key *lk = NULL;
	struct buf id = BUF_INIT;
	size_t nfailed = 0, i;
	bool schema_ok = true;

	if (opts.values) {
		if (!parse_value(w, r, v, &owned))
			goto unchecked;
		inst = owned;
	} else if (sh->jsv != NULL) {
		if ((inst = rec_json(r)) == NULL) {
			pool_reject_rec(v, r);
			goto unchecked;
		}
	} else if (!rec_scan(r)) {
		pool_reject_rec(v, r);
		goto unchecked;
	}
	if (!opts.values && rec_str(r, opts.language_field, &lang) !=
	    REC_GOT) {
		lang.p = "";
		lang.n = 0;
	}
	if (sh->jsv != NULL)
		schema_ok = jsv_valid(w->jc, inst);
	if (sh->q != NULL) {
		bool have = false;

		if (inst != NULL) {
			if (json_object_object_get_ex(inst, o->field, &tv) &&
			    json_object_is_type(tv, json_type_string)) {
				text.p = json_object_get_string(tv);
				text.n = (size_t)json_object_get_string_len(tv);
				have = true;
			}
		} else
			have = rec_str(r, o->field, &text) == REC_GOT;
		if (have) {
			nfailed = qrules_check(sh->q, w->qc, text.p, text.n,
			    lang.p, lang.n, w->qres, NULL);
			for (i = 0; i < sh->q->n; i++)
				w->t.rule_applied[i] += w->qres[i].applied;
		} else if (schema_ok) {
			/* no text to check and the schema does not say so */
			(void)rec_str(r, o->field, &text);
			pool_reject_rec(v, r);
			goto unchecked;
		} else
			memset(w->qres, 0, sh->q->n * sizeof(*w->qres));
	}
	if (!opts.values) {
		lk = tally_get(&w->t.langs, lang.p, lang.n);
		lk->records++;
	}
	if (schema_ok && nfailed == 0) {
		w->t.passed++;
		if (opts.mark)
			rec_set_raw(r, "quality", QUALITY_OK,
			    sizeof(QUALITY_OK) - 1);
		goto out;
	}
	record_id(r, o, opts.values, &id);
	if (lk != NULL) {
		lk->failed++;
		tally_id(&lk->ids, pool_ord(v), id.data);
	}
	failed(w, r, v, inst, schema_ok, nfailed, id.data);
	goto out;
unchecked:
	/* the record could not be checked: it fails the gate */
	{
		struct tally_key *k;
		const char *why = rec_reason(r);

		record_id(r, o, opts.values || !rec_scan(r), &id);
		k = tally_get(&w->t.reasons, why, strlen(why));
		k->failed++;
		tally_id(&k->ids, pool_ord(v), id.data);
	}
out:
	json_object_put(owned);
	buf_release(&id);
}

/* ---- the run ---- */

/* The schema (NULL with --no-schema); *file gets its path (owned). */
static struct jsv *
load_schema(char **file)
{
	struct jsv_opts jo;
	struct jsv_map *maps;
	struct buf err = BUF_INIT;
	struct jsv *v;
	size_t i;

	*file = NULL;
	if (opts.no_schema)
		return NULL;
	if (opts.schema != NULL)
		*file = xstrdup(opts.schema);
	else if ((*file = data_path(DEFAULT_SCHEMA)) == NULL)
		err_config("default schema %s not found (looked under "
		    "$CODESIFT_DATADIR, configs/ and %s); give --schema FILE",
		    DEFAULT_SCHEMA, CODESIFT_DATADIR);
	maps = xcalloc(opts.nmaps + 1, sizeof(*maps));
	for (i = 0; i < opts.nmaps; i++) {
		maps[i].prefix = opts.maps[i].prefix;
		maps[i].dir = opts.maps[i].dir;
	}
	memset(&jo, 0, sizeof(jo));
	jo.draft = opts.draft;
	jo.format_assert = opts.format_assert;
	jo.maps = maps;
	jo.nmaps = opts.nmaps;
	if ((v = jsv_load(*file, &jo, &err)) == NULL)
		err_config("%s", err.data);
	free(maps);
	buf_release(&err);
	return v;
}

/* The rules (NULL if none); *file gets their path (owned). */
static struct qrules *
load_rules(char **file)
{
	struct buf err = BUF_INIT;
	struct qrules *q;

	*file = NULL;
	if (opts.no_rules || opts.values)
		return NULL;
	if (opts.rules != NULL)
		*file = xstrdup(opts.rules);
	else if ((*file = data_path(DEFAULT_RULES)) == NULL)
		err_config("default rules %s not found (looked under "
		    "$CODESIFT_DATADIR, configs/ and %s); give --rules FILE",
		    DEFAULT_RULES, CODESIFT_DATADIR);
	if ((q = qrules_load(*file, &err)) == NULL ||
	    !qrules_select(q, opts.only, opts.skip, &err))
		err_config("%s", err.data);
	buf_release(&err);
	return q;
}

static void
check_usage(void)
{
	if (opts.no_schema && opts.schema != NULL)
		err_usage("--schema and --no-schema cannot be used together");
	if (opts.no_rules && (opts.rules != NULL || opts.only != NULL ||
	    opts.skip != NULL))
		err_usage("--no-rules cannot be used with --rules, --only or "
		    "--skip");
	if (opts.values && (opts.rules != NULL || opts.only != NULL ||
	    opts.skip != NULL))
		err_usage("--values checks the schema only: quality rules need "
		    "records");
	if (opts.values && opts.mark)
		err_usage("--values cannot be used with --mark: a value that "
		    "is not an object cannot be marked");
	if (opts.values && opts.no_schema)
		err_usage("--values needs a schema");
	if (opts.no_schema && opts.no_rules)
		err_usage("--no-schema and --no-rules leave nothing to check");
}

static bool
gate_failed(uint64_t failed_n, uint64_t in)
{
	if (!opts.max_fail_set)
		return false;
	if (opts.max_fail_pct)
		return (double)failed_n * 100.0 > opts.max_fail * (double)in;
	return (double)failed_n > opts.max_fail;
}

static void
finish_report(struct run *run, const struct tally *t, const struct jsv *v,
    const char *schema_file, const struct qrules *q, const char *rules_file)
{
	struct tally_meta m;
	json_object *p = run_params(run), *rep;
	const char *txt;
	uint64_t in = run_count_in(run), nfail;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.schema = schema_file;
	m.draft = v != NULL ? jsv_draft(v) : 0;
	m.rules = rules_file;
	m.q = q;
	m.records = in;
	m.max_fail = opts.max_fail_arg;
	nfail = in - t->passed;
	m.gate_failed = gate_failed(nfail, in);
	if (m.gate_failed) {
		if (opts.max_fail_pct)
			run_gate_fail(run, "%llu of %llu records failed "
			    "(%.2f%%), more than --max-fail %s",
			    (unsigned long long)nfail, (unsigned long long)in,
			    in > 0 ? 100.0 * (double)nfail / (double)in : 0.0,
			    opts.max_fail_arg);
		else
			run_gate_fail(run, "%llu of %llu records failed, more "
			    "than --max-fail %s", (unsigned long long)nfail,
			    (unsigned long long)in, opts.max_fail_arg);
	}
	json_object_object_add(p, "schema", m.schema != NULL ?
	    json_object_new_string(m.schema) : NULL);
	json_object_object_add(p, "rules", m.rules != NULL ?
	    json_object_new_string(m.rules) : NULL);
	if (q != NULL) {
		json_object *a = json_object_new_array();

		for (i = 0; i < q->n; i++)
			if (q->r[i].enabled)
				json_object_array_add(a,
				    json_object_new_string(q->r[i].id));
		json_object_object_add(p, "rule_ids", a);
	}
	json_object_object_add(p, "max_fail", opts.max_fail_arg != NULL ?
	    json_object_new_string(opts.max_fail_arg) : NULL);
	json_object_object_add(p, "mark", json_object_new_boolean(opts.mark));
	json_object_object_add(p, "values",
	    json_object_new_boolean(opts.values));
	json_object_object_add(p, "format_assert",
	    json_object_new_boolean(opts.format_assert));
	tally_stats(t, &m, run_stats(run));
	tally_metrics(t, &m, run_metrics(run));
	if (opts.report != NULL) {
		rep = tally_report(t, &m);
		txt = json_object_to_json_string_ext(rep,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
		{
			struct buf b = BUF_INIT;

			buf_adds(&b, txt);
			buf_addc(&b, '\n');
			stream_write_file(opts.report, b.data, b.len);
			buf_release(&b);
		}
		json_object_put(rep);
	}
}

int
main(int argc, char *argv[])
{
	struct opt_shared o;
	struct shared sh;
	struct worker *w;
	void **ctx;
	struct run *run;
	struct jsv *v;
	struct qrules *q;
	char *schema_file, *rules_file;
	unsigned i;
	size_t k;
	int n, status;

	err_setprog(argv[0]);
	n = opt_parse(argc, argv, &prog, &o);
	check_usage();
	v = load_schema(&schema_file);
	q = load_rules(&rules_file);
	sh.jsv = v;
	sh.q = q;
	sh.o = &o;
	run = run_new(&o, argc - n, argv + n);

	w = xcalloc(opts.threads, sizeof(*w));
	ctx = xcalloc(opts.threads, sizeof(*ctx));
	for (i = 0; i < opts.threads; i++) {
		w[i].sh = &sh;
		w[i].jc = v != NULL ? jsv_ctx_new(v) : NULL;
		w[i].qc = q != NULL ? qctx_new(q) : NULL;
		w[i].qres = xcalloc(q != NULL ? q->n + 1 : 1,
		    sizeof(*w[i].qres));
		tally_init(&w[i].t, q != NULL ? q->n : 0);
		if (opts.values && (w[i].tok = json_tokener_new_ex(
		    JSCAN_MAX_DEPTH + 2)) == NULL)
			err_die("out of memory");
		if (w[i].tok != NULL)
			json_tokener_set_flags(w[i].tok, JSON_TOKENER_STRICT);
		ctx[i] = &w[i];
	}
	pool_run(run, opts.threads, check, ctx);
	for (i = 1; i < opts.threads; i++)
		tally_merge(&w[0].t, &w[i].t);
	finish_report(run, &w[0].t, v, schema_file, q, rules_file);

	for (i = 0; i < opts.threads; i++) {
		jsv_ctx_free(w[i].jc);
		qctx_free(w[i].qc);
		free(w[i].qres);
		tally_release(&w[i].t);
		if (w[i].tok != NULL)
			json_tokener_free(w[i].tok);
		buf_release(&w[i].detail);
		buf_release(&w[i].extra);
		buf_release(&w[i].mark);
		buf_release(&w[i].tmp);
		free(w[i].kws);
	}
	free(w);
	free(ctx);
	status = run_finish(run);
	jsv_free(v);
	qrules_free(q);
	free(schema_file);
	free(rules_file);
	for (k = 0; k < opts.nmaps; k++) {
		free(opts.maps[k].prefix);
		free(opts.maps[k].dir);
	}
	free(opts.maps);
	return status;
}
