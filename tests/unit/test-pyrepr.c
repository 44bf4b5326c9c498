/* analysis/pyrepr: float, str (Python 3) and byte str (Python 2) repr() against
 * tables Python generated
 * (pyrepr_cases.h, from gen_pyrepr_cases.py).
 *
 *   test-pyrepr                 run the checks
 *   test-pyrepr --random N SEED print N "hexfloat<TAB>pyrepr_float" lines for
 *                               check_pyrepr_random.py to compare with Python
 */
#include "unit.h"
#include "analysis/pyrepr.h"

#include <math.h>
#include <stdlib.h>

#include "pyrepr_cases.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_float_table(void)
{
	for (size_t i = 0; i < NELEM(float_cases); i++) {
		char buf[32];
		memset(buf, 'X', sizeof(buf));
		pyrepr_float(float_cases[i].v, buf);
		unit_case = float_cases[i].repr;
		CHECK_STR(buf, float_cases[i].repr);
	}
	unit_case = "";
}

/* Every output reads back as the same double (the other half of "shortest
 * round-trip"; the table and the random check cover the "shortest"). */
static void test_float_roundtrip(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int ok = 1, fits = 1;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double v;
		memcpy(&v, &x, sizeof(v));
		if (!isfinite(v))
			continue;
		char buf[40];
		memset(buf, 0, sizeof(buf));
		pyrepr_float(v, buf);
		if (buf[31] != '\0' || strlen(buf) > 31)
			fits = 0;
		double back = strtod(buf, NULL);
		if (memcmp(&back, &v, sizeof(v)) != 0) {
			if (ok)
				fprintf(stderr, "    %a printed as %s\n", v, buf);
			ok = 0;
		}
	}
	CHECK(ok);
	CHECK(fits);
}

static void test_str_table(void)
{
	for (size_t i = 0; i < NELEM(str_cases); i++) {
		struct strbuf sb = STRBUF_INIT;
		pyrepr_str(&sb, str_cases[i].s, str_cases[i].n);
		unit_case = str_cases[i].repr;
		CHECK_MEM(strbuf_str(&sb), sb.len, str_cases[i].repr, strlen(str_cases[i].repr));
		strbuf_reset(&sb);
		pyrepr_bytes(&sb, str_cases[i].s, str_cases[i].n);
		unit_case = str_cases[i].repr2;
		CHECK_MEM(strbuf_str(&sb), sb.len, str_cases[i].repr2, strlen(str_cases[i].repr2));
		strbuf_release(&sb);
	}
	unit_case = "";
	/* pyrepr_str appends */
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "<");
	pyrepr_str(&sb, "x", 1);
	strbuf_adds(&sb, ">");
	CHECK_STR(strbuf_str(&sb), "<'x'>");
	strbuf_release(&sb);
}

static int dump_random(long n, unsigned long seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
	for (long i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double v;
		switch (i % 5) {
		case 0:	/* any bit pattern */
			memcpy(&v, &x, sizeof(v));
			break;
		case 1:	/* short decimals near the layout switch points */
			v = (double)(x % 100000) * pow(10.0, (double)((int)(x >> 32) % 26 - 12));
			break;
		case 2:	/* timings as a profiler sums them */
			v = (double)(x % 1000000007) * 1e-9 + (double)((x >> 40) % 1000) * 1e-6;
			break;
		case 3:	/* any mantissa between 1e-10 and 1e15 (pyrepr.c's integer path) */
			v = ldexp((double)((x >> 11) | (1ull << 52)), (int)((x >> 3) % 84) - 86);
			break;
		default:	/* neighbours of round numbers */
			v = nextafter(pow(10.0, (double)((int)(x % 40) - 20)), (x >> 63) ? INFINITY : 0.0);
			break;
		}
		char buf[32];
		pyrepr_float(v, buf);
		printf("%a\t%s\n", v, buf);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--random") == 0)
		return dump_random(atol(argv[2]), strtoul(argv[3], NULL, 10));
	test_float_table();
	test_float_roundtrip();
	test_str_table();
	return UNIT_DONE();
}
