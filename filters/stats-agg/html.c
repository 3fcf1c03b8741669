/*
 * html.c - the HTML report page (html.h).  Charts are drawn as inline SVG
 * from the report object; the page has no script and loads nothing, so it
 * can be mailed, archived as a DVC artefact or opened offline.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "html.h"
#include "report.h"

#define C_OBS	"#3b6ea8"	/* observed */
#define C_EXP	"#e8833a"	/* expected */
#define C_OUT	"#3b8a5a"	/* kept */
#define C_DROP	"#c9a227"	/* dropped */
#define C_REJ	"#c0392b"	/* rejected */
#define C_GRID	"#d9dde3"
#define C_TEXT	"#1f2933"
#define C_MUTED	"#616e7c"

/* ---- reading the report (report_get(), report_num(), report_str()) ---- */

static size_t
len(json_object *a)
{
	return json_object_is_type(a, json_type_array) ?
	    json_object_array_length(a) : 0;
}

static json_object *
at(json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

/* The largest value of member path key in the elements of a; 0 if none. */
static double
max_of(json_object *a, const char *key)
{
	double max = 0, v;
	size_t i, n = len(a);

	for (i = 0; i < n; i++)
		if ((v = report_num(at(a, i), key)) > max)
			max = v;
	return max;
}

/* ---- writing ---- */

/* Text or attribute value, escaped. */
static void
esc(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\'': buf_adds(b, "&#39;"); break;
		default: buf_addc(b, *s); break;
		}
}

/* 1234567 -> "1,234,567" */
static void
fmt_int(struct buf *b, double v)
{
	char t[40], o[60];
	size_t n, i, k = 0;

	if (!isfinite(v)) {
		buf_adds(b, "–");
		return;
	}
	snprintf(t, sizeof(t), "%.0f", fabs(v));
	n = strlen(t);
	if (v < 0)
		o[k++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			o[k++] = ',';
		o[k++] = t[i];
	}
	o[k] = '\0';
	buf_adds(b, o);
}

