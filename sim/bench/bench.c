/* `mailsim bench`: the table of benchmarks, the dispatcher and the helpers
 * they share (clocks, memory figures, option parsing, JSON output). */
#include "sim/bench/bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

const struct bench_entry bench_table[] = {
#define BENCH(name, summary) {#name, summary, bench_##name##_main},
#include "sim/bench/bench_list.h"
#undef BENCH
	{NULL, NULL, NULL},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: mailsim bench NAME [--json] [options]\n\n"
		     "Runs a benchmark and prints its figures (with --json: one JSON object on stdout).\n"
		     "Benchmarks are not tests: they measure, they do not judge.\n\n"
		     "Benchmarks:\n");
	for (const struct bench_entry *b = bench_table; b->name; b++)
		fprintf(out, "  %-10s %s\n", b->name, b->summary);
	fprintf(out, "\nRun 'mailsim bench NAME --help' for a benchmark's options.\n"
		     "Exit codes: 0 ok, 1 the measured run was broken, 2 usage error.\n");
}

int bench_command(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (const struct bench_entry *b = bench_table; b->name; b++)
		if (strcmp(b->name, argv[1]) == 0)
			return b->run(argc - 1, argv + 1);
	fprintf(stderr, "mailsim bench: unknown benchmark '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

int64_t bench_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t bench_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint64_t bench_peak_rss_bytes(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024; /* Linux reports kilobytes */
}

uint64_t bench_rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return 0;
	unsigned long size = 0, resident = 0;
	int n = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	if (n != 2)
		return 0;
	long page = sysconf(_SC_PAGESIZE);
	return (uint64_t)resident * (uint64_t)(page > 0 ? page : 4096);
}

uint64_t bench_malloc_bytes(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();
	return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
#else
	return 0;
#endif
}

double bench_load_average(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	if (!f)
		return -1;
	double load = -1;
	if (fscanf(f, "%lf", &load) != 1)
		load = -1;
	fclose(f);
	return load;
}

int bench_parse_count(const char *text, uint64_t *value_r)
{
	if (!text || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno)
		return -1;
	uint64_t mult = 1;
	if (*end == 'k' || *end == 'K')
		mult = 1000, end++;
	else if (*end == 'M')
		mult = 1000000, end++;
	if (*end || (mult > 1 && v > UINT64_MAX / mult))
		return -1;
	*value_r = (uint64_t)v * mult;
	return 0;
}

int bench_parse_counts(const char *text, uint64_t *values_r, int max)
{
	int n = 0;
	const char *p = text;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char item[32];
		if (len == 0 || len >= sizeof item || n == max)
			return -1;
		memcpy(item, p, len);
		item[len] = '\0';
		if (bench_parse_count(item, &values_r[n]) < 0)
			return -1;
		n++;
		if (!comma)
			return n;
		p = comma + 1;
	}
}

int bench_print_json(cJSON **root)
{
	char *text = cJSON_Print(*root);
	cJSON_Delete(*root);
	*root = NULL;
	if (!text)
		return -1;
	int rc = printf("%s\n", text) < 0 ? -1 : 0;
	free(text);
	fflush(stdout);
	return rc;
}

char *bench_fmt_count(double n, char *buf, size_t size)
{
	char digits[32];
	snprintf(digits, sizeof digits, "%.0f", n < 0 ? -n : n);
	size_t len = strlen(digits), o = 0;
	if (n < 0 && o + 1 < size)
		buf[o++] = '-';
	for (size_t i = 0; i < len && o + 1 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0 && o + 2 < size)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}
