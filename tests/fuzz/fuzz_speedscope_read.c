/* libFuzzer target: the speedscope JSON reader (formats/speedscope_read.c, json_pull.c)
 * on arbitrary bytes, through profile_read_buffer() with the format forced to
 * speedscope. The input's last byte picks the options: bit 0 --lenient, bit 1
 * --merge-threads (JSON allows trailing whitespace, and the reader ignores what
 * follows the root value, so a seed keeps its meaning whatever byte ends it).
 * Every input must either parse into self-consistent tree profiles
 * (fuzz_tree_check.h) or fail with a one-line error; parsed profiles are
 * printed as `profview sort` would.
 *
 *   clang -fsanitize=fuzzer,address,undefined ...   (tests/fuzz/meson.build, -Dfuzz=enabled)
 *   fuzz-replay-speedscope FILE|DIR...               (any compiler: replay_main.c)
 *   fuzz-speedscope-read -dict=tests/fuzz/speedscope.dict CORPUS_DIR
 */
#define FUZZ_NAME "fuzz_speedscope_read"
#include "fuzz_tree_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy of exactly size bytes, so ASan sees any read past the end */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	uint8_t pick = size ? data[size - 1] : 0;
	struct read_options o = { .format = FORMAT_SPEEDSCOPE, .lenient = pick & 1, .merge = (pick >> 1) & 1 };
	struct profile_list list = { 0 };
	struct pv_error err;
	pv_error_clear(&err);
	int rc = profile_read_buffer(buf, size, &o, &list, &err);
	if (rc != 0) {
		fuzz_check_error(rc, &err, size);
		if (list.n != 0)
			fuzz_die("a failed read left %zu profiles in the list", list.n);
	} else {
		if (list.n == 0)
			fuzz_die("a parsed speedscope file without profiles");
		if (o.merge && list.n != 1)
			fuzz_die("--merge-threads gave %zu profiles", list.n);
		if (list.n > PV_MAX_PARTS)
			fuzz_die("%zu profiles from one file, more than %d", list.n, PV_MAX_PARTS);
		for (size_t i = 0; i < list.n; i++) {
			const struct profile *p = list.v[i];
			fuzz_check_profile(p);
			if (!o.merge && (p->nparts != (int)list.n || p->part != (int)i))
				fuzz_die("profile %zu of %zu says part %d of %d", i, list.n, p->part, p->nparts);
			if (!o.lenient && p->repaired_events)
				fuzz_die("%lld events repaired without --lenient", (long long)p->repaired_events);
		}
		/* printing every thread of a big file is slow and adds nothing */
		fuzz_print_profile(list.v[0], (uint8_t)(pick >> 2));
	}
	profile_list_release(&list);
	free(buf);
	return 0;
}