/* Bytes in decimal units. */
static void
fmt_bytes(struct buf *b, double v)
{
	static const char *const u[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	size_t i = 0;

	if (!isfinite(v)) {
		buf_adds(b, "–");
		return;
	}
	while (v >= 1000 && i + 1 < sizeof(u) / sizeof(u[0])) {
		v /= 1000;
		i++;
	}
	buf_addf(b, i == 0 ? "%.0f %s" : "%.3g %s", v, u[i]);
}

/* Compact count: 950, 12.3k, 4.5M */
static void
fmt_short(struct buf *b, double v)
{
	if (!isfinite(v))
		buf_adds(b, "–");
	else if (fabs(v) >= 1e9)
		buf_addf(b, "%.3gG", v / 1e9);
	else if (fabs(v) >= 1e6)
		buf_addf(b, "%.3gM", v / 1e6);
	else if (fabs(v) >= 1e3)
		buf_addf(b, "%.3gk", v / 1e3);
	else
		buf_addf(b, "%.3g", v);
}

static void
fmt_pct(struct buf *b, double share)
{
	if (!isfinite(share))
		buf_adds(b, "–");
	else if (share > 0 && share < 0.001)
		buf_adds(b, "&lt;0.1%");
	else
		buf_addf(b, "%.1f%%", share * 100);
}

static void
fmt_num(struct buf *b, double v)
{
	if (!isfinite(v))
		buf_adds(b, "–");
	else if (fabs(v) >= 100 && fabs(v) < 1e15)
		fmt_int(b, round(v));
	else
		buf_addf(b, "%.3g", v);
}

/*
 * A round axis for values up to max: *step is 1, 2, 2.5 or 5 times a power
 * of ten, with at most 5 steps; returns the number of steps.
 */
static int
nice_axis(double max, double *step)
{
	static const double ladder[] = { 1, 2, 2.5, 5, 10 };
	double p;
	size_t i;

	if (!(max > 0)) {
		*step = 1;
		return 1;
	}
	p = pow(10, floor(log10(max / 5)));
	for (i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++)
		if (ladder[i] * p * 5 >= max * (1 - 1e-12))
			break;
	*step = ladder[i < 5 ? i : 4] * p;
	return (int)ceil(max / *step - 1e-9);
}

/* ---- page parts ---- */

static const char css[] =
"*{box-sizing:border-box}"
"body{margin:0;background:#f4f6f8;color:" C_TEXT ";"
"font:14px/1.45 'DejaVu Sans',Verdana,Arial,sans-serif}"
"main{max-width:1120px;margin:0 auto;padding:24px}"
"h1{font-size:24px;margin:0 0 4px}"
"h2{font-size:18px;margin:0 0 12px}"
".sub{color:" C_MUTED ";margin:0 0 20px}"
"section{background:#fff;border:1px solid #e1e5ea;border-radius:8px;"
"padding:18px 20px;margin:0 0 18px}"
".tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));"
"gap:12px;margin:0 0 18px}"
".tile{background:#fff;border:1px solid #e1e5ea;border-radius:8px;"
"padding:12px 14px}"
".tile b{display:block;font-size:22px}"
".tile span{color:" C_MUTED ";font-size:12px;text-transform:uppercase;"
"letter-spacing:.04em}"
".two{display:grid;grid-template-columns:1fr 1fr;gap:18px}"
"table{border-collapse:collapse;width:100%;font-size:13px}"
"th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef0f3}"
"th{color:" C_MUTED ";font-weight:600}"
"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
"code{font:12px 'DejaVu Sans Mono',monospace;word-break:break-all}"
".note{color:" C_MUTED "}"
".over{color:#b03a2e;font-weight:600}"
".under{color:#1f618d;font-weight:600}"
".legend i{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;"
"vertical-align:-1px;border-radius:2px}"
"svg text{font-family:'DejaVu Sans',Verdana,Arial,sans-serif}"
"footer{color:" C_MUTED ";font-size:12px;text-align:center;padding:8px}";

static void
tile(struct buf *b, const char *label, const char *value)
{
	buf_adds(b, "<div class=\"tile\"><b>");
	buf_adds(b, value);
	buf_adds(b, "</b><span>");
	esc(b, label);
	buf_adds(b, "</span></div>\n");
}

static void
tiles(struct buf *b, json_object *r)
{
	struct buf v = BUF_INIT;

	buf_adds(b, "<div class=\"tiles\">\n");
#define T(label, fmt, x) do { buf_reset(&v); fmt(&v, x); \
	tile(b, label, v.data); } while (0)
	T("records", fmt_int, report_num(r, "totals.records"));
	T("content", fmt_bytes, report_num(r, "totals.bytes"));
	T("lines", fmt_short, report_num(r, "totals.lines"));
	if (report_get(r, "totals.tokens") != NULL)
		T("tokens", fmt_short, report_num(r, "totals.tokens"));
	T("languages", fmt_int, report_num(r, "totals.languages"));
	T("repositories", fmt_int, report_num(r, "repositories.distinct"));
	T("duplicates marked", fmt_int, report_num(r, "duplicates.marked"));
	T("records with PII", fmt_int, report_num(r, "pii.records"));
	T("quality failures", fmt_int, report_num(r, "quality.failed"));
	T("outliers", fmt_int, report_num(r, "outliers.total"));
	T("lines rejected", fmt_int, report_num(r, "input.rejected"));
#undef T
	buf_adds(b, "</div>\n");
	buf_release(&v);
}

/* The expected share of a language, or NAN. */
static double
expected_share(json_object *r, const char *lang)
{
	json_object *c = report_get(r, "expected_mix.categories");
	size_t i;

	for (i = 0; i < len(c); i++)
		if (strcmp(report_str(at(c, i), "language"), lang) == 0)
			return report_num(at(c, i), "expected_share");
	return NAN;
}

#define BAR_ROWS	16

