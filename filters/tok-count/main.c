/*
 * tok-count - add each record's token count (n_tokens) and, with --ids,
 * its token ids, exactly as Hugging Face tokenizers or tiktoken encode the
 * text field.  Default tokenizer: CodeBERT (RoBERTa's byte-level BPE),
 * shipped in configs/tokenizers/codebert-base/.  Records are processed on
 * -j threads; the output order and bytes do not depend on -j.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpe.h"
#include "data.h"
#include "err.h"
#include "mem.h"
#include "opt.h"
#include "pool.h"
#include "rec.h"
#include "run.h"
#include "tokenizer.h"

#define DEFAULT_TOKENIZER	"tokenizers/codebert-base/vocab.json"
#define TIKTOKEN_DIR		"tokenizers/tiktoken"

enum {
	O_ADD_SPECIAL = OPT_FILTER_BASE,
	O_ENCODING,
	O_IDS,
	O_IDS_FIELD,
	O_MAX_TOKENS,
	O_MERGES,
	O_NO_FAST,
	O_OUT_FIELD,
	O_SPECIAL,
	O_TOKENIZER,
	O_TOKENIZER_DIR
};

static struct {
	const char	*tokenizer;
	const char	*merges;
	const char	*encoding;
	const char	*tokenizer_dir;
	enum tok_special special;
	bool		 add_special;
	bool		 ids;
	const char	*out_field;
	const char	*ids_field;
	bool		 max_set;
	uint64_t	 max_tokens;
	unsigned	 threads;
	bool		 no_fast;
} opts = { NULL, NULL, NULL, NULL, TOK_SPECIAL_AUTO, false, false,
    "n_tokens", "token_ids", false, 0, 1, false };

static const struct option longopts[] = {
	{ "add-special",	no_argument,	   NULL, O_ADD_SPECIAL },
	{ "encoding",		required_argument, NULL, O_ENCODING },
	{ "ids",		no_argument,	   NULL, O_IDS },
	{ "ids-field",		required_argument, NULL, O_IDS_FIELD },
	{ "max-tokens",		required_argument, NULL, O_MAX_TOKENS },
	{ "merges",		required_argument, NULL, O_MERGES },
	{ "no-fast-scan",	no_argument,	   NULL, O_NO_FAST },
	{ "out-field",		required_argument, NULL, O_OUT_FIELD },
	{ "special",		required_argument, NULL, O_SPECIAL },
	{ "threads",		required_argument, NULL, 'j' },
	{ "tokenizer",		required_argument, NULL, O_TOKENIZER },
	{ "tokenizer-dir",	required_argument, NULL, O_TOKENIZER_DIR },
	{ NULL, 0, NULL, 0 }
};

static const char help[] =
"      --tokenizer PATH    a Hugging Face tokenizer.json, a vocab.json\n"
"                          (with merges.txt beside it or --merges), or a\n"
"                          directory holding either (default: CodeBERT,\n"
"                          from configs/tokenizers/codebert-base)\n"
"      --merges FILE       the merges.txt of a --tokenizer vocab.json\n"
"      --encoding NAME     a tiktoken encoding: gpt2, r50k_base,\n"
"                          p50k_base, p50k_edit, cl100k_base, o200k_base\n"
"      --tokenizer-dir DIR where NAME.tiktoken rank files are (default:\n"
"                          configs/tokenizers/tiktoken)\n"
"      --special MODE      'text': special-token strings are plain text\n"
"                          (tiktoken encode_ordinary); 'allowed': they are\n"
"                          their tokens (Hugging Face default, tiktoken\n"
"                          allowed_special=\"all\").  Default: allowed for\n"
"                          --tokenizer, text for --encoding\n"
"      --add-special       add the post-processor's tokens (CodeBERT:\n"
"                          <s> ... </s>, +2), as tokenizer(text) does\n"
"      --ids               also add the token ids (field token_ids)\n"
"      --out-field NAME    the count field (default: n_tokens)\n"
"      --ids-field NAME    the ids field (default: token_ids)\n"
"      --max-tokens N      reject records of more than N tokens\n"
"                          (reason too-many-tokens)\n"
"  -j, --threads N         encode on N threads (0: one per CPU; default 1)\n"
"      --no-fast-scan      match with PCRE2 alone (checks; slower)\n";

static void
handle(int c, const char *arg)
{
	switch (c) {
	case 'j':
		opts.threads = opt_threads("--threads", arg);
		break;
	case O_ADD_SPECIAL:
		opts.add_special = true;
		break;
	case O_ENCODING:
		opts.encoding = arg;
		break;
	case O_IDS:
		opts.ids = true;
		break;
	case O_IDS_FIELD:
		if (*arg == '\0')
			err_usage("--ids-field needs a field name");
		opts.ids_field = arg;
		break;
	case O_MAX_TOKENS:
		opts.max_tokens = opt_u64("--max-tokens", arg, 0, INT64_MAX);
		opts.max_set = true;
		break;
	case O_MERGES:
		opts.merges = arg;
		break;
	case O_NO_FAST:
		opts.no_fast = true;
		break;
	case O_OUT_FIELD:
		if (*arg == '\0')
			err_usage("--out-field needs a field name");
		opts.out_field = arg;
		break;
	case O_SPECIAL:
		if (strcmp(arg, "text") == 0)
			opts.special = TOK_SPECIAL_TEXT;
		else if (strcmp(arg, "allowed") == 0)
			opts.special = TOK_SPECIAL_ALLOWED;
		else
			err_usage("invalid value '%s' for --special: expected "
			    "text or allowed", arg);
		break;
	case O_TOKENIZER:
		opts.tokenizer = arg;
		break;
	case O_TOKENIZER_DIR:
		opts.tokenizer_dir = arg;
		break;
	}
}

static const struct opt_prog prog = {
	"usage: tok-count [--tokenizer PATH [--merges FILE] | --encoding NAME "
	"[--tokenizer-dir DIR]]\n"
	"                 [--special text|allowed] [--add-special] [--ids] "
	"[--max-tokens N]\n"
	"                 [-j N] [options] [file ...]",
	"Add the token count of each record's text, as Hugging Face "
	"tokenizers or tiktoken count it.",
	help, "j:", longopts, handle
};

/* Counts per worker, merged at the end. */
#define NBUCKETS 12
static const double bounds[NBUCKETS] = { 64, 128, 256, 512, 1024, 2048,
    4096, 8192, 16384, 32768, 65536, 131072 };

