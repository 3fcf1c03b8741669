/*
 * fetch.c - the network side of swh-fetch: a libcurl multi loop with a
 * pool of reusable easy handles, SigV4 signing, retries with backoff and
 * full jitter, a content-addressed cache, and a breaker that stops the
 * run when the endpoint or the credentials fail for everything.
 *
 * Objects move between lists: new and retry-due objects wait in `ready`,
 * backed-off ones in `delayed` (with the time they may go again), running
 * ones belong to curl, finished ones (cache hits, results) wait in `done`
 * until fetcher_run() hands them over.  One thread; curl does the I/O.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "blob.h"
#include "err.h"
#include "fetch.h"
#include "jscan.h"
#include "sigv4.h"
#include "tasks.h"

#define BACKOFF_BASE	0.25	/* seconds: first retry waits up to this */
#define BACKOFF_CAP	20.0	/* the longest jittered wait */
#define RETRY_AFTER_MAX	300	/* Retry-After longer than this is capped */
#define BREAKER_WINDOW	20	/* recent final outcomes considered */
#define BREAKER_MIN	10	/* ... once at least this many */
#define BREAKER_BAD	0.8	/* share of failures that stops the run */
#define MAX_LABELS	24

static const double lat_bounds[] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
};
#define NLAT (sizeof(lat_bounds) / sizeof(lat_bounds[0]))

struct easy {
	CURL		*e;
	char		 err[CURL_ERROR_SIZE];
};

struct obj {
	struct task	 task;		/* first: verifying on a worker */
	struct fetcher	*f;
	enum blob_status vst;		/* the worker's verdict */
	bool		 from_cache;
	uint8_t		 id[20];
	char		 hex[41];
	void		*udata;
	struct obj	*next;
	struct easy	*easy;
	struct curl_slist *hdrs;
	size_t		 limit;		/* most body bytes accepted */
	struct buf	 body;
	struct buf	 raw;
	struct buf	 detail;
	const char	*reason;	/* final: NULL ok */
	const char	*label;		/* last failure, for metrics */
	long		 retry_after;	/* seconds; -1 none */
	unsigned	 attempts;
	double		 next_at;
	double		 t0;
	bool		 too_big;
};

/* A FIFO of objects, linked through next. */
struct objq {
	struct obj	*head, *tail;
};

struct label_count {
	const char	*label;
	uint64_t	 n;
};

struct fetcher {
	struct fetch_conf conf;
	fetch_done_fn	*done_fn;
	void		*arg;
	CURLM		*multi;
	struct easy	*easy;		/* jobs handles */
	size_t		 neasy;
	struct easy	**free_easy;
	size_t		 nfree;
	struct objq	 ready;		/* waiting for a handle */
	struct obj	*delayed;	/* retries, until their time */
	struct objq	 done;		/* to deliver, in finishing order */
	struct obj	*spare;		/* finished objects, buffers kept */
	size_t		 nspare;
	struct curl_slist *host_only;	/* the headers of anonymous GETs */
	struct buf	 url, path;	/* scratch for start() */
	size_t		 inflight;
	size_t		 pending;	/* asked for, not yet returned */
	/* where objects are */
	char		*scheme_host;	/* "https://bucket.s3.amazonaws.com" */
	char		*host_hdr;	/* "bucket.s3.amazonaws.com" */
	char		*path_prefix;	/* "" or "/bucket" (+ endpoint path) */
	bool		 https;
	/* signing */
	char		 key_date[9];
	unsigned char	 key[32];
	struct blob_ctx	*blob;
	struct tasks	*tasks;
	struct blob_ctx	**wbc;		/* one per worker (or blob) */
	unsigned	 nwbc;
	size_t		 verifying;	/* objects on workers */
	/* cache */
	bool		 cache_ok;
	uint64_t	 cache_seq;
	/* breaker */
	bool		 recent[BREAKER_WINDOW];	/* true: failed */
	size_t		 nrecent, recent_pos;
	uint64_t	 final_good, final_bad;
	struct buf	 last_bad;
	bool		 auth_ok;
	/* statistics */
	uint64_t	 requests, fetched, cache_hits, cache_stored,
			 cache_bad, bytes_down, nretries, nfailed;
	struct label_count retries[MAX_LABELS], failures[MAX_LABELS];
	unsigned long long lat[NLAT + 1];
	double		 lat_sum;
	uint64_t	 rng;
};

static double
now_mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* xorshift64*: jitter only, so any seed will do */
static double
rnd01(struct fetcher *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return (double)((f->rng * 2685821657736338717ULL) >> 11) /
	    9007199254740992.0;
}

static void
count_label(struct label_count *t, const char *label)
{
	size_t i;

	for (i = 0; i < MAX_LABELS && t[i].label != NULL; i++)
		if (strcmp(t[i].label, label) == 0) {
			t[i].n++;
			return;
		}
	if (i < MAX_LABELS) {
		t[i].label = label;
		t[i].n = 1;
	}
}

/*
 * Copy text that came from the network into b: printable ASCII only, at
 * most max bytes, and never a credential (a server may echo them).
 */
static void
add_safe(struct fetcher *f, struct buf *b, const char *s, size_t n,
    size_t max)
{
	const struct creds *c = f->conf.creds;
	const char *secrets[3];
	size_t start = b->len, i, k, sl;
	char *hit;

	for (i = 0; i < n && b->len - start < max; i++)
		buf_addc(b, s[i] >= 0x20 && s[i] < 0x7f ? s[i] : ' ');
	if (c == NULL)
		return;
	secrets[0] = c->access_key;
	secrets[1] = c->secret;
	secrets[2] = c->token;
	for (k = 0; k < 3; k++) {
		if (secrets[k] == NULL || (sl = strlen(secrets[k])) < 4)
			continue;
		while ((hit = strstr(b->data + start, secrets[k])) != NULL)
			memset(hit, '*', sl);
	}
}