static void
language_chart(struct buf *b, json_object *r)
{
	json_object *langs = report_get(r, "languages"), *cats, *e;
	struct buf rows = BUF_INIT;
	const char *names[BAR_ROWS + 8];
	double obs[BAR_ROWS + 8], exp_[BAR_ROWS + 8], max = 0;
	size_t n = 0, i, k;
	const double left = 170, width = 560, rowh = 26;
	double h, step, scale;
	int ticks;

	/*
	 * The test compares shares within the expected languages; the bars
	 * show shares of all records, so expected shares are scaled by the
	 * part of the records those languages hold.
	 */
	scale = 1 - report_num(r, "expected_mix.outside_share");
	if (!isfinite(scale))
		scale = 1;
	/* the largest languages, then expected ones not among them */
	for (i = 0; i < len(langs) && n < BAR_ROWS; i++) {
		e = at(langs, i);
		names[n] = report_str(e, "language");
		obs[n] = report_num(e, "share");
		exp_[n] = expected_share(r, names[n]) * scale;
		n++;
	}
	cats = report_get(r, "expected_mix.categories");
	for (i = 0; i < len(cats) && n < BAR_ROWS + 8; i++) {
		const char *l = report_str(at(cats, i), "language");

		for (k = 0; k < n && strcmp(names[k], l) != 0; k++)
			;
		if (k < n || strcmp(l, "(other)") == 0)
			continue;
		names[n] = l;
		obs[n] = 0;
		exp_[n] = report_num(at(cats, i), "expected_share") * scale;
		n++;
	}
	for (i = 0; i < n; i++) {
		if (isfinite(obs[i]) && obs[i] > max)
			max = obs[i];
		if (isfinite(exp_[i]) && exp_[i] > max)
			max = exp_[i];
	}
	ticks = nice_axis(max * 100, &step);
	max = ticks * step / 100;
	buf_adds(b, "<section id=\"languages\"><h2>Language mix</h2>\n");
	if (n == 0) {
		buf_adds(b, "<p class=\"note\">No records.</p></section>\n");
		return;
	}
	h = (double)n * rowh + 30;
	buf_addf(b, "<p class=\"legend\"><i style=\"background:" C_OBS
	    "\"></i>observed share of records<i style=\"background:" C_EXP
	    "\"></i>expected share (of the records in the expected "
	    "languages)</p>\n<svg role=\"img\" "
	    "aria-label=\"language shares\" width=\"820\" height=\"%.0f\" "
	    "viewBox=\"0 0 820 %.0f\">\n",
	    h, h);
	for (k = 0; k <= (size_t)ticks; k++) {
		double x = left + width * (double)k / ticks;

		buf_addf(b, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" "
		    "y2=\"%.0f\" stroke=\"" C_GRID "\"/>", x, x, h - 22);
		buf_addf(b, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" "
		    "text-anchor=\"middle\" fill=\"" C_MUTED "\">%g%%</text>\n",
		    x, h - 6, step * (double)k);
	}
	for (i = 0; i < n; i++) {
		double y = (double)i * rowh + 4;

		buf_addf(b, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\" "
		    "text-anchor=\"end\" fill=\"" C_TEXT "\">", left - 8,
		    y + 15);
		esc(b, names[i]);
		buf_adds(b, "</text>");
		if (isfinite(obs[i]) && max > 0)
			buf_addf(b, "<rect x=\"%.0f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"12\" fill=\"" C_OBS
			    "\"/>", left, y + 2,
			    width * obs[i] / max);
		if (isfinite(exp_[i]) && max > 0)
			buf_addf(b, "<rect x=\"%.0f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"6\" fill=\"" C_EXP
			    "\"/>", left, y + 15,
			    width * exp_[i] / max);
		buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
		    "fill=\"" C_MUTED "\">", left + (max > 0 &&
		    isfinite(obs[i]) ? width * obs[i] / max : 0) + 6, y + 13);
		buf_reset(&rows);
		fmt_pct(&rows, obs[i]);
		buf_adds(b, rows.data);
		buf_adds(b, "</text>\n");
	}
	buf_adds(b, "</svg>\n");
	buf_release(&rows);
}

