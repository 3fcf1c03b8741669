PROGS += dedup-exact
dedup-exact_SRCS := filters/dedup-exact/main.c filters/dedup-exact/keyset.c \
	filters/dedup-exact/normalize.c
UNIT_TESTS += test_normalize test_keyset
test_normalize_SRCS := filters/dedup-exact/normalize.c
test_keyset_SRCS := filters/dedup-exact/keyset.c
