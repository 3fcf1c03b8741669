/*
 * swh-fetch - add each file's content to The Stack v2 metadata records,
 * from the Software Heritage S3 bucket (or a local mirror of it).
 *
 * For each record: the object content/<blob_id> is fetched (many at a
 * time), inflated, checked against blob_id (SHA-1) and content_id (git
 * blob id), refused if it holds a NUL byte, decoded from src_encoding as
 * Python decodes it, checked against length_bytes, and written into the
 * record as "content" with "content_sha256".  Records keep their input
 * order (a bounded window of records waits for slow objects), and every
 * record is emitted or rejected with a reason.
 *
 * Network mode is one thread driving libcurl (fetch.c); --mirror reads
 * local files and decodes on -j threads through pool.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob.h"
#include "charset.h"
#include "creds.h"
#include "err.h"
#include "fetch.h"
#include "mem.h"
#include "opt.h"
#include "pool.h"
#include "run.h"
#include "tasks.h"

#define WINDOW_BYTES	((size_t)256 << 20)	/* output held for order */
#define SLOT_KEEP	((size_t)64 << 10)	/* slot memory kept for reuse */

enum {
	O_ADDRESSING = OPT_FILTER_BASE,
	O_BUCKET,
	O_CA_BUNDLE,
	O_CACHE,
	O_CONNECT_TIMEOUT,
	O_CONTENT_ID_FIELD,
	O_ENCODING_FIELD,
	O_ENDPOINT,
	O_LENGTH_FIELD,
	O_MAX_BYTES,
	O_MIRROR,
	O_NO_SIGN,
	O_PROFILE,
	O_REGION,
	O_RETRIES,
	O_THREADS,
	O_TIMEOUT,
	O_UNORDERED,
	O_WINDOW
};

static struct {
	const char		*mirror;
	const char		*endpoint;
	const char		*bucket;
	const char		*region;
	enum fetch_addressing	 addressing;
	const char		*profile;
	bool			 no_sign;
	const char		*cache;
	unsigned		 jobs;
	unsigned		 retries;
	double			 timeout;
	double			 connect_timeout;
	size_t			 max_bytes;
	size_t			 window;
	bool			 unordered;
	int			 threads;	/* -1: by the CPU count */
	const char		*git_field;
	const char		*enc_field;
	const char		*len_field;
	const char		*ca_bundle;	/* NULL: the system's */
} opts = {
	NULL, NULL, "softwareheritage", "us-east-1", ADDR_AUTO, NULL, false,
	NULL, 32, 6, 60.0, 10.0, (size_t)10 << 20, 0, false, -1, "content_id",
	"src_encoding", "length_bytes", NULL
};

static const struct option longopts[] = {
	{ "addressing",		required_argument, NULL, O_ADDRESSING },
	{ "bucket",		required_argument, NULL, O_BUCKET },
	{ "ca-bundle",		required_argument, NULL, O_CA_BUNDLE },
	{ "cache",		required_argument, NULL, O_CACHE },
	{ "connect-timeout",	required_argument, NULL, O_CONNECT_TIMEOUT },
	{ "content-id-field",	required_argument, NULL, O_CONTENT_ID_FIELD },
	{ "encoding-field",	required_argument, NULL, O_ENCODING_FIELD },
	{ "endpoint",		required_argument, NULL, O_ENDPOINT },
	{ "jobs",		required_argument, NULL, 'j' },
	{ "length-field",	required_argument, NULL, O_LENGTH_FIELD },
	{ "max-bytes",		required_argument, NULL, O_MAX_BYTES },
	{ "mirror",		required_argument, NULL, O_MIRROR },
	{ "no-sign-request",	no_argument,	   NULL, O_NO_SIGN },
	{ "profile",		required_argument, NULL, O_PROFILE },
	{ "region",		required_argument, NULL, O_REGION },
	{ "retries",		required_argument, NULL, O_RETRIES },
	{ "threads",		required_argument, NULL, O_THREADS },
	{ "timeout",		required_argument, NULL, O_TIMEOUT },
	{ "unordered",		no_argument,	   NULL, O_UNORDERED },
	{ "window",		required_argument, NULL, O_WINDOW },
	{ NULL, 0, NULL, 0 }
};