static void
mix_table(struct buf *b, json_object *r)
{
	json_object *m = report_get(r, "expected_mix"), *c = report_get(m, "categories"), *e;
	const char *flag;
	size_t i;

	buf_adds(b, "<p>Against the expected mix (");
	esc(b, report_str(m, "source"));
	buf_adds(b, "), over the ");
	fmt_int(b, report_num(m, "records_compared"));
	buf_adds(b, " records of these languages (");
	fmt_int(b, report_num(m, "records_outside"));
	buf_adds(b, " others left out): ");
	if (report_get(m, "chi_square") == NULL)
		buf_adds(b, "no records to compare.");
	else {
		buf_addf(b, "&chi;&sup2; = %.4g, df = %.0f, p = %.3g &mdash; ",
		    report_num(m, "chi_square"), report_num(m, "df"), report_num(m, "p_value"));
		buf_adds(b, report_num(m, "p_value") < 0.05 ? "<b>the mix differs "
		    "from the expected one</b>." : "consistent with the "
		    "expected mix.");
	}
	buf_adds(b, "</p>\n<table><tr><th>language</th><th class=\"n\">records"
	    "</th><th class=\"n\">expected</th><th class=\"n\">observed share"
	    "</th><th class=\"n\">expected share</th><th class=\"n\">residual"
	    "</th><th>flag</th></tr>\n");
	for (i = 0; i < len(c); i++) {
		e = at(c, i);
		flag = report_str(e, "flag");
		buf_adds(b, "<tr><td>");
		esc(b, report_str(e, "language"));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_int(b, report_num(e, "observed"));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_num(b, round(report_num(e, "expected") * 10) / 10);
		buf_adds(b, "</td><td class=\"n\">");
		fmt_pct(b, report_num(e, "observed_share"));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_pct(b, report_num(e, "expected_share"));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_num(b, report_num(e, "residual"));
		buf_adds(b, "</td><td class=\"");
		esc(b, flag);
		buf_adds(b, "\">");
		esc(b, flag);
		buf_adds(b, "</td></tr>\n");
	}
	buf_adds(b, "</table></section>\n");
}

/* A histogram of log-scale bins as bars. */
static void
histogram(struct buf *b, json_object *r, const char *metric,
    const char *title, const char *unit, const char *none)
{
	json_object *h = report_get(report_get(r, "histograms"), metric), *d;
	size_t n = len(h), i;
	double max = 0, w, x, bh, c, step;
	const double left = 60, width = 740, height = 200, top = 10;
	struct buf t = BUF_INIT;
	int ticks;

	buf_addf(b, "<section id=\"hist-%s\"><h2>", metric);
	esc(b, title);
	buf_adds(b, "</h2>\n");
	if (n == 0) {
		buf_adds(b, "<p class=\"note\">");
		esc(b, none);
		buf_adds(b, "</p></section>\n");
		return;
	}
	d = report_get(report_get(r, "distributions"), metric);
	buf_adds(b, "<p class=\"note\">");
	fmt_int(b, report_num(d, "count"));
	buf_adds(b, " files; median ");
	fmt_num(b, report_num(d, "p50"));
	buf_addf(b, " %s, p99 ", unit);
	fmt_num(b, report_num(d, "p99"));
	buf_addf(b, " %s, max ", unit);
	fmt_num(b, report_num(d, "max"));
	buf_addf(b, " %s. Log-scale bins, four per decade.</p>\n", unit);
	max = max_of(h, "count");
	ticks = nice_axis(max, &step);
	max = ticks * step;
	w = width / (double)n;
	buf_addf(b, "<svg role=\"img\" aria-label=\"%s histogram\" "
	    "width=\"820\" height=\"%.0f\" viewBox=\"0 0 820 %.0f\">\n", metric,
	    height + top + 40, height + top + 40);
	for (i = 0; i <= (size_t)ticks; i++) {
		double y = top + height - height * (double)i / ticks;

		buf_addf(b, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" "
		    "y2=\"%.1f\" stroke=\"" C_GRID "\"/>", left, y,
		    left + width, y);
		buf_reset(&t);
		fmt_short(&t, step * (double)i);
		buf_addf(b, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" "
		    "text-anchor=\"end\" fill=\"" C_MUTED "\">%s</text>\n",
		    left - 6, y + 4, t.data);
	}
	for (i = 0; i < n; i++) {
		c = report_num(at(h, i), "count");
		bh = max > 0 ? height * c / max : 0;
		x = left + w * (double)i;
		buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"" C_OBS "\"><title>", x + 1,
		    top + height - bh, w > 3 ? w - 2 : w, bh);
		fmt_num(b, report_num(at(h, i), "lo"));
		buf_adds(b, " to ");
		fmt_num(b, report_num(at(h, i), "hi"));
		buf_adds(b, ": ");
		fmt_int(b, c);
		buf_adds(b, "</title></rect>\n");
		/* label each decade */
		{
			double lo = report_num(at(h, i), "lo"), l10 = log10(lo);

			if (lo == 0 || fabs(l10 - round(l10)) < 1e-9) {
				buf_reset(&t);
				fmt_short(&t, lo);
				buf_addf(b, "<text x=\"%.1f\" y=\"%.0f\" "
				    "font-size=\"11\" text-anchor=\"middle\" "
				    "fill=\"" C_MUTED "\">%s</text>\n", x,
				    top + height + 16, t.data);
			}
		}
	}
	buf_addf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" "
	    "text-anchor=\"middle\" fill=\"" C_MUTED "\">%s (log scale)"
	    "</text>\n", left + width / 2, top + height + 34, unit);
	buf_adds(b, "</svg></section>\n");
	buf_release(&t);
}

