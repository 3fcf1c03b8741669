PROGS += dedup-near
dedup-near_SRCS := filters/dedup-near/main.c filters/dedup-near/minhash.c \
	filters/dedup-near/shingle.c filters/dedup-near/index.c \
	filters/dedup-near/lsh.c filters/dedup-near/cluster.c \
	filters/dedup-near/signer.c filters/dedup-near/sigfile.c
