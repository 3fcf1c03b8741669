/*
 * pii-scrub - find and redact e-mail addresses, IP addresses, keys and
 * tokens, passwords, private keys and phone numbers in the text field of
 * each record, with the rule engine of common/pii.h.  Adds the "pii"
 * counts (and with --spans the output offsets) to every record; --audit
 * writes one line per finding with a hash of the value, never the value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "mem.h"
#include "opt.h"
#include "pii.h"
#include "pool.h"
#include "rec.h"
#include "redact.h"
#include "run.h"
#include "stream.h"

enum {
	O_AUDIT = OPT_FILTER_BASE,
	O_LIST_RULES,
	O_MODE,
	O_ONLY,
	O_PRIVATE_IPS,
	O_RULES,
	O_SEED,
	O_SKIP,
	O_SPANS
};

static struct {
	enum redact_mode mode;
	uint64_t	 seed;
	bool		 spans;
	bool		 list_rules;
	const char	*audit;
	unsigned	 threads;
	const char	*only, *skip;
	struct pii_config cfg;
} opts = { REDACT_TAG, 0, false, false, NULL, 1, NULL, NULL,
	PII_CONFIG_INIT };

static const struct option longopts[] = {
	{ "audit",		required_argument, NULL, O_AUDIT },
	{ "jobs",		required_argument, NULL, 'j' },
	{ "list-rules",		no_argument,	   NULL, O_LIST_RULES },
	{ "mode",		required_argument, NULL, O_MODE },
	{ "only",		required_argument, NULL, O_ONLY },
	{ "redact-private-ips",	no_argument,	   NULL, O_PRIVATE_IPS },
	{ "rules",		required_argument, NULL, O_RULES },
	{ "seed",		required_argument, NULL, O_SEED },
	{ "skip",		required_argument, NULL, O_SKIP },
	{ "spans",		no_argument,	   NULL, O_SPANS },
	{ NULL, 0, NULL, 0 }
};

static const char help[] =
"      --mode tag|fake     replace each finding by a typed tag (<EMAIL>,\n"
"                          <KEY>...; the default) or a format-preserving\n"
"                          fake (user@example.com, 192.0.2.x, 555-01xx,\n"
"                          same-alphabet keys)\n"
"      --seed N            key of the fakes (default 0)\n"
"      --only KINDS        detect only these kinds (comma-separated: email,\n"
"                          ip_address, key, private_key, password, phone)\n"
"      --skip KINDS        do not detect these kinds\n"
"      --redact-private-ips\n"
"                          also redact private, loopback, link-local,\n"
"                          CGNAT, documentation, multicast addresses and\n"
"                          netmasks\n"
"      --rules FILE        rule catalogue replacing the default one, or\n"
"                          extending it if FILE says \"extends\": \"default\"\n"
"      --list-rules        print the rules (id, kind, description) and exit\n"
"      --spans             add pii_spans: the output offsets of each finding\n"
"      --audit FILE        write one JSON line per finding: id, kind, rule,\n"
"                          start, end, sha256 of the value\n"
"  -j, --jobs N            scan on N threads (0: one per CPU; default 1);\n"
"                          the output is the same for every N\n";

static void
handle(int c, const char *arg)
{
	switch (c) {
	case 'j':
		opts.threads = opt_threads("--jobs", arg);
		break;
	case O_AUDIT:
		opts.audit = arg;
		break;
	case O_LIST_RULES:
		opts.list_rules = true;
		break;
	case O_MODE:
		if (strcmp(arg, "tag") == 0)
			opts.mode = REDACT_TAG;
		else if (strcmp(arg, "fake") == 0)
			opts.mode = REDACT_FAKE;
		else
			err_usage("invalid value '%s' for --mode: expected tag "
			    "or fake", arg);
		break;
	case O_ONLY:
		opts.only = arg;
		break;
	case O_PRIVATE_IPS:
		opts.cfg.private_ips = true;
		break;
	case O_RULES:
		opts.cfg.rules_file = arg;
		break;
	case O_SEED:
		opts.seed = opt_u64("--seed", arg, 0, UINT64_MAX);
		break;
	case O_SKIP:
		opts.skip = arg;
		break;
	case O_SPANS:
		opts.spans = true;
		break;
	}
}

static const struct opt_prog prog = {
	"usage: pii-scrub [--mode tag|fake] [--seed N] [--only KINDS] "
	"[--skip KINDS]\n"
	"                 [--redact-private-ips] [--rules FILE] [--spans] "
	"[--audit FILE]\n"
	"                 [-j N] [options] [file ...]\n"
	"       pii-scrub --list-rules [--rules FILE]",
	"Find and redact e-mails, IP addresses, keys, passwords, private keys"
	" and phone\nnumbers in the text field of NDJSON records.",
	help, "j:", longopts, handle
};

/* --field and --id-field, set once before the workers start */
static const char *field_name;
static const char *id_field_name;