static void
funnel(struct buf *b, json_object *r)
{
	json_object *f = report_get(r, "funnel"), *e;
	size_t n = len(f), i;
	double max = 0, in, out, drop, rej, y;
	const double left = 170, width = 400, rowh = 34;
	struct buf t = BUF_INIT;

	buf_adds(b, "<section id=\"funnel\"><h2>Pipeline funnel</h2>\n");
	if (n == 0) {
		buf_adds(b, "<p class=\"note\">No stage summaries were given "
		    "(<code>--stage-summary</code>).</p></section>\n");
		return;
	}
	max = max_of(f, "records.in");
	buf_adds(b, "<p class=\"legend\"><i style=\"background:" C_OUT
	    "\"></i>kept<i style=\"background:" C_DROP "\"></i>dropped"
	    "<i style=\"background:" C_REJ "\"></i>rejected</p>\n");
	buf_addf(b, "<svg role=\"img\" aria-label=\"funnel\" width=\"820\" "
	    "height=\"%.0f\" viewBox=\"0 0 820 %.0f\">\n",
	    (double)n * rowh + 8, (double)n * rowh + 8);
	for (i = 0; i < n; i++) {
		e = at(f, i);
		in = report_num(e, "records.in");
		out = report_num(e, "records.out");
		drop = report_num(e, "records.dropped");
		rej = report_num(e, "records.rejected");
		y = (double)i * rowh + 4;
		buf_addf(b, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\" "
		    "text-anchor=\"end\" fill=\"" C_TEXT "\">", left - 8,
		    y + 17);
		esc(b, report_str(e, "stage"));
		buf_adds(b, "</text>");
		if (max > 0) {
			double x = left;
			double wo = width * out / max, wd = width * drop / max;
			double wr = width * rej / max;

			buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"22\" fill=\"" C_OUT
			    "\"/>", x, y, wo);
			x += wo;
			buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"22\" fill=\"" C_DROP
			    "\"/>", x, y, wd);
			x += wd;
			buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"22\" fill=\"" C_REJ
			    "\"/>", x, y, wr);
		}
		buf_reset(&t);
		fmt_int(&t, in);
		buf_adds(&t, " in &#8594; ");
		fmt_int(&t, out);
		buf_adds(&t, " out");
		if (drop > 0) {
			buf_adds(&t, ", ");
			fmt_int(&t, drop);
			buf_adds(&t, " dropped");
		}
		if (rej > 0) {
			buf_adds(&t, ", ");
			fmt_int(&t, rej);
			buf_adds(&t, " rejected");
		}
		buf_addf(b, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" "
		    "fill=\"" C_MUTED "\">%s</text>\n", left + width + 8,
		    y + 15, t.data);
	}
	buf_adds(b, "</svg>\n");
	for (i = 1; i < n; i++) {
		e = at(f, i);
		if (report_num(e, "unaccounted") != 0) {
			buf_adds(b, "<p class=\"over\">");
			fmt_int(b, report_num(e, "unaccounted"));
			buf_adds(b, " records went out of the stage before ");
			esc(b, report_str(e, "stage"));
			buf_adds(b, " and not into it.</p>\n");
		}
	}
	buf_adds(b, "</section>\n");
	buf_release(&t);
}

