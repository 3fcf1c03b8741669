/*
 * stats-agg - what is in a dataset, what is odd about it, and how the
 * pipeline shrank it: one pass over the records in bounded memory, a
 * report as JSON, Prometheus metrics, CSV and an HTML page; partial states
 * of shards merge into the report of the whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "html.h"
#include "mem.h"
#include "opt.h"
#include "report.h"
#include "run.h"
#include "stats.h"
#include "stream.h"

enum {
	O_CSV = OPT_FILTER_BASE,
	O_EXPECT,
	O_HTML,
	O_JSON,
	O_LANGUAGE_FIELD,
	O_MERGE,
	O_OUTLIERS,
	O_PASS,
	O_REPO_CAPACITY,
	O_STAGE_SUMMARY,
	O_STATE,
	O_TOP,
	O_Z
};

static struct {
	bool		 pass, merge;
	const char	*json, *html, *csv, *state, *expect;
	const char	*language_field;
	const char	**summaries;
	size_t		 nsummaries;
	double		 z;
	unsigned	 outliers, top, repo_capacity;
} opts = { false, false, NULL, NULL, NULL, NULL, NULL, "language", NULL, 0,
    3.5, 10, 20, 10000 };

static const struct option longopts[] = {
	{ "csv",		required_argument, NULL, O_CSV },
	{ "expect",		required_argument, NULL, O_EXPECT },
	{ "html",		required_argument, NULL, O_HTML },
	{ "json",		required_argument, NULL, O_JSON },
	{ "language-field",	required_argument, NULL, O_LANGUAGE_FIELD },
	{ "merge",		no_argument,	   NULL, O_MERGE },
	{ "outliers",		required_argument, NULL, O_OUTLIERS },
	{ "pass",		no_argument,	   NULL, O_PASS },
	{ "repo-capacity",	required_argument, NULL, O_REPO_CAPACITY },
	{ "stage-summary",	required_argument, NULL, O_STAGE_SUMMARY },
	{ "state",		required_argument, NULL, O_STATE },
	{ "top",		required_argument, NULL, O_TOP },
	{ "z",			required_argument, NULL, O_Z },
	{ NULL, 0, NULL, 0 }
};

static const char help[] =
"      --json FILE         write the report as JSON to FILE ('-': stdout,\n"
"                          the default when no other output is asked for)\n"
"      --html FILE         write the report as one self-contained HTML page\n"
"      --csv DIR           write histograms and tables as CSV files in DIR\n"
"      --state FILE        write the partial state, for --merge\n"
"      --merge             the operands are state files: merge them\n"
"      --pass              copy the input to the output unchanged\n"
"      --stage-summary FILE\n"
"                          add an earlier stage's --summary to the funnel\n"
"                          (repeat for each stage and shard)\n"
"      --expect FILE       expected language mix, JSON {\"lang\": share}\n"
"                          (default: Python, Java, C++, JavaScript 1/4 each)\n"
"      --z Z               robust z-score above which a value is an outlier\n"
"                          (default 3.5)\n"
"      --outliers N        outliers listed per language and metric\n"
"                          (default 10)\n"
"      --top N             rows of the repository, extension and licence\n"
"                          lists (default 20)\n"
"      --repo-capacity N   repositories counted exactly (default 10000)\n"
"      --language-field F  the language field (default: language)\n";

static void
handle(int c, const char *arg)
{
	switch (c) {
	case O_CSV:
		opts.csv = arg;
		break;
	case O_EXPECT:
		opts.expect = arg;
		break;
	case O_HTML:
		opts.html = arg;
		break;
	case O_JSON:
		opts.json = arg;
		break;
	case O_LANGUAGE_FIELD:
		if (*arg == '\0')
			err_usage("--language-field needs a field name");
		opts.language_field = arg;
		break;
	case O_MERGE:
		opts.merge = true;
		break;
	case O_OUTLIERS:
		opts.outliers = (unsigned)opt_u64("--outliers", arg, 0,
		    OUTLIERS_MAX);
		break;
	case O_PASS:
		opts.pass = true;
		break;
	case O_REPO_CAPACITY:
		opts.repo_capacity = (unsigned)opt_u64("--repo-capacity", arg,
		    1, REPO_CAPACITY_MAX);
		break;
	case O_STAGE_SUMMARY:
		opts.summaries = xreallocarray(opts.summaries,
		    opts.nsummaries + 1, sizeof(*opts.summaries));
		opts.summaries[opts.nsummaries++] = arg;
		break;
	case O_STATE:
		opts.state = arg;
		break;
	case O_TOP:
		opts.top = (unsigned)opt_u64("--top", arg, 1, 100000);
		break;
	case O_Z:
		opts.z = opt_double("--z", arg, 0.1, 1000);
		break;
	}
}

static const struct opt_prog prog = {
	"usage: stats-agg [--json FILE] [--html FILE] [--csv DIR] "
	"[--state FILE] [--pass]\n"
	"                 [--stage-summary FILE ...] [--expect FILE] "
	"[--z Z] [options] [file ...]\n"
	"       stats-agg --merge [--json FILE] [--html FILE] [--csv DIR] "
	"[--state FILE]\n"
	"                 [--stage-summary FILE ...] [options] state ...",
	"Dataset statistics, outliers and language mix; report as JSON, "
	"metrics, CSV, HTML.",
	help, "", longopts, handle
};

/* The whole of a small file (a state, summary or mix), or exit 2. */
static char *
slurp(const char *path, size_t *n)
{
	struct istream *in;
	const char *why;
	struct buf b = BUF_INIT;
	char chunk[65536];
	ssize_t k;

	if ((in = istream_open(path, &why)) == NULL)
		err_config("%s: %s", path, why);
	while ((k = istream_read(in, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)k);
	if (k < 0)
		err_config("%s: %s", path, istream_error(in));
	istream_close(in);
	buf_addc(&b, '\0');
	b.len--;
	return buf_detach(&b, n);
}

static void
load_states(struct stats *s, int n, char *const paths[])
{
	struct stats t;
	struct buf why = BUF_INIT;
	char *text;
	size_t len;
	int i;

	if (n == 0)
		err_usage("--merge needs state files as operands");
	for (i = 0; i < n; i++) {
		text = slurp(paths[i], &len);
		if (!stats_load(i == 0 ? s : &t, text, len, &why))
			err_config("%s: %s", paths[i], why.data);
		free(text);
		if (i > 0) {
			if (!stats_merge(s, &t, &why))
				err_config("%s: %s", paths[i], why.data);
			stats_release(&t);
		}
	}
	buf_release(&why);
}

static void
load_summaries(struct stats *s)
{
	struct buf why = BUF_INIT;
	char *text;
	size_t i, len;

	for (i = 0; i < opts.nsummaries; i++) {
		text = slurp(opts.summaries[i], &len);
		if (!stats_add_summary(s, opts.summaries[i], text, len, &why))
			err_config("%s: not a stage summary: %s",
			    opts.summaries[i], why.data);
		free(text);
	}
	buf_release(&why);
}

static void
write_stdout(const char *p, size_t n)
{
	if (fwrite(p, 1, n, stdout) != n || fflush(stdout) != 0)
		err_die_errno("stdout: write error");
}

static void
write_out(const char *path, const struct buf *b)
{
	if (strcmp(path, "-") == 0)
		write_stdout(b->data, b->len);
	else
		stream_write_file(path, b->data, b->len);
}

static void
summary_stats(struct run *run, json_object *rep)
{
	json_object *p = run_params(run), *s = run_stats(run), *v;

	json_object_object_add(p, "pass", json_object_new_boolean(opts.pass));
	json_object_object_add(p, "merge",
	    json_object_new_boolean(opts.merge));
	if (json_object_object_get_ex(rep, "params", &v))
		json_object_object_add(p, "report", json_object_get(v));
	if (json_object_object_get_ex(rep, "totals", &v))
		json_object_object_add(s, "totals", json_object_get(v));
	if (json_object_object_get_ex(rep, "expected_mix", &v) &&
	    json_object_object_get_ex(v, "p_value", &v))
		json_object_object_add(s, "mix_p_value", json_object_get(v));
	if (json_object_object_get_ex(rep, "outliers", &v) &&
	    json_object_object_get_ex(v, "total", &v))
		json_object_object_add(s, "outliers", json_object_get(v));
}

int
main(int argc, char *argv[])
{
	struct opt_shared o;
	struct stats s;
	struct stats_params sp;
	struct expect ex;
	struct report_params rp;
	struct fields f;
	struct rec r = REC_INIT;
	struct obs ob;
	struct run *run;
	struct buf out = BUF_INIT, why = BUF_INIT;
	json_object *rep;
	char *text;
	size_t len;
	int n;

	err_setprog(argv[0]);
	n = opt_parse(argc, argv, &prog, &o);
	if (opts.merge && opts.pass)
		err_usage("--merge reads states, not records: no --pass");
	if (o.out != NULL && !opts.pass)
		err_usage("-o names the --pass output; write the report "
		    "with --json FILE");
	if (opts.pass && opts.json != NULL && strcmp(opts.json, "-") == 0)
		err_usage("--json - and --pass both write to stdout");
	/* a report nobody asked to put anywhere goes to stdout */
	if (!opts.pass && opts.json == NULL && opts.html == NULL &&
	    opts.csv == NULL && opts.state == NULL)
		opts.json = "-";

	/* every configuration file is read before any input */
	if (opts.expect != NULL) {
		text = slurp(opts.expect, &len);
		if (!expect_parse(&ex, opts.expect, text, len, &why))
			err_config("%s: %s", opts.expect, why.data);
		free(text);
	} else
		expect_default(&ex);
	if (opts.merge)
		load_states(&s, argc - n, argv + n);
	else {
		sp.outliers = opts.outliers;
		sp.repo_capacity = opts.repo_capacity;
		stats_init(&s, &sp);
	}
	load_summaries(&s);

	run = run_new(&o, opts.merge ? 0 : argc - n, argv + n);
	f.content = o.field;
	f.id = o.id_field;
	f.language = opts.language_field;
	while (!opts.merge && run_next(run, &r)) {
		if (!obs_read(&ob, &r, &f)) {
			run_reject_rec(run, &r);
			continue;
		}
		stats_add(&s, &ob);
		obs_release(&ob);
		/* a sink delivers each record to the report: counted as out */
		if (opts.pass)
			run_emit(run, &r);
		else
			run_emit_elsewhere(run, 0);
	}
	rec_release(&r);
	s.read += run_count_in(run);
	s.rejected += run_count_rejected(run);

	if (opts.state != NULL) {
		struct ostream *st = ostream_open(opts.state);

		stats_save(&s, &out);
		ostream_write(st, out.data, out.len);
		ostream_close(st, true);
	}
	rp.z = opts.z;
	rp.top = opts.top;
	rp.expect = &ex;
	rp.content_field = o.field;
	rp.id_field = o.id_field;
	rp.language_field = opts.language_field;
	rep = report_build(&s, &rp);
	if (opts.json != NULL) {
		buf_reset(&out);
		report_text(rep, &out);
		write_out(opts.json, &out);
	}
	if (opts.html != NULL) {
		buf_reset(&out);
		html_render(rep, &out);
		write_out(opts.html, &out);
	}
	if (opts.csv != NULL)
		report_csv(rep, opts.csv);
	report_metrics(rep, run_metrics(run));
	summary_stats(run, rep);

	json_object_put(rep);
	stats_release(&s);
	expect_release(&ex);
	buf_release(&out);
	buf_release(&why);
	free(opts.summaries);
	return run_finish(run);
}