/* The text of <tag>...</tag> in an S3 error body, or NULL. */
static const char *
xml_tag(const struct buf *body, const char *tag, size_t *n)
{
	char open[32], close[32];
	const char *p, *e;
	size_t lim = body->len < 8192 ? body->len : 8192;

	if (body->data == NULL)
		return NULL;
	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if ((p = memmem(body->data, lim, open, strlen(open))) == NULL)
		return NULL;
	p += strlen(open);
	if ((e = memmem(p, lim - (size_t)(p - body->data), close,
	    strlen(close))) == NULL)
		return NULL;
	*n = (size_t)(e - p);
	return p;
}

/* ---- where objects live ---- */

/* Where the objects are; NULL, or what is wrong with --endpoint. */
static const char *
setup_location(struct fetcher *f)
{
	const struct fetch_conf *c = &f->conf;
	struct buf b = BUF_INIT, p = BUF_INIT;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL,
	    *user = NULL, *query = NULL, *frag = NULL;
	const char *bad = NULL;
	CURLU *u;
	bool virt;

	if (c->endpoint == NULL) {
		/* AWS S3; virtual-hosted style is the one SWH documents */
		if (c->addressing == ADDR_PATH)
			buf_adds(&b, "s3");
		else
			buf_addf(&b, "%s.s3", c->bucket);
		if (strcmp(c->region, "us-east-1") != 0)
			buf_addf(&b, ".%s", c->region);
		buf_adds(&b, ".amazonaws.com");
		f->host_hdr = buf_detach(&b, NULL);
		buf_addf(&b, "https://%s", f->host_hdr);
		f->scheme_host = buf_detach(&b, NULL);
		if (c->addressing == ADDR_PATH)
			buf_addf(&p, "/%s", c->bucket);
		buf_grow(&p, 0);
		f->path_prefix = buf_detach(&p, NULL);
		f->https = true;
		return NULL;
	}
	if ((u = curl_url()) == NULL)
		err_die("out of memory");
	if (curl_url_set(u, CURLUPART_URL, c->endpoint, 0) != CURLUE_OK)
		bad = "is not a URL";
	else {
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
		curl_url_get(u, CURLUPART_HOST, &host, 0);
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		curl_url_get(u, CURLUPART_PATH, &path, 0);
		curl_url_get(u, CURLUPART_USER, &user, 0);
		curl_url_get(u, CURLUPART_QUERY, &query, 0);
		curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
		if (user != NULL)
			bad = "has credentials: they are not accepted in the "
			    "URL; use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
			    "or --profile";
		else if (scheme == NULL || host == NULL ||
		    (strcmp(scheme, "http") != 0 &&
		    strcmp(scheme, "https") != 0))
			bad = "is not an http:// or https:// URL";
		else if (query != NULL || frag != NULL)
			bad = "has a query or fragment";
	}
	if (bad != NULL) {
		/* free first: the sanitizer build checks leaks at exit */
		curl_free(scheme);
		curl_free(host);
		curl_free(port);
		curl_free(path);
		curl_free(user);
		curl_free(query);
		curl_free(frag);
		curl_url_cleanup(u);
		buf_release(&b);
		buf_release(&p);
		return bad;
	}
	f->https = strcmp(scheme, "https") == 0;
	virt = c->addressing == ADDR_VIRTUAL ||
	    (c->addressing == ADDR_AUTO && strncmp(host, c->bucket,
	    strlen(c->bucket)) == 0 && host[strlen(c->bucket)] == '.');
	if (virt && !(strncmp(host, c->bucket, strlen(c->bucket)) == 0 &&
	    host[strlen(c->bucket)] == '.'))
		buf_addf(&b, "%s.", c->bucket);
	buf_adds(&b, host);
	if (port != NULL) {
		buf_addc(&b, ':');
		buf_adds(&b, port);
	}
	f->host_hdr = xstrdup(b.data);
	buf_reset(&b);
	buf_addf(&b, "%s://%s", scheme, f->host_hdr);
	f->scheme_host = buf_detach(&b, NULL);
	/* the endpoint's own path, without a trailing slash */
	if (path != NULL && strcmp(path, "/") != 0) {
		buf_adds(&p, path);
		while (p.len > 0 && p.data[p.len - 1] == '/')
			p.data[--p.len] = '\0';
	}
	if (!virt)
		buf_addf(&p, "/%s", c->bucket);
	buf_grow(&p, 0);
	f->path_prefix = buf_detach(&p, NULL);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(user);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	buf_release(&b);
	return NULL;
}

void
fetcher_url(const struct fetcher *f, const uint8_t id[20], struct buf *out)
{
	char hex[41];

	blob_format_id(id, hex);
	buf_addf(out, "%s%s/content/%s", f->scheme_host, f->path_prefix, hex);
}

/* ---- the cache: DIR/content/<hex>, the object as fetched (gzip) ---- */

static void
mkdir_p(const char *dir)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_adds(&b, dir);
	for (i = 1; i <= b.len; i++) {
		if (i < b.len && b.data[i] != '/')
			continue;
		b.data[i] = '\0';
		if (mkdir(b.data, 0777) < 0 && errno != EEXIST)
			err_config("--cache: cannot create %s: %s", b.data,
			    strerror(errno));
		if (i < b.len)
			b.data[i] = '/';
	}
	buf_release(&b);
}

