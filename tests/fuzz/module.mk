# libFuzzer targets: tests/fuzz/<name>.c plus <name>_SRCS; corpus seeds in
# tests/fuzz/corpus/<name>/.
FUZZ_TARGETS += fuzz_rec
