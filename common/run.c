/*
 * run.c - accounting, the reject channel and end-of-run reports.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "mem.h"
#include "run.h"
#include "stream.h"

#define SHOW_REJECTS	5	/* reject messages printed before counting */

struct reason_count {
	const char	*reason;
	uint64_t	 n;
};

struct run {
	struct opt_shared	 o;
	char			**files;
	int			 nfiles;
	struct rec_in		*in;
	struct ostream		*out;
	struct ostream		*rej;
	uint64_t		 n_in, n_out, n_drop, n_rej;
	uint64_t		 bytes_out;
	struct reason_count	*reasons;
	size_t			 nreasons;
	struct buf		 scratch;
	char			**names;	/* interned input names */
	size_t			 nnames;
	struct timespec		 t0;
	time_t			 wall0;
	double			 last_progress;
	bool			 progress;
	bool			 progress_shown;
	struct buf		 gate;		/* a filter's gate message */
	json_object		*params;
	json_object		*stats;
	struct metrics		*metrics;
};

static double
elapsed(const struct run *run)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - run->t0.tv_sec) +
	    (double)(t.tv_nsec - run->t0.tv_nsec) / 1e9;
}

struct run *
run_new(const struct opt_shared *o, int nfiles, char *const files[])
{
	struct run *run = xcalloc(1, sizeof(*run));
	const char *bad, *why;
	int i;

	run->o = *o;
	if ((bad = rec_in_check(files, (size_t)nfiles, &why)) != NULL)
		err_config("%s: %s", bad, why);
	run->nfiles = nfiles;
	run->files = xreallocarray(NULL, (size_t)nfiles + 1,
	    sizeof(*run->files));
	for (i = 0; i < nfiles; i++)
		run->files[i] = xstrdup(files[i]);
	clock_gettime(CLOCK_MONOTONIC, &run->t0);
	run->wall0 = time(NULL);
	run->progress = o->progress > 0 ||
	    (o->progress < 0 && isatty(STDERR_FILENO));
	run->params = json_object_new_object();
	run->stats = json_object_new_object();
	run->metrics = metrics_new();
	run->out = ostream_open(o->out);
	if (o->rejects != NULL)
		run->rej = ostream_open(o->rejects);
	run->in = rec_in_open(files, (size_t)nfiles, o->max_record_bytes);
	return run;
}

const struct opt_shared *
run_opts(const struct run *run)
{
	return &run->o;
}

json_object *
run_params(struct run *run)
{
	return run->params;
}

json_object *
run_stats(struct run *run)
{
	return run->stats;
}

struct metrics *
run_metrics(struct run *run)
{
	return run->metrics;
}

uint64_t
run_count_in(const struct run *run)
{
	return run->n_in;
}

uint64_t
run_count_rejected(const struct run *run)
{
	return run->n_rej;
}

static void
show_progress(struct run *run, bool final)
{
	double t = elapsed(run);
	double mib = (double)rec_in_bytes(run->in) / (1024.0 * 1024.0);

	if (!final && t - run->last_progress < 0.5)
		return;
	run->last_progress = t;
	fprintf(stderr, "\r%s: %llu records, %.1f MiB, %.1f MiB/s, "
	    "%llu rejected%s", err_prog(), (unsigned long long)run->n_in,
	    mib, t > 0 ? mib / t : 0.0, (unsigned long long)run->n_rej,
	    final ? "\n" : "");
	run->progress_shown = true;
}

/* Interned copy of an input name: stable until run_finish(). */
static const char *
intern(struct run *run, const char *name)
{
	if (run->nnames > 0 && strcmp(run->names[run->nnames - 1], name) == 0)
		return run->names[run->nnames - 1];
	run->names = xreallocarray(run->names, run->nnames + 1,
	    sizeof(*run->names));
	run->names[run->nnames] = xstrdup(name);
	return run->names[run->nnames++];
}

static void
count_reason(struct run *run, const char *reason)
{
	size_t i;

	for (i = 0; i < run->nreasons; i++)
		if (strcmp(run->reasons[i].reason, reason) == 0) {
			run->reasons[i].n++;
			return;
		}
	run->reasons = xreallocarray(run->reasons, run->nreasons + 1,
	    sizeof(*run->reasons));
	run->reasons[run->nreasons].reason = reason;
	run->reasons[run->nreasons].n = 1;
	run->nreasons++;
}

