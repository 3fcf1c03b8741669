/*
 * dedup-near - drop near-duplicate records: MinHash signatures, LSH
 * banding, union-find clusters, one record kept per cluster.
 *
 * One process by default: pass one reads, checks and signs every record
 * (stdin and pipes are spooled to a temporary file), banding and
 * clustering decide the duplicates, pass two writes the records that
 * stay.  The same work is also four commands over files, for many
 * machines: sign (per shard), bucket (per band range), cluster (all
 * pairs), filter (per shard).  Both forms run the same code on the same
 * arrays (index.h) and give the same bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "err.h"
#include "index.h"
#include "mem.h"
#include "minhash.h"
#include "opt.h"
#include "rec.h"
#include "run.h"
#include "shingle.h"
#include "sigfile.h"
#include "signer.h"
#include "stream.h"

enum cmd { CMD_ALL, CMD_SIGN, CMD_BUCKET, CMD_CLUSTER, CMD_FILTER, NCMD };

static const char *const cmd_names[NCMD] = {
	"", "sign", "bucket", "cluster", "filter"
};

enum {
	O_BANDS = OPT_FILTER_BASE,
	O_CLUSTERS,
	O_DROPS,
	O_FAST,
	O_KEEP,
	O_MARK,
	O_MIN_TOKENS,
	O_NGRAM,
	O_CHAIN,
	O_NO_CHAIN,
	O_PART,
	O_PERMS,
	O_ROWS,
	O_SEED,
	O_SIGN,
	O_THRESHOLD,
	O_THREADS,
	O_TMPDIR,
	O_VERIFY,
	O_END
};

#define BIT(c)	(1u << ((c) - OPT_FILTER_BASE))

/* The options each command takes. */
static const unsigned allowed[NCMD] = {
	[CMD_ALL] = BIT(O_BANDS) | BIT(O_CLUSTERS) | BIT(O_FAST) |
	    BIT(O_KEEP) | BIT(O_MARK) | BIT(O_MIN_TOKENS) | BIT(O_NGRAM) |
	    BIT(O_CHAIN) | BIT(O_NO_CHAIN) | BIT(O_PERMS) | BIT(O_ROWS) |
	    BIT(O_SEED) | BIT(O_THRESHOLD) | BIT(O_THREADS) | BIT(O_TMPDIR) |
	    BIT(O_VERIFY),
	[CMD_SIGN] = BIT(O_BANDS) | BIT(O_FAST) | BIT(O_KEEP) |
	    BIT(O_MIN_TOKENS) | BIT(O_NGRAM) | BIT(O_PERMS) | BIT(O_ROWS) |
	    BIT(O_SEED) | BIT(O_THREADS) | BIT(O_TMPDIR) | BIT(O_VERIFY),
	[CMD_BUCKET] = BIT(O_PART) | BIT(O_THRESHOLD),
	[CMD_CLUSTER] = BIT(O_CLUSTERS) | BIT(O_CHAIN) | BIT(O_NO_CHAIN),
	[CMD_FILTER] = BIT(O_DROPS) | BIT(O_MARK) | BIT(O_SIGN)
};

/* Where an option belongs, for the message when it is given elsewhere. */
static const enum cmd home[O_END - OPT_FILTER_BASE] = {
	[O_CHAIN - OPT_FILTER_BASE] = CMD_CLUSTER,
	[O_CLUSTERS - OPT_FILTER_BASE] = CMD_CLUSTER,
	[O_DROPS - OPT_FILTER_BASE] = CMD_FILTER,
	[O_MARK - OPT_FILTER_BASE] = CMD_FILTER,
	[O_NO_CHAIN - OPT_FILTER_BASE] = CMD_CLUSTER,
	[O_PART - OPT_FILTER_BASE] = CMD_BUCKET,
	[O_SIGN - OPT_FILTER_BASE] = CMD_FILTER,
	[O_THRESHOLD - OPT_FILTER_BASE] = CMD_BUCKET
};

static struct {
	struct nd_params p;
	double		 threshold;
	unsigned	 threads;
	bool		 mark;
	bool		 chain;
	const char	*clusters;
	const char	*tmpdir;
	const char	*drops;
	const char	*sign;
	unsigned	 part_i, part_k;
	unsigned	 given;		/* BIT() of the options given */
} opts = {
	{ 5, 5, 256, 25, 10, false, false, 1, "content", "blob_id", NULL },
	0.85, 1, false, false, NULL, NULL, NULL, NULL, 1, 1, 0
};

static const struct option longopts[] = {
	{ "bands",	required_argument, NULL, O_BANDS },
	{ "chain",	no_argument,	   NULL, O_CHAIN },
	{ "clusters",	required_argument, NULL, O_CLUSTERS },
	{ "drops",	required_argument, NULL, O_DROPS },
	{ "fast",	no_argument,	   NULL, O_FAST },
	{ "keep",	required_argument, NULL, O_KEEP },
	{ "mark",	no_argument,	   NULL, O_MARK },
	{ "min-tokens",	required_argument, NULL, O_MIN_TOKENS },
	{ "ngram",	required_argument, NULL, O_NGRAM },
	{ "no-chain",	no_argument,	   NULL, O_NO_CHAIN },
	{ "part",	required_argument, NULL, O_PART },
	{ "perms",	required_argument, NULL, O_PERMS },
	{ "rows",	required_argument, NULL, O_ROWS },
	{ "seed",	required_argument, NULL, O_SEED },
	{ "sign",	required_argument, NULL, O_SIGN },
	{ "threads",	required_argument, NULL, O_THREADS },
	{ "threshold",	required_argument, NULL, O_THRESHOLD },
	{ "tmpdir",	required_argument, NULL, O_TMPDIR },
	{ "verify",	required_argument, NULL, O_VERIFY },
	{ NULL, 0, NULL, 0 }
};

static const char *
opt_name(unsigned c)
{
	size_t i;

	for (i = 0; longopts[i].name != NULL; i++)
		if ((unsigned)longopts[i].val == c)
			return longopts[i].name;
	return "?";
}

#define HELP_SIGN \
"  -j, --threads N         sign on N threads (0: one per CPU; default 1)\n" \
"      --ngram N           shingles of N tokens (default 5)\n" \
"      --min-tokens N      pass records of fewer tokens through untouched\n" \
"                          (default 5)\n" \
"      --perms N           MinHash values per record, a multiple of 8\n" \
"                          (default 256)\n" \
"      --bands N           LSH bands (default 25)\n" \
"      --rows N            values per band (default 10); bands x rows\n" \
"                          must not exceed --perms\n" \
"      --fast              one permutation hashing with densification\n" \
"                          instead of --perms hash functions\n" \
"      --seed N            seed of the hash functions (default 1)\n" \
"      --verify MODE       'estimate' (default): similarity estimated from\n" \
"                          signatures; 'exact': true shingle-set Jaccard\n" \
"      --keep POLICY       which record of a cluster stays: 'first'\n" \
"                          (default) or 'max:FIELD' (largest FIELD, ties\n" \
"                          by input order)\n"
#define HELP_TMPDIR \
"      --tmpdir DIR        temporary files (spooled input, shingle sets)\n" \
"                          go to DIR (default: $TMPDIR or /tmp)\n"
#define HELP_THRESHOLD \
"  -t, --threshold X       duplicates have a Jaccard similarity of at\n" \
"                          least X (default 0.85)\n"
#define HELP_CLUSTER \
"      --chain             transitive clusters: drop a record similar to any\n" \
"                          member of a cluster, not only to the kept record\n" \
"      --no-chain          the default: drop a record only if it is similar\n" \
"                          to the record kept for it\n" \
"      --clusters FILE     write each cluster, with similarities, as JSON\n"
#define HELP_MARK \
"      --mark              keep duplicates, adding 'dup_of' (the kept id)\n"

