/* libFuzzer target: the folded-stacks reader (formats/folded_read.c, and
 * austin_read.c for Austin's lines) on arbitrary bytes, through
 * profile_read_buffer() with the format forced to folded (so the content
 * detection never turns an input away). Every input must either parse into
 * self-consistent sampled profiles (fuzz_tree_check.h; one per thread of an
 * Austin file) or fail with a one-line error. The parsed profiles are printed
 * as `profview sort` would, and their functions written as folded frames must
 * split back into themselves (formats/folded_frame.c).
 *
 * The reader streams: profile_read_path() feeds it 1 MiB chunks, so lines, BOMs,
 * CRLF pairs and UTF-16 code units get split anywhere. The same bytes are
 * therefore fed once more through folded_reader_feed() in small chunks (sizes
 * picked by the input's first byte) and the result must be identical.
 *
 *   clang -fsanitize=fuzzer,address,undefined ...   (tests/fuzz/meson.build, -Dfuzz=enabled)
 *   fuzz-replay-folded FILE|DIR...                   (any compiler: replay_main.c)
 */
#define FUZZ_NAME "fuzz_folded_read"
#include "fuzz_tree_check.h"
#include "../../analysis/strbuf.h"
#include "../../formats/folded_frame.h"
#include "../../formats/folded_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input fed in chunks; returns the reader's status, the profiles in *out. */
static int fuzz_feed_chunked(const uint8_t *buf, size_t size, uint8_t pick, struct profile_list *out,
			     struct pv_error *err)
{
	static const size_t sizes[] = { 1, 2, 3, 5, 7, 13, 64, 4093 };
	struct folded_reader *r = folded_reader_new(NULL);
	size_t at = 0, k = pick;
	int rc = 0;
	while (at < size && rc == 0) {
		size_t n = sizes[k++ % (sizeof(sizes) / sizeof(sizes[0]))];
		if (n > size - at)
			n = size - at;
		/* each chunk an exact-size copy: ASan sees a read past its end */
		uint8_t *chunk = malloc(n);
		if (!chunk)
			abort();
		memcpy(chunk, buf + at, n);
		rc = folded_reader_feed(r, chunk, n, err);
		free(chunk);
		at += n;
	}
	if (rc == 0)
		rc = folded_reader_finish(r, out, err);
	folded_reader_free(r);
	return rc;
}

static void fuzz_compare(const struct profile *a, const struct profile *b)
{
	if (a->part != b->part || a->nparts != b->nparts || (a->thread == NULL) != (b->thread == NULL) ||
	    (a->thread && strcmp(a->thread, b->thread) != 0) || strcmp(a->unit, b->unit) != 0)
		fuzz_die("chunked feed differs in part, thread or unit");
	if (a->nnodes != b->nnodes || a->nfuncs != b->nfuncs || a->nedges != b->nedges)
		fuzz_die("chunked feed differs: %zu/%zu/%zu nodes/functions/edges, whole %zu/%zu/%zu", b->nnodes,
			 b->nfuncs, b->nedges, a->nnodes, a->nfuncs, a->nedges);
	if (a->total_weight != b->total_weight || a->total_samples != b->total_samples)
		fuzz_die("chunked feed differs: weight %.17g samples %lld, whole %.17g %lld", b->total_weight,
			 (long long)b->total_samples, a->total_weight, (long long)a->total_samples);
	if (a->skipped_lines != b->skipped_lines || a->first_skipped_line != b->first_skipped_line)
		fuzz_die("chunked feed differs: skipped %lld first %lld, whole %lld first %lld",
			 (long long)b->skipped_lines, (long long)b->first_skipped_line, (long long)a->skipped_lines,
			 (long long)a->first_skipped_line);
	for (size_t i = 0; i < a->nnodes; i++)
		if (a->nodes[i].parent != b->nodes[i].parent || a->nodes[i].func != b->nodes[i].func ||
		    a->nodes[i].self != b->nodes[i].self || a->nodes[i].count != b->nodes[i].count)
			fuzz_die("chunked feed differs at node %zu", i);
	for (size_t f = 0; f < a->nfuncs; f++) {
		const struct pv_str *an = profile_str(a, a->funcs[f].name), *bn = profile_str(b, b->funcs[f].name);
		const struct pv_str *af = profile_str(a, a->funcs[f].file), *bf = profile_str(b, b->funcs[f].file);
		if (an->len != bn->len || memcmp(an->s, bn->s, an->len) || af->len != bf->len ||
		    memcmp(af->s, bf->s, af->len) || a->funcs[f].line != b->funcs[f].line ||
		    a->funcs[f].annotation != b->funcs[f].annotation)
			fuzz_die("chunked feed differs at function %zu", f);
	}
}