static const char help[] =
"  -j, --jobs N            transfers in flight (default 32); with --mirror,\n"
"                          decoding threads (at most the CPUs)\n"
"      --threads N         threads that inflate, check and decode beside\n"
"                          the network one (default: CPUs - 1, at most 8)\n"
"      --endpoint URL      S3 endpoint (default: AWS S3 for --region)\n"
"      --bucket NAME       bucket (default: softwareheritage)\n"
"      --region NAME       region for signing (default: us-east-1)\n"
"      --addressing MODE   auto, path or virtual (bucket in the host name);\n"
"                          auto: virtual if the endpoint host starts with\n"
"                          the bucket name, else path\n"
"      --profile NAME      sign with this profile of ~/.aws/credentials\n"
"      --no-sign-request   anonymous requests even if AWS_* keys are set\n"
"      --ca-bundle FILE    trust the CA certificates of FILE (PEM) for\n"
"                          https instead of the system's\n"
"      --mirror DIR        read DIR/content/<blob_id> (gzip) instead of\n"
"                          the network\n"
"      --cache DIR         keep verified objects in DIR and read them from\n"
"                          there first (resumable runs)\n"
"      --retries N         retries of a failed request (default 6)\n"
"      --timeout SECS      time limit of one request (default 60)\n"
"      --connect-timeout SECS\n"
"                          time limit to connect (default 10)\n"
"      --max-bytes SIZE    reject files larger than SIZE (default 10MiB)\n"
"      --window N          records held to keep the output in order\n"
"                          (default: 4 x jobs, at least 256)\n"
"      --unordered         write records as their content arrives\n"
"      --content-id-field F  git blob id field (default: content_id)\n"
"      --encoding-field F  charset field (default: src_encoding)\n"
"      --length-field F    UTF-8 length field (default: length_bytes)\n"
"Environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,\n"
"AWS_SHARED_CREDENTIALS_FILE, AWS_CA_BUNDLE; proxies as libcurl reads them.\n";

static double
parse_secs(const char *opt, const char *arg)
{
	return opt_double(opt, arg, 0.001, 86400.0);
}

static void
handle(int c, const char *arg)
{
	switch (c) {
	case 'j':
		opts.jobs = (unsigned)opt_u64("--jobs", arg, 1, 1024);
		break;
	case O_ADDRESSING:
		if (strcmp(arg, "auto") == 0)
			opts.addressing = ADDR_AUTO;
		else if (strcmp(arg, "path") == 0)
			opts.addressing = ADDR_PATH;
		else if (strcmp(arg, "virtual") == 0)
			opts.addressing = ADDR_VIRTUAL;
		else
			err_usage("invalid value '%s' for --addressing: "
			    "expected auto, path or virtual", arg);
		break;
	case O_BUCKET:
		if (*arg == '\0' || strchr(arg, '/') != NULL)
			err_usage("invalid value '%s' for --bucket", arg);
		opts.bucket = arg;
		break;
	case O_CA_BUNDLE:
		opts.ca_bundle = arg;
		break;
	case O_CACHE:
		opts.cache = arg;
		break;
	case O_CONNECT_TIMEOUT:
		opts.connect_timeout = parse_secs("--connect-timeout", arg);
		break;
	case O_CONTENT_ID_FIELD:
		opts.git_field = arg;
		break;
	case O_ENCODING_FIELD:
		opts.enc_field = arg;
		break;
	case O_ENDPOINT:
		opts.endpoint = arg;
		break;
	case O_LENGTH_FIELD:
		opts.len_field = arg;
		break;
	case O_MAX_BYTES:
		opts.max_bytes = opt_size("--max-bytes", arg, 1,
		    (size_t)1 << 32);
		break;
	case O_MIRROR:
		opts.mirror = arg;
		break;
	case O_NO_SIGN:
		opts.no_sign = true;
		break;
	case O_PROFILE:
		if (*arg == '\0')
			err_usage("--profile needs a name");
		opts.profile = arg;
		break;
	case O_REGION:
		if (*arg == '\0' || strchr(arg, '/') != NULL)
			err_usage("invalid value '%s' for --region", arg);
		opts.region = arg;
		break;
	case O_RETRIES:
		opts.retries = (unsigned)opt_u64("--retries", arg, 0, 100);
		break;
	case O_THREADS:
		opts.threads = (int)opt_u64("--threads", arg, 0, 64);
		break;
	case O_TIMEOUT:
		opts.timeout = parse_secs("--timeout", arg);
		break;
	case O_UNORDERED:
		opts.unordered = true;
		break;
	case O_WINDOW:
		opts.window = (size_t)opt_u64("--window", arg, 1, 1 << 20);
		break;
	}
}