/*
 * Temporary files of runs that were killed (DIR/tmp/<hex>.<pid>.<n>, the
 * pid gone): remove them.  A live run's files are left alone.
 */
static void
cache_sweep(const char *dir)
{
	struct buf path = BUF_INIT;
	struct dirent *e;
	const char *dot;
	long pid;
	DIR *d;

	buf_addf(&path, "%s/tmp", dir);
	if ((d = opendir(path.data)) == NULL) {
		buf_release(&path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if ((dot = strchr(e->d_name, '.')) == NULL)
			continue;
		pid = strtol(dot + 1, NULL, 10);
		if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH)) {
			buf_reset(&path);
			buf_addf(&path, "%s/tmp/%s", dir, e->d_name);
			unlink(path.data);
		}
	}
	closedir(d);
	buf_release(&path);
}

/* Read o's cache entry into o->body; false if there is none. */
static bool
cache_read(struct fetcher *f, struct obj *o)
{
	struct buf path = BUF_INIT;
	char tmp[65536];
	ssize_t k;
	int fd;

	buf_addf(&path, "%s/content/%s", f->conf.cache, o->hex);
	fd = open(path.data, O_RDONLY | O_CLOEXEC);
	buf_release(&path);
	if (fd < 0)
		return false;
	buf_reset(&o->body);
	while ((k = read(fd, tmp, sizeof(tmp))) > 0)
		buf_add(&o->body, tmp, (size_t)k);
	close(fd);
	return k == 0;
}

static void
cache_drop(struct fetcher *f, struct obj *o)
{
	struct buf path = BUF_INIT;

	buf_addf(&path, "%s/content/%s", f->conf.cache, o->hex);
	unlink(path.data);
	buf_release(&path);
}

static void
cache_write(struct fetcher *f, struct obj *o)
{
	struct buf tmp = BUF_INIT, dst = BUF_INIT;
	size_t off = 0;
	ssize_t k;
	int fd;

	if (!f->cache_ok)
		return;
	buf_addf(&tmp, "%s/tmp/%s.%ld.%llu", f->conf.cache, o->hex,
	    (long)getpid(), (unsigned long long)f->cache_seq++);
	buf_addf(&dst, "%s/content/%s", f->conf.cache, o->hex);
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		goto fail;
	while (off < o->body.len) {
		k = write(fd, o->body.data + off, o->body.len - off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			goto fail;
		}
		off += (size_t)k;
	}
	/* rename() makes the entry appear whole or not at all */
	if (close(fd) < 0 || rename(tmp.data, dst.data) < 0)
		goto fail;
	f->cache_stored++;
	buf_release(&tmp);
	buf_release(&dst);
	return;
fail:
	err_warn("--cache: cannot write %s: %s; going on without storing",
	    dst.data, strerror(errno));
	unlink(tmp.data);
	f->cache_ok = false;
	buf_release(&tmp);
	buf_release(&dst);
}

/* ---- lists ---- */

static void
objq_push(struct objq *q, struct obj *o)
{
	o->next = NULL;
	if (q->tail != NULL)
		q->tail->next = o;
	else
		q->head = o;
	q->tail = o;
}

static struct obj *
objq_pop(struct objq *q)
{
	struct obj *o = q->head;

	if (o != NULL) {
		q->head = o->next;
		if (q->head == NULL)
			q->tail = NULL;
	}
	return o;
}

static void
obj_free(struct obj *o)
{
	buf_release(&o->body);
	buf_release(&o->raw);
	buf_release(&o->detail);
	free(o);
}

#define SPARE_MAX	256		/* objects kept for reuse */
#define SPARE_BUF	(64u << 10)	/* ... with buffers up to this size */

/*
 * A fresh object, from the spare list when there is one: its buffers keep
 * their memory, which spares a malloc/realloc chain (and page faults for
 * large ones) per object.
 */
static struct obj *
obj_new(struct fetcher *f)
{
	struct obj *o = f->spare;
	struct buf body, raw, detail;

	if (o == NULL) {
		o = xcalloc(1, sizeof(*o));
		o->f = f;
		return o;
	}
	f->spare = o->next;
	f->nspare--;
	body = o->body;
	raw = o->raw;
	detail = o->detail;
	memset(o, 0, sizeof(*o));
	o->body = body;
	o->raw = raw;
	o->detail = detail;
	o->f = f;
	buf_reset(&o->body);
	buf_reset(&o->raw);
	buf_reset(&o->detail);
	return o;
}

static void
obj_done(struct fetcher *f, struct obj *o)
{
	if (f->nspare >= SPARE_MAX) {
		obj_free(o);
		return;
	}
	if (o->body.cap > SPARE_BUF)
		buf_release(&o->body);
	if (o->raw.cap > SPARE_BUF)
		buf_release(&o->raw);
	o->next = f->spare;
	f->spare = o;
	f->nspare++;
}

/* ---- outcomes and the breaker ---- */

static _Noreturn void
stop_auth(struct fetcher *f, long code, const struct buf *body)
{
	struct buf m = BUF_INIT;
	const char *s;
	size_t n;

	buf_addf(&m, "HTTP %ld", code);
	if ((s = xml_tag(body, "Code", &n)) != NULL) {
		buf_addc(&m, ' ');
		add_safe(f, &m, s, n, 64);
	}
	if ((s = xml_tag(body, "Message", &n)) != NULL) {
		buf_adds(&m, ": ");
		add_safe(f, &m, s, n, 200);
	}
	err_die("%s refused the credentials from %s (%s); check the key, "
	    "secret, session token and --region; stopping", f->scheme_host,
	    f->conf.creds->source, m.data);
}