/* export --to folded writes each function as folded_frame_write() does: a frame
 * it calls exact splits back into the function; and a function read from plain
 * folded text (not Austin's, whose frames have a rule of their own) is written
 * exactly, or renamed when it holds a CR (';' and LF cannot be in a frame). */
static void fuzz_check_frames(const struct profile *p)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t f = 0; f < p->nfuncs; f++) {
		const struct pv_func *fn = &p->funcs[f];
		const struct pv_str *name = profile_str(p, fn->name), *file = profile_str(p, fn->file);
		struct folded_frame fr = { name->s, file->s, name->len, file->len, fn->line, fn->annotation }, back;
		strbuf_reset(&sb);
		enum folded_frame_written how = folded_frame_write(&sb, &fr);
		if (how == FOLDED_FRAME_EXACT) {
			folded_frame_split(sb.buf, sb.len, &back);
			if (back.name_len != fr.name_len || memcmp(back.name, fr.name, fr.name_len) ||
			    back.file_len != fr.file_len || memcmp(back.file, fr.file, fr.file_len) ||
			    back.line != (fr.line > 0 ? fr.line : 0) || back.annotation != fr.annotation)
				fuzz_die("function %zu: its frame '%.*s' was called exact but splits otherwise", f,
					 (int)sb.len, sb.buf);
		}
		int cr = memchr(name->s, '\r', name->len) || memchr(file->s, '\r', file->len);
		if (!p->producer && how != FOLDED_FRAME_EXACT && !(cr && how == FOLDED_FRAME_RENAMED))
			fuzz_die("function %zu read from a frame is written as '%.*s' (%d), not back as itself", f,
				 (int)sb.len, sb.buf, (int)how);
	}
	strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy of exactly size bytes, so ASan sees any read past the end */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	struct read_options o = { .format = FORMAT_FOLDED };
	struct profile_list list = { 0 };
	struct pv_error err, err2;
	pv_error_clear(&err);
	pv_error_clear(&err2);
	int rc = profile_read_buffer(buf, size, &o, &list, &err);
	uint8_t pick = size ? data[0] : 0;
	struct profile_list chunked = { 0 };
	int rc2 = fuzz_feed_chunked(buf, size, pick, &chunked, &err2);
	if (rc != 0) {
		fuzz_check_error(rc, &err, size);
		if (list.n != 0 || chunked.n != 0)
			fuzz_die("a failed read left %zu profiles in the list", list.n + chunked.n);
		if (rc2 == 0)
			fuzz_fail_err("the whole input fails, the chunked feed parses", &err);
		if (strcmp(err.message, err2.message) != 0)
			fuzz_die("chunked feed fails differently: '%s' vs '%s'", err2.message, err.message);
	} else {
		if (list.n < 1 || list.n > PV_MAX_PARTS)
			fuzz_die("a folded file read into %zu profiles", list.n);
		if (rc2 != 0)
			fuzz_fail_err("the whole input parses, the chunked feed fails", &err2);
		if (chunked.n != list.n)
			fuzz_die("chunked feed gives %zu profiles, whole %zu", chunked.n, list.n);
		for (size_t i = 0; i < list.n; i++) {
			const struct profile *p = list.v[i];
			if (p->kind != PV_KIND_SAMPLED)
				fuzz_die("a folded profile of kind %d", (int)p->kind);
			if (p->nparts != (int)list.n || (list.n > 1 && p->part != (int)i))
				fuzz_die("profile %zu of %zu says part %d of %d", i, list.n, p->part, p->nparts);
			fuzz_check_profile(p);
			fuzz_check_frames(p);
			fuzz_compare(p, chunked.v[i]);
			fuzz_print_profile(p, size ? data[size - 1] : 0);
		}
	}
	profile_list_release(&chunked);
	profile_list_release(&list);
	free(buf);
	return 0;
}