static void
note_reject(struct run *run, const char *file, uint64_t line,
    const char *reason, const char *detail)
{
	run->n_rej++;
	count_reason(run, reason);
	if (run->n_rej <= SHOW_REJECTS && !run->o.quiet) {
		if (run->progress_shown)
			fputc('\n', stderr);
		run->progress_shown = false;
		err_warn("%s:%llu: %s: %s", file, (unsigned long long)line,
		    reason, detail);
	}
}

/* The reject object up to and including "record":" (the line follows). */
static void
reject_head(struct run *run, struct buf *b, const char *file, uint64_t line,
    const char *reason, const char *detail, const char *extra)
{
	buf_adds(b, "{\"filter\":");
	jscan_escape(b, err_prog(), strlen(err_prog()));
	buf_adds(b, ",\"file\":");
	jscan_escape(b, file, strlen(file));
	buf_addf(b, ",\"line\":%llu,\"reason\":", (unsigned long long)line);
	jscan_escape(b, reason, strlen(reason));
	buf_adds(b, ",\"detail\":");
	jscan_escape(b, detail, strlen(detail));
	if (extra != NULL && *extra != '\0') {
		buf_addc(b, ',');
		buf_adds(b, extra);
	}
	buf_adds(b, ",\"record\":");
	(void)run;
}

static void
add_base64(struct buf *b, const unsigned char *v, size_t n)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	buf_grow(b, (n + 2) / 3 * 4);
	for (i = 0; i + 2 < n; i += 3) {
		buf_addc(b, t[v[i] >> 2]);
		buf_addc(b, t[((v[i] & 3) << 4) | (v[i + 1] >> 4)]);
		buf_addc(b, t[((v[i + 1] & 15) << 2) | (v[i + 2] >> 6)]);
		buf_addc(b, t[v[i + 2] & 63]);
	}
	if (n - i == 1) {
		buf_addc(b, t[v[i] >> 2]);
		buf_addc(b, t[(v[i] & 3) << 4]);
		buf_adds(b, "==");
	} else if (n - i == 2) {
		buf_addc(b, t[v[i] >> 2]);
		buf_addc(b, t[((v[i] & 3) << 4) | (v[i + 1] >> 4)]);
		buf_addc(b, t[(v[i + 1] & 15) << 2]);
		buf_addc(b, '=');
	}
}

void
run_reject_line(struct run *run, const char *file, uint64_t line,
    const char *raw, size_t n, const char *reason, const char *detail)
{
	run_reject_line_extra(run, file, line, raw, n, reason, detail, NULL);
}

void
run_reject_line_extra(struct run *run, const char *file, uint64_t line,
    const char *raw, size_t n, const char *reason, const char *detail,
    const char *extra)
{
	struct buf *b = &run->scratch;

	note_reject(run, file, line, reason, detail);
	if (run->rej == NULL)
		return;
	buf_reset(b);
	reject_head(run, b, file, line, reason, detail, extra);
	/* not UTF-8: keep the exact bytes too, so nothing is lost */
	if (jscan_escape(b, raw, n) > 0) {
		buf_adds(b, ",\"record_base64\":\"");
		add_base64(b, (const unsigned char *)raw, n);
		buf_addc(b, '"');
	}
	buf_adds(b, "}\n");
	ostream_write(run->rej, b->data, b->len);
}

void
run_reject_rec(struct run *run, const struct rec *r)
{
	run_reject_line(run, r->file, r->line, r->raw, r->len, rec_reason(r),
	    rec_detail(r));
}

void
run_reject(struct run *run, const struct rec *r, const char *reason,
    const char *fmt, ...)
{
	struct buf d = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&d, fmt, ap);
	va_end(ap);
	run_reject_line(run, r->file, r->line, r->raw, r->len, reason,
	    d.data);
	buf_release(&d);
}

/* Escape one piece of a streamed string body (no quotes). */
static void
escape_piece(struct buf *b, const char *p, size_t n)
{
	size_t before = b->len;

	jscan_escape(b, p, n);
	/* drop the quotes jscan_escape() adds around the piece */
	memmove(b->data + before, b->data + before + 1, b->len - before - 2);
	b->len -= 2;
	b->data[b->len] = '\0';
}

