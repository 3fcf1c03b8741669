PROGS += dedup-near
dedup-near_SRCS := filters/dedup-near/main.c filters/dedup-near/minhash.c \
	filters/dedup-near/shingle.c filters/dedup-near/index.c \
	filters/dedup-near/lsh.c filters/dedup-near/cluster.c \
	filters/dedup-near/signer.c filters/dedup-near/sigfile.c
UNIT_TESTS += test_minhash test_shingle test_cluster test_sigfile
test_minhash_SRCS := filters/dedup-near/minhash.c
test_shingle_SRCS := filters/dedup-near/shingle.c filters/dedup-near/minhash.c
test_cluster_SRCS := filters/dedup-near/index.c filters/dedup-near/lsh.c \
	filters/dedup-near/cluster.c filters/dedup-near/minhash.c \
	filters/dedup-near/shingle.c
test_sigfile_SRCS := filters/dedup-near/sigfile.c
FUZZ_TARGETS += fuzz_sigfile fuzz_shingle
fuzz_sigfile_SRCS := filters/dedup-near/sigfile.c
fuzz_shingle_SRCS := filters/dedup-near/shingle.c
