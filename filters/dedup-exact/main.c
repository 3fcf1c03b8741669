/*
 * dedup-exact - keep the first record of each distinct content; drop (or
 * mark) later copies.  The key is XXH3-128 of the text field, optionally
 * normalized (format or code); the set of keys costs under 32 bytes a
 * distinct record.  --partition is the map step of a sharded run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <xxhash.h>

#include "err.h"
#include "keyset.h"
#include "mem.h"
#include "normalize.h"
#include "opt.h"
#include "run.h"
#include "stream.h"

enum norm_mode { NORM_NONE, NORM_FORMAT, NORM_CODE };

enum {
	O_CLUSTERS = OPT_FILTER_BASE,
	O_LANGUAGE_FIELD,
	O_MARK,
	O_NORMALIZE,
	O_PARTITION,
	O_PARTITION_DIR,
	O_PARTITION_EXT,
	O_PATH_FIELD
};

static struct {
	enum norm_mode	 norm;
	bool		 mark;
	const char	*clusters;
	unsigned	 partitions;
	const char	*partition_dir;
	const char	*partition_ext;
	const char	*language_field;
	const char	*path_field;
} opts = { NORM_NONE, false, NULL, 0, NULL, ".jsonl", "language", "path" };

static const struct option longopts[] = {
	{ "clusters",		required_argument, NULL, O_CLUSTERS },
	{ "language-field",	required_argument, NULL, O_LANGUAGE_FIELD },
	{ "mark",		no_argument,	   NULL, O_MARK },
	{ "normalize",		optional_argument, NULL, O_NORMALIZE },
	{ "partition",		required_argument, NULL, O_PARTITION },
	{ "partition-dir",	required_argument, NULL, O_PARTITION_DIR },
	{ "partition-ext",	required_argument, NULL, O_PARTITION_EXT },
	{ "path-field",		required_argument, NULL, O_PATH_FIELD },
	{ NULL, 0, NULL, 0 }
};

static const char help[] =
"      --normalize[=MODE]  compare normalized text: 'format' (the default\n"
"                          MODE: BOM, CRLF, trailing blanks, blank lines at\n"
"                          the ends) or 'code' (also comments and spacing,\n"
"                          by language); 'none' compares bytes\n"
"      --mark              keep duplicates, adding 'dup_of' (the kept id)\n"
"      --clusters FILE     write each group of copies as a JSON line\n"
"      --partition N       map step: split records into N files by key\n"
"      --partition-dir DIR where --partition writes part-NNNNN files\n"
"      --partition-ext EXT their extension (default .jsonl; .gz, .zst ok)\n"
"      --language-field F  language field for --normalize=code\n"
"                          (default: language)\n"
"      --path-field F      path field, when the language is unknown\n"
"                          (default: path)\n";

static void
handle(int c, const char *arg)
{
	switch (c) {
	case O_CLUSTERS:
		opts.clusters = arg;
		break;
	case O_LANGUAGE_FIELD:
		opts.language_field = arg;
		break;
	case O_MARK:
		opts.mark = true;
		break;
	case O_NORMALIZE:
		if (arg == NULL || strcmp(arg, "format") == 0)
			opts.norm = NORM_FORMAT;
		else if (strcmp(arg, "code") == 0)
			opts.norm = NORM_CODE;
		else if (strcmp(arg, "none") == 0)
			opts.norm = NORM_NONE;
		else
			err_usage("invalid value '%s' for --normalize: "
			    "expected format, code or none", arg);
		break;
	case O_PARTITION:
		opts.partitions = (unsigned)opt_u64("--partition", arg, 1,
		    1024);
		break;
	case O_PARTITION_DIR:
		opts.partition_dir = arg;
		break;
	case O_PARTITION_EXT:
		if (*arg != '.' || strchr(arg, '/') != NULL)
			err_usage("invalid value '%s' for --partition-ext: "
			    "expected an extension such as .jsonl.zst", arg);
		opts.partition_ext = arg;
		break;
	case O_PATH_FIELD:
		opts.path_field = arg;
		break;
	}
}

static const struct opt_prog prog = {
	"usage: dedup-exact [--normalize[=format|code]] [--mark] "
	"[--clusters FILE] [options] [file ...]\n"
	"       dedup-exact --partition N --partition-dir DIR [options] "
	"[file ...]",
	"Keep the first record of each distinct content; drop later copies.",
	help, "", longopts, handle
};

/* Groups of copies, kept for --mark and --clusters. */
struct group {
	struct key128	key;
	uint64_t	id_off;		/* kept id in ids */
	uint64_t	first_dup;	/* index in dups, or NONE */
	uint64_t	last_dup;
	uint32_t	id_len;
	uint32_t	ndups;
};

struct dup {
	uint64_t	id_off;
	uint64_t	next;
	uint32_t	id_len;
};

#define NONE UINT64_MAX

struct state {
	struct keyset	*ks;
	struct buf	 norm;		/* normalized text */
	struct group	*g;
	size_t		 ng, gcap;
	struct dup	*d;
	size_t		 nd, dcap;
	struct buf	 ids;
	uint64_t	 dups;
	uint64_t	 code_norm, fmt_fallback;
	struct ostream	**parts;
};

