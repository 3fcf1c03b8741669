PROGS += tok-count
TOKCOUNT_LIB := filters/tok-count/tokenizer.c filters/tok-count/pretok.c \
	filters/tok-count/bpe.c
tok-count_SRCS := filters/tok-count/main.c $(TOKCOUNT_LIB)