/* After HTTP 4xx answers to anonymous requests, say what may be wrong. */
static const char *
anon_hint(const struct fetcher *f)
{
	const char *last = buf_cstr(&f->last_bad);

	return f->conf.creds == NULL && strncmp(last, "HTTP 4", 6) == 0 ?
	    " (requests were anonymous: does it want credentials?)" : "";
}

static void
breaker_note(struct fetcher *f, bool bad, const char *what)
{
	size_t i, nbad = 0;

	if (bad) {
		f->final_bad++;
		buf_reset(&f->last_bad);
		buf_adds(&f->last_bad, what);
	} else
		f->final_good++;
	f->recent[f->recent_pos] = bad;
	f->recent_pos = (f->recent_pos + 1) % BREAKER_WINDOW;
	if (f->nrecent < BREAKER_WINDOW)
		f->nrecent++;
	for (i = 0; i < f->nrecent; i++)
		nbad += f->recent[i];
	if (f->nrecent >= BREAKER_MIN &&
	    (double)nbad >= BREAKER_BAD * (double)f->nrecent)
		err_die("%zu of the last %zu objects could not be fetched from "
		    "%s (last: %s): the endpoint seems down or refuses us%s; "
		    "stopping", nbad, f->nrecent, f->scheme_host,
		    f->last_bad.data, anon_hint(f));
}

/* A final result for o: queue it for the caller. */
static void
finish(struct fetcher *f, struct obj *o, const char *reason, bool systemic)
{
	o->reason = reason;
	if (reason != NULL) {
		f->nfailed++;
		count_label(f->failures, o->label != NULL ? o->label : reason);
	}
	if (reason == NULL || !systemic)
		breaker_note(f, false, NULL);
	else
		breaker_note(f, true, o->detail.data != NULL ?
		    o->detail.data : reason);
	objq_push(&f->done, o);
}

/* Retry o later, or give up after the last attempt. */
static void
retry_or_fail(struct fetcher *f, struct obj *o, const char *label)
{
	double wait, cap;

	o->label = label;
	if (o->attempts > f->conf.retries) {
		struct buf d = BUF_INIT;

		buf_addf(&d, "%s after %u attempt%s: %s", label, o->attempts,
		    o->attempts == 1 ? "" : "s", o->detail.data != NULL ?
		    o->detail.data : label);
		buf_reset(&o->detail);
		buf_adds(&o->detail, d.data);
		buf_release(&d);
		finish(f, o, "fetch-failed", true);
		return;
	}
	f->nretries++;
	count_label(f->retries, label);
	if (o->retry_after >= 0)
		wait = (double)(o->retry_after < RETRY_AFTER_MAX ?
		    o->retry_after : RETRY_AFTER_MAX);
	else {
		/* full jitter: uniform in [0, min(cap, base * 2^k)) */
		cap = BACKOFF_BASE * (double)(1u << (o->attempts < 16 ?
		    o->attempts - 1 : 15));
		if (cap > BACKOFF_CAP)
			cap = BACKOFF_CAP;
		wait = rnd01(f) * cap;
	}
	o->next_at = now_mono() + wait;
	o->next = f->delayed;
	f->delayed = o;
}

/* ---- requests ---- */

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct obj *o = arg;

	n *= size;
	if (o->body.len + n > o->limit) {
		o->too_big = true;
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	}
	buf_add(&o->body, p, n);
	return n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct obj *o = arg;
	size_t len = size * n, k;
	char v[64];
	time_t t;

	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue): forget the last */
		o->retry_after = -1;
		buf_reset(&o->body);
		return len;
	}
	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		p += 12;
		len -= 12;
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		for (k = 0; k < len && k < sizeof(v) - 1 && p[k] != '\r' &&
		    p[k] != '\n'; k++)
			v[k] = p[k];
		v[k] = '\0';
		if (k > 0 && strspn(v, "0123456789") == k)
			o->retry_after = k > 6 ? RETRY_AFTER_MAX : atol(v);
		else if ((t = curl_getdate(v, NULL)) != -1)
			o->retry_after = t > time(NULL) ?
			    (long)(t - time(NULL)) : 0;
	}
	return size * n;
}

