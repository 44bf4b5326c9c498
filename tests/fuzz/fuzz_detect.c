/* libFuzzer target: format detection on arbitrary bytes -- the foreign-format
 * recognisers (formats/detect.c: a JSON scanner, a protobuf walk, line tests)
 * and the folded evidence rule -- then whichever reader profile_read_buffer()
 * picks with the format left to the content.
 *
 * Detection must not read past its input, whole or cut short (an incomplete
 * head, as a big file's first 64 KiB are); a claim is one line that says what
 * the input is ("is ..."); an input it claims is never read as a profile and is
 * refused with that same line. Every read either parses into profiles that keep
 * their promises (fuzz_tree_check.h, tree kinds; the first is printed as `sort`
 * would) or fails with a one-line error.
 *
 *   clang -fsanitize=fuzzer,address,undefined ...   (tests/fuzz/meson.build, -Dfuzz=enabled)
 *   fuzz-replay-detect FILE|DIR...                   (any compiler: replay_main.c)
 */
#define FUZZ_NAME "fuzz_detect"
#include "fuzz_tree_check.h"
#include "../../formats/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* detect_foreign() on an exact-size copy of the first n bytes. */
static int fuzz_detect(const uint8_t *data, size_t n, int complete, struct pv_error *err)
{
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		abort();
	if (n)
		memcpy(buf, data, n);
	pv_error_clear(err);
	int claimed = detect_foreign(buf, n, complete, "in put's", 0, err);
	free(buf);
	if (claimed) {
		fuzz_check_error(-1, err, n);
		if (!err->predicate || strncmp(err->message, "is ", 3) != 0)
			fuzz_fail_err("a claim that does not say what the input is", err);
	} else if (claimed != 0) {
		fuzz_die("detect_foreign returned %d", claimed);
	}
	return claimed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pv_error claim, cut, err;
	int claimed = fuzz_detect(data, size, 1, &claim);
	fuzz_detect(data, size / 2, 0, &cut);

	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	struct read_options o = { .format = FORMAT_AUTO, .lenient = size && (data[0] & 1) };
	struct profile_list list = { 0 };
	pv_error_clear(&err);
	int rc = profile_read_buffer(buf, size, &o, &list, &err);
	if (rc != 0) {
		fuzz_check_error(rc, &err, size);
		if (list.n != 0)
			fuzz_die("a failed read left %zu profiles in the list", list.n);
	} else {
		if (claimed && size < PROFILE_HEAD)
			fuzz_fail_err("an input detection claims was read as a profile", &claim);
		for (size_t i = 0; i < list.n; i++)
			if (list.v[i]->kind != PV_KIND_CALLS)
				fuzz_check_profile(list.v[i]);
		if (list.n && list.v[0]->kind != PV_KIND_CALLS)
			fuzz_print_profile(list.v[0], size ? data[size - 1] : 0);
	}
	/* the whole input is the head: a claim is the refusal, word for word (but
	 * the advice, which names no path here) */
	if (claimed && size < PROFILE_HEAD) {
		size_t what = strcspn(claim.message, ":");
		if (rc == 0 || !err.predicate || strncmp(err.message, claim.message, what) != 0)
			fuzz_fail_err("detection claims the input, the read says otherwise", &err);
	}
	profile_list_release(&list);
	free(buf);
	return 0;
}