static void
pii(struct buf *b, json_object *r)
{
	json_object *k = report_get(r, "pii.kinds"), *e;
	size_t n = len(k), i;
	double max = 0, y, c;
	const double left = 170, width = 520, rowh = 24;

	buf_adds(b, "<section id=\"pii\"><h2>PII by kind</h2>\n");
	if (report_num(r, "pii.checked") == 0) {
		buf_adds(b, "<p class=\"note\">No record carries a "
		    "<code>pii</code> field (pii-scrub did not run).</p>"
		    "</section>\n");
		return;
	}
	buf_adds(b, "<p>");
	fmt_int(b, report_num(r, "pii.found"));
	buf_adds(b, " found in ");
	fmt_int(b, report_num(r, "pii.records"));
	buf_adds(b, " of ");
	fmt_int(b, report_num(r, "pii.checked"));
	buf_adds(b, " records checked (");
	fmt_pct(b, report_num(r, "pii.share"));
	buf_adds(b, ").</p>\n");
	if (n == 0) {
		buf_adds(b, "</section>\n");
		return;
	}
	max = max_of(k, "found");
	buf_addf(b, "<svg role=\"img\" aria-label=\"PII by kind\" "
	    "width=\"820\" height=\"%.0f\" viewBox=\"0 0 820 %.0f\">\n",
	    (double)n * rowh + 8, (double)n * rowh + 8);
	for (i = 0; i < n; i++) {
		e = at(k, i);
		c = report_num(e, "found");
		y = (double)i * rowh + 4;
		buf_addf(b, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"12\" "
		    "text-anchor=\"end\" fill=\"" C_TEXT "\">", left - 8,
		    y + 14);
		esc(b, report_str(e, "kind"));
		buf_addf(b, "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"16\" fill=\"" C_REJ "\"/>", left, y + 2,
		    max > 0 ? width * c / max : 0);
		buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
		    "fill=\"" C_MUTED "\">", left + (max > 0 ? width * c / max :
		    0) + 6, y + 14);
		fmt_int(b, c);
		buf_adds(b, " in ");
		fmt_int(b, report_num(e, "records"));
		buf_adds(b, " records</text>\n");
	}
	buf_adds(b, "</svg></section>\n");
}

struct worst {
	json_object	*g, *w;
	double		 az;
};

static int
worst_order(const void *a, const void *b)
{
	const struct worst *x = a, *y = b;

	if (x->az != y->az)
		return x->az > y->az ? -1 : 1;
	return 0;
}

#define WORST_ROWS	30

