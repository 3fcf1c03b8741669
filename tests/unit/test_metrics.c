/*
 * test_metrics.c - the Prometheus text rendering: one HELP/TYPE per
 * family before its samples, escaping, histograms, values.  (promtool
 * and a live Pushgateway are exercised by the bats tests.)
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "t.h"

static void
families(void)
{
	struct metrics *m = metrics_new();
	struct buf out = BUF_INIT, lb = BUF_INIT;

	metrics_gauge(m, "a_records", "Records.\nTwo lines \\ here.", NULL, 3);
	metrics_label(&lb, "kind", "e\"m\\a\nil");
	metrics_gauge(m, "b_found", "Found.", lb.data, 2.5);
	metrics_gauge(m, "a_records", "ignored", "x=\"1\"", 4);
	metrics_gauge(m, "a_records", "ignored", NULL, 5);	/* replaces */
	metrics_render(m, "filter=\"f\"", &out);
	CHECK_STR(out.data,
	    "# HELP a_records Records.\\nTwo lines \\\\ here.\n"
	    "# TYPE a_records gauge\n"
	    "a_records{filter=\"f\"} 5\n"
	    "a_records{filter=\"f\",x=\"1\"} 4\n"
	    "# HELP b_found Found.\n"
	    "# TYPE b_found gauge\n"
	    "b_found{filter=\"f\",kind=\"e\\\"m\\\\a\\nil\"} 2.5\n");
	metrics_free(m);
	buf_release(&out);
	buf_release(&lb);
}

static void
histogram(void)
{
	struct metrics *m = metrics_new();
	struct buf out = BUF_INIT;
	double bounds[] = { 0.1, 1 };
	unsigned long long counts[] = { 2, 3, 1 };

	metrics_histogram(m, "lat_seconds", "Latency.", NULL, bounds, counts,
	    2, 4.25);
	metrics_render(m, NULL, &out);
	CHECK_STR(out.data,
	    "# HELP lat_seconds Latency.\n"
	    "# TYPE lat_seconds histogram\n"
	    "lat_seconds_bucket{le=\"0.10000000000000001\"} 2\n"
	    "lat_seconds_bucket{le=\"1\"} 5\n"
	    "lat_seconds_bucket{le=\"+Inf\"} 6\n"
	    "lat_seconds_sum 4.25\n"
	    "lat_seconds_count 6\n");
	metrics_free(m);
	buf_release(&out);
}

static void
values(void)
{
	struct metrics *m = metrics_new();
	struct buf out = BUF_INIT;

	metrics_gauge(m, "v_nan", "x", NULL, NAN);
	metrics_gauge(m, "v_inf", "x", NULL, -INFINITY);
	metrics_gauge(m, "v_big", "x", NULL, 1e20);
	metrics_gauge(m, "v_int", "x", NULL, 1774000000);
	metrics_render(m, NULL, &out);
	CHECK(strstr(out.data, "v_nan NaN\n") != NULL);
	CHECK(strstr(out.data, "v_inf -Inf\n") != NULL);
	CHECK(strstr(out.data, "v_big 1e+20\n") != NULL);
	CHECK(strstr(out.data, "v_int 1774000000\n") != NULL);
	metrics_free(m);
	buf_release(&out);
}

int
main(void)
{
	T_RUN(families);
	T_RUN(histogram);
	T_RUN(values);
	return t_done();
}