struct worker {
	struct tok_ctx	*tc;
	struct idvec	 ids;
	struct buf	 json;	/* the token_ids array */
	struct buf	 err;
	uint64_t	 records, tokens, bytes, max;
	uint64_t	 hist[NBUCKETS + 1];
};

/* the text field (--field), set once before the workers start */
static const char *text_field;

static void
ids_json(struct buf *b, const struct idvec *iv)
{
	char *d;
	size_t i;
	uint32_t v;
	char tmp[10];
	int k;

	buf_reset(b);
	buf_grow(b, iv->n * 11 + 2);
	d = b->data;
	*d++ = '[';
	for (i = 0; i < iv->n; i++) {
		if (i > 0)
			*d++ = ',';
		v = iv->v[i];
		k = 0;
		do {
			tmp[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0);
		while (k > 0)
			*d++ = tmp[--k];
	}
	*d++ = ']';
	*d = '\0';
	b->len = (size_t)(d - b->data);
}

static void
count_one(void *ctx, struct rec *r, struct pool_verdict *v)
{
	struct worker *w = ctx;
	struct strv text;
	uint64_t n;
	size_t b;

	if (rec_str(r, text_field, &text) != REC_GOT) {
		pool_reject_rec(v, r);
		return;
	}
	if (text.n > UINT32_MAX) {
		/* positions in a piece are 32-bit */
		pool_reject(v, "too-large", "a text of %zu bytes: tok-count "
		    "encodes up to 4 GiB", text.n);
		return;
	}
	w->ids.n = 0;
	buf_reset(&w->err);
	if (!tok_encode(w->tc, text.p, text.n, &w->ids, &w->err)) {
		pool_reject(v, "tokenize-failed", "%s", buf_cstr(&w->err));
		return;
	}
	n = w->ids.n;
	if (opts.max_set && n > opts.max_tokens) {
		pool_reject(v, "too-many-tokens", "%llu tokens, more than "
		    "--max-tokens %llu", (unsigned long long)n,
		    (unsigned long long)opts.max_tokens);
		return;
	}
	rec_set_i64(r, opts.out_field, (int64_t)n);
	if (opts.ids) {
		ids_json(&w->json, &w->ids);
		rec_set_raw(r, opts.ids_field, w->json.data, w->json.len);
	}
	w->records++;
	w->tokens += n;
	w->bytes += text.n;
	if (n > w->max)
		w->max = n;
	for (b = 0; b < NBUCKETS && (double)n > bounds[b]; b++)
		;
	w->hist[b]++;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct tok *
load(double *secs)
{
	struct buf err = BUF_INIT;
	struct tok *t;
	char *path = NULL, *dir = NULL;
	double t0 = now();

	if (opts.encoding != NULL) {
		if (opts.tokenizer_dir == NULL) {
			dir = data_path(TIKTOKEN_DIR);
			if (dir == NULL)
				err_usage("--encoding %s needs --tokenizer-dir "
				    "(the directory of %s)", opts.encoding,
				    tok_ranks_file(opts.encoding) != NULL ?
				    tok_ranks_file(opts.encoding) :
				    "the .tiktoken files");
		}
		t = tok_load_tiktoken(opts.encoding, dir != NULL ? dir :
		    opts.tokenizer_dir, &err);
	} else {
		if (opts.tokenizer == NULL &&
		    (path = data_path(DEFAULT_TOKENIZER)) == NULL)
			err_config("cannot find the default tokenizer %s "
			    "(set CODESIFT_DATADIR or give --tokenizer)",
			    DEFAULT_TOKENIZER);
		t = tok_load_hf(path != NULL ? path : opts.tokenizer,
		    opts.merges, &err);
	}
	free(path);
	free(dir);
	if (t == NULL)
		err_config("%s", buf_cstr(&err));
	if (!tok_configure(t, opts.special, opts.add_special, &err))
		err_usage("%s", buf_cstr(&err));
	buf_release(&err);
	*secs = now() - t0;
	return t;
}

static void
report(struct run *run, const struct tok *t, struct worker *w,
    unsigned nw, double load_s)
{
	json_object *p = run_params(run), *s = run_stats(run);
	struct metrics *m = run_metrics(run);
	struct buf lb = BUF_INIT;
	uint64_t records = 0, tokens = 0, bytes = 0, max = 0, pieces = 0;
	uint64_t hits = 0, pc, hc;
	unsigned long long hist[NBUCKETS + 1];
	unsigned i, b;

	memset(hist, 0, sizeof(hist));
	for (i = 0; i < nw; i++) {
		records += w[i].records;
		tokens += w[i].tokens;
		bytes += w[i].bytes;
		if (w[i].max > max)
			max = w[i].max;
		for (b = 0; b <= NBUCKETS; b++)
			hist[b] += w[i].hist[b];
		tok_ctx_stats(w[i].tc, &pc, &hc);
		pieces += pc;
		hits += hc;
	}
	json_object_object_add(p, "tokenizer",
	    json_object_new_string(tok_describe(t)));
	json_object_object_add(p, "family",
	    json_object_new_string(tok_family(t)));
	json_object_object_add(p, "special",
	    json_object_new_string(tok_special_name(t)));
	json_object_object_add(p, "add_special",
	    json_object_new_boolean(opts.add_special));
	json_object_object_add(p, "field",
	    json_object_new_string(text_field));
	json_object_object_add(p, "out_field",
	    json_object_new_string(opts.out_field));
	json_object_object_add(p, "ids", json_object_new_boolean(opts.ids));
	if (opts.max_set)
		json_object_object_add(p, "max_tokens",
		    json_object_new_int64((int64_t)opts.max_tokens));
	json_object_object_add(p, "threads", json_object_new_int((int)nw));
	json_object_object_add(s, "tokens",
	    json_object_new_int64((int64_t)tokens));
	json_object_object_add(s, "text_bytes",
	    json_object_new_int64((int64_t)bytes));
	json_object_object_add(s, "tokenized_records",
	    json_object_new_int64((int64_t)records));
	json_object_object_add(s, "max_tokens_per_record",
	    json_object_new_int64((int64_t)max));
	json_object_object_add(s, "bytes_per_token", json_object_new_double(
	    tokens > 0 ? (double)bytes / (double)tokens : 0));
	json_object_object_add(s, "vocab_size",
	    json_object_new_int64((int64_t)tok_vocab_size(t)));
	json_object_object_add(s, "load_seconds",
	    json_object_new_double(load_s));
	json_object_object_add(s, "bpe_pieces",
	    json_object_new_int64((int64_t)pieces));
	json_object_object_add(s, "bpe_cache_hits",
	    json_object_new_int64((int64_t)hits));

	metrics_label(&lb, "tokenizer", tok_family(t));
	metrics_gauge(m, "codesift_tokens",
	    "Tokens in the records written by the last run.", lb.data,
	    (double)tokens);
	metrics_gauge(m, "codesift_tokenized_bytes",
	    "Bytes of text tokenized by the last run.", lb.data,
	    (double)bytes);
	metrics_histogram(m, "codesift_tokens_per_record",
	    "Tokens per record written by the last run.", lb.data, bounds,
	    hist, NBUCKETS, (double)tokens);
	metrics_gauge(m, "codesift_tokenizer_load_seconds",
	    "Time to load the tokenizer in the last run.", lb.data, load_s);
	buf_release(&lb);
}

int
main(int argc, char *argv[])
{
	struct opt_shared o;
	struct run *run;
	struct tok *t;
	struct worker *w;
	void **ctx;
	double load_s;
	unsigned i, nw;
	int n, status;

	err_setprog(argv[0]);
	n = opt_parse(argc, argv, &prog, &o);
	if (opts.encoding != NULL && (opts.tokenizer != NULL ||
	    opts.merges != NULL))
		err_usage("--encoding cannot be used with --tokenizer or "
		    "--merges");
	if (opts.tokenizer_dir != NULL && opts.encoding == NULL)
		err_usage("--tokenizer-dir needs --encoding");
	if (opts.merges != NULL && opts.tokenizer == NULL)
		err_usage("--merges needs --tokenizer (the vocab.json)");
	if (strcmp(opts.out_field, opts.ids_field) == 0 && opts.ids)
		err_usage("--out-field and --ids-field are both '%s'",
		    opts.out_field);
	text_field = o.field;
	t = load(&load_s);
	if (opts.no_fast)
		tok_disable_fast(t);
	if (!o.quiet) {
		const char *wl = tok_warnings(t), *nl;

		for (; *wl != '\0'; wl = nl + 1) {
			nl = strchr(wl, '\n');
			err_warn("%.*s", (int)(nl - wl), wl);
		}
	}
	run = run_new(&o, argc - n, argv + n);

	nw = opts.threads;
	w = xcalloc(nw, sizeof(*w));
	ctx = xcalloc(nw, sizeof(*ctx));
	for (i = 0; i < nw; i++) {
		w[i].tc = tok_ctx_new(t);
		ctx[i] = &w[i];
	}
	pool_run(run, nw, count_one, ctx);
	report(run, t, w, nw, load_s);
	for (i = 0; i < nw; i++) {
		tok_ctx_free(w[i].tc);
		idvec_release(&w[i].ids);
		buf_release(&w[i].json);
		buf_release(&w[i].err);
	}
	free(w);
	free(ctx);
	status = run_finish(run);
	tok_free(t);
	return status;
}
