/* analysis/store_arrays.c: store_find_function() finds every stats entry of a
 * stored profile by (file, line, name) without loading it, with the stats the
 * loaded profile has, and finds nothing else. Profiles of 30 and 20,000
 * functions (one key chunk, and 2^6 of them) whose names come in pairs that
 * differ only in line; and the key is the documented FNV-1a. */
#include "unit.h"
#include "analysis/store.h"
#include "analysis/store_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct profile *make_profile(size_t n, unsigned salt)
{
	struct profile *p = profile_new();
	char buf[64];
	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "/src/mod%zu.py", i % 97);
		uint32_t file = profile_intern(p, buf, strlen(buf));
		snprintf(buf, sizeof(buf), "fn_%zu", i / 2);	/* pairs differ only in line */
		uint32_t name = profile_intern(p, buf, strlen(buf));
		int added;
		uint32_t k = profile_func(p, file, (int64_t)(i % 2) + 10, name, &added);
		struct pv_func *f = &p->funcs[k];
		f->flags = PV_FUNC_IN_STATS;
		f->calls = (int64_t)(i * 3 + salt);
		f->pcalls = (int64_t)i;
		f->tottime = (double)i / 7.0;
		f->cumtime = (double)i / 3.0;
		p->nstats = k + 1;
	}
	char hash[32];
	snprintf(hash, sizeof(hash), "test-%zu-%u", n, salt);
	p->content_hash = arena_strdup(&p->arena, hash);
	profile_compute_totals(p);
	return p;
}

int main(void)
{
	char dir[] = "/tmp/pv-store-keys-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char path[256];
	snprintf(path, sizeof(path), "%s/store.db", dir);
	struct pv_error err;
	pv_error_clear(&err);
	struct store *s = NULL;
	CHECK(store_open(path, STORE_WRITE, &s, &err) == 0);
	size_t sizes[] = { 30, 20000 };
	for (size_t k = 0; k < 2 && s; k++) {
		unit_case = k ? "20000 functions" : "30 functions";
		struct profile *p = make_profile(sizes[k], (unsigned)k);
		int64_t id = 0;
		int existed;
		CHECK(store_save_profile(s, p, &id, &existed, &err) == 0);
		struct profile *q = NULL;
		CHECK(store_load_profile(s, id, &q, &err) == 0);
		size_t found = 0, same = 0;
		for (size_t i = 0; q && i < q->nstats; i++) {
			const struct pv_func *f = &q->funcs[i];
			struct pv_func got;
			int64_t idx = -1;
			if (store_find_function(s, id, profile_str(q, f->file)->s, f->line, profile_str(q, f->name)->s, &got,
						&idx, &err) != 1)
				continue;
			found++;
			same += idx == (int64_t)i && got.calls == f->calls && got.pcalls == f->pcalls &&
				got.tottime == f->tottime && got.cumtime == f->cumtime && got.flags == f->flags;
		}
		CHECK_INT((long long)found, (long long)sizes[k]);
		CHECK_INT((long long)same, (long long)sizes[k]);
		struct pv_func got;
		int64_t idx;
		CHECK_INT(store_find_function(s, id, "/src/mod1.py", 12, "fn_0", &got, &idx, &err), 0);
		CHECK_INT(store_find_function(s, id, "/src/nowhere.py", 10, "fn_0", &got, &idx, &err), 0);
		CHECK_INT(store_find_function(s, id, "/src/mod0.py", 10, "fn_", &got, &idx, &err), 0);
		profile_free(p);
		profile_free(q);
	}
	unit_case = "no such profile";
	struct pv_func got;
	int64_t idx;
	CHECK(s && store_find_function(s, 99, "/src/mod0.py", 10, "fn_0", &got, &idx, &err) == -1);
	CHECK(err.kind == PV_ERROR_NOT_FOUND);
	/* the key is the documented FNV-1a 64 (docs/schema.md): "a" NUL "1" NUL "b" */
	unit_case = "key";
	const unsigned char fwd[] = { 'a', 0, '1', '2', 0, 'b' }, rev[] = { 'b', 0, '1', '2', 0, 'a' };
	uint64_t h[2] = { 0xcbf29ce484222325ull, 0xcbf29ce484222325ull }, key[2];
	for (size_t i = 0; i < sizeof(fwd); i++) {
		h[0] = (h[0] ^ fwd[i]) * 0x100000001b3ull;
		h[1] = (h[1] ^ rev[i]) * 0x100000001b3ull;
	}
	store_function_key("a", 1, 12, "b", 1, key);
	CHECK(key[0] == h[0] && key[1] == h[1]);
	store_close(s);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	return unit_done();
}
