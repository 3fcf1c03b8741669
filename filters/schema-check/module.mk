PROGS += schema-check
schema-check_SRCS := filters/schema-check/main.c filters/schema-check/jsv_load.c \
	filters/schema-check/jsv_valid.c filters/schema-check/jsv_format.c \
	filters/schema-check/jsv_uri.c filters/schema-check/jsv_map.c \
	filters/schema-check/quality.c filters/schema-check/ualnum.c \
	filters/schema-check/tally.c
UNIT_TESTS += test_jsv test_quality
test_jsv_SRCS := filters/schema-check/jsv_load.c filters/schema-check/jsv_valid.c \
	filters/schema-check/jsv_format.c filters/schema-check/jsv_uri.c \
	filters/schema-check/jsv_map.c
test_quality_SRCS := filters/schema-check/quality.c filters/schema-check/ualnum.c
FUZZ_TARGETS += fuzz_schema
fuzz_schema_SRCS := filters/schema-check/jsv_load.c filters/schema-check/jsv_valid.c \
	filters/schema-check/jsv_format.c filters/schema-check/jsv_uri.c \
	filters/schema-check/jsv_map.c