static const struct opt_prog prog = {
	"usage: swh-fetch [-j N] [--threads N] [--endpoint URL] "
	"[--profile NAME] [--cache DIR] [options] [file ...]\n"
	"       swh-fetch --mirror DIR [-j N] [options] [file ...]",
	"Add each record's file content from the Software Heritage bucket, "
	"verified.",
	help, "j:", longopts, handle
};

/* ---- one record ---- */

struct job {
	uint8_t			 id[20];
	struct blob_want	 w;
};

static const struct charset *utf8_cs;
static char *sha_field;		/* "<field>_sha256" */

/* Quote at most 48 bytes of a bad value in a detail message. */
static void
add_value(struct buf *d, struct strv v)
{
	size_t i;

	buf_addc(d, '\'');
	for (i = 0; i < v.n && i < 48; i++)
		buf_addc(d, (unsigned char)v.p[i] >= 0x20 && v.p[i] != 0x7f ?
		    v.p[i] : '?');
	if (v.n > 48)
		buf_adds(d, "...");
	buf_addc(d, '\'');
}

/*
 * What record r says about its file, into j.  NULL, or the reject reason
 * with the detail in d.
 */
static const char *
prepare(struct rec *r, const struct opt_shared *o, struct job *j,
    struct buf *d)
{
	struct strv v;
	int64_t len;
	int t;

	buf_reset(d);
	memset(j, 0, sizeof(*j));
	if (rec_str(r, o->id_field, &v) != REC_GOT) {
		buf_adds(d, rec_detail(r));
		return rec_reason(r);
	}
	if (!blob_parse_id(v.p, v.n, j->id)) {
		buf_addf(d, "field '%s' is not 40 hex digits: ", o->id_field);
		add_value(d, v);
		return "bad-field";
	}
	t = rec_type(r, opts.git_field);
	if (t == JT_STRING) {
		rec_str(r, opts.git_field, &v);
		if (!blob_parse_id(v.p, v.n, j->w.git)) {
			buf_addf(d, "field '%s' is not 40 hex digits: ",
			    opts.git_field);
			add_value(d, v);
			return "bad-field";
		}
		j->w.has_git = true;
	} else if (t != -1 && t != JT_NULL) {
		buf_addf(d, "field '%s' is not a string", opts.git_field);
		return "bad-field";
	}
	t = rec_type(r, opts.enc_field);
	j->w.cs = utf8_cs;
	if (t == JT_STRING) {
		rec_str(r, opts.enc_field, &v);
		if ((j->w.cs = charset_find(v.p, v.n)) == NULL) {
			buf_addf(d, "no decoder for %s ", opts.enc_field);
			add_value(d, v);
			return "unknown-encoding";
		}
	} else if (t != -1 && t != JT_NULL) {
		buf_addf(d, "field '%s' is not a string", opts.enc_field);
		return "bad-field";
	}
	j->w.length = -1;
	t = rec_type(r, opts.len_field);
	if (t != -1 && t != JT_NULL) {
		if (rec_i64(r, opts.len_field, &len) != REC_GOT || len < 0) {
			buf_addf(d, "field '%s' is not a size in bytes",
			    opts.len_field);
			return "bad-field";
		}
		j->w.length = len;
		/* The Stack v2 skipped such files before fetching them */
		if ((uint64_t)len > opts.max_bytes) {
			buf_addf(d, "%s is %lld, more than --max-bytes (%zu)",
			    opts.len_field, (long long)len, opts.max_bytes);
			return "too-large";
		}
	}
	j->w.max = opts.max_bytes;
	return NULL;
}

/* Check and decode raw for r; put the text in.  NULL or a reason. */
static const char *
complete_rec(struct blob_ctx *bc, struct rec *r, const struct job *j,
    const char *raw, size_t n, const struct opt_shared *o, struct buf *d)
{
	struct strv text;
	char sha[65];
	enum blob_status st;

	st = blob_text(bc, raw, n, &j->w, &text, sha, d);
	if (st != BLOB_OK)
		return blob_reason(st);
	rec_set_str(r, o->field, text.p, text.n);
	rec_set_str(r, sha_field, sha, 64);
	return NULL;
}

/* ---- --mirror: local files, decoded on pool threads ---- */

