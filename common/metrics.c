/*
 * metrics.c - Prometheus text format and Pushgateway pushes (libcurl).
 * Sets are small (tens of families), so lookups are linear.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "metrics.h"

struct sample {
	char	*name;
	char	*labels;
	double	 v;
};

struct family {
	char		*name;
	char		*type;
	char		*help;
	struct sample	*s;
	size_t		 ns, cap;
};

struct metrics {
	struct family	*f;
	size_t		 nf, cap;
};

struct metrics *
metrics_new(void)
{
	return xcalloc(1, sizeof(struct metrics));
}

void
metrics_free(struct metrics *m)
{
	size_t i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->nf; i++) {
		for (j = 0; j < m->f[i].ns; j++) {
			free(m->f[i].s[j].name);
			free(m->f[i].s[j].labels);
		}
		free(m->f[i].s);
		free(m->f[i].name);
		free(m->f[i].type);
		free(m->f[i].help);
	}
	free(m->f);
	free(m);
}

static struct family *
find_family(struct metrics *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nf; i++)
		if (strcmp(m->f[i].name, name) == 0)
			return &m->f[i];
	return NULL;
}

void
metrics_family(struct metrics *m, const char *name, const char *type,
    const char *help)
{
	struct family *f;

	if (find_family(m, name) != NULL)
		return;
	if (m->nf == m->cap) {
		m->cap = m->cap < 16 ? 16 : m->cap * 2;
		m->f = xreallocarray(m->f, m->cap, sizeof(*m->f));
	}
	f = &m->f[m->nf++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->type = xstrdup(type);
	f->help = xstrdup(help);
}

void
metrics_sample(struct metrics *m, const char *family, const char *sample,
    const char *labels, double v)
{
	struct family *f = find_family(m, family);
	size_t i;

	if (f == NULL)
		err_bug("metric family '%s' not declared", family);
	if (labels == NULL)
		labels = "";
	for (i = 0; i < f->ns; i++)
		if (strcmp(f->s[i].name, sample) == 0 &&
		    strcmp(f->s[i].labels, labels) == 0) {
			f->s[i].v = v;
			return;
		}
	if (f->ns == f->cap) {
		f->cap = f->cap < 4 ? 4 : f->cap * 2;
		f->s = xreallocarray(f->s, f->cap, sizeof(*f->s));
	}
	f->s[f->ns].name = xstrdup(sample);
	f->s[f->ns].labels = xstrdup(labels);
	f->s[f->ns].v = v;
	f->ns++;
}

void
metrics_gauge(struct metrics *m, const char *name, const char *help,
    const char *labels, double v)
{
	metrics_family(m, name, "gauge", help);
	metrics_sample(m, name, name, labels, v);
}

void
metrics_histogram(struct metrics *m, const char *name, const char *help,
    const char *labels, const double *bounds,
    const unsigned long long *counts, size_t nb, double sum)
{
	struct buf sn = BUF_INIT, lb = BUF_INIT;
	unsigned long long cum = 0;
	char le[64];
	size_t i;

	metrics_family(m, name, "histogram", help);
	buf_addf(&sn, "%s_bucket", name);
	for (i = 0; i <= nb; i++) {
		cum += counts[i];
		if (i < nb)
			snprintf(le, sizeof(le), "%.17g", bounds[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		buf_reset(&lb);
		if (labels != NULL)
			buf_adds(&lb, labels);
		metrics_label(&lb, "le", le);
		metrics_sample(m, name, sn.data, lb.data, (double)cum);
	}
	buf_reset(&sn);
	buf_addf(&sn, "%s_sum", name);
	metrics_sample(m, name, sn.data, labels, sum);
	buf_reset(&sn);
	buf_addf(&sn, "%s_count", name);
	metrics_sample(m, name, sn.data, labels, (double)cum);
	buf_release(&sn);
	buf_release(&lb);
}

void
metrics_label(struct buf *b, const char *name, const char *value)
{
	const char *p;

	if (b->len > 0)
		buf_addc(b, ',');
	buf_addf(b, "%s=\"", name);
	for (p = value; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"') {
			buf_addc(b, '\\');
			buf_addc(b, *p);
		} else if (*p == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

static void
add_help(struct buf *out, const char *help)
{
	for (; *help != '\0'; help++) {
		if (*help == '\\')
			buf_adds(out, "\\\\");
		else if (*help == '\n')
			buf_adds(out, "\\n");
		else
			buf_addc(out, *help);
	}
}

static void
add_value(struct buf *out, double v)
{
	if (isnan(v))
		buf_adds(out, "NaN");
	else if (isinf(v))
		buf_adds(out, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		buf_addf(out, "%.0f", v);
	else
		buf_addf(out, "%.17g", v);
}

void
metrics_render(const struct metrics *m, const char *common, struct buf *out)
{
	const struct family *f;
	const struct sample *s;
	size_t i, j;
	bool hc = common != NULL && *common != '\0';

	for (i = 0; i < m->nf; i++) {
		f = &m->f[i];
		if (f->ns == 0)
			continue;
		buf_addf(out, "# HELP %s ", f->name);
		add_help(out, f->help);
		buf_addf(out, "\n# TYPE %s %s\n", f->name, f->type);
		for (j = 0; j < f->ns; j++) {
			s = &f->s[j];
			buf_adds(out, s->name);
			if (hc || *s->labels != '\0') {
				buf_addc(out, '{');
				if (hc)
					buf_adds(out, common);
				if (hc && *s->labels != '\0')
					buf_addc(out, ',');
				buf_adds(out, s->labels);
				buf_addc(out, '}');
			}
			buf_addc(out, ' ');
			add_value(out, s->v);
			buf_addc(out, '\n');
		}
	}
}

/* A grouping-key path element: plain if safe, else @base64 (RFC 4648 §5). */
static void
add_key(struct buf *url, const char *name, const char *value)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *v = (const unsigned char *)value;
	size_t n = strlen(value), i;
	bool safe = n > 0;

	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '-' ||
		    v[i] == '_' || v[i] == '.'))
			safe = false;
	if (safe) {
		buf_addf(url, "/%s/%s", name, value);
		return;
	}
	buf_addf(url, "/%s@base64/", name);
	if (n == 0) {
		buf_addc(url, '=');
		return;
	}
	for (i = 0; i + 2 < n; i += 3) {
		buf_addc(url, b64[v[i] >> 2]);
		buf_addc(url, b64[((v[i] & 3) << 4) | (v[i + 1] >> 4)]);
		buf_addc(url, b64[((v[i + 1] & 15) << 2) | (v[i + 2] >> 6)]);
		buf_addc(url, b64[v[i + 2] & 63]);
	}
	if (n - i == 1) {
		buf_addc(url, b64[v[i] >> 2]);
		buf_addc(url, b64[(v[i] & 3) << 4]);
	} else if (n - i == 2) {
		buf_addc(url, b64[v[i] >> 2]);
		buf_addc(url, b64[((v[i] & 3) << 4) | (v[i + 1] >> 4)]);
		buf_addc(url, b64[(v[i + 1] & 15) << 2]);
	}
}