static void
sign(struct fetcher *f, struct obj *o, const char *path)
{
	const struct creds *c = f->conf.creds;
	struct sigv4_header h[4];
	struct sigv4_request rq;
	struct sigv4_scope sc;
	struct buf creq = BUF_INIT, sh = BUF_INIT, sts = BUF_INIT,
	    hv = BUF_INIT;
	char date[17], sig[65];
	size_t nh = 0;

	sigv4_amz_date((long long)time(NULL), date);
	sc.amz_date = date;
	sc.region = f->conf.region;
	sc.service = "s3";
	sc.normalize_path = false;
	if (memcmp(f->key_date, date, 8) != 0) {
		sigv4_signing_key(c->secret, &sc, f->key);
		memcpy(f->key_date, date, 8);
		f->key_date[8] = '\0';
	}
	h[nh].name = "host";
	h[nh++].value = f->host_hdr;
	h[nh].name = "x-amz-content-sha256";
	h[nh++].value = SIGV4_EMPTY_SHA256;
	h[nh].name = "x-amz-date";
	h[nh++].value = date;
	if (c->token != NULL) {
		h[nh].name = "x-amz-security-token";
		h[nh++].value = c->token;
	}
	rq.method = "GET";
	rq.path = path;
	rq.query = NULL;
	rq.headers = h;
	rq.nheaders = nh;
	rq.payload_hash = SIGV4_EMPTY_SHA256;
	buf_grow(&sh, 0);
	sigv4_canonical_request(&sc, &rq, &creq, &sh);
	sigv4_string_to_sign(&sc, creq.data, creq.len, &sts);
	sigv4_signature(f->key, sts.data, sts.len, sig);
	buf_addf(&hv, "x-amz-date: %s", date);
	o->hdrs = curl_slist_append(o->hdrs, hv.data);
	o->hdrs = curl_slist_append(o->hdrs,
	    "x-amz-content-sha256: " SIGV4_EMPTY_SHA256);
	if (c->token != NULL) {
		buf_reset(&hv);
		buf_addf(&hv, "x-amz-security-token: %s", c->token);
		o->hdrs = curl_slist_append(o->hdrs, hv.data);
		OPENSSL_cleanse(hv.data, hv.len);
	}
	buf_reset(&hv);
	buf_adds(&hv, "Authorization: ");
	sigv4_authorization(&sc, c->access_key, sh.data, sig, &hv);
	o->hdrs = curl_slist_append(o->hdrs, hv.data);
	if (c->token != NULL)
		OPENSSL_cleanse(creq.data, creq.len);
	buf_release(&creq);
	buf_release(&sh);
	buf_release(&sts);
	buf_release(&hv);
}

static void
start(struct fetcher *f, struct obj *o)
{
	struct easy *ez = f->free_easy[--f->nfree];
	CURL *e = ez->e;

	buf_reset(&f->path);
	buf_addf(&f->path, "%s/content/%s", f->path_prefix, o->hex);
	buf_reset(&f->url);
	buf_addf(&f->url, "%s%s", f->scheme_host, f->path.data);
	if (f->conf.creds != NULL) {
		struct buf h = BUF_INIT;

		buf_addf(&h, "Host: %s", f->host_hdr);
		o->hdrs = curl_slist_append(NULL, h.data);
		buf_release(&h);
		sign(f, o, f->path.data);
	}
	buf_reset(&o->body);
	buf_reset(&o->detail);
	o->retry_after = -1;
	o->too_big = false;
	/* a gzip object exceeds its content by a few bytes a block at most */
	o->limit = f->conf.max_bytes + f->conf.max_bytes / 64 + 4096;
	o->easy = ez;
	ez->err[0] = '\0';
	o->attempts++;
	o->t0 = now_mono();
	/* curl copies the URL; the header list must live until the end */
	curl_easy_setopt(e, CURLOPT_URL, f->url.data);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, o->hdrs != NULL ? o->hdrs :
	    f->host_only);
	curl_easy_setopt(e, CURLOPT_PRIVATE, o);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, o);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, o);
	if (curl_multi_add_handle(f->multi, e) != CURLM_OK)
		err_die("curl: cannot start a transfer");
	f->inflight++;
	f->requests++;
}

static bool
auth_code(const char *code, size_t n)
{
	static const char *const codes[] = {
		"SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidToken",
		"ExpiredToken", "TokenRefreshRequired",
		"AuthorizationHeaderMalformed", "RequestTimeTooSkewed",
		"InvalidClientTokenId", "InvalidSecurity",
		"AuthorizationQueryParametersError", "AccountProblem",
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strlen(codes[i]) == n && memcmp(codes[i], code, n) == 0)
			return true;
	return false;
}

/* What to make of an HTTP answer other than 200. */
static void
http_answer(struct fetcher *f, struct obj *o, long code)
{
	const char *s;
	size_t n;

	buf_addf(&o->detail, "HTTP %ld", code);
	s = xml_tag(&o->body, "Code", &n);
	if (s != NULL) {
		buf_addc(&o->detail, ' ');
		add_safe(f, &o->detail, s, n, 64);
	}
	if (f->conf.creds != NULL && (code == 400 || code == 401 ||
	    code == 403) && s != NULL && auth_code(s, n))
		stop_auth(f, code, &o->body);
	if (code == 401 && f->conf.creds != NULL)
		stop_auth(f, code, &o->body);
	switch (code) {
	case 404:
		o->label = "404";
		finish(f, o, "not-found", false);
		return;
	case 403:
		o->label = "403";
		finish(f, o, "forbidden", false);
		return;
	case 408: case 429: case 500: case 502: case 503: case 504:
		retry_or_fail(f, o, code == 408 ? "http-408" :
		    code == 429 ? "http-429" : code == 500 ? "http-500" :
		    code == 502 ? "http-502" : code == 503 ? "http-503" :
		    "http-504");
		return;
	default:
		if (code >= 300 && code < 400)
			buf_adds(&o->detail, " (a redirect: is --region or "
			    "--endpoint right?)");
		o->label = code >= 500 ? "http-5xx" : code >= 400 ?
		    "http-4xx" : "http-other";
		/* the same answer for every object: count it as systemic */
		finish(f, o, "http-error", true);
		return;
	}
}

/* On a worker: inflate o's body and check it against the id. */
static void
verify_run(void *wctx, struct task *t)
{
	struct obj *o = (struct obj *)t;

	o->vst = blob_open(wctx, o->body.data, o->body.len,
	    o->f->conf.max_bytes, o->id, &o->raw, &o->detail);
}