static const char synopsis_all[] =
"usage: dedup-near [-j N] [-t X] [--bands N] [--rows N] [--perms N]\n"
"                  [--ngram N] [--min-tokens N] [--fast] [--seed N]\n"
"                  [--verify estimate|exact] [--keep first|max:FIELD]\n"
"                  [--chain] [--mark] [--clusters FILE] [--tmpdir DIR]\n"
"                  [options] [file ...]\n"
"       dedup-near sign -o SIGN [-j N] [signature options] [options]\n"
"                  [file ...]\n"
"       dedup-near bucket -o PAIRS [--part I/K] [-t X] SIGN ...\n"
"       dedup-near cluster -o DROPS [--chain] [--clusters FILE]\n"
"                  SIGN ... PAIRS ...\n"
"       dedup-near filter --sign SIGN --drops DROPS [--mark] [options]\n"
"                  [file ...]";

static const struct opt_prog progs[NCMD] = {
	[CMD_ALL] = { synopsis_all,
	    "Drop near-duplicate records (MinHash + LSH), keeping one per "
	    "cluster.",
	    HELP_THRESHOLD HELP_SIGN HELP_CLUSTER HELP_MARK HELP_TMPDIR,
	    "j:t:", longopts, NULL },
	[CMD_SIGN] = {
	    "usage: dedup-near sign -o SIGN [-j N] [signature options] "
	    "[options] [file ...]",
	    "Stage 1 of 4: sign the records of one shard into the file SIGN.",
	    HELP_SIGN HELP_TMPDIR, "j:t:", longopts, NULL },
	[CMD_BUCKET] = {
	    "usage: dedup-near bucket -o PAIRS [--part I/K] [-t X] SIGN ...",
	    "Stage 2 of 4: find the similar pairs in part I of K of the bands "
	    "of all shards.",
	    "      --part I/K          the I-th of K equal ranges of bands "
	    "(default 1/1)\n" HELP_THRESHOLD, "j:t:", longopts, NULL },
	[CMD_CLUSTER] = {
	    "usage: dedup-near cluster -o DROPS [--chain] [--clusters FILE] "
	    "SIGN ... PAIRS ...",
	    "Stage 3 of 4: cluster all pairs and decide the records to drop.",
	    HELP_CLUSTER, "j:t:", longopts, NULL },
	[CMD_FILTER] = {
	    "usage: dedup-near filter --sign SIGN --drops DROPS [--mark] "
	    "[options] [file ...]",
	    "Stage 4 of 4: drop (or mark) the duplicates of one shard.",
	    "      --sign SIGN         the sign file of this shard\n"
	    "      --drops DROPS       the output of dedup-near cluster\n"
	    HELP_MARK, "j:t:", longopts, NULL }
};

static unsigned
opt_uint(const char *name, const char *arg, unsigned min, unsigned max)
{
	return (unsigned)opt_u64(name, arg, min, max);
}

static void
handle(int c, const char *arg)
{
	unsigned code = (unsigned)c;

	switch (c) {
	case 'j':
		code = O_THREADS;
		/* FALLTHROUGH */
	case O_THREADS:
		opts.threads = opt_threads("--threads", arg);
		break;
	case 't':
		code = O_THRESHOLD;
		/* FALLTHROUGH */
	case O_THRESHOLD:
		opts.threshold = opt_double("--threshold", arg, 0.0, 1.0);
		if (opts.threshold <= 0)
			err_usage("invalid value '%s' for --threshold: must be "
			    "above 0", arg);
		break;
	case O_BANDS:
		opts.p.bands = opt_uint("--bands", arg, 1, ND_MAX_BANDS);
		break;
	case O_CLUSTERS:
		opts.clusters = arg;
		break;
	case O_DROPS:
		opts.drops = arg;
		break;
	case O_FAST:
		opts.p.fast = true;
		break;
	case O_KEEP:
		if (strcmp(arg, "first") == 0)
			opts.p.keep_field = NULL;
		else if (strncmp(arg, "max:", 4) == 0 && arg[4] != '\0')
			opts.p.keep_field = arg + 4;
		else
			err_usage("invalid value '%s' for --keep: expected "
			    "first or max:FIELD", arg);
		break;
	case O_MARK:
		opts.mark = true;
		break;
	case O_MIN_TOKENS:
		opts.p.min_tokens = opt_uint("--min-tokens", arg, 0, 1000000);
		break;
	case O_NGRAM:
		opts.p.ngram = opt_uint("--ngram", arg, 1, 100);
		break;
	case O_CHAIN:
		opts.chain = true;
		break;
	case O_NO_CHAIN:
		opts.chain = false;
		break;
	case O_PART: {
		const char *slash = strchr(arg, '/');
		char *i;

		if (slash == NULL)
			err_usage("invalid value '%s' for --part: expected I/K, "
			    "such as 2/4", arg);
		i = xstrndup(arg, (size_t)(slash - arg));
		opts.part_k = opt_uint("--part", slash + 1, 1, ND_MAX_BANDS);
		opts.part_i = opt_uint("--part", i, 1, opts.part_k);
		free(i);
		break;
	}
	case O_PERMS:
		opts.p.perms = opt_uint("--perms", arg, 8, MH_MAX_PERMS);
		if (opts.p.perms % 8 != 0)
			err_usage("invalid value '%s' for --perms: must be a "
			    "multiple of 8", arg);
		break;
	case O_ROWS:
		opts.p.rows = opt_uint("--rows", arg, 1, MH_MAX_PERMS);
		break;
	case O_SEED:
		opts.p.seed = opt_u64("--seed", arg, 0, UINT64_MAX);
		break;
	case O_SIGN:
		opts.sign = arg;
		break;
	case O_TMPDIR:
		opts.tmpdir = arg;
		break;
	case O_VERIFY:
		if (strcmp(arg, "exact") == 0)
			opts.p.exact = true;
		else if (strcmp(arg, "estimate") == 0)
			opts.p.exact = false;
		else
			err_usage("invalid value '%s' for --verify: expected "
			    "estimate or exact", arg);
		break;
	default:
		return;
	}
	opts.given |= BIT(code);
}

/* Refuse options that belong to another command; check combinations. */
static void
check_options(enum cmd cmd, const struct opt_shared *o)
{
	unsigned extra = opts.given & ~allowed[cmd], c;

	for (c = OPT_FILTER_BASE; c < O_END; c++) {
		enum cmd h = home[c - OPT_FILTER_BASE];

		if (!(extra & BIT(c)))
			continue;
		if (cmd == CMD_ALL)
			err_usage("--%s is an option of 'dedup-near %s'",
			    opt_name(c), cmd_names[h]);
		if (allowed[CMD_SIGN] & BIT(c))
			err_usage("--%s is an option of 'dedup-near sign' (or "
			    "of the one-process run): the sign files carry "
			    "it to the later stages", opt_name(c));
		err_usage("--%s is not an option of 'dedup-near %s'%s%s%s",
		    opt_name(c), cmd_names[cmd],
		    h != CMD_ALL ? " but of 'dedup-near " : "",
		    h != CMD_ALL ? cmd_names[h] : "", h != CMD_ALL ? "'" : "");
	}
	if (opts.p.bands * opts.p.rows > opts.p.perms)
		err_usage("--bands %u x --rows %u is more than --perms %u",
		    opts.p.bands, opts.p.rows, opts.p.perms);
	if (cmd >= CMD_SIGN && cmd <= CMD_CLUSTER && o->out == NULL)
		err_usage("'dedup-near %s' needs -o FILE", cmd_names[cmd]);
	if (cmd == CMD_FILTER && (opts.sign == NULL || opts.drops == NULL))
		err_usage("'dedup-near filter' needs --sign and --drops");
	opts.p.field = o->field;
	opts.p.id_field = o->id_field;
}