static void
anomalies(struct buf *b, json_object *r)
{
	json_object *g = report_get(r, "outliers.groups"), *e, *w;
	struct worst *rows;
	size_t n = 0, cap = 0, i, k;

	buf_adds(b, "<section id=\"anomalies\"><h2>Anomalies</h2>\n<p>");
	fmt_int(b, report_num(r, "outliers.total"));
	buf_addf(b, " outliers in %.0f language &times; metric groups "
	    "assessed: robust z-score of ln(1 + value) above %.3g against the "
	    "language's median and MAD (languages with at least %.0f records)."
	    "</p>\n", report_num(r, "outliers.assessed"), report_num(r, "outliers.z"),
	    report_num(r, "outliers.min_records"));
	for (i = 0; i < len(g); i++)
		cap += len(report_get(at(g, i), "worst"));
	if (cap == 0) {
		buf_adds(b, "<p class=\"note\">No outliers.</p></section>\n");
		return;
	}
	rows = xreallocarray(NULL, cap, sizeof(*rows));
	for (i = 0; i < len(g); i++) {
		e = at(g, i);
		w = report_get(e, "worst");
		for (k = 0; k < len(w); k++) {
			rows[n].g = e;
			rows[n].w = at(w, k);
			rows[n].az = fabs(report_num(at(w, k), "z"));
			n++;
		}
	}
	qsort(rows, n, sizeof(*rows), worst_order);
	buf_adds(b, "<table><tr><th>language</th><th>metric</th>"
	    "<th class=\"n\">value</th><th class=\"n\">median</th>"
	    "<th class=\"n\">z</th><th>id</th></tr>\n");
	for (i = 0; i < n && i < WORST_ROWS; i++) {
		buf_adds(b, "<tr><td>");
		esc(b, report_str(rows[i].g, "language"));
		buf_adds(b, "</td><td>");
		esc(b, report_str(rows[i].g, "metric"));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_int(b, report_num(rows[i].w, "value"));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_num(b, round(report_num(rows[i].g, "median")));
		buf_addf(b, "</td><td class=\"n\">%+.2f</td><td><code>",
		    report_num(rows[i].w, "z"));
		esc(b, report_get(rows[i].w, "id") != NULL ? report_str(rows[i].w, "id") :
		    "(no id)");
		buf_adds(b, "</code></td></tr>\n");
	}
	buf_adds(b, "</table>\n<h3>Per language</h3>\n<table><tr>"
	    "<th>language</th><th>metric</th><th class=\"n\">records</th>"
	    "<th class=\"n\">median</th><th class=\"n\">low limit</th>"
	    "<th class=\"n\">high limit</th><th class=\"n\">low</th>"
	    "<th class=\"n\">high</th></tr>\n");
	for (i = 0; i < len(g); i++) {
		e = at(g, i);
		buf_adds(b, "<tr><td>");
		esc(b, report_str(e, "language"));
		buf_adds(b, "</td><td>");
		esc(b, report_str(e, "metric"));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_int(b, report_num(e, "records"));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_num(b, round(report_num(e, "median")));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_num(b, round(report_num(e, "low_limit")));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_num(b, round(report_num(e, "high_limit")));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_int(b, report_num(e, "low.count"));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_int(b, report_num(e, "high.count"));
		buf_adds(b, "</td></tr>\n");
	}
	buf_adds(b, "</table></section>\n");
	free(rows);
}

static void
distributions(struct buf *b, json_object *r)
{
	static const char *const cols[] = { "min", "p1", "p10", "p50", "p90",
	    "p99", "max", "mean", "stddev" };
	json_object *d = report_get(r, "distributions"), *e;
	struct json_object_iterator it = json_object_iter_begin(d);
	struct json_object_iterator end = json_object_iter_end(d);
	size_t k;

	buf_addf(b, "<section id=\"distributions\"><h2>Distributions</h2>\n"
	    "<p class=\"note\">Quantiles from a DDSketch, within %.2g%% of "
	    "the exact value; count, min, max, mean and standard deviation "
	    "are exact.</p>\n<table><tr><th>measure</th><th class=\"n\">files"
	    "</th>", report_num(r, "params.relative_error") * 100);
	for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		buf_addf(b, "<th class=\"n\">%s</th>", cols[k]);
	buf_adds(b, "</tr>\n");
	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		e = json_object_iter_peek_value(&it);
		if (report_num(e, "count") == 0)
			continue;
		buf_adds(b, "<tr><td>");
		esc(b, json_object_iter_peek_name(&it));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_int(b, report_num(e, "count"));
		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			buf_adds(b, "</td><td class=\"n\">");
			fmt_num(b, report_num(e, cols[k]));
		}
		buf_adds(b, "</td></tr>\n");
	}
	buf_adds(b, "</table></section>\n");
}

