PROGS += swh-fetch
swh-fetch_SRCS := filters/swh-fetch/main.c filters/swh-fetch/fetch.c \
	filters/swh-fetch/blob.c filters/swh-fetch/charset.c \
	filters/swh-fetch/sigv4.c filters/swh-fetch/creds.c \
	filters/swh-fetch/tasks.c
UNIT_TESTS += test_sigv4 test_blob
test_sigv4_SRCS := filters/swh-fetch/sigv4.c
test_blob_SRCS := filters/swh-fetch/blob.c filters/swh-fetch/charset.c
FUZZ_TARGETS += fuzz_swh_fetch
fuzz_swh_fetch_SRCS := filters/swh-fetch/blob.c filters/swh-fetch/charset.c \
	filters/swh-fetch/creds.c filters/swh-fetch/sigv4.c