/* ---- helpers ---- */

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t
peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024;
}

/* An unlinked temporary file in --tmpdir, $TMPDIR or /tmp. */
static int
temp_file(const char *what)
{
	const char *dir = opts.tmpdir;
	struct buf path = BUF_INIT;
	int fd;

	if (dir == NULL && (dir = getenv("TMPDIR")) == NULL)
		dir = "/tmp";
	buf_addf(&path, "%s/dedup-near-%s-XXXXXX", dir, what);
	if ((fd = mkstemp(path.data)) < 0)
		err_die_errno("%s: cannot create a temporary file", dir);
	unlink(path.data);
	buf_release(&path);
	return fd;
}

/* Must the input be copied for the second pass (stdin, pipes)? */
static bool
must_spool(int nfiles, char *const files[])
{
	struct stat sb;
	int i;

	if (nfiles == 0)
		return true;
	for (i = 0; i < nfiles; i++)
		if (strcmp(files[i], "-") == 0 || stat(files[i], &sb) < 0 ||
		    !S_ISREG(sb.st_mode))
			return true;
	return false;
}

static void
warn_scurve(const struct nd_params *p, double t, bool quiet)
{
	double j = t + 0.03 < 1 ? t + 0.03 : 1, pr;

	pr = mh_candidate_prob(j, p->bands, p->rows);
	if (pr < 0.95 && !quiet)
		err_warn("warning: with %u bands of %u rows, pairs of Jaccard "
		    "%.2f become candidates with probability %.2f only; for "
		    "--threshold %.2f use fewer rows (see dedup-near(1))",
		    p->bands, p->rows, j, pr, t);
}

/* ---- reporting ---- */

static void
add_i64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

/* The parameters, as the intermediate files write them. */
static void
report_params(struct run *run, const struct nd_params *p, double threshold,
    bool with_threshold)
{
	json_object *o = run_params(run), *q = sf_params_json(p);

	{
		json_object_object_foreach(q, k, v)
			json_object_object_add(o, k, json_object_get(v));
	}
	json_object_put(q);
	if (with_threshold)
		json_object_object_add(o, "threshold",
		    json_object_new_double(threshold));
}

static void
report_lsh(struct run *run, const struct nd_lsh_stats *l)
{
	json_object *s = run_stats(run);
	struct metrics *m = run_metrics(run);

	add_i64(s, "buckets", l->buckets);
	add_i64(s, "largest_bucket", l->largest_bucket);
	add_i64(s, "candidate_pairs", l->candidates);
	add_i64(s, "compared_pairs", l->compared);
	add_i64(s, "confirmed_pairs", l->confirmed);
	metrics_gauge(m, "codesift_near_candidate_pairs",
	    "Record pairs sharing a band key, in the last run.", NULL,
	    (double)l->candidates);
	metrics_gauge(m, "codesift_near_compared_pairs",
	    "Candidate pairs whose similarity was computed.", NULL,
	    (double)l->compared);
	metrics_gauge(m, "codesift_near_confirmed_pairs",
	    "Candidate pairs at or above the threshold.", NULL,
	    (double)l->confirmed);
}

static void
size_label(unsigned b, char *out, size_t n)
{
	if (b == 0)
		snprintf(out, n, "2");
	else if (b == 1)
		snprintf(out, n, "3");
	else if (b == ND_SIZE_BUCKETS - 1)
		snprintf(out, n, "%llu+", 1ULL << b);
	else
		snprintf(out, n, "%llu-%llu", 1ULL << b, (1ULL << (b + 1)) - 1);
}

static void
report_clusters(struct run *run, const struct nd_cluster_stats *c,
    struct strv largest_id)
{
	json_object *s = run_stats(run), *sz, *lg;
	struct metrics *m = run_metrics(run);
	double bounds[ND_SIZE_BUCKETS - 1], sum = 0;
	unsigned long long counts[ND_SIZE_BUCKETS];
	char label[48];
	unsigned b;

	add_i64(s, "duplicates", c->duplicates);
	add_i64(s, "clusters", c->clusters);
	lg = json_object_new_object();
	add_i64(lg, "size", c->largest);
	json_object_object_add(lg, "kept", c->largest > 0 ?
	    json_object_new_string_len(largest_id.p, (int)largest_id.n) :
	    NULL);
	json_object_object_add(s, "largest_cluster", lg);
	sz = json_object_new_object();
	for (b = 0; b < ND_SIZE_BUCKETS; b++) {
		counts[b] = c->sizes[b];
		if (b < ND_SIZE_BUCKETS - 1)
			bounds[b] = b == 0 ? 2 : b == 1 ? 3 :
			    (double)((1ULL << (b + 1)) - 1);
		if (c->sizes[b] == 0)
			continue;
		size_label(b, label, sizeof(label));
		add_i64(sz, label, c->sizes[b]);
	}
	json_object_object_add(s, "cluster_sizes", sz);
	add_i64(s, "components", c->components);
	if (!opts.chain)
		add_i64(s, "kept_apart", c->unchained);
	sum = (double)(c->duplicates + c->clusters);
	metrics_gauge(m, "codesift_near_duplicates",
	    "Near duplicates found (dropped or marked) by the last run.", NULL,
	    (double)c->duplicates);
	metrics_gauge(m, "codesift_near_clusters",
	    "Clusters of near duplicates (two records or more).", NULL,
	    (double)c->clusters);
	metrics_gauge(m, "codesift_near_largest_cluster",
	    "Records in the largest cluster.", NULL, (double)c->largest);
	metrics_histogram(m, "codesift_near_cluster_size",
	    "Clusters by number of records.", NULL, bounds, counts,
	    ND_SIZE_BUCKETS - 1, sum);
}

static void
report_memory(struct run *run, const struct nd_index *ix, uint64_t records)
{
	json_object *s = run_stats(run);
	uint64_t rss = peak_rss(), ib = nd_index_bytes(ix);

	add_i64(s, "index_bytes", ib);
	add_i64(s, "peak_rss_bytes", rss);
	if (records > 0) {
		json_object_object_add(s, "index_bytes_per_record",
		    json_object_new_double(round((double)ib / records * 10) /
		    10));
		json_object_object_add(s, "peak_rss_bytes_per_record",
		    json_object_new_double(round((double)rss / records * 10) /
		    10));
	}
	metrics_gauge(run_metrics(run), "codesift_near_peak_rss_bytes",
	    "Peak resident memory of the last run.", NULL, (double)rss);
}

