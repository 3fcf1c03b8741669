PROGS += stats-agg
stats-agg_SRCS := filters/stats-agg/main.c filters/stats-agg/measure.c \
	filters/stats-agg/sketch.c filters/stats-agg/tables.c \
	filters/stats-agg/stats.c filters/stats-agg/report.c \
	filters/stats-agg/html.c
STATS_AGG_LIB := filters/stats-agg/measure.c filters/stats-agg/sketch.c \
	filters/stats-agg/tables.c filters/stats-agg/stats.c \
	filters/stats-agg/report.c
UNIT_TESTS += test_measure test_sketch test_tables test_statsagg
test_measure_SRCS := filters/stats-agg/measure.c
test_sketch_SRCS := filters/stats-agg/sketch.c
test_tables_SRCS := filters/stats-agg/tables.c
test_statsagg_SRCS := $(STATS_AGG_LIB)
FUZZ_TARGETS += fuzz_statsagg_state fuzz_statsagg_measure
fuzz_statsagg_state_SRCS := $(STATS_AGG_LIB) filters/stats-agg/html.c
fuzz_statsagg_measure_SRCS := filters/stats-agg/measure.c
