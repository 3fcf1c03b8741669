/*
 * fuzz_schema.c - libFuzzer target: load any bytes as a JSON Schema
 * (draft 2020-12, then draft-07) and, when they load, validate a few
 * instances in both modes.  Loading must fail cleanly or succeed; nothing
 * may crash, leak or loop (a schema that would recurse forever is refused
 * at load or stopped by the depth limit).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const instances[] = {
	"null", "true", "0", "-1.5", "1e308", "\"\"", "\"abc\"", "[]",
	"[1, \"a\", [null], {\"x\": 1}]", "{}",
	"{\"a\": 1, \"b\": [1, 2, 2], \"c\": {\"d\": \"2020-01-01\"}}",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsv_opts o;
	struct buf err = BUF_INIT;
	struct jsv *v;
	struct jsv_ctx *c;
	json_object *inst;
	size_t i;
	int draft;

	for (draft = 0; draft < 2; draft++) {
		memset(&o, 0, sizeof(o));
		o.draft = draft == 0 ? JSV_DRAFT_AUTO : JSV_DRAFT_7;
		o.format_assert = draft == 1;
		o.max_depth = 200;
		v = jsv_load_mem((const char *)data, size, "urn:fuzz:schema",
		    &o, &err);
		if (v == NULL)
			continue;
		c = jsv_ctx_new(v);
		for (i = 0; i < sizeof(instances) / sizeof(instances[0]); i++) {
			inst = json_tokener_parse(instances[i]);
			if (jsv_valid(c, inst) != (jsv_explain(c, inst, 8) == 0))
				abort();	/* the two modes must agree */
			json_object_put(inst);
		}
		jsv_ctx_free(c);
		jsv_free(v);
	}
	buf_release(&err);
	return 0;
}