static void
simple_table(struct buf *b, json_object *a, const char *key,
    const char *head, bool bytes_share)
{
	size_t i;
	json_object *e;

	buf_adds(b, "<table><tr><th>");
	esc(b, head);
	buf_adds(b, "</th><th class=\"n\">records</th><th class=\"n\">bytes"
	    "</th>");
	if (bytes_share)
		buf_adds(b, "<th class=\"n\">bytes share</th>");
	buf_adds(b, "</tr>\n");
	for (i = 0; i < len(a); i++) {
		e = at(a, i);
		buf_adds(b, "<tr><td>");
		esc(b, report_str(e, key));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_int(b, report_num(e, "records"));
		buf_adds(b, "</td><td class=\"n\">");
		fmt_bytes(b, report_num(e, "bytes"));
		if (bytes_share) {
			buf_adds(b, "</td><td class=\"n\">");
			fmt_pct(b, report_num(e, "bytes_share"));
		}
		buf_adds(b, "</td></tr>\n");
	}
	buf_adds(b, "</table>\n");
}

static void
sources(struct buf *b, json_object *r)
{
	json_object *rp = report_get(r, "repositories");

	buf_adds(b, "<section id=\"sources\"><h2>Licences and repositories"
	    "</h2>\n<div class=\"two\"><div>\n<h3>Licence types</h3>\n");
	simple_table(b, report_get(r, "license_types"), "license_type",
	    "license_type", true);
	buf_adds(b, "<h3>Licences (detected_licenses)</h3>\n");
	if (len(report_get(r, "licenses")) == 0)
		buf_adds(b, "<p class=\"note\">None given.</p>\n");
	else
		simple_table(b, report_get(r, "licenses"), "license", "SPDX id",
		    false);
	buf_adds(b, "</div><div>\n<h3>Repositories</h3>\n<p>");
	fmt_int(b, report_num(rp, "distinct"));
	buf_adds(b, report_get(rp, "exact") != NULL &&
	    json_object_get_boolean(report_get(rp, "exact")) ? " repositories. " :
	    " repositories (estimated). ");
	if (report_get(rp, "bytes_share_top_1pct") != NULL) {
		buf_adds(b, "Popularity bias: the largest 1% (");
		fmt_int(b, report_num(rp, "top_1pct_repos"));
		buf_adds(b, ") hold ");
		fmt_pct(b, report_num(rp, "bytes_share_top_1pct"));
		buf_adds(b, " of the bytes, the largest 10% hold ");
		fmt_pct(b, report_num(rp, "bytes_share_top_10pct"));
		buf_adds(b, ".");
	}
	if (report_get(rp, "bytes_share_top_1pct_by_stars") != NULL) {
		buf_adds(b, " The most-starred 1% hold ");
		fmt_pct(b, report_num(rp, "bytes_share_top_1pct_by_stars"));
		buf_adds(b, ".");
	}
	buf_adds(b, "</p>\n");
	simple_table(b, report_get(rp, "top"), "repo", "repository", false);
	buf_adds(b, "</div></div></section>\n");
}

void
html_render(json_object *r, struct buf *b)
{
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<link rel=\"icon\" href=\"data:,\">\n"
	    "<title>codesift dataset report</title>\n<style>");
	buf_adds(b, css);
	buf_adds(b, "</style></head>\n<body><main>\n"
	    "<h1>codesift dataset report</h1>\n<p class=\"sub\">");
	fmt_int(b, report_num(r, "totals.records"));
	buf_adds(b, " records, ");
	fmt_bytes(b, report_num(r, "totals.bytes"));
	buf_adds(b, " of content, ");
	fmt_int(b, report_num(r, "totals.languages"));
	buf_adds(b, " languages. Made by stats-agg " CODESIFT_VERSION
	    ".</p>\n");
	tiles(b, r);
	language_chart(b, r);
	mix_table(b, r);
	histogram(b, r, "bytes", "File size", "bytes", "No sizes.");
	histogram(b, r, "n_tokens", "Tokens per file", "tokens",
	    "No record has n_tokens (tok-count did not run).");
	histogram(b, r, "max_line_length", "Longest line per file",
	    "characters", "No content.");
	funnel(b, r);
	pii(b, r);
	anomalies(b, r);
	distributions(b, r);
	sources(b, r);
	buf_adds(b, "<footer>codesift &middot; stats-agg report version ");
	fmt_int(b, report_num(r, "version"));
	buf_adds(b, "</footer>\n</main></body></html>\n");
}
