PROGS += pii-scrub
pii-scrub_SRCS := filters/pii-scrub/main.c filters/pii-scrub/redact.c
UNIT_TESTS += test_pii test_redact
test_pii_SRCS :=
test_redact_SRCS := filters/pii-scrub/redact.c
FUZZ_TARGETS += fuzz_pii
fuzz_pii_SRCS :=
