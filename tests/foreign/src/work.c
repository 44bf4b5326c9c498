/* The native workload the valgrind, perf and gprof fixtures profile
 * (tests/foreign/make_fixtures.sh): recursion and a loop, some heap. */
#include <stdio.h>
#include <stdlib.h>

static long fib(int n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static double spin(long n)
{
	double s = 0;
	for (long i = 1; i < n; i++)
		s += 1.0 / (double)i;
	return s;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20;
	char *buf = malloc((size_t)1 << 16);
	if (!buf)
		return 1;
	buf[0] = 0;
	printf("%ld %f\n", fib(n), spin((long)n * 100000));
	free(buf);
	return 0;
}
