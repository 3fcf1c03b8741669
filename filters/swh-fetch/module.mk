UNIT_TESTS += test_sigv4
test_sigv4_SRCS := filters/swh-fetch/sigv4.c
# the unit tests include this directory's headers
$(BUILD)/tests/unit/test_sigv4.o: CFLAGS += -Ifilters/swh-fetch
UNIT_TESTS += test_blob
test_blob_SRCS := filters/swh-fetch/blob.c filters/swh-fetch/charset.c
$(BUILD)/tests/unit/test_blob.o: CFLAGS += -Ifilters/swh-fetch