/* Per worker: the match state, buffers, and counters merged at the end. */
struct worker {
	const struct pii_rules	*rs;
	struct pii_match	*m;
	struct buf		 out;
	struct buf		 json;
	struct buf		 side;
	struct redact_span	*spans;
	size_t			 spancap;
	uint64_t		 found[PII_NKINDS];
	uint64_t		*per_rule;
	uint64_t		 records_with;
	uint64_t		 bytes;
};

static void
hex_sha256(const char *p, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (!EVP_Digest(p, n, md, &len, EVP_sha256(), NULL))
		err_die("SHA-256 failed");
	for (i = 0; i < len && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

/* One audit line per finding: offsets in the input text, a hash, no value. */
static void
audit(struct worker *w, struct rec *r, const char *text,
    const struct pii_finding *f, size_t nf, struct pool_verdict *v)
{
	struct strv id;
	char hex[65];
	size_t i;
	bool has_id;

	has_id = rec_str(r, id_field_name, &id) == REC_GOT;
	for (i = 0; i < nf; i++) {
		buf_reset(&w->side);
		buf_adds(&w->side, "{\"id\":");
		if (has_id)
			jscan_escape(&w->side, id.p, id.n);
		else
			buf_adds(&w->side, "null");
		hex_sha256(text + f[i].start, f[i].end - f[i].start, hex);
		buf_addf(&w->side, ",\"line\":%llu,\"kind\":\"%s\",\"rule\":",
		    (unsigned long long)r->line, pii_kind_name(f[i].kind));
		jscan_escape(&w->side, pii_rule_id(w->rs, f[i].rule),
		    strlen(pii_rule_id(w->rs, f[i].rule)));
		buf_addf(&w->side, ",\"start\":%zu,\"end\":%zu,"
		    "\"sha256\":\"%s\"}\n", f[i].start, f[i].end, hex);
		pool_side(v, w->side.data, w->side.len);
	}
}

/* Counts of an earlier run's "pii" object, to add ours to. */
static void
old_counts(struct rec *r, uint64_t cnt[PII_NKINDS], uint64_t *total)
{
	json_object *o = rec_get_json(r, "pii"), *v;
	int k;

	*total = 0;
	memset(cnt, 0, PII_NKINDS * sizeof(*cnt));
	if (o == NULL)
		return;
	if (json_object_is_type(o, json_type_object)) {
		for (k = 0; k < PII_NKINDS; k++)
			if (json_object_object_get_ex(o, pii_kind_name(k), &v)
			    && json_object_is_type(v, json_type_int) &&
			    json_object_get_int64(v) > 0)
				cnt[k] = (uint64_t)json_object_get_int64(v);
		if (json_object_object_get_ex(o, "total", &v) &&
		    json_object_is_type(v, json_type_int) &&
		    json_object_get_int64(v) > 0)
			*total = (uint64_t)json_object_get_int64(v);
	}
	json_object_put(o);
}

static int
cmp_span(const void *a, const void *b)
{
	const struct redact_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * pii_spans: ours, plus those of an earlier run moved to where their text
 * now lies.
 */
static void
set_spans(struct worker *w, struct rec *r, const struct pii_finding *f,
    size_t nf)
{
	json_object *old = rec_type(r, "pii_spans") == JT_ARRAY ?
	    rec_get_json(r, "pii_spans") : NULL, *e, *v;
	struct redact_span *all = NULL;
	size_t i, n = nf, cap = nf, no;
	int k;

	no = old != NULL ? json_object_array_length(old) : 0;
	cap = nf + no;
	all = xreallocarray(NULL, cap ? cap : 1, sizeof(*all));
	if (nf > 0)
		memcpy(all, w->spans, nf * sizeof(*all));
	for (i = 0; i < no; i++) {
		int64_t s, en;

		e = json_object_array_get_idx(old, i);
		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_object_get_ex(e, "start", &v) ||
		    (s = json_object_get_int64(v)) < 0 ||
		    !json_object_object_get_ex(e, "end", &v) ||
		    (en = json_object_get_int64(v)) < s ||
		    !json_object_object_get_ex(e, "kind", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    (k = pii_kind_parse(json_object_get_string(v),
		    (size_t)json_object_get_string_len(v))) < 0)
			continue;
		all[n].start = redact_map((size_t)s, f, w->spans, nf);
		all[n].end = redact_map((size_t)en, f, w->spans, nf);
		all[n].kind = (enum pii_kind)k;
		n++;
	}
	json_object_put(old);
	qsort(all, n, sizeof(*all), cmp_span);
	buf_reset(&w->json);
	buf_addc(&w->json, '[');
	for (i = 0; i < n; i++)
		buf_addf(&w->json, "%s{\"kind\":\"%s\",\"start\":%zu,"
		    "\"end\":%zu}", i ? "," : "", pii_kind_name(all[i].kind),
		    all[i].start, all[i].end);
	buf_addc(&w->json, ']');
	rec_set_raw(r, "pii_spans", w->json.data, w->json.len);
	free(all);
}

static void
scrub(void *ctx, struct rec *r, struct pool_verdict *v)
{
	struct worker *w = ctx;
	const struct pii_finding *f;
	struct strv text;
	uint64_t cnt[PII_NKINDS], total, old[PII_NKINDS], oldtotal;
	size_t nf, i;
	int k;
	bool had_pii, had_spans;

	if (rec_str(r, field_name, &text) != REC_GOT) {
		pool_reject_rec(v, r);
		return;
	}
	w->bytes += text.n;
	nf = pii_scan(w->m, text.p, text.n, &f);
	had_pii = rec_type(r, "pii") == JT_OBJECT;
	had_spans = rec_type(r, "pii_spans") == JT_ARRAY;
	/* scrubbed already and nothing new: leave the record as it is */
	if (nf == 0 && had_pii && (!opts.spans || had_spans))
		return;
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < nf; i++) {
		cnt[f[i].kind]++;
		w->per_rule[f[i].rule]++;
	}
	if (nf > 0) {
		w->records_with++;
		for (k = 0; k < PII_NKINDS; k++)
			w->found[k] += cnt[k];
		if (opts.spans && w->spancap < nf) {
			w->spancap = nf;
			w->spans = xreallocarray(w->spans, nf,
			    sizeof(*w->spans));
		}
		buf_reset(&w->out);
		redact_text(opts.mode, opts.seed, text.p, text.n, f, nf,
		    &w->out, opts.spans ? w->spans : NULL);
		if (opts.audit != NULL)
			audit(w, r, text.p, f, nf, v);
		/* text.p belongs to the record: done with it before editing */
		rec_set_str(r, field_name, w->out.data, w->out.len);
	}
	old_counts(r, old, &oldtotal);
	total = oldtotal;
	buf_reset(&w->json);
	for (k = 0; k < PII_NKINDS; k++) {
		cnt[k] += old[k];
		total += cnt[k] - old[k];
	}
	buf_addf(&w->json, "{\"total\":%llu", (unsigned long long)total);
	for (k = 0; k < PII_NKINDS; k++)
		if (cnt[k] > 0)
			buf_addf(&w->json, ",\"%s\":%llu", pii_kind_name(k),
			    (unsigned long long)cnt[k]);
	buf_addc(&w->json, '}');
	rec_set_raw(r, "pii", w->json.data, w->json.len);
	if (opts.spans)
		set_spans(w, r, f, nf);
}

static void
write_side(void *arg, const char *p, size_t n)
{
	ostream_write(arg, p, n);
}

static void
list_rules(const struct pii_rules *rs)
{
	size_t i;

	for (i = 0; i < pii_rules_count(rs); i++)
		printf("%-32s %s\n", pii_rule_id(rs, i),
		    pii_kind_name(pii_rule_kind(rs, i)));
	if (fflush(stdout) != 0 || ferror(stdout))
		err_die_errno("write error");
}

static void
report(struct run *run, struct worker *w, unsigned nw,
    const struct pii_rules *rs)
{
	json_object *p = run_params(run), *s = run_stats(run), *kinds, *rules;
	struct metrics *m = run_metrics(run);
	uint64_t found[PII_NKINDS], with = 0, bytes = 0, total = 0, c;
	struct buf lab = BUF_INIT;
	size_t i;
	unsigned j;
	int k;

	memset(found, 0, sizeof(found));
	for (j = 0; j < nw; j++) {
		for (k = 0; k < PII_NKINDS; k++)
			found[k] += w[j].found[k];
		with += w[j].records_with;
		bytes += w[j].bytes;
	}
	json_object_object_add(p, "field", json_object_new_string(field_name));
	json_object_object_add(p, "mode", json_object_new_string(
	    opts.mode == REDACT_TAG ? "tag" : "fake"));
	if (opts.mode == REDACT_FAKE)
		json_object_object_add(p, "seed",
		    json_object_new_int64((int64_t)opts.seed));
	kinds = json_object_new_array();
	for (k = 0; k < PII_NKINDS; k++)
		if (opts.cfg.kinds & (1u << k))
			json_object_array_add(kinds,
			    json_object_new_string(pii_kind_name(k)));
	json_object_object_add(p, "kinds", kinds);
	json_object_object_add(p, "redact_private_ips",
	    json_object_new_boolean(opts.cfg.private_ips));
	json_object_object_add(p, "rules_file", opts.cfg.rules_file ?
	    json_object_new_string(opts.cfg.rules_file) : NULL);
	json_object_object_add(p, "rules", json_object_new_int64(
	    (int64_t)pii_rules_count(rs)));
	json_object_object_add(p, "rules_sha256",
	    json_object_new_string(pii_rules_digest(rs)));
	json_object_object_add(p, "jobs", json_object_new_int(
	    (int)opts.threads));

	kinds = json_object_new_object();
	metrics_family(m, "codesift_pii_found", "gauge",
	    "Findings redacted by the last run, by kind.");
	for (k = 0; k < PII_NKINDS; k++) {
		total += found[k];
		json_object_object_add(kinds, pii_kind_name(k),
		    json_object_new_int64((int64_t)found[k]));
		buf_reset(&lab);
		metrics_label(&lab, "kind", pii_kind_name(k));
		metrics_sample(m, "codesift_pii_found", "codesift_pii_found",
		    lab.data, (double)found[k]);
	}
	json_object_object_add(kinds, "total",
	    json_object_new_int64((int64_t)total));
	json_object_object_add(s, "found", kinds);
	rules = json_object_new_object();
	for (i = 0; i < pii_rules_count(rs); i++) {
		for (c = 0, j = 0; j < nw; j++)
			c += w[j].per_rule[i];
		if (c > 0)
			json_object_object_add(rules, pii_rule_id(rs, i),
			    json_object_new_int64((int64_t)c));
	}
	json_object_object_add(s, "found_by_rule", rules);
	json_object_object_add(s, "records_with_pii",
	    json_object_new_int64((int64_t)with));
	json_object_object_add(s, "text_bytes",
	    json_object_new_int64((int64_t)bytes));
	metrics_gauge(m, "codesift_pii_records_with_pii",
	    "Records in which the last run redacted something.", NULL,
	    (double)with);
	metrics_gauge(m, "codesift_pii_text_bytes",
	    "Bytes of text scanned by the last run.", NULL, (double)bytes);
	metrics_gauge(m, "codesift_pii_rules",
	    "Rules in the catalogue of the last run.", NULL,
	    (double)pii_rules_count(rs));
	buf_release(&lab);
}

int
main(int argc, char *argv[])
{
	struct opt_shared o;
	struct pii_rules *rs;
	struct run *run;
	struct worker *w;
	struct ostream *aud = NULL;
	struct buf err = BUF_INIT;
	void **ctx;
	unsigned nw, j, mask;
	int n;

	err_setprog(argv[0]);
	n = opt_parse(argc, argv, &prog, &o);
	field_name = o.field;
	id_field_name = o.id_field;
	if (opts.only != NULL) {
		if (!pii_kinds_mask(opts.only, &mask, &err))
			err_usage("--only: %s", err.data);
		opts.cfg.kinds = mask;
	}
	if (opts.skip != NULL) {
		if (!pii_kinds_mask(opts.skip, &mask, &err))
			err_usage("--skip: %s", err.data);
		opts.cfg.kinds &= ~mask;
	}
	if (opts.cfg.kinds == 0)
		err_usage("--only and --skip leave no kind to detect");
	if ((rs = pii_rules_load(&opts.cfg, &err)) == NULL)
		err_config("%s", err.data);
	buf_release(&err);
	if (opts.list_rules) {
		list_rules(rs);
		pii_rules_free(rs);
		return STATUS_OK;
	}
	if (opts.threads == 0)
		opts.threads = 1;
	run = run_new(&o, argc - n, argv + n);
	if (opts.audit != NULL)
		aud = ostream_open(opts.audit);
	nw = opts.threads;
	w = xcalloc(nw, sizeof(*w));
	ctx = xcalloc(nw, sizeof(*ctx));
	for (j = 0; j < nw; j++) {
		w[j].rs = rs;
		w[j].m = pii_match_new(rs);
		w[j].per_rule = xcalloc(pii_rules_count(rs) + 1,
		    sizeof(*w[j].per_rule));
		ctx[j] = &w[j];
	}
	pool_run_side(run, nw, scrub, ctx, aud != NULL ? write_side : NULL,
	    aud);
	report(run, w, nw, rs);
	if (aud != NULL)
		ostream_close(aud, true);
	for (j = 0; j < nw; j++) {
		pii_match_free(w[j].m);
		buf_release(&w[j].out);
		buf_release(&w[j].json);
		buf_release(&w[j].side);
		free(w[j].spans);
		free(w[j].per_rule);
	}
	free(w);
	free(ctx);
	pii_rules_free(rs);
	return run_finish(run);
}
