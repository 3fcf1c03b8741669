PROGS += schema-check
schema-check_SRCS := filters/schema-check/main.c filters/schema-check/jsv_load.c \
	filters/schema-check/jsv_valid.c filters/schema-check/jsv_format.c \
	filters/schema-check/jsv_uri.c filters/schema-check/jsv_map.c \
	filters/schema-check/quality.c filters/schema-check/ualnum.c \
	filters/schema-check/tally.c
