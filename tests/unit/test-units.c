/* analysis/units.c: the one parser of unit names and their conversions. */
#include "unit.h"
#include "analysis/units.h"

#include <string.h>

static int same(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

int main(void)
{
	static const char *const cases[][2] = {
		{ "ns", "nanoseconds" }, { "nanoseconds", "nanoseconds" }, { "nsec", "nanoseconds" },
		{ "us", "microseconds" }, { "\xc2\xb5s", "microseconds" }, { "usec", "microseconds" },
		{ "ms", "milliseconds" }, { "s", "seconds" }, { "seconds", "seconds" }, { "sec", "seconds" },
		{ "samples", "samples" }, { "count", "samples" }, { "bytes", "bytes" }, { "B", "bytes" },
		{ "US", NULL }, { "", NULL }, { "minutes", NULL }, { "kb", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_case = cases[i][0];
		CHECK(same(unit_parse(cases[i][0]), cases[i][1]));
	}
	unit_case = "";
	CHECK(unit_parse(NULL) == NULL);
	CHECK(same(unit_short("microseconds"), "us"));
	CHECK(same(unit_short("bytes"), "B"));
	CHECK(same(unit_short("furlongs"), "furlongs"));
	CHECK(unit_seconds(unit_parse("ms")) == 1e-3);
	CHECK(unit_seconds(unit_parse("samples")) == 0);
	/* import --unit: unit_parse()'s names at scale 1, and KiB/MiB stored as bytes */
	double scale = 0;
	CHECK(same(unit_parse_input("us", &scale), "microseconds") && scale == 1.0);
	CHECK(same(unit_parse_input("KiB", &scale), "bytes") && scale == 1024.0);
	CHECK(same(unit_parse_input("MiB", &scale), "bytes") && scale == 1048576.0);
	CHECK(same(unit_parse_input("B", &scale), "bytes") && scale == 1.0);
	CHECK(unit_parse_input("KB", &scale) == NULL);
	CHECK(unit_parse_input(NULL, &scale) == NULL);
	CHECK(unit_parse("KiB") == NULL);	/* not a unit a profile is stored in */
	return UNIT_DONE();
}
