/* The benchmarks behind `mailsim bench NAME [--json] [options]`.
 *
 * Benchmarks are programs that print figures; tests never assert on their
 * wall time. Each one is a function bench_<name>_main(argc, argv) listed in
 * bench_list.h: argv[0] is the benchmark's name, the rest its options (each
 * benchmark parses its own with getopt_long, and accepts --json and --help).
 * It prints a readable report, or with --json exactly one JSON object on
 * stdout, and returns the exit code: 0 ok, 1 the run was broken (a benchmark
 * that measured a failed run says so and fails), 2 usage error.
 *
 * This header also has the small helpers the benchmarks share: clocks,
 * memory figures and JSON output. */
#ifndef SIM_BENCH_H
#define SIM_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define BENCH(name, summary) int bench_##name##_main(int argc, char **argv);
#include "sim/bench/bench_list.h"
#undef BENCH

struct bench_entry {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/* The benchmarks, ended by a row with a NULL name. */
extern const struct bench_entry bench_table[];

/* The `mailsim bench` subcommand: argv[0] is "bench", argv[1] the
 * benchmark's name. Returns the process exit code. */
int bench_command(int argc, char **argv);

/* Monotonic wall clock, nanoseconds. */
int64_t bench_wall_ns(void);
/* CPU time of this process (user + system), nanoseconds. */
int64_t bench_cpu_ns(void);
/* Peak resident set of the process so far (getrusage ru_maxrss), bytes. */
uint64_t bench_peak_rss_bytes(void);
/* Current resident set (/proc/self/statm), bytes; 0 if unknown. */
uint64_t bench_rss_bytes(void);
/* Bytes currently allocated through malloc (glibc mallinfo2), or 0 where
 * that is not available (other libcs, sanitizer builds). */
uint64_t bench_malloc_bytes(void);

/* The 1-minute load average (/proc/loadavg), or -1 if unknown: printed
 * beside the figures, since other work on the machine inflates wall time. */
double bench_load_average(void);

/* Parses a non-negative integer option with an optional k/M suffix (1000,
 * 10k, 10M). Returns 0, or -1 if text is not such a number. */
int bench_parse_count(const char *text, uint64_t *value_r);
/* Parses a comma-separated list of counts ("100,1000,10k") into at most max
 * values. Returns how many, or -1 on a bad list. */
int bench_parse_counts(const char *text, uint64_t *values_r, int max);

/* Prints root as one JSON document and a newline on stdout and frees it
 * (sets *root to NULL). Returns 0, or -1 if it could not be printed. */
int bench_print_json(cJSON **root);

/* Formats n with thousands separators ("10,000,000") into buf. Returns buf. */
char *bench_fmt_count(double n, char *buf, size_t size);

#endif