/* Back on the fetcher's thread: what the verdict means. */
static void
verify_done(struct task *t)
{
	struct obj *o = (struct obj *)t;
	struct fetcher *f = o->f;

	f->verifying--;
	if (o->from_cache) {
		if (o->vst == BLOB_OK) {
			f->cache_hits++;
			o->reason = NULL;
			objq_push(&f->done, o);
		} else {
			/* a damaged entry: drop it and fetch again */
			f->cache_bad++;
			cache_drop(f, o);
			buf_reset(&o->detail);
			o->from_cache = false;
			objq_push(&f->ready, o);
		}
		return;
	}
	switch (o->vst) {
	case BLOB_OK:
		f->fetched++;
		if (f->conf.cache != NULL)
			cache_write(f, o);
		finish(f, o, NULL, false);
		break;
	case BLOB_BAD_GZIP:	/* cut or damaged on the way */
		retry_or_fail(f, o, "corrupt");
		break;
	default:		/* integrity, too-large: final */
		o->label = blob_reason(o->vst);
		finish(f, o, blob_reason(o->vst), false);
		break;
	}
}

static void
verify(struct fetcher *f, struct obj *o, bool from_cache)
{
	o->from_cache = from_cache;
	o->task.run = verify_run;
	o->task.done = verify_done;
	f->verifying++;
	tasks_submit(f->tasks, &o->task);
}

static void
complete(struct fetcher *f, CURL *e, CURLcode rc)
{
	struct obj *o;
	struct easy *ez;
	long code = 0;
	curl_off_t down = 0, us = 0;
	double secs;
	size_t i;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&o);
	ez = o->easy;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &down);
	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &us);
	curl_multi_remove_handle(f->multi, e);
	curl_slist_free_all(o->hdrs);
	o->hdrs = NULL;
	o->easy = NULL;
	f->free_easy[f->nfree++] = ez;
	f->inflight--;
	f->bytes_down += (uint64_t)down;
	secs = (double)us / 1e6;
	f->lat_sum += secs;
	for (i = 0; i < NLAT && secs > lat_bounds[i]; i++)
		;
	f->lat[i]++;

	if (rc == CURLE_OK && code == 200) {
		if (f->conf.creds != NULL)
			f->auth_ok = true;
		verify(f, o, false);
		return;
	}
	if (rc == CURLE_OK) {
		http_answer(f, o, code);
		return;
	}
	add_safe(f, &o->detail, ez->err[0] != '\0' ? ez->err :
	    curl_easy_strerror(rc), strlen(ez->err[0] != '\0' ? ez->err :
	    curl_easy_strerror(rc)), 200);
	switch (rc) {
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (rc == CURLE_WRITE_ERROR && !o->too_big)
			err_bug("curl write error without a reason");
		buf_reset(&o->detail);
		buf_addf(&o->detail, "object is larger than --max-bytes "
		    "(%zu bytes)", f->conf.max_bytes);
		o->label = "too-large";
		finish(f, o, "too-large", false);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		retry_or_fail(f, o, "timeout");
		return;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		retry_or_fail(f, o, "connect");
		return;
	case CURLE_PARTIAL_FILE:
		retry_or_fail(f, o, "truncated");
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* retrying will not help: a final, systemic failure */
		o->label = "tls";
		finish(f, o, "fetch-failed", true);
		return;
	default:
		retry_or_fail(f, o, "network");
		return;
	}
}

/* ---- the public side ---- */

/* A worker finished a task: interrupt the poll of fetcher_run(). */
static void
wake(void *arg)
{
	curl_multi_wakeup(arg);
}

struct fetcher *
fetcher_new(const struct fetch_conf *conf, fetch_done_fn *done, void *arg)
{
	struct fetcher *f = xcalloc(1, sizeof(*f));
	struct buf b = BUF_INIT;
	const char *bad;
	size_t i;
	CURL *e;

	f->conf = *conf;
	f->done_fn = done;
	f->arg = arg;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		err_die("curl: cannot initialize");
	if ((bad = setup_location(f)) != NULL) {
		free(f);
		curl_global_cleanup();
		/* never repeat a URL that holds credentials */
		if (strncmp(bad, "has credentials", 15) == 0)
			err_usage("--endpoint %s", bad);
		err_usage("--endpoint: '%s' %s", conf->endpoint, bad);
	}
	buf_addf(&b, "Host: %s", f->host_hdr);
	f->host_only = curl_slist_append(NULL, b.data);
	buf_reset(&b);
	if (conf->cache != NULL) {
		buf_addf(&b, "%s/content", conf->cache);
		mkdir_p(b.data);
		buf_reset(&b);
		buf_addf(&b, "%s/tmp", conf->cache);
		mkdir_p(b.data);
		cache_sweep(conf->cache);
		f->cache_ok = true;
	}
	buf_release(&b);
	f->blob = blob_ctx_new();
	f->nwbc = conf->threads > 0 ? conf->threads : 1;
	f->wbc = xcalloc(f->nwbc, sizeof(*f->wbc));
	for (i = 0; i < f->nwbc; i++)
		f->wbc[i] = conf->threads > 0 ? blob_ctx_new() : f->blob;
	f->rng = (uint64_t)time(NULL) * 6364136223846793005ULL ^
	    (uint64_t)getpid() ^ 0x9E3779B97F4A7C15ULL;
	if ((f->multi = curl_multi_init()) == NULL)
		err_die("curl: cannot create a multi handle");
	curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)conf->jobs);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)conf->jobs);
	curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, (long)conf->jobs);
	f->tasks = tasks_new(conf->threads, (void *const *)f->wbc, wake,
	    f->multi);
	f->neasy = conf->jobs;
	f->easy = xcalloc(f->neasy, sizeof(*f->easy));
	f->free_easy = xcalloc(f->neasy, sizeof(*f->free_easy));
	for (i = 0; i < f->neasy; i++) {
		if ((e = curl_easy_init()) == NULL)
			err_die("curl: cannot create a handle");
		curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->easy[i].err);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
		    (long)CURL_HTTP_VERSION_2TLS);
		if (f->https)
			curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
		    (long)(conf->timeout * 1000.0));
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
		    (long)(conf->connect_timeout * 1000.0));
		curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
		if (conf->ca_bundle != NULL)
			curl_easy_setopt(e, CURLOPT_CAINFO, conf->ca_bundle);
		curl_easy_setopt(e, CURLOPT_USERAGENT,
		    "codesift-swh-fetch/" CODESIFT_VERSION);
		/* a gzip object is larger than its content by a few bytes a
		 * block at most; refuse anything far bigger */
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)(conf->max_bytes + conf->max_bytes / 64 +
		    4096));
		f->easy[i].e = e;
		f->free_easy[f->nfree++] = &f->easy[i];
	}
	return f;
}

