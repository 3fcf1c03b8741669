# Unit tests: tests/unit/<name>.c, linked with libcommon.a and <name>_SRCS.
UNIT_TESTS += test_jscan test_rec test_stream test_opt test_metrics test_run