static void
report_sign(struct run *run, const struct signer_result *res,
    const struct mh_family *fam, double secs)
{
	json_object *s = run_stats(run);

	add_i64(s, "signed", res->signed_);
	add_i64(s, "short", res->accepted - res->signed_);
	add_i64(s, "shingles", res->shingles);
	json_object_object_add(s, "kernel",
	    json_object_new_string(mh_family_impl(fam)));
	json_object_object_add(s, "sign_seconds",
	    json_object_new_double(round(secs * 1000) / 1000));
	json_object_object_add(run_params(run), "threads",
	    json_object_new_int((int)opts.threads));
	metrics_gauge(run_metrics(run), "codesift_near_short_records",
	    "Records passed through for having too few tokens.", NULL,
	    (double)(res->accepted - res->signed_));
}

/* ---- --clusters ---- */

struct clusters_out {
	struct ostream		*o;
	const struct nd_index	*ix;
	struct buf		 b;
};

static void
write_cluster(void *arg, uint32_t kept, const uint32_t *dups,
    const double *sims, size_t n)
{
	struct clusters_out *c = arg;
	struct strv id = nd_index_id(c->ix, kept);
	size_t k;

	buf_reset(&c->b);
	buf_adds(&c->b, "{\"kept\":");
	jscan_escape(&c->b, id.p, id.n);
	buf_addf(&c->b, ",\"size\":%zu,\"dups\":[", n + 1);
	for (k = 0; k < n; k++) {
		id = nd_index_id(c->ix, dups[k]);
		buf_adds(&c->b, k > 0 ? ",{\"id\":" : "{\"id\":");
		jscan_escape(&c->b, id.p, id.n);
		buf_addf(&c->b, ",\"jaccard\":%.4f}", sims[k]);
	}
	buf_adds(&c->b, "]}\n");
	ostream_write(c->o, c->b.data, c->b.len);
}

/* ---- one process ---- */

/*
 * Pass two: read the input again (or its spooled copy), skip the lines
 * pass one rejected, drop or mark the duplicates, write the rest.  The id
 * of record `want` goes to *want_id (for the report).
 */
static void
emit_pass(struct run *run, const struct opt_shared *o, int nfiles,
    char **files, int spool_fd, const struct signer_result *res,
    const struct nd_index *ix, const struct nd_dup *dups, uint64_t ndups,
    uint64_t want, struct buf *want_id)
{
	struct rec_in *in;
	struct rec r = REC_INIT;
	enum rec_next st;
	char spool[32];
	char *sp[1] = { spool };
	uint64_t seq = 0, k = 0, rj = 0, dj = 0;
	XXH3_state_t *h;
	struct strv id;

	if (spool_fd >= 0) {
		snprintf(spool, sizeof(spool), "/dev/fd/%d", spool_fd);
		in = rec_in_open(sp, 1, o->max_record_bytes);
	} else
		in = rec_in_open(files, (size_t)nfiles, o->max_record_bytes);
	if ((h = XXH3_createState()) == NULL)
		err_die("out of memory");
	XXH3_64bits_reset(h);
	while ((st = rec_in_next(in, &r)) != REC_EOF) {
		if (spool_fd < 0) {
			if (rj < res->nrejected && res->rejected[rj] == seq) {
				rj++;
				seq++;
				continue;
			}
			seq++;
		}
		if (st == REC_TOOBIG || k >= ix->n)
			break;
		XXH3_64bits_update(h, r.raw, r.len);
		XXH3_64bits_update(h, "\n", 1);
		if (k == want && rec_str(&r, o->id_field, &id) == REC_GOT)
			buf_add(want_id, id.p, id.n);
		if (dj < ndups && dups[dj].idx == k) {
			if (opts.mark) {
				id = nd_index_id(ix, dups[dj].kept);
				rec_set_str(&r, "dup_of", id.p, id.n);
				run_emit(run, &r);
			} else
				run_drop(run, &r);
			dj++;
		} else
			run_emit_line(run, r.raw, r.len);
		k++;
	}
	if (st != REC_EOF || k != ix->n || XXH3_64bits_digest(h) != res->hash)
		err_die("the input changed between the two passes (a file "
		    "was written to while dedup-near read it)");
	XXH3_freeState(h);
	rec_release(&r);
	rec_in_close(in);
}

static int
cmd_all(struct opt_shared *o, int nfiles, char **files)
{
	struct clusters_out co = { NULL, NULL, BUF_INIT };
	struct nd_cluster_opts copt;
	struct nd_cluster_stats cst;
	struct nd_lsh_stats lst;
	struct signer_result res;
	struct signer_cfg sc;
	struct mh_family *fam;
	struct nd_index ix;
	struct nd_dup *dups;
	struct buf largest = BUF_INIT;
	struct nd_sim sim;
	struct run *run;
	struct uf uf;
	uint64_t ndups;
	double t0;

	warn_scurve(&opts.p, opts.threshold, o->quiet);
	run = run_new(o, nfiles, files);
	fam = mh_family_new(opts.p.perms, opts.p.fast, opts.p.seed);
	nd_index_init(&ix, &opts.p, opts.mark || opts.clusters != NULL ?
	    IX_IDS : 0);
	sc.fam = fam;
	sc.threads = opts.threads;
	sc.spool_fd = must_spool(nfiles, files) ? temp_file("spool") : -1;
	sc.set_fd = opts.p.exact ? temp_file("sets") : -1;
	t0 = now();
	signer_run(run, &sc, &ix, &res);
	report_sign(run, &res, fam, now() - t0);

	uf_init(&uf, ix.n);
	nd_sim_init(&sim, &ix, opts.threshold);
	memset(&lst, 0, sizeof(lst));
	nd_lsh(&ix, 0, opts.p.bands, &uf, &sim, NULL, NULL, &lst);
	memset(&copt, 0, sizeof(copt));
	copt.chain = opts.chain;
	if (opts.clusters != NULL) {
		co.o = ostream_open(opts.clusters);
		co.ix = &ix;
		copt.want_sims = true;
		copt.fn = write_cluster;
		copt.arg = &co;
	}
	nd_cluster(&ix, &uf, &sim, &copt, &dups, &ndups, &cst);
	report_memory(run, &ix, ix.n);

	emit_pass(run, o, nfiles, files, sc.spool_fd, &res, &ix, dups, ndups,
	    cst.largest > 0 ? cst.largest_kept : UINT64_MAX, &largest);
	if (co.o != NULL)
		ostream_close(co.o, true);
	report_params(run, &opts.p, opts.threshold, true);
	json_object_object_add(run_params(run), "chain",
	    json_object_new_boolean(opts.chain));
	json_object_object_add(run_params(run), "mark",
	    json_object_new_boolean(opts.mark));
	json_object_object_add(run_stats(run), "spooled",
	    json_object_new_boolean(sc.spool_fd >= 0));
	report_lsh(run, &lst);
	report_clusters(run, &cst, (struct strv){ buf_cstr(&largest),
	    largest.len });

	buf_release(&largest);
	if (sc.spool_fd >= 0)
		close(sc.spool_fd);
	if (sc.set_fd >= 0)
		close(sc.set_fd);
	buf_release(&co.b);
	free(dups);
	nd_sim_release(&sim);
	signer_result_release(&res);
	nd_index_release(&ix);
	mh_family_free(fam);
	return run_finish(run);
}

/* ---- sign ---- */