void
fetcher_get(struct fetcher *f, const uint8_t id[20], void *udata)
{
	struct obj *o = obj_new(f);

	memcpy(o->id, id, 20);
	blob_format_id(id, o->hex);
	o->udata = udata;
	o->f = f;
	o->retry_after = -1;
	f->pending++;
	if (f->conf.cache != NULL && cache_read(f, o)) {
		verify(f, o, true);
		return;
	}
	objq_push(&f->ready, o);
}

size_t
fetcher_pending(const struct fetcher *f)
{
	return f->pending;
}

static void
deliver(struct fetcher *f)
{
	struct fetch_result res;
	struct obj *o;

	while ((o = objq_pop(&f->done)) != NULL) {
		res.reason = o->reason;
		res.detail = o->detail.data != NULL ? o->detail.data : "";
		res.raw = o->raw.data != NULL ? o->raw.data : "";
		res.n = o->raw.len;
		res.buf = &o->raw;
		f->pending--;
		f->done_fn(f->arg, o->udata, &res);
		obj_done(f, o);
	}
}

/* Start what may start: due retries, then waiting objects. */
static double
start_ready(struct fetcher *f)
{
	struct obj **pp, *o;
	double now = now_mono(), next = -1;

	for (pp = &f->delayed; (o = *pp) != NULL;) {
		if (o->next_at <= now) {
			*pp = o->next;
			objq_push(&f->ready, o);
		} else {
			if (next < 0 || o->next_at < next)
				next = o->next_at;
			pp = &o->next;
		}
	}
	while (f->nfree > 0 && (o = objq_pop(&f->ready)) != NULL)
		start(f, o);
	return next < 0 ? -1 : next - now;
}

/* Let curl work, then collect finished transfers; true if any. */
static bool
perform(struct fetcher *f)
{
	struct CURLMsg *msg;
	int running, left;
	bool any = false;

	curl_multi_perform(f->multi, &running);
	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE) {
			complete(f, msg->easy_handle, msg->data.result);
			any = true;
		}
	return any;
}

struct tasks *
fetcher_tasks(struct fetcher *f)
{
	return f->tasks;
}

size_t
fetcher_busy(const struct fetcher *f)
{
	return f->pending + tasks_pending(f->tasks);
}

void
fetcher_run(struct fetcher *f, int wait_ms)
{
	double next;
	int ms;

	tasks_collect(f->tasks);
	deliver(f);
	start_ready(f);
	/* wait only when nothing is ready to hand over */
	if (!perform(f) && f->done.head == NULL && wait_ms > 0 &&
	    tasks_collect(f->tasks) == 0 && f->done.head == NULL &&
	    f->inflight + (f->delayed != NULL) + tasks_pending(f->tasks) >
	    0) {
		ms = wait_ms;
		next = start_ready(f);
		if (next >= 0 && next * 1000.0 < ms)
			ms = (int)(next * 1000.0) + 1;
		/* workers wake this poll when they finish something */
		curl_multi_poll(f->multi, NULL, 0, ms, NULL);
		start_ready(f);
		perform(f);
	}
	tasks_collect(f->tasks);
	deliver(f);
}

