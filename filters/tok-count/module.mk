PROGS += tok-count
TOKCOUNT_LIB := filters/tok-count/tokenizer.c filters/tok-count/pretok.c \
	filters/tok-count/ucd16.c \
	filters/tok-count/bpe.c
tok-count_SRCS := filters/tok-count/main.c $(TOKCOUNT_LIB)
UNIT_TESTS += test_bpe test_pretok
test_bpe_SRCS := filters/tok-count/bpe.c
test_pretok_SRCS := filters/tok-count/pretok.c filters/tok-count/ucd16.c
FUZZ_TARGETS += fuzz_tok
fuzz_tok_SRCS := filters/tok-count/pretok.c filters/tok-count/bpe.c \
	filters/tok-count/ucd16.c