static void
write_sign(const char *path, const struct nd_index *ix,
    const struct signer_result *res, const struct opt_shared *o, int nfiles,
    char **files)
{
	const char *names[10];
	uint64_t lens[10], n = ix->n, sb = nd_sig_bytes(&ix->p);
	json_object *h = json_object_new_object(), *in;
	struct sfw *w = sfw_open(path);
	size_t ns = 0;
	unsigned b;
	int i;

	json_object_object_add(h, "kind", json_object_new_string("sign"));
	json_object_object_add(h, "params", sf_params_json(&ix->p));
	add_i64(h, "records", n);
	add_i64(h, "signed", res->signed_);
	add_i64(h, "lines", res->lines);
	add_i64(h, "rejected", res->nrejected);
	add_i64(h, "max_record_bytes", o->max_record_bytes);
	in = json_object_new_array();
	for (i = 0; i < nfiles; i++)
		json_object_array_add(in, json_object_new_string(files[i]));
	if (nfiles == 0)
		json_object_array_add(in, json_object_new_string("-"));
	json_object_object_add(h, "inputs", in);
#define SEC(name, len) do { names[ns] = (name); lens[ns++] = (len); } while (0)
	SEC("flags", n);
	SEC("keys", n * 8 * ix->p.bands);
	SEC("sigs", n * sb);
	SEC("line_hash", n * 8);
	SEC("id_off", (n + 1) * 8);
	SEC("ids", ix->ids.len);
	if (ix->keep != NULL)
		SEC("keep", n * 8);
	if (ix->p.exact) {
		SEC("set_off", (n + 1) * 8);
		SEC("sets", res->set_words * 8);
	}
#undef SEC
	sfw_begin(w, h, names, lens, ns);
	sfw_write(w, ix->flags, n);
	sfw_end(w);
	for (b = 0; b < ix->p.bands; b++)
		sfw_write(w, ix->keys[b], n * 8);
	sfw_end(w);
	sfw_write(w, ix->sig, n * sb);
	sfw_end(w);
	sfw_write(w, ix->line_hash, n * 8);
	sfw_end(w);
	sfw_write(w, ix->id_off, (n + 1) * 8);
	sfw_end(w);
	sfw_write(w, ix->ids.data, ix->ids.len);
	sfw_end(w);
	if (ix->keep != NULL) {
		sfw_write(w, ix->keep, n * 8);
		sfw_end(w);
	}
	if (ix->p.exact) {
		sfw_write(w, ix->src[0].off, (n + 1) * 8);
		sfw_end(w);
		sfw_copy_fd(w, ix->src[0].fd, 0, res->set_words * 8);
		sfw_end(w);
	}
	sfw_commit(w);
}

static int
cmd_sign(struct opt_shared *o, int nfiles, char **files)
{
	const char *path = o->out;
	struct signer_result res;
	struct signer_cfg sc;
	struct mh_family *fam;
	struct nd_index ix;
	struct run *run;
	uint64_t k;
	double t0;

	sfw_check_name(path);
	o->out = NULL;		/* no records are written */
	run = run_new(o, nfiles, files);
	fam = mh_family_new(opts.p.perms, opts.p.fast, opts.p.seed);
	nd_index_init(&ix, &opts.p, IX_IDS | IX_LINE_HASH);
	sc.fam = fam;
	sc.threads = opts.threads;
	sc.spool_fd = -1;
	sc.set_fd = opts.p.exact ? temp_file("sets") : -1;
	t0 = now();
	signer_run(run, &sc, &ix, &res);
	for (k = 0; k < res.accepted; k++)
		run_emit_elsewhere(run, 0);
	write_sign(path, &ix, &res, o, nfiles, files);
	report_params(run, &opts.p, 0, false);
	report_sign(run, &res, fam, now() - t0);
	report_memory(run, &ix, ix.n);
	json_object_object_add(run_stats(run), "sign_file",
	    json_object_new_string(path));
	if (sc.set_fd >= 0)
		close(sc.set_fd);
	signer_result_release(&res);
	nd_index_release(&ix);
	mh_family_free(fam);
	return run_finish(run);
}

/* ---- loading sign files (bucket, cluster) ---- */

struct shard {
	struct sfr	*r;
	uint64_t	 n, first;
};

struct shards {
	struct shard	*s;
	size_t		 n;
	uint64_t	 total;
	struct nd_params p;
};

static void
shards_add(struct shards *sh, struct sfr *r)
{
	sh->s = xreallocarray(sh->s, sh->n + 1, sizeof(*sh->s));
	sh->s[sh->n].r = r;
	sh->s[sh->n++].n = 0;
}

/* Check the sign files agree and number their records. */
static void
shards_check(struct shards *sh)
{
	struct nd_params q;
	const char *d;
	size_t i;

	if (sh->n == 0)
		err_usage("no sign files given");
	sf_params_read(sh->s[0].r, &sh->p);
	for (i = 0; i < sh->n; i++) {
		struct shard *s = &sh->s[i];
		size_t k;

		for (k = 0; k < i; k++)
			if (strcmp(sfr_id(s->r), sfr_id(sh->s[k].r)) == 0)
				err_config("%s and %s are the same sign file: "
				    "give each shard once", sfr_path(sh->s[k].r),
				    sfr_path(s->r));
		sf_params_read(s->r, &q);
		if ((d = sf_params_diff(&sh->p, &q)) != NULL)
			err_config("%s and %s were signed with different "
			    "parameters (%s)", sfr_path(sh->s[0].r),
			    sfr_path(s->r), d);
		s->n = sfr_u64(s->r, sfr_header(s->r), "records");
		s->first = sh->total;
		if (s->n > ND_MAX_RECORDS - sh->total)
			err_config("more than %llu records in all: use fewer, "
			    "larger shards per run", (unsigned long long)
			    ND_MAX_RECORDS);
		sh->total += s->n;
	}
}

static json_object *
shards_json(const struct shards *sh, bool paths)
{
	json_object *a = json_object_new_array(), *o;
	size_t i;

	for (i = 0; i < sh->n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id",
		    json_object_new_string(sfr_id(sh->s[i].r)));
		add_i64(o, "records", sh->s[i].n);
		if (paths)
			json_object_object_add(o, "file",
			    json_object_new_string(sfr_path(sh->s[i].r)));
		json_object_array_add(a, o);
	}
	return a;
}

static void
shards_close(struct shards *sh)
{
	size_t i;

	for (i = 0; i < sh->n; i++)
		sfr_close(sh->s[i].r);
	free(sh->s);
}

/* An offset table: 0 first, never decreasing, ending at end. */
static void
check_offsets(const struct sfr *r, const char *name, const uint64_t *off,
    uint64_t n, uint64_t end)
{
	uint64_t i;

	if (off[0] != 0 || off[n] != end)
		err_config("%s: bad header: offsets '%s' do not match their "
		    "data", sfr_path(r), name);
	for (i = 0; i < n; i++)
		if (off[i] > off[i + 1])
			err_config("%s: bad header: offsets '%s' decrease",
			    sfr_path(r), name);
}

