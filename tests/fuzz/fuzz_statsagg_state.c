/*
 * fuzz_statsagg_state.c - stats-agg state files are input (they travel
 * between machines): loading any bytes must either refuse them with a
 * reason or give a state that saves back to the same text, and a report
 * and an HTML page can be made from it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../filters/stats-agg/html.h"
#include "../../filters/stats-agg/report.h"
#include "../../filters/stats-agg/stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stats s, t;
	struct buf why = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	struct expect e;
	struct report_params rp = { 3.5, 20, NULL, "content", "blob_id",
	    "language" };
	json_object *r;

	if (!stats_load(&s, (const char *)data, size, &why)) {
		if (why.len == 0)
			abort();	/* a refusal must say why */
		stats_release(&s);
		buf_release(&why);
		return 0;
	}
	stats_save(&s, &a);
	if (!stats_load(&t, a.data, a.len, &why))
		abort();	/* what we write we must read */
	stats_save(&t, &b);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	expect_default(&e);
	rp.expect = &e;
	r = report_build(&s, &rp);
	buf_reset(&a);
	html_render(r, &a);
	json_object_put(r);
	expect_release(&e);
	stats_release(&s);
	stats_release(&t);
	buf_release(&why);
	buf_release(&a);
	buf_release(&b);
	return 0;
}