struct mctx {
	const struct opt_shared	*o;
	struct blob_ctx		*bc;
	struct buf		 path, gz, raw, d;
	uint64_t		 objects, bytes;
};

static void
mirror_one(void *arg, struct rec *r, struct pool_verdict *v)
{
	struct mctx *m = arg;
	const char *reason;
	struct job j;
	char hex[41], tmp[65536];
	struct stat st;
	ssize_t k;
	int fd;
	enum blob_status bs;

	if ((reason = prepare(r, m->o, &j, &m->d)) != NULL) {
		pool_reject(v, reason, "%s", m->d.data);
		return;
	}
	blob_format_id(j.id, hex);
	buf_reset(&m->path);
	buf_addf(&m->path, "%s/content/%s", opts.mirror, hex);
	if ((fd = open(m->path.data, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			pool_reject(v, "not-found", "no object content/%s in "
			    "the mirror", hex);
		else
			pool_reject(v, "fetch-failed", "%s: %s", m->path.data,
			    strerror(errno));
		return;
	}
	buf_reset(&m->gz);
	if (fstat(fd, &st) == 0 && st.st_size > 0)
		buf_grow(&m->gz, (size_t)st.st_size);
	while ((k = read(fd, tmp, sizeof(tmp))) > 0)
		buf_add(&m->gz, tmp, (size_t)k);
	close(fd);
	if (k < 0) {
		pool_reject(v, "fetch-failed", "%s: %s", m->path.data,
		    strerror(errno));
		return;
	}
	m->objects++;
	m->bytes += m->gz.len;
	bs = blob_open(m->bc, m->gz.data, m->gz.len, opts.max_bytes, j.id,
	    &m->raw, &m->d);
	if (bs != BLOB_OK) {
		pool_reject(v, blob_reason(bs), "%s", m->d.data);
		return;
	}
	if ((reason = complete_rec(m->bc, r, &j, m->raw.data, m->raw.len,
	    m->o, &m->d)) != NULL)
		pool_reject(v, reason, "%s", m->d.data);
}

static void
run_mirror(struct run *run, const struct opt_shared *o)
{
	struct mctx *m;
	void **ctx;
	unsigned n, i;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t objects = 0, bytes = 0;

	n = opts.jobs;
	if (cpus > 0 && n > (unsigned)cpus)
		n = (unsigned)cpus;
	m = xcalloc(n, sizeof(*m));
	ctx = xcalloc(n, sizeof(*ctx));
	for (i = 0; i < n; i++) {
		m[i].o = o;
		m[i].bc = blob_ctx_new();
		ctx[i] = &m[i];
	}
	pool_run(run, n, mirror_one, ctx);
	for (i = 0; i < n; i++) {
		objects += m[i].objects;
		bytes += m[i].bytes;
		blob_ctx_free(m[i].bc);
		buf_release(&m[i].path);
		buf_release(&m[i].gz);
		buf_release(&m[i].raw);
		buf_release(&m[i].d);
	}
	json_object_object_add(run_params(run), "mirror",
	    json_object_new_string(opts.mirror));
	json_object_object_add(run_params(run), "threads",
	    json_object_new_int((int)n));
	json_object_object_add(run_stats(run), "objects_read",
	    json_object_new_int64((int64_t)objects));
	json_object_object_add(run_stats(run), "bytes_read",
	    json_object_new_int64((int64_t)bytes));
	metrics_gauge(run_metrics(run), "codesift_fetch_objects_read",
	    "Objects read from the --mirror by the last run.", NULL,
	    (double)objects);
	free(m);
	free(ctx);
}

/* ---- network: a window of records waiting for their objects ---- */

#define NONE ((size_t)-1)

enum slot_state { SL_FREE, SL_WAIT, SL_DONE };

struct slot {
	struct task	 task;		/* first: completing on a worker */
	struct net	*net;
	size_t		 idx;
	struct pend	*pend;
	enum slot_state	 state;
	struct rec	 r;
	struct buf	 line;
	struct buf	 out;
	struct buf	 detail;
	const char	*reason;
	const char	*file;
	uint64_t	 lineno;
	struct job	 job;
	size_t		 next_wait;	/* next slot waiting for the object */
};

struct pend {
	uint8_t		 id[20];
	size_t		 first, last;	/* slots waiting, via next_wait */
	struct pend	*hnext;
	struct buf	 raw;		/* the object, once here */
	size_t		 refs;		/* slots still working on it */
};

struct net {
	struct run		*run;
	const struct opt_shared	*o;
	struct fetcher		*f;
	struct slot		*slots;
	size_t			 nslots;
	size_t			*freel;
	size_t			 nfree;
	size_t			*fifo;		/* slot order, ordered mode */
	size_t			 fhead, flen;
	struct pend		**ht;
	size_t			 htmask;
	size_t			 live;
	size_t			 held;		/* bytes held in live slots */
	bool			 eof;
	struct rec		 rd;		/* the reader's record */
	uint64_t		 shared;	/* records served by another's
						 * request */
};

static size_t
ht_slot(const struct net *n, const uint8_t id[20])
{
	uint64_t h;

	memcpy(&h, id, sizeof(h));
	return (size_t)h & n->htmask;
}

static struct pend *
ht_find(struct net *n, const uint8_t id[20])
{
	struct pend *p;

	for (p = n->ht[ht_slot(n, id)]; p != NULL; p = p->hnext)
		if (memcmp(p->id, id, 20) == 0)
			return p;
	return NULL;
}

static void
ht_remove(struct net *n, struct pend *p)
{
	struct pend **pp;

	for (pp = &n->ht[ht_slot(n, p->id)]; *pp != p; pp = &(*pp)->hnext)
		;
	*pp = p->hnext;
}

static void
emit_slot(struct net *n, size_t i)
{
	struct slot *s = &n->slots[i];

	if (s->reason != NULL)
		run_reject_line(n->run, s->file, s->lineno, s->line.data,
		    s->line.len, s->reason, s->detail.data != NULL ?
		    s->detail.data : "");
	else
		run_emit_line(n->run, s->out.data, s->out.len);
	n->held -= s->line.len + s->out.len;
	s->state = SL_FREE;
	buf_reset(&s->out);
	/* a large record's buffers go back: the window is not a cache */
	if (s->out.cap > SLOT_KEEP || s->line.cap > SLOT_KEEP) {
		buf_release(&s->out);
		buf_release(&s->line);
		rec_release(&s->r);
	}
	n->freel[n->nfree++] = i;
	n->live--;
}

/* Write out the finished records at the head of the window. */
static void
flush(struct net *n)
{
	size_t i;

	while (n->flen > 0 && n->slots[i = n->fifo[n->fhead]].state ==
	    SL_DONE) {
		emit_slot(n, i);
		n->fhead = (n->fhead + 1) % n->nslots;
		n->flen--;
	}
}

static void
slot_done(struct net *n, size_t i)
{
	n->slots[i].state = SL_DONE;
	n->held += n->slots[i].out.len;
	if (opts.unordered)
		emit_slot(n, i);
}

/* On a worker: check and decode the object for one record, render it. */
static void
record_run(void *wctx, struct task *t)
{
	struct slot *s = (struct slot *)t;

	s->reason = complete_rec(wctx, &s->r, &s->job, s->pend->raw.data,
	    s->pend->raw.len, s->net->o, &s->detail);
	if (s->reason != NULL)
		return;
	buf_reset(&s->out);
	rec_render(&s->r, &s->out);
	/* the escaped text was copied: free the edit's copy */
	if (s->out.len > SLOT_KEEP)
		rec_release(&s->r);
}

static void
pend_free(struct pend *p)
{
	buf_release(&p->raw);
	free(p);
}

static void
record_done(struct task *t)
{
	struct slot *s = (struct slot *)t;
	struct pend *p = s->pend;

	s->pend = NULL;
	slot_done(s->net, s->idx);
	if (--p->refs == 0)
		pend_free(p);
}

static void
on_object(void *arg, void *udata, const struct fetch_result *res)
{
	struct net *n = arg;
	struct pend *p = udata;
	struct buf tmp;
	struct slot *s;
	size_t i, next;

	/* later records with this id start a new request (or hit the cache) */
	ht_remove(n, p);
	if (res->reason != NULL) {
		for (i = p->first; i != NONE; i = next) {
			s = &n->slots[i];
			next = s->next_wait;
			s->reason = res->reason;
			buf_reset(&s->detail);
			buf_adds(&s->detail, res->detail);
			slot_done(n, i);
		}
		pend_free(p);
		return;
	}
	/* take the bytes; the fetcher gets the empty buffer back */
	tmp = p->raw;
	p->raw = *res->buf;
	*res->buf = tmp;
	for (i = p->first; i != NONE; i = next) {
		s = &n->slots[i];
		next = s->next_wait;
		p->refs++;
		s->pend = p;
		s->task.run = record_run;
		s->task.done = record_done;
		tasks_submit(fetcher_tasks(n->f), &s->task);
	}
}

/* Everything read so far, out: for a too-large line streamed by run. */
static void
drain(void *arg)
{
	struct net *n = arg;

	while (n->live > 0) {
		fetcher_run(n->f, 200);
		flush(n);
	}
}

/* Read one record into the window. */
static void
fill_one(struct net *n)
{
	enum run_read rr;
	struct slot *s;
	struct pend *p;
	size_t i;

	rr = run_read(n->run, &n->rd, drain, n);
	if (rr == RUN_EOF) {
		n->eof = true;
		return;
	}
	i = n->freel[--n->nfree];
	s = &n->slots[i];
	n->live++;
	s->state = SL_WAIT;
	s->reason = NULL;
	s->file = n->rd.file;
	s->lineno = n->rd.line;
	s->next_wait = NONE;
	buf_reset(&s->line);
	buf_add(&s->line, n->rd.raw, n->rd.len);
	n->held += s->line.len;
	if (!opts.unordered) {
		n->fifo[(n->fhead + n->flen) % n->nslots] = i;
		n->flen++;
	}
	if (rr == RUN_EMPTY) {
		s->reason = "empty-line";
		buf_reset(&s->detail);
		buf_adds(&s->detail, "empty line");
		slot_done(n, i);
		return;
	}
	rec_set_line(&s->r, s->line.data, s->line.len, s->file, s->lineno);
	if ((s->reason = prepare(&s->r, n->o, &s->job, &s->detail)) != NULL) {
		slot_done(n, i);
		return;
	}
	if ((p = ht_find(n, s->job.id)) != NULL) {
		n->slots[p->last].next_wait = i;
		p->last = i;
		n->shared++;
		return;
	}
	p = xcalloc(1, sizeof(*p));
	memcpy(p->id, s->job.id, 20);
	p->first = p->last = i;
	p->hnext = n->ht[ht_slot(n, p->id)];
	n->ht[ht_slot(n, p->id)] = p;
	fetcher_get(n->f, p->id, p);
}

static void
run_network(struct run *run, const struct opt_shared *o,
    const struct creds *creds)
{
	struct fetch_conf fc;
	struct net n;
	size_t i, hts;

	memset(&fc, 0, sizeof(fc));
	fc.endpoint = opts.endpoint;
	fc.bucket = opts.bucket;
	fc.region = opts.region;
	fc.addressing = opts.addressing;
	fc.creds = creds;
	fc.jobs = opts.jobs;
	fc.retries = opts.retries;
	fc.timeout = opts.timeout;
	fc.connect_timeout = opts.connect_timeout;
	fc.ca_bundle = opts.ca_bundle;
	fc.max_bytes = opts.max_bytes;
	fc.cache = opts.cache;
	fc.threads = opts.threads;

	memset(&n, 0, sizeof(n));
	n.run = run;
	n.o = o;
	n.f = fetcher_new(&fc, on_object, &n);
	n.nslots = opts.window;
	n.slots = xcalloc(n.nslots, sizeof(*n.slots));
	n.freel = xcalloc(n.nslots, sizeof(*n.freel));
	n.fifo = xcalloc(n.nslots, sizeof(*n.fifo));
	for (i = 0; i < n.nslots; i++) {
		struct rec init = REC_INIT;

		n.slots[i].r = init;
		n.slots[i].net = &n;
		n.slots[i].idx = i;
		n.freel[n.nfree++] = n.nslots - 1 - i;
	}
	for (hts = 64; hts < 2 * n.nslots; hts *= 2)
		;
	n.ht = xcalloc(hts, sizeof(*n.ht));
	n.htmask = hts - 1;
	{
		struct rec init = REC_INIT;

		n.rd = init;
	}

	for (;;) {
		while (!n.eof && n.live < n.nslots && n.held < WINDOW_BYTES)
			fill_one(&n);
		flush(&n);
		if (n.eof && n.live == 0)
			break;
		fetcher_run(n.f, 200);
		flush(&n);
	}
	json_object_object_add(run_stats(run), "records_sharing_a_request",
	    json_object_new_int64((int64_t)n.shared));
	json_object_object_add(run_params(run), "window",
	    json_object_new_int64((int64_t)n.nslots));
	json_object_object_add(run_params(run), "unordered",
	    json_object_new_boolean(opts.unordered));
	json_object_object_add(run_params(run), "threads",
	    json_object_new_int(opts.threads));
	fetcher_report(n.f, run, o->quiet);
	fetcher_free(n.f);
	for (i = 0; i < n.nslots; i++) {
		rec_release(&n.slots[i].r);
		buf_release(&n.slots[i].line);
		buf_release(&n.slots[i].out);
		buf_release(&n.slots[i].detail);
	}
	rec_release(&n.rd);
	free(n.slots);
	free(n.freel);
	free(n.fifo);
	free(n.ht);
}

/* ---- main ---- */

static void
check_mirror(void)
{
	struct buf b = BUF_INIT;
	struct stat st;

	bool dir, content;

	buf_addf(&b, "%s/content", opts.mirror);
	dir = stat(opts.mirror, &st) == 0 && S_ISDIR(st.st_mode);
	content = stat(b.data, &st) == 0 && S_ISDIR(st.st_mode);
	buf_release(&b);
	if (!dir)
		err_config("--mirror: %s is not a directory", opts.mirror);
	if (!content)
		err_config("--mirror: %s has no content/ directory (the "
		    "layout is DIR/content/<blob_id>, gzip)", opts.mirror);
}

/*
 * --ca-bundle, else AWS_CA_BUNDLE (as the AWS CLI and boto3 read it): a
 * file that cannot be read is a configuration error, not a run of
 * failed requests.
 */
static void
check_ca_bundle(void)
{
	const char *how = "--ca-bundle";
	FILE *fp;

	if (opts.ca_bundle == NULL) {
		const char *v = getenv("AWS_CA_BUNDLE");

		if (v == NULL || *v == '\0')
			return;
		opts.ca_bundle = v;
		how = "AWS_CA_BUNDLE";
	}
	if ((fp = fopen(opts.ca_bundle, "r")) == NULL)
		err_config("%s: cannot read '%s': %s", how, opts.ca_bundle,
		    strerror(errno));
	fclose(fp);
}

int
main(int argc, char *argv[])
{
	struct opt_shared o;
	struct creds creds;
	struct buf err = BUF_INIT, b = BUF_INIT;
	enum creds_status cst = CREDS_NONE;
	struct run *run;
	int n, status;

	err_setprog(argv[0]);
	n = opt_parse(argc, argv, &prog, &o);
	memset(&creds, 0, sizeof(creds));
	if (opts.mirror != NULL) {
		if (opts.endpoint != NULL || opts.cache != NULL ||
		    opts.profile != NULL || opts.ca_bundle != NULL)
			err_usage("--mirror reads local files: it does not go "
			    "with --endpoint, --cache, --profile or --ca-bundle");
		check_mirror();
	} else {
		if (opts.profile != NULL && opts.no_sign)
			err_usage("--profile and --no-sign-request contradict "
			    "each other");
		check_ca_bundle();
		if (!opts.no_sign &&
		    (cst = creds_load(opts.profile, &creds, &err)) ==
		    CREDS_ERROR) {
			char msg[1024];

			snprintf(msg, sizeof(msg), "%s", err.data);
			buf_release(&err);
			err_config("%s", msg);
		}
	}
	if (opts.window == 0)
		opts.window = opts.jobs * 4 < 256 ? 256 : (size_t)opts.jobs * 4;
	if (opts.threads < 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		/*
		 * One thread alone does 5,000 to 10,000 objects a second; a
		 * worker beside the network thread pays off from 2 CPUs on.
		 */
		opts.threads = cpus >= 2 ? (int)(cpus - 1 < 8 ? cpus - 1 : 8) :
		    0;
	}
	utf8_cs = charset_find("utf-8", 5);
	buf_addf(&b, "%s_sha256", o.field);
	sha_field = buf_detach(&b, NULL);

	run = run_new(&o, argc - n, argv + n);
	json_object_object_add(run_params(run), "field",
	    json_object_new_string(o.field));
	json_object_object_add(run_params(run), "max_bytes",
	    json_object_new_int64((int64_t)opts.max_bytes));
	if (opts.mirror != NULL)
		run_mirror(run, &o);
	else
		run_network(run, &o, cst == CREDS_OK ? &creds : NULL);
	status = run_finish(run);
	creds_release(&creds);
	buf_release(&err);
	free(sha_field);
	return status;
}