/* Fill ix with what every step needs: flags, and signatures if asked. */
static void
load_index(struct nd_index *ix, struct shards *sh, bool sigs, bool ids)
{
	size_t sb = nd_sig_bytes(&sh->p), i;
	uint64_t so, sl;

	nd_index_init(ix, &sh->p, IX_NO_KEYS | (ids ? IX_IDS : 0));
	nd_index_reserve(ix, sh->total);
	ix->n = sh->total;
	if (sh->p.exact && sigs) {
		ix->src = xcalloc(sh->n, sizeof(*ix->src));
		ix->nsrc = sh->n;
	}
	for (i = 0; i < sh->n; i++) {
		struct shard *s = &sh->s[i];

		sfr_read(s->r, "flags", 0, ix->flags + s->first, s->n);
		if (sigs)
			sfr_read(s->r, "sigs", 0, ix->sig + s->first * sb,
			    s->n * sb);
		if (ix->keep != NULL)
			sfr_read(s->r, "keep", 0, ix->keep + s->first,
			    s->n * 8);
		if (sh->p.exact && sigs) {
			struct nd_setsrc *src = &ix->src[i];

			if (!sfr_section(s->r, "sets", &so, &sl))
				err_config("%s: bad header: no section 'sets'",
				    sfr_path(s->r));
			src->fd = sfr_fd(s->r);
			src->base = so;
			src->first = s->first;
			src->n = s->n;
			src->off = sfr_load(s->r, "set_off", s->n + 1, 8);
			check_offsets(s->r, "set_off", src->off, s->n, sl / 8);
		}
		if (ids) {
			uint64_t *off = sfr_load(s->r, "id_off", s->n + 1, 8);
			uint64_t k, base = ix->ids.len;

			if (!sfr_section(s->r, "ids", &so, &sl))
				err_config("%s: bad header: no section 'ids'",
				    sfr_path(s->r));
			check_offsets(s->r, "id_off", off, s->n, sl);
			buf_grow(&ix->ids, (size_t)sl);
			sfr_read(s->r, "ids", 0, ix->ids.data + base,
			    (size_t)sl);
			ix->ids.len += (size_t)sl;
			ix->ids.data[ix->ids.len] = '\0';
			for (k = 0; k < s->n; k++)
				ix->id_off[s->first + k + 1] = base + off[k + 1];
			free(off);
		}
	}
}

/* ---- bucket ---- */

struct pairs {
	uint32_t	*ab;
	double		*sim;
	size_t		 n, cap;
};

static void
collect_pair(void *arg, uint32_t a, uint32_t b, double s)
{
	struct pairs *p = arg;

	if (p->n == p->cap) {
		p->cap = p->cap < 1024 ? 1024 : p->cap * 2;
		p->ab = xreallocarray(p->ab, p->cap, 2 * sizeof(*p->ab));
		p->sim = xreallocarray(p->sim, p->cap, sizeof(*p->sim));
	}
	p->ab[2 * p->n] = a;
	p->ab[2 * p->n + 1] = b;
	p->sim[p->n++] = s;
}

static int
cmd_bucket(struct opt_shared *o, int nfiles, char **files)
{
	const char *path = o->out, *names[2] = { "pairs", "sims" };
	struct shards sh = { NULL, 0, 0, { 0 } };
	struct pairs pr = { NULL, NULL, 0, 0 };
	struct nd_lsh_stats lst;
	struct nd_index ix;
	struct nd_sim sim;
	struct run *run;
	struct sfw *w;
	struct uf uf;
	json_object *h, *a;
	uint64_t lens[2];
	unsigned b, b0, b1;
	size_t i;
	int k;

	sfw_check_name(path);
	o->out = NULL;
	for (k = 0; k < nfiles; k++)
		shards_add(&sh, sfr_open(files[k], "sign"));
	shards_check(&sh);
	if (opts.part_k > sh.p.bands)
		err_usage("--part %u/%u: there are only %u bands",
		    opts.part_i, opts.part_k, sh.p.bands);
	warn_scurve(&sh.p, opts.threshold, o->quiet);
	run = run_new(o, nfiles, files);
	b0 = (unsigned)((uint64_t)(opts.part_i - 1) * sh.p.bands /
	    opts.part_k);
	b1 = (unsigned)((uint64_t)opts.part_i * sh.p.bands / opts.part_k);
	load_index(&ix, &sh, true, false);
	for (b = b0; b < b1; b++) {
		ix.keys[b] = xreallocarray(NULL, sh.total + 1, 8);
		for (i = 0; i < sh.n; i++)
			sfr_read(sh.s[i].r, "keys", (uint64_t)b * sh.s[i].n * 8,
			    ix.keys[b] + sh.s[i].first, sh.s[i].n * 8);
	}
	uf_init(&uf, ix.n);
	nd_sim_init(&sim, &ix, opts.threshold);
	memset(&lst, 0, sizeof(lst));
	nd_lsh(&ix, b0, b1, &uf, &sim, collect_pair, &pr, &lst);

	h = json_object_new_object();
	json_object_object_add(h, "kind", json_object_new_string("pairs"));
	json_object_object_add(h, "params", sf_params_json(&sh.p));
	json_object_object_add(h, "threshold",
	    json_object_new_double(opts.threshold));
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_int((int)opts.part_i));
	json_object_array_add(a, json_object_new_int((int)opts.part_k));
	json_object_object_add(h, "part", a);
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_int((int)b0));
	json_object_array_add(a, json_object_new_int((int)b1));
	json_object_object_add(h, "bands", a);
	add_i64(h, "records", sh.total);
	add_i64(h, "pairs", pr.n);
	json_object_object_add(h, "shards", shards_json(&sh, true));
	lens[0] = pr.n * 8;
	lens[1] = pr.n * 8;
	w = sfw_open(path);
	sfw_begin(w, h, names, lens, 2);
	sfw_write(w, pr.ab, pr.n * 8);
	sfw_end(w);
	sfw_write(w, pr.sim, pr.n * 8);
	sfw_end(w);
	sfw_commit(w);

	report_params(run, &sh.p, opts.threshold, true);
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_int((int)b0));
	json_object_array_add(a, json_object_new_int((int)b1));
	json_object_object_add(run_params(run), "bands_range", a);
	report_lsh(run, &lst);
	add_i64(run_stats(run), "records", sh.total);
	add_i64(run_stats(run), "pairs", pr.n);
	report_memory(run, &ix, ix.n);
	free(pr.ab);
	free(pr.sim);
	uf_release(&uf);
	nd_sim_release(&sim);
	nd_index_release(&ix);
	shards_close(&sh);
	return run_finish(run);
}

/* ---- cluster ---- */

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Check a pairs file against the sign files; returns its part I. */
static unsigned
check_pairs(const struct sfr *r, const struct shards *sh, double *t,
    unsigned *k)
{
	json_object *h = sfr_header(r), *a;
	struct nd_params q;
	const char *d;
	double th;
	size_t i;
	uint64_t pi, pk;

	sf_params_read(r, &q);
	if ((d = sf_params_diff(&sh->p, &q)) != NULL)
		err_config("%s was made with other parameters than the sign "
		    "files (%s)", sfr_path(r), d);
	a = sfr_obj(r, h, "shards", json_type_array);
	if (json_object_array_length(a) != sh->n)
		err_config("%s was made from %zu sign files, not the %zu given "
		    "here", sfr_path(r), json_object_array_length(a), sh->n);
	for (i = 0; i < sh->n; i++) {
		json_object *e = json_object_array_get_idx(a, i);

		if (!json_object_is_type(e, json_type_object) ||
		    strcmp(sfr_str(r, e, "id"), sfr_id(sh->s[i].r)) != 0)
			err_config("%s was made from other sign files (or in "
			    "another order): shard %zu is not %s", sfr_path(r),
			    i + 1, sfr_path(sh->s[i].r));
	}
	th = sfr_double(r, h, "threshold");
	if (*t < 0)
		*t = th;
	else if (th != *t)
		err_config("%s: made with --threshold %g, others with %g",
		    sfr_path(r), th, *t);
	a = sfr_obj(r, h, "part", json_type_array);
	if (json_object_array_length(a) != 2)
		err_config("%s: bad header: 'part'", sfr_path(r));
	pi = (uint64_t)json_object_get_int64(json_object_array_get_idx(a, 0));
	pk = (uint64_t)json_object_get_int64(json_object_array_get_idx(a, 1));
	if (pk < 1 || pk > ND_MAX_BANDS || pi < 1 || pi > pk)
		err_config("%s: bad header: 'part'", sfr_path(r));
	if (*k == 0)
		*k = (unsigned)pk;
	else if (pk != *k)
		err_config("%s is part %" PRIu64 "/%" PRIu64 ", others are "
		    "parts of %u", sfr_path(r), pi, pk, *k);
	return (unsigned)pi;
}