static uint64_t
add_id(struct state *st, struct strv id)
{
	uint64_t off = st->ids.len;

	buf_add(&st->ids, id.p, id.n);
	return off;
}

static struct key128
hash128(struct strv s, uint64_t seed)
{
	XXH128_hash_t h = XXH3_128bits_withSeed(s.p, s.n, seed);
	struct key128 k = { h.low64, h.high64 };

	return k;
}

/*
 * The set key of r.  Exact mode hashes the field's canonical JSON string
 * form, a one-to-one function of the text that needs no unescaping; the
 * normalized modes hash the normalized text.
 */
static bool
key_of(struct state *st, struct rec *r, const char *field, struct key128 *k)
{
	struct strv text;
	uint64_t seed = 0;

	if (opts.norm == NORM_NONE) {
		if (rec_str_canon(r, field, &text) != REC_GOT)
			return false;
		*k = hash128(text, 0);
		return true;
	}
	if (rec_str(r, field, &text) != REC_GOT)
		return false;
	if (opts.norm == NORM_FORMAT) {
		norm_format(text.p, text.n, &st->norm);
		text.p = st->norm.data;
		text.n = st->norm.len;
	} else if (opts.norm == NORM_CODE) {
		const struct norm_lang *l;
		struct strv lang = { NULL, 0 }, path = { NULL, 0 };

		if (rec_str(r, opts.language_field, &lang) != REC_GOT)
			lang.n = 0;
		if (rec_str(r, opts.path_field, &path) != REC_GOT)
			path.n = 0;
		l = norm_lang_find(lang.p, lang.n, path.p, path.n);
		if (l != NULL) {
			/*
			 * The language family is part of the key: Python
			 * stripped of comments must not meet Markdown text.
			 */
			norm_code(l, text.p, text.n, &st->norm);
			seed = XXH3_64bits(norm_lang_name(l),
			    strlen(norm_lang_name(l)));
			st->code_norm++;
		} else {
			norm_format(text.p, text.n, &st->norm);
			st->fmt_fallback++;
		}
		text.p = st->norm.data;
		text.n = st->norm.len;
	}
	*k = hash128(text, seed);
	return true;
}

/*
 * The key --clusters prints: XXH3-128 of the (normalized) text itself
 * (seeded with the language family under --normalize=code).  Normalized
 * modes hash that already; exact mode computes it only for groups that
 * have copies, from a copy (same text).
 */
static struct key128
text_key(struct rec *r, const char *field, struct key128 setkey)
{
	struct strv text;

	if (opts.norm != NORM_NONE)
		return setkey;
	if (rec_str(r, field, &text) != REC_GOT)
		err_bug("field '%s' vanished", field);
	return hash128(text, 0);
}

static void
open_partitions(struct state *st)
{
	struct buf name = BUF_INIT;
	unsigned i;

	if (mkdir(opts.partition_dir, 0777) < 0 && errno != EEXIST)
		err_die_errno("%s: cannot create", opts.partition_dir);
	st->parts = xcalloc(opts.partitions, sizeof(*st->parts));
	for (i = 0; i < opts.partitions; i++) {
		buf_reset(&name);
		buf_addf(&name, "%s/part-%05u%s", opts.partition_dir, i,
		    opts.partition_ext);
		st->parts[i] = ostream_open(name.data);
	}
	buf_release(&name);
}

/* A record of group gi: first copy kept, later ones dropped or marked. */
static void
record_copy(struct state *st, struct run *run, struct rec *r, uint32_t gi,
    bool first, struct strv id, struct key128 k)
{
	struct group *g;
	struct dup *d;

	if (first) {
		if (st->ng == st->gcap) {
			st->gcap = st->gcap < 1024 ? 1024 : st->gcap * 2;
			st->g = xreallocarray(st->g, st->gcap, sizeof(*st->g));
		}
		g = &st->g[st->ng++];
		g->id_off = add_id(st, id);
		g->id_len = (uint32_t)id.n;
		g->first_dup = g->last_dup = NONE;
		g->ndups = 0;
		run_emit(run, r);
		return;
	}
	g = &st->g[gi];
	if (g->ndups == 0 && opts.clusters != NULL)
		g->key = text_key(r, run_opts(run)->field, k);
	g->ndups++;
	st->dups++;
	if (opts.clusters != NULL) {
		if (st->nd == st->dcap) {
			st->dcap = st->dcap < 1024 ? 1024 : st->dcap * 2;
			st->d = xreallocarray(st->d, st->dcap, sizeof(*st->d));
		}
		d = &st->d[st->nd];
		d->id_off = add_id(st, id);
		d->id_len = (uint32_t)id.n;
		d->next = NONE;
		if (g->last_dup == NONE)
			g->first_dup = st->nd;
		else
			st->d[g->last_dup].next = st->nd;
		g->last_dup = st->nd++;
	}
	if (opts.mark) {
		rec_set_str(r, "dup_of", st->ids.data + g->id_off, g->id_len);
		run_emit(run, r);
	} else
		run_drop(run, r);
}