void
fetcher_report(struct fetcher *f, struct run *run, bool quiet)
{
	json_object *p = run_params(run), *s = run_stats(run), *o;
	struct metrics *m = run_metrics(run);
	struct buf lb = BUF_INIT, line = BUF_INIT;
	size_t i;

	/* the end of input: if nothing at all could be fetched, say so */
	if (f->final_good == 0 && f->final_bad > 0)
		err_die("none of the %llu objects could be fetched from %s "
		    "(last: %s): the endpoint seems down or refuses us%s",
		    (unsigned long long)f->final_bad, f->scheme_host,
		    f->last_bad.data, anon_hint(f));
	json_object_object_add(p, "endpoint",
	    json_object_new_string(f->scheme_host));
	json_object_object_add(p, "bucket",
	    json_object_new_string(f->conf.bucket));
	json_object_object_add(p, "region",
	    json_object_new_string(f->conf.region));
	json_object_object_add(p, "auth", json_object_new_string(
	    f->conf.creds != NULL ? f->conf.creds->source : "anonymous"));
	json_object_object_add(p, "jobs", json_object_new_int(
	    (int)f->conf.jobs));
	json_object_object_add(p, "retries", json_object_new_int(
	    (int)f->conf.retries));
	json_object_object_add(p, "timeout",
	    json_object_new_double(f->conf.timeout));
	json_object_object_add(p, "cache", f->conf.cache != NULL ?
	    json_object_new_string(f->conf.cache) : NULL);
	json_object_object_add(s, "objects_fetched",
	    json_object_new_int64((int64_t)f->fetched));
	json_object_object_add(s, "cache_hits",
	    json_object_new_int64((int64_t)f->cache_hits));
	json_object_object_add(s, "cache_stored",
	    json_object_new_int64((int64_t)f->cache_stored));
	json_object_object_add(s, "bytes_downloaded",
	    json_object_new_int64((int64_t)f->bytes_down));
	json_object_object_add(s, "requests",
	    json_object_new_int64((int64_t)f->requests));
	o = json_object_new_object();
	for (i = 0; i < MAX_LABELS && f->retries[i].label != NULL; i++)
		json_object_object_add(o, f->retries[i].label,
		    json_object_new_int64((int64_t)f->retries[i].n));
	json_object_object_add(s, "retries_by_reason", o);
	o = json_object_new_object();
	for (i = 0; i < MAX_LABELS && f->failures[i].label != NULL; i++)
		json_object_object_add(o, f->failures[i].label,
		    json_object_new_int64((int64_t)f->failures[i].n));
	json_object_object_add(s, "failures_by_status", o);

	metrics_gauge(m, "codesift_fetch_objects_fetched",
	    "Objects downloaded and verified by the last run.", NULL,
	    (double)f->fetched);
	metrics_gauge(m, "codesift_fetch_cache_hits",
	    "Objects read from the --cache by the last run.", NULL,
	    (double)f->cache_hits);
	metrics_gauge(m, "codesift_fetch_bytes_downloaded",
	    "Bytes received from the object store by the last run.", NULL,
	    (double)f->bytes_down);
	metrics_gauge(m, "codesift_fetch_requests",
	    "HTTP requests made by the last run, retries included.", NULL,
	    (double)f->requests);
	metrics_family(m, "codesift_fetch_retries", "gauge",
	    "Requests retried by the last run, by reason.");
	for (i = 0; i < MAX_LABELS && f->retries[i].label != NULL; i++) {
		buf_reset(&lb);
		metrics_label(&lb, "reason", f->retries[i].label);
		metrics_sample(m, "codesift_fetch_retries",
		    "codesift_fetch_retries", lb.data,
		    (double)f->retries[i].n);
	}
	metrics_family(m, "codesift_fetch_failures", "gauge",
	    "Objects the last run could not get, by final status.");
	for (i = 0; i < MAX_LABELS && f->failures[i].label != NULL; i++) {
		buf_reset(&lb);
		metrics_label(&lb, "status", f->failures[i].label);
		metrics_sample(m, "codesift_fetch_failures",
		    "codesift_fetch_failures", lb.data,
		    (double)f->failures[i].n);
	}
	metrics_histogram(m, "codesift_fetch_request_duration_seconds",
	    "Duration of each HTTP request of the last run.", NULL,
	    lat_bounds, f->lat, NLAT, f->lat_sum);
	if (!quiet && (f->requests > 0 || f->cache_hits > 0)) {
		buf_addf(&line, "%llu objects fetched (%.1f MiB in %llu "
		    "requests)", (unsigned long long)f->fetched,
		    (double)f->bytes_down / 1048576.0,
		    (unsigned long long)f->requests);
		if (f->conf.cache != NULL)
			buf_addf(&line, ", %llu from the cache",
			    (unsigned long long)f->cache_hits);
		if (f->nretries > 0) {
			buf_addf(&line, ", %llu retries (",
			    (unsigned long long)f->nretries);
			for (i = 0; i < MAX_LABELS && f->retries[i].label !=
			    NULL; i++)
				buf_addf(&line, "%s%s %llu", i > 0 ? ", " : "",
				    f->retries[i].label,
				    (unsigned long long)f->retries[i].n);
			buf_addc(&line, ')');
		}
		if (f->nfailed > 0)
			buf_addf(&line, ", %llu not fetched",
			    (unsigned long long)f->nfailed);
		err_warn("%s", line.data);
	}
	buf_release(&lb);
	buf_release(&line);
}

void
fetcher_free(struct fetcher *f)
{
	struct obj *o;
	size_t i;

	if (f == NULL)
		return;
	tasks_free(f->tasks);
	if (f->nwbc > 0 && f->wbc[0] != f->blob)
		for (i = 0; i < f->nwbc; i++)
			blob_ctx_free(f->wbc[i]);
	free(f->wbc);
	while ((o = objq_pop(&f->ready)) != NULL)
		obj_free(o);
	while ((o = f->delayed) != NULL) {
		f->delayed = o->next;
		obj_free(o);
	}
	while ((o = objq_pop(&f->done)) != NULL)
		obj_free(o);
	while ((o = f->spare) != NULL) {
		f->spare = o->next;
		obj_free(o);
	}
	curl_slist_free_all(f->host_only);
	buf_release(&f->url);
	buf_release(&f->path);
	for (i = 0; i < f->neasy; i++) {
		curl_multi_remove_handle(f->multi, f->easy[i].e);
		curl_easy_cleanup(f->easy[i].e);
	}
	curl_multi_cleanup(f->multi);
	curl_global_cleanup();
	OPENSSL_cleanse(f->key, sizeof(f->key));
	blob_ctx_free(f->blob);
	free(f->easy);
	free(f->free_easy);
	free(f->scheme_host);
	free(f->host_hdr);
	free(f->path_prefix);
	buf_release(&f->last_bad);
	free(f);
}