static void
write_drops(const char *path, const struct shards *sh,
    const struct nd_index *ix, const struct nd_dup *dups, uint64_t nd,
    double t, const struct nd_cluster_stats *cst)
{
	const char *names[3] = { "drops", "kept_off", "kept_ids" };
	uint64_t *ku, nk = 0, j, lens[3], *off, lo, hi, mid;
	json_object *h, *a, *e;
	uint32_t ent[2];
	struct sfw *w;
	size_t i;

	/* the kept records, each once, in index order */
	ku = xreallocarray(NULL, nd + 1, sizeof(*ku));
	for (j = 0; j < nd; j++)
		ku[j] = dups[j].kept;
	qsort(ku, nd, sizeof(*ku), u64_cmp);
	for (j = 0; j < nd; j++)
		if (nk == 0 || ku[j] != ku[nk - 1])
			ku[nk++] = ku[j];
	off = xreallocarray(NULL, nk + 1, sizeof(*off));
	off[0] = 0;
	for (j = 0; j < nk; j++)
		off[j + 1] = off[j] + nd_index_id(ix, ku[j]).n;

	h = json_object_new_object();
	json_object_object_add(h, "kind", json_object_new_string("drops"));
	json_object_object_add(h, "params", sf_params_json(&sh->p));
	json_object_object_add(h, "threshold", json_object_new_double(t));
	json_object_object_add(h, "chain", json_object_new_boolean(opts.chain));
	add_i64(h, "records", sh->total);
	add_i64(h, "duplicates", nd);
	add_i64(h, "clusters", cst->clusters);
	add_i64(h, "kept", nk);
	a = shards_json(sh, false);
	for (i = 0, j = 0; i < sh->n; i++) {
		uint64_t first = j;

		while (j < nd && dups[j].idx < sh->s[i].first + sh->s[i].n)
			j++;
		e = json_object_array_get_idx(a, i);
		add_i64(e, "first", first);
		add_i64(e, "drops", j - first);
	}
	json_object_object_add(h, "shards", a);
	lens[0] = nd * 8;
	lens[1] = (nk + 1) * 8;
	lens[2] = off[nk];
	w = sfw_open(path);
	sfw_begin(w, h, names, lens, 3);
	for (i = 0, j = 0; j < nd; j++) {
		while (dups[j].idx >= sh->s[i].first + sh->s[i].n)
			i++;
		ent[0] = (uint32_t)(dups[j].idx - sh->s[i].first);
		for (lo = 0, hi = nk; hi - lo > 1;) {
			mid = lo + (hi - lo) / 2;
			if (ku[mid] <= dups[j].kept)
				lo = mid;
			else
				hi = mid;
		}
		ent[1] = (uint32_t)lo;
		sfw_write(w, ent, sizeof(ent));
	}
	sfw_end(w);
	sfw_write(w, off, (nk + 1) * 8);
	sfw_end(w);
	for (j = 0; j < nk; j++) {
		struct strv id = nd_index_id(ix, ku[j]);

		sfw_write(w, id.p, id.n);
	}
	sfw_end(w);
	sfw_commit(w);
	free(ku);
	free(off);
}

static int
cmd_cluster(struct opt_shared *o, int nfiles, char **files)
{
	struct clusters_out co = { NULL, NULL, BUF_INIT };
	struct shards sh = { NULL, 0, 0, { 0 } };
	struct nd_cluster_opts copt;
	struct nd_cluster_stats cst;
	struct sfr **prs = NULL, *r;
	struct nd_index ix;
	struct nd_dup *dups;
	struct nd_sim sim;
	struct run *run;
	struct uf uf;
	uint64_t ndups, np, j, joined = 0;
	const char *path;
	uint32_t *ab;
	unsigned *seen = NULL, kparts = 0, pi;
	size_t npr = 0, i;
	double t = -1;
	bool sims;
	int k;

	sfw_check_name(o->out);
	for (k = 0; k < nfiles; k++) {
		r = sfr_open(files[k], NULL);
		if (strcmp(sfr_kind(r), "sign") == 0)
			shards_add(&sh, r);
		else if (strcmp(sfr_kind(r), "pairs") == 0) {
			prs = xreallocarray(prs, npr + 1, sizeof(*prs));
			prs[npr++] = r;
		} else
			err_config("%s: a %s file is not an input of 'dedup-near "
			    "cluster'", files[k], sfr_kind(r));
	}
	shards_check(&sh);
	if (npr == 0)
		err_usage("no pairs files given (the outputs of dedup-near "
		    "bucket)");
	for (i = 0; i < npr; i++) {
		pi = check_pairs(prs[i], &sh, &t, &kparts);
		if (i == 0)
			seen = xcalloc(kparts + 1, sizeof(*seen));
		if (seen[pi]++ > 0)
			err_config("%s: part %u/%u is given twice", sfr_path(prs[i]),
			    pi, kparts);
	}
	for (pi = 1; pi <= kparts; pi++)
		if (seen[pi] == 0)
			err_config("the pairs of part %u/%u are missing: give the "
			    "output of every 'dedup-near bucket --part I/%u'", pi,
			    kparts, kparts);
	free(seen);
	path = o->out;
	o->out = NULL;
	run = run_new(o, nfiles, files);
	sims = opts.clusters != NULL || !opts.chain;
	load_index(&ix, &sh, sims, true);
	uf_init(&uf, ix.n);
	for (i = 0, np = 0; i < npr; i++) {
		uint64_t n = sfr_u64(prs[i], sfr_header(prs[i]), "pairs");

		ab = sfr_load(prs[i], "pairs", n, 8);
		for (j = 0; j < n; j++) {
			if (ab[2 * j] >= ix.n || ab[2 * j + 1] >= ix.n)
				err_config("%s: bad header: pair %" PRIu64 " "
				    "names record %u of %" PRIu64,
				    sfr_path(prs[i]), j, ab[2 * j] >= ix.n ?
				    ab[2 * j] : ab[2 * j + 1], ix.n);
			if (uf_union(&uf, ab[2 * j], ab[2 * j + 1]))
				joined++;
		}
		np += n;
		free(ab);
	}
	nd_sim_init(&sim, &ix, t);
	memset(&copt, 0, sizeof(copt));
	copt.chain = opts.chain;
	if (opts.clusters != NULL) {
		co.o = ostream_open(opts.clusters);
		co.ix = &ix;
		copt.want_sims = true;
		copt.fn = write_cluster;
		copt.arg = &co;
	}
	nd_cluster(&ix, &uf, &sim, &copt, &dups, &ndups, &cst);
	write_drops(path, &sh, &ix, dups, ndups, t, &cst);
	if (co.o != NULL)
		ostream_close(co.o, true);

	report_params(run, &sh.p, t, true);
	json_object_object_add(run_params(run), "chain",
	    json_object_new_boolean(opts.chain));
	add_i64(run_stats(run), "records", sh.total);
	add_i64(run_stats(run), "pairs", np);
	add_i64(run_stats(run), "joins", joined);
	report_clusters(run, &cst, nd_index_id(&ix, cst.largest_kept));
	report_memory(run, &ix, ix.n);
	buf_release(&co.b);
	free(dups);
	nd_sim_release(&sim);
	nd_index_release(&ix);
	for (i = 0; i < npr; i++)
		sfr_close(prs[i]);
	free(prs);
	shards_close(&sh);
	return run_finish(run);
}