static size_t
discard(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;

	if (b->len < 512)
		buf_add(b, p, size * n);
	return size * n;
}

bool
metrics_push(const char *url, const char *job, const char *const grouping[],
    const char *body, size_t len, struct buf *err)
{
	struct buf u = BUF_INIT, resp = BUF_INIT;
	struct curl_slist *hdr = NULL;
	CURL *c;
	CURLcode rc;
	long code = 0;
	size_t i, n = strlen(url);
	bool ok = false;

	while (n > 0 && url[n - 1] == '/')
		n--;
	buf_add(&u, url, n);
	if (strstr(u.data, "/metrics/job/") == NULL) {
		buf_adds(&u, "/metrics");
		add_key(&u, "job", job);
		for (i = 0; grouping != NULL && grouping[i] != NULL; i += 2)
			add_key(&u, grouping[i], grouping[i + 1]);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (c = curl_easy_init()) == NULL) {
		buf_adds(err, "cannot initialise libcurl");
		buf_release(&u);
		return false;
	}
	hdr = curl_slist_append(hdr, "Content-Type: text/plain; version=0.0.4");
	curl_easy_setopt(c, CURLOPT_URL, u.data);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 15L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		buf_addf(err, "%s", curl_easy_strerror(rc));
	else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200 && code < 300)
			ok = true;
		else {
			/* keep the gateway's reason, on one line */
			for (i = 0; i < resp.len; i++)
				if (resp.data[i] == '\n')
					resp.data[i] = ' ';
			buf_addf(err, "HTTP %ld: %s", code, buf_cstr(&resp));
		}
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	buf_release(&u);
	buf_release(&resp);
	return ok;
}
