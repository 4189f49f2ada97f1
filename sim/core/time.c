/* Formatting and parsing of simulated time values. */
#include "sim/core/time.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *sim_time_format(sim_time t, char *buf, size_t size)
{
	const char *sign = "";
	uint64_t u = (uint64_t)t;
	if (t < 0) {
		sign = "-";
		u = (uint64_t)0 - (uint64_t)t;
	}
	snprintf(buf, size, "%s%llu.%09llu", sign, (unsigned long long)(u / 1000000000u),
		 (unsigned long long)(u % 1000000000u));
	return buf;
}

int sim_time_parse(const char *text, sim_time *out_r)
{
	if (!text)
		return -1;
	while (isspace((unsigned char)*text))
		text++;
	if (!isdigit((unsigned char)*text) && *text != '.')
		return -1;
	errno = 0;
	char *end = NULL;
	double v = strtod(text, &end);
	if (errno || end == text || !isfinite(v) || v < 0)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"min", 60e9}, {"h", 3600e9}};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].unit) == 0) {
			double ns = v * units[i].ns;
			if (ns > 9.2e18)
				return -1;
			*out_r = (sim_time)llround(ns);
			return 0;
		}
	}
	return -1;
}