static void
write_clusters(struct state *st)
{
	struct ostream *o = ostream_open(opts.clusters);
	struct buf b = BUF_INIT;
	const struct group *g;
	uint64_t k;
	size_t i;

	for (i = 0; i < st->ng; i++) {
		g = &st->g[i];
		if (g->ndups == 0)
			continue;
		buf_reset(&b);
		buf_addf(&b, "{\"key\":\"%016llx%016llx\",\"kept\":",
		    (unsigned long long)g->key.hi,
		    (unsigned long long)g->key.lo);
		jscan_escape(&b, st->ids.data + g->id_off, g->id_len);
		buf_adds(&b, ",\"dups\":[");
		for (k = g->first_dup; k != NONE; k = st->d[k].next) {
			if (k != g->first_dup)
				buf_addc(&b, ',');
			jscan_escape(&b, st->ids.data + st->d[k].id_off,
			    st->d[k].id_len);
		}
		buf_adds(&b, "]}\n");
		ostream_write(o, b.data, b.len);
	}
	ostream_close(o, true);
	buf_release(&b);
}

static const char *const norm_names[] = { "none", "format", "code" };

static void
report(struct run *run, struct state *st)
{
	json_object *p = run_params(run), *s = run_stats(run);
	struct metrics *m = run_metrics(run);
	uint64_t distinct = keyset_count(st->ks);

	json_object_object_add(p, "field",
	    json_object_new_string(run_opts(run)->field));
	json_object_object_add(p, "normalize",
	    json_object_new_string(norm_names[opts.norm]));
	json_object_object_add(p, "mark", json_object_new_boolean(opts.mark));
	if (opts.partitions > 0)
		json_object_object_add(p, "partitions",
		    json_object_new_int((int)opts.partitions));
	json_object_object_add(s, "distinct",
	    json_object_new_int64((int64_t)distinct));
	json_object_object_add(s, "duplicates",
	    json_object_new_int64((int64_t)st->dups));
	json_object_object_add(s, "key_set_bytes",
	    json_object_new_int64((int64_t)keyset_bytes(st->ks)));
	if (opts.norm == NORM_CODE) {
		json_object_object_add(s, "code_normalized",
		    json_object_new_int64((int64_t)st->code_norm));
		json_object_object_add(s, "format_fallback",
		    json_object_new_int64((int64_t)st->fmt_fallback));
	}
	metrics_gauge(m, "codesift_dedup_distinct",
	    "Distinct contents seen by the last run.", NULL, (double)distinct);
	metrics_gauge(m, "codesift_dedup_duplicates",
	    "Copies found (dropped or marked) by the last run.", NULL,
	    (double)st->dups);
}

int
main(int argc, char *argv[])
{
	struct opt_shared o;
	struct state st;
	struct rec r = REC_INIT;
	struct run *run;
	struct strv id = { "", 0 };
	struct key128 k;
	uint32_t gi = 0;
	bool groups, first;
	int n;

	err_setprog(argv[0]);
	n = opt_parse(argc, argv, &prog, &o);
	if (opts.partitions > 0 && (opts.mark || opts.clusters != NULL))
		err_usage("--partition cannot be used with --mark or "
		    "--clusters: dedup each partition instead");
	if (opts.partitions == 0 && opts.partition_dir != NULL)
		err_usage("--partition-dir needs --partition");
	if (opts.partitions > 0 && opts.partition_dir == NULL)
		err_usage("--partition needs --partition-dir");
	groups = opts.mark || opts.clusters != NULL;
	memset(&st, 0, sizeof(st));
	st.ks = keyset_new(groups);
	run = run_new(&o, argc - n, argv + n);
	if (opts.partitions > 0)
		open_partitions(&st);

	while (run_next(run, &r)) {
		if (!key_of(&st, &r, o.field, &k) ||
		    (groups && rec_str(&r, o.id_field, &id) != REC_GOT)) {
			run_reject_rec(run, &r);
			continue;
		}
		if (opts.partitions > 0) {
			struct ostream *p = st.parts[(k.hi >> 32) %
			    opts.partitions];

			ostream_write(p, r.raw, r.len);
			ostream_write(p, "\n", 1);
			run_emit_elsewhere(run, r.len + 1);
			continue;
		}
		first = keyset_insert(st.ks, k, (uint32_t)st.ng, &gi);
		if (groups) {
			if (first && st.ng == UINT32_MAX)
				err_die("more than %u distinct records with "
				    "--mark or --clusters", UINT32_MAX - 1);
			record_copy(&st, run, &r, gi, first, id, k);
		} else if (first)
			run_emit(run, &r);
		else {
			st.dups++;
			run_drop(run, &r);
		}
	}
	if (st.parts != NULL) {
		unsigned i;

		for (i = 0; i < opts.partitions; i++)
			ostream_close(st.parts[i], true);
		free(st.parts);
	}
	if (opts.clusters != NULL)
		write_clusters(&st);
	report(run, &st);
	rec_release(&r);
	keyset_free(st.ks);
	buf_release(&st.norm);
	buf_release(&st.ids);
	free(st.g);
	free(st.d);
	return run_finish(run);
}
