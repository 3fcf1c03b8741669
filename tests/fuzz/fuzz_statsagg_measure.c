/*
 * fuzz_statsagg_measure.c - stats-agg measures content straight from the
 * escaped JSON string; it must agree with measuring the unescaped text,
 * for any valid JSON string and for any bytes escaped by jscan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "mem.h"
#include "../../filters/stats-agg/measure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *js, size_t n)
{
	struct text_measure fast, slow;
	char *u;
	size_t k;

	measure_json_string(js + 1, n - 2, &fast);
	u = xmalloc(n);
	k = jscan_unescape(js + 1, n - 2, u);
	measure_text(u, k, &slow);
	free(u);
	if (memcmp(&fast, &slow, sizeof(fast)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT;
	enum jtype t;
	const char *p = (const char *)data;

	/* the input itself, when it is exactly one JSON string */
	if (size >= 2 && p[0] == '"' && p[size - 1] == '"' &&
	    jscan_value(p, size, &t, NULL) == JSCAN_OK && t == JT_STRING)
		check(p, size);
	/* any bytes, as a writer would escape them */
	jscan_escape(&b, p, size);
	check(b.data, b.len);
	buf_release(&b);
	return 0;
}