/*
 * Reject a line longer than --max-record-bytes, streaming it whole into
 * the rejects file: only max_record_bytes of it are ever in memory.
 */
static void
reject_too_large(struct run *run, struct rec *r)
{
	struct buf *b = &run->scratch, pend = BUF_INIT;
	size_t k, total = r->len;
	const char *p;
	size_t n;
	char detail[160];
	bool more = true;

	snprintf(detail, sizeof(detail), "line longer than "
	    "--max-record-bytes (%zu bytes)", run->o.max_record_bytes);
	note_reject(run, r->file, r->line, "too-large", detail);
	if (run->rej == NULL) {
		while (rec_in_drain(run->in, &p, &n))
			total += n;
		return;
	}
	buf_reset(b);
	reject_head(run, b, r->file, r->line, "too-large", detail, NULL);
	buf_addc(b, '"');
	/* the first piece must be used before draining moves the buffer */
	buf_add(&pend, r->raw, r->len);
	while (more) {
		/* a UTF-8 sequence split between pieces waits in pend */
		k = jscan_utf8_complete(pend.data, pend.len);
		escape_piece(b, pend.data, k);
		memmove(pend.data, pend.data + k, pend.len - k);
		pend.len -= k;
		ostream_write(run->rej, b->data, b->len);
		buf_reset(b);
		if ((more = rec_in_drain(run->in, &p, &n))) {
			total += n;
			buf_add(&pend, p, n);
		}
	}
	if (pend.len > 0)
		escape_piece(b, pend.data, pend.len);
	buf_addf(b, "\",\"length\":%zu}\n", total);
	ostream_write(run->rej, b->data, b->len);
	buf_release(&pend);
}

enum run_read
run_read(struct run *run, struct rec *r, void (*before_stream)(void *),
    void *arg)
{
	enum rec_next st;

	for (;;) {
		if (run->progress && (run->n_in & 63) == 0)
			show_progress(run, false);
		st = rec_in_next(run->in, r);
		if (st == REC_EOF)
			return RUN_EOF;
		run->n_in++;
		r->file = intern(run, r->file);
		if (st == REC_TOOBIG) {
			if (before_stream != NULL)
				before_stream(arg);
			reject_too_large(run, r);
			continue;
		}
		return r->len == 0 ? RUN_EMPTY : RUN_REC;
	}
}

bool
run_next(struct run *run, struct rec *r)
{
	for (;;) {
		switch (run_read(run, r, NULL, NULL)) {
		case RUN_EOF:
			return false;
		case RUN_EMPTY:
			run_reject_line(run, r->file, r->line, r->raw, 0,
			    "empty-line", "empty line");
			continue;
		case RUN_REC:
			return true;
		}
	}
}

void
run_emit_line(struct run *run, const char *p, size_t n)
{
	ostream_write(run->out, p, n);
	ostream_write(run->out, "\n", 1);
	run->n_out++;
	run->bytes_out += n + 1;
}

void
run_emit(struct run *run, struct rec *r)
{
	if (!rec_edited(r)) {
		run_emit_line(run, r->raw, r->len);
		return;
	}
	buf_reset(&run->scratch);
	rec_render(r, &run->scratch);
	run_emit_line(run, run->scratch.data, run->scratch.len);
}

void
run_emit_elsewhere(struct run *run, size_t n)
{
	run->n_out++;
	run->bytes_out += n;
}

void
run_drop(struct run *run, const struct rec *r)
{
	(void)r;
	run->n_drop++;
}

void
run_drop_count(struct run *run)
{
	run->n_drop++;
}

void
run_gate_fail(struct run *run, const char *fmt, ...)
{
	va_list ap;

	buf_reset(&run->gate);
	va_start(ap, fmt);
	buf_vaddf(&run->gate, fmt, ap);
	va_end(ap);
}

static bool
rejects_exceeded(const struct run *run)
{
	if (!run->o.max_rejects_set)
		return false;
	if (run->o.max_rejects_pct)
		return (double)run->n_rej * 100.0 >
		    run->o.max_rejects * (double)run->n_in;
	return (double)run->n_rej > run->o.max_rejects;
}