/* ---- filter ---- */

static int
cmd_filter(struct opt_shared *o, int nfiles, char **files)
{
	struct nd_params sp, dp;
	struct sfr *sr, *dr;
	struct rec r = REC_INIT;
	struct strv text, id;
	struct run *run;
	json_object *a, *e = NULL;
	uint64_t n, first = 0, nd = 0, nk = 0, k = 0, dj = 0, *lh, *koff = NULL;
	uint32_t *drops;
	char *kids = NULL;
	const char *d;
	double keep;
	size_t i;

	sr = sfr_open(opts.sign, "sign");
	dr = sfr_open(opts.drops, "drops");
	sf_params_read(sr, &sp);
	sf_params_read(dr, &dp);
	if ((d = sf_params_diff(&sp, &dp)) != NULL)
		err_config("%s and %s were made with different parameters (%s)",
		    opts.sign, opts.drops, d);
	if (strcmp(o->field, sp.field) != 0)
		err_config("%s was signed with --field %s: give filter the same "
		    "--field", opts.sign, sp.field);
	if (strcmp(o->id_field, sp.id_field) != 0)
		err_config("%s was signed with --id-field %s: give filter the "
		    "same --id-field", opts.sign, sp.id_field);
	if (sfr_u64(sr, sfr_header(sr), "max_record_bytes") !=
	    o->max_record_bytes)
		err_config("%s was signed with --max-record-bytes %" PRIu64 ": "
		    "give filter the same limit", opts.sign,
		    sfr_u64(sr, sfr_header(sr), "max_record_bytes"));
	n = sfr_u64(sr, sfr_header(sr), "records");
	a = sfr_obj(dr, sfr_header(dr), "shards", json_type_array);
	for (i = 0; i < json_object_array_length(a); i++) {
		e = json_object_array_get_idx(a, i);
		if (json_object_is_type(e, json_type_object) &&
		    strcmp(sfr_str(dr, e, "id"), sfr_id(sr)) == 0)
			break;
	}
	if (i == json_object_array_length(a))
		err_config("%s is not one of the shards clustered into %s",
		    opts.sign, opts.drops);
	if (sfr_u64(dr, e, "records") != n)
		err_config("%s: bad header: shard %zu has %" PRIu64 " records, "
		    "%s %" PRIu64, opts.drops, i + 1,
		    sfr_u64(dr, e, "records"), opts.sign, n);
	first = sfr_u64(dr, e, "first");
	nd = sfr_u64(dr, e, "drops");
	drops = xreallocarray(NULL, nd + 1, 8);
	sfr_read(dr, "drops", first * 8, drops, nd * 8);
	if (opts.mark) {
		uint64_t so, sl;

		nk = sfr_u64(dr, sfr_header(dr), "kept");
		koff = sfr_load(dr, "kept_off", nk + 1, 8);
		if (!sfr_section(dr, "kept_ids", &so, &sl))
			err_config("%s: bad header: no section 'kept_ids'",
			    opts.drops);
		check_offsets(dr, "kept_off", koff, nk, sl);
		kids = sfr_load(dr, "kept_ids", sl, 1);
	}
	for (k = 0; k < nd; k++)
		if (drops[2 * k] >= n || (k > 0 && drops[2 * k] <=
		    drops[2 * k - 2]) || (opts.mark && drops[2 * k + 1] >= nk))
			err_config("%s: bad header: drop list of %s",
			    opts.drops, opts.sign);
	lh = sfr_load(sr, "line_hash", n, 8);

	run = run_new(o, nfiles, files);
	k = 0;
	while (run_next(run, &r)) {
		if (!nd_check(&r, &sp, &text, &id, &keep)) {
			run_reject_rec(run, &r);
			continue;
		}
		if (k >= n)
			err_config("%s:%" PRIu64 ": more records than %s signed "
			    "(%" PRIu64 "): not the input of that sign file",
			    r.file, r.line, opts.sign, n);
		if (XXH3_64bits(r.raw, r.len) != lh[k])
			err_config("%s:%" PRIu64 ": not the record %s signed "
			    "there: not the input of that sign file", r.file,
			    r.line, opts.sign);
		if (dj < nd && drops[2 * dj] == k) {
			if (opts.mark) {
				uint32_t ref = drops[2 * dj + 1];

				rec_set_str(&r, "dup_of", kids + koff[ref],
				    koff[ref + 1] - koff[ref]);
				run_emit(run, &r);
			} else
				run_drop(run, &r);
			dj++;
		} else
			run_emit(run, &r);
		k++;
	}
	if (k != n)
		err_config("the input has %" PRIu64 " records, %s signed %" PRIu64
		    ": not the input of that sign file", k, opts.sign, n);
	report_params(run, &sp, sfr_double(dr, sfr_header(dr), "threshold"),
	    true);
	json_object_object_add(run_params(run), "mark",
	    json_object_new_boolean(opts.mark));
	add_i64(run_stats(run), "duplicates", nd);
	metrics_gauge(run_metrics(run), "codesift_near_duplicates",
	    "Near duplicates found (dropped or marked) by the last run.", NULL,
	    (double)nd);
	rec_release(&r);
	free(drops);
	free(koff);
	free(kids);
	free(lh);
	sfr_close(sr);
	sfr_close(dr);
	return run_finish(run);
}

int
main(int argc, char *argv[])
{
	static char stage[32];
	struct opt_shared o;
	struct opt_prog prog;
	enum cmd cmd = CMD_ALL;
	int shift = 0, n, k;

	err_setprog(argv[0]);
	if (argc > 1)
		for (k = CMD_SIGN; k < NCMD; k++)
			if (strcmp(argv[1], cmd_names[k]) == 0) {
				cmd = (enum cmd)k;
				shift = 1;
			}
	prog = progs[cmd];
	prog.handle = handle;
	n = opt_parse(argc - shift, argv + shift, &prog, &o) + shift;
	o.argc = argc;
	o.argv = argv;
	if (cmd != CMD_ALL && o.stage == err_prog()) {
		snprintf(stage, sizeof(stage), "dedup-near-%s", cmd_names[cmd]);
		o.stage = stage;
	}
	check_options(cmd, &o);
	switch (cmd) {
	case CMD_SIGN:
		return cmd_sign(&o, argc - n, argv + n);
	case CMD_BUCKET:
		return cmd_bucket(&o, argc - n, argv + n);
	case CMD_CLUSTER:
		return cmd_cluster(&o, argc - n, argv + n);
	case CMD_FILTER:
		return cmd_filter(&o, argc - n, argv + n);
	default:
		return cmd_all(&o, argc - n, argv + n);
	}
}
