#include "units.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double unit_seconds(const char *unit)
{
	static const struct { const char *name; double s; } units[] = {
		{ "seconds", 1.0 }, { "milliseconds", 1e-3 }, { "microseconds", 1e-6 }, { "nanoseconds", 1e-9 },
	};
	for (size_t i = 0; unit && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i].name) == 0)
			return units[i].s;
	return 0.0;
}

const char *unit_measured(const char *unit)
{
	static const char *const known[] = { "nanoseconds", "microseconds", "milliseconds", "seconds", "bytes" };
	for (size_t i = 0; unit && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(unit, known[i]) == 0)
			return known[i];
	return NULL;
}

static const struct unit_name {
	const char *canonical, *short_name, *aliases[4];
} unit_names[] = {
	{ "nanoseconds", "ns", { "ns", "nsec", "nanosecond", NULL } },
	{ "microseconds", "us", { "us", "usec", "\xc2\xb5s", "microsecond" } },
	{ "milliseconds", "ms", { "ms", "msec", "millisecond", NULL } },
	{ "seconds", "s", { "s", "sec", "second", NULL } },
	{ "samples", "samples", { "sample", "count", NULL, NULL } },
	{ "bytes", "B", { "B", "byte", NULL, NULL } },
};

const char *unit_parse(const char *name)
{
	for (size_t i = 0; name && i < sizeof(unit_names) / sizeof(unit_names[0]); i++) {
		const struct unit_name *u = &unit_names[i];
		if (strcmp(name, u->canonical) == 0)
			return u->canonical;
		for (size_t k = 0; k < 4 && u->aliases[k]; k++)
			if (strcmp(name, u->aliases[k]) == 0)
				return u->canonical;
	}
	return NULL;
}

const char *unit_parse_input(const char *name, double *scale)
{
	static const struct { const char *name; double scale; } multiples[] = {
		{ "KiB", 1024.0 }, { "kibibytes", 1024.0 }, { "MiB", 1048576.0 }, { "mebibytes", 1048576.0 },
	};
	*scale = 1.0;
	for (size_t i = 0; name && i < sizeof(multiples) / sizeof(multiples[0]); i++)
		if (strcmp(name, multiples[i].name) == 0) {
			*scale = multiples[i].scale;
			return "bytes";
		}
	return unit_parse(name);
}

const char *unit_short(const char *unit)
{
	for (size_t i = 0; unit && i < sizeof(unit_names) / sizeof(unit_names[0]); i++)
		if (strcmp(unit, unit_names[i].canonical) == 0)
			return unit_names[i].short_name;
	return unit;
}

void unit_format(double v, const char *unit, char *buf, size_t size)
{
	double s = unit_seconds(unit);
	double a = fabs(v);
	if (!isfinite(v)) {
		snprintf(buf, size, "%g", v);
	} else if (s > 0) {
		double t = v * s, at = a * s;
		if (at == 0)
			snprintf(buf, size, "0s");
		else if (at >= 100)
			snprintf(buf, size, "%.1fs", t);
		else if (at >= 1)
			snprintf(buf, size, "%.3fs", t);
		else if (at >= 1e-3)
			snprintf(buf, size, "%.3fms", t * 1e3);
		else if (at >= 1e-6)
			snprintf(buf, size, "%.3fus", t * 1e6);
		else
			snprintf(buf, size, "%.0fns", t * 1e9);
	} else if (unit && strcmp(unit, "bytes") == 0) {
		static const char *const suffix[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
		size_t k = 0;
		double x = v;
		while (fabs(x) >= 1024 && k + 1 < sizeof(suffix) / sizeof(suffix[0])) {
			x /= 1024;
			k++;
		}
		if (k == 0)
			snprintf(buf, size, "%.0fB", x);
		else
			snprintf(buf, size, "%.1f%s", x, suffix[k]);
	} else if (v == floor(v) && a < 1e15) {
		snprintf(buf, size, "%.0f", v);
	} else if (a >= 1000) {
		snprintf(buf, size, "%.1f", v);
	} else {
		snprintf(buf, size, "%.4g", v);
	}
}