static void
write_summary(struct run *run, int status, double secs)
{
	json_object *s = json_object_new_object(), *a, *o;
	char ts[32];
	struct tm tm;
	const char *txt;
	size_t i;
	int k;

	json_object_object_add(s, "filter", json_object_new_string(err_prog()));
	json_object_object_add(s, "version",
	    json_object_new_string(CODESIFT_VERSION));
	json_object_object_add(s, "stage",
	    json_object_new_string(run->o.stage));
	json_object_object_add(s, "shard", run->o.shard != NULL ?
	    json_object_new_string(run->o.shard) : NULL);
	a = json_object_new_array();
	for (k = 0; k < run->nfiles; k++)
		json_object_array_add(a, json_object_new_string(run->files[k]));
	if (run->nfiles == 0)
		json_object_array_add(a, json_object_new_string("-"));
	json_object_object_add(s, "inputs", a);
	json_object_object_add(s, "output", json_object_new_string(
	    run->o.out != NULL ? run->o.out : "-"));
	json_object_object_add(s, "status", json_object_new_int(status));
	o = json_object_new_object();
	json_object_object_add(o, "in", json_object_new_int64((int64_t)run->n_in));
	json_object_object_add(o, "out",
	    json_object_new_int64((int64_t)run->n_out));
	json_object_object_add(o, "dropped",
	    json_object_new_int64((int64_t)run->n_drop));
	json_object_object_add(o, "rejected",
	    json_object_new_int64((int64_t)run->n_rej));
	json_object_object_add(s, "records", o);
	o = json_object_new_object();
	json_object_object_add(o, "in",
	    json_object_new_int64((int64_t)rec_in_bytes(run->in)));
	json_object_object_add(o, "out",
	    json_object_new_int64((int64_t)run->bytes_out));
	json_object_object_add(s, "bytes", o);
	o = json_object_new_object();
	for (i = 0; i < run->nreasons; i++)
		json_object_object_add(o, run->reasons[i].reason,
		    json_object_new_int64((int64_t)run->reasons[i].n));
	json_object_object_add(s, "rejects_by_reason", o);
	{
		/* json-c would print 0.03 as 0.029999999999999999 */
		char d[32];

		snprintf(d, sizeof(d), "%.3f", secs);
		json_object_object_add(s, "duration_seconds",
		    json_object_new_double_s(secs, d));
	}
	gmtime_r(&run->wall0, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(s, "started_at", json_object_new_string(ts));
	a = json_object_new_array();
	for (k = 0; k < run->o.argc; k++)
		json_object_array_add(a, json_object_new_string(run->o.argv[k]));
	json_object_object_add(s, "argv", a);
	json_object_object_add(s, "params", json_object_get(run->params));
	json_object_object_add(s, "stats", json_object_get(run->stats));
	txt = json_object_to_json_string_ext(s, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	buf_reset(&run->scratch);
	buf_adds(&run->scratch, txt);
	buf_addc(&run->scratch, '\n');
	stream_write_file(run->o.summary, run->scratch.data, run->scratch.len);
	json_object_put(s);
}

static void
write_metrics(struct run *run, int status, double secs)
{
	struct metrics *m = run->metrics;
	struct buf common = BUF_INIT, lb = BUF_INIT, body = BUF_INIT, err = BUF_INIT;
	const char *grouping[5];
	size_t i, ng = 0;
	double now = (double)time(NULL);

	metrics_label(&common, "filter", err_prog());
	metrics_label(&common, "stage", run->o.stage);
	if (run->o.shard != NULL)
		metrics_label(&common, "shard", run->o.shard);

	metrics_gauge(m, "codesift_records_in", "Records read by the last run.",
	    NULL, (double)run->n_in);
	metrics_gauge(m, "codesift_records_out",
	    "Records written by the last run.", NULL, (double)run->n_out);
	metrics_gauge(m, "codesift_records_dropped",
	    "Records dropped on purpose by the last run.", NULL,
	    (double)run->n_drop);
	metrics_gauge(m, "codesift_records_rejected",
	    "Records rejected by the last run.", NULL, (double)run->n_rej);
	metrics_family(m, "codesift_rejects_by_reason", "gauge",
	    "Records rejected by the last run, by reason.");
	for (i = 0; i < run->nreasons; i++) {
		buf_reset(&lb);
		metrics_label(&lb, "reason", run->reasons[i].reason);
		metrics_sample(m, "codesift_rejects_by_reason",
		    "codesift_rejects_by_reason", lb.data,
		    (double)run->reasons[i].n);
	}
	metrics_gauge(m, "codesift_bytes_in",
	    "Uncompressed bytes read by the last run.", NULL,
	    (double)rec_in_bytes(run->in));
	metrics_gauge(m, "codesift_bytes_out",
	    "Uncompressed bytes written by the last run.", NULL,
	    (double)run->bytes_out);
	metrics_gauge(m, "codesift_duration_seconds",
	    "Wall-clock duration of the last run.", NULL, secs);
	metrics_gauge(m, "codesift_exit_status",
	    "Exit status of the last run (0 ok, 1 gate failed).", NULL,
	    (double)status);
	metrics_gauge(m, "codesift_last_run_timestamp_seconds",
	    "When the last run ended.", NULL, now);
	if (status == STATUS_OK)
		metrics_gauge(m, "codesift_last_success_timestamp_seconds",
		    "When the last successful run ended.", NULL, now);
	metrics_render(m, common.data, &body);
	if (run->o.metrics != NULL)
		stream_write_file(run->o.metrics, body.data, body.len);
	if (run->o.push != NULL) {
		grouping[ng++] = "stage";
		grouping[ng++] = run->o.stage;
		if (run->o.shard != NULL) {
			grouping[ng++] = "shard";
			grouping[ng++] = run->o.shard;
		}
		grouping[ng] = NULL;
		/* monitoring must not fail the data: warn and go on */
		if (!metrics_push(run->o.push, "codesift", grouping, body.data,
		    body.len, &err))
			err_warn("cannot push metrics to %s: %s", run->o.push,
			    err.data);
	}
	buf_release(&common);
	buf_release(&lb);
	buf_release(&body);
	buf_release(&err);
}

int
run_finish(struct run *run)
{
	int status = STATUS_OK;
	double secs;
	size_t i;
	int k;

	if (run->progress)
		show_progress(run, true);
	secs = elapsed(run);
	if (run->n_in != run->n_out + run->n_drop + run->n_rej)
		err_bug("records: %llu in != %llu out + %llu dropped + "
		    "%llu rejected", (unsigned long long)run->n_in,
		    (unsigned long long)run->n_out,
		    (unsigned long long)run->n_drop,
		    (unsigned long long)run->n_rej);
	ostream_close(run->out, true);
	if (run->rej != NULL)
		ostream_close(run->rej, true);
	if (run->n_rej > 0 && !run->o.quiet) {
		struct buf b = BUF_INIT;

		for (i = 0; i < run->nreasons; i++)
			buf_addf(&b, "%s%s %llu", i > 0 ? ", " : "",
			    run->reasons[i].reason,
			    (unsigned long long)run->reasons[i].n);
		err_warn("%llu of %llu records rejected (%s)%s%s",
		    (unsigned long long)run->n_rej,
		    (unsigned long long)run->n_in, b.data,
		    run->o.rejects != NULL ? "; see " : "",
		    run->o.rejects != NULL ? run->o.rejects : "");
		buf_release(&b);
	}
	if (rejects_exceeded(run)) {
		if (run->o.max_rejects_pct)
			err_warn("%llu of %llu records rejected, more than "
			    "--max-rejects %g%%", (unsigned long long)run->n_rej,
			    (unsigned long long)run->n_in, run->o.max_rejects);
		else
			err_warn("%llu records rejected, more than "
			    "--max-rejects %.0f", (unsigned long long)run->n_rej,
			    run->o.max_rejects);
		status = STATUS_GATE;
	}
	if (run->gate.len > 0) {
		err_warn("%s", run->gate.data);
		status = STATUS_GATE;
	}
	if (run->o.summary != NULL)
		write_summary(run, status, secs);
	if (run->o.metrics != NULL || run->o.push != NULL)
		write_metrics(run, status, secs);

	rec_in_close(run->in);
	for (i = 0; i < run->nnames; i++)
		free(run->names[i]);
	free(run->names);
	for (k = 0; k < run->nfiles; k++)
		free(run->files[k]);
	free(run->files);
	free(run->reasons);
	buf_release(&run->scratch);
	buf_release(&run->gate);
	json_object_put(run->params);
	json_object_put(run->stats);
	metrics_free(run->metrics);
	free(run);
	return status;
}
