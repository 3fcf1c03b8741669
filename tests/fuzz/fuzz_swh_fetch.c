/*
 * fuzz_swh_fetch.c - swh-fetch's parsers on arbitrary bytes: the gzip
 * framing and checks of blob_open()/blob_text(), every decoder, the
 * credentials file parser and the SigV4 canonical request.
 *
 * The first byte picks the codec; the rest is the data.  Nothing may
 * crash, leak or read out of bounds, and a decoded text must be UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "charset.h"
#include "creds.h"
#include "jscan.h"
#include "sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct blob_ctx *bc;
	static struct charset_ctx *cc;
	struct buf raw = BUF_INIT, d = BUF_INIT, scratch = BUF_INIT,
	    text = BUF_INIT, creq = BUF_INIT, sh = BUF_INIT;
	const struct charset *cs;
	struct blob_want w;
	struct strv t;
	struct creds c;
	uint8_t id[20];
	char sha[65];
	size_t bad;
	uint8_t sel;

	if (size < 1)
		return 0;
	if (bc == NULL) {
		bc = blob_ctx_new();
		cc = charset_ctx_new();
	}
	sel = data[0];
	cs = charset_at(sel % charset_count());
	data++;
	size--;

	/* decode */
	if (charset_decode(cc, cs, (const char *)data, size, &scratch, &t,
	    &bad)) {
		if (!utf8_valid(t.p, t.n, NULL))
			abort();
	} else if (bad > size)
		abort();

	/* the object checks, with the id of the data itself */
	blob_sha1(bc, data, size, id);
	if (blob_open(bc, data, size, 1 << 20, id, &raw, &d) == BLOB_OK) {
		memset(&w, 0, sizeof(w));
		w.cs = cs;
		w.length = -1;
		w.max = 1 << 20;
		if (blob_text(bc, raw.data, raw.len, &w, &t, sha, &d) ==
		    BLOB_OK && !utf8_valid(t.p, t.n, NULL))
			abort();
	}

	/* credentials file and a canonical request from the same bytes */
	buf_add(&text, data, size);
	if (memchr(text.data, '\0', text.len) == NULL) {
		char *q = strchr(text.data, '?');
		struct sigv4_header h[1] = { { "Host", "example.com" } };
		struct sigv4_request rq = { "GET", text.data, NULL, h, 1,
		    SIGV4_EMPTY_SHA256 };
		struct sigv4_scope sc = { "20150830T123600Z", "us-east-1",
		    "s3", (sel & 1) != 0 };

		if (creds_parse(text.data, "default", "fuzz", &c, &d) ==
		    CREDS_OK)
			creds_release(&c);
		if (q != NULL) {
			*q = '\0';
			rq.query = q + 1;
		}
		sigv4_canonical_request(&sc, &rq, &creq, &sh);
	}
	buf_release(&raw);
	buf_release(&d);
	buf_release(&scratch);
	buf_release(&text);
	buf_release(&creq);
	buf_release(&sh);
	return 0;
}
