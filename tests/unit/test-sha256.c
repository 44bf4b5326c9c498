/* analysis/sha256: the NIST FIPS 180-2 example vectors, padding boundaries, and
 * incremental updates split every which way. */
#include "unit.h"
#include "analysis/sha256.h"

#include <stdlib.h>

static void hex_of(const uint8_t d[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
}

static void check_oneshot(const char *what, const void *data, size_t n, const char *want)
{
	char hex[65];
	unit_case = what;
	sha256_hex(data, n, hex);
	CHECK_STR(hex, want);
	/* the same through init/update/final */
	struct sha256 s;
	uint8_t d[32];
	sha256_init(&s);
	sha256_update(&s, data, n);
	sha256_final(&s, d);
	hex_of(d, hex);
	CHECK_STR(hex, want);
	unit_case = "";
}

static void test_nist(void)
{
	check_oneshot("empty", "", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_oneshot("abc", "abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check_oneshot("448-bit", m448, strlen(m448),
		      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	check_oneshot("896-bit", m896, strlen(m896),
		      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");

	/* one million 'a': one shot, and fed in uneven pieces */
	size_t n = 1000000;
	char *a = malloc(n);
	memset(a, 'a', n);
	check_oneshot("1M a", a, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	struct sha256 s;
	uint8_t d[32];
	char hex[65];
	sha256_init(&s);
	for (size_t off = 0, step = 1; off < n; step = step * 3 % 1000 + 1) {
		size_t take = step < n - off ? step : n - off;
		sha256_update(&s, a + off, take);
		off += take;
	}
	sha256_final(&s, d);
	hex_of(d, hex);
	unit_case = "1M a in pieces";
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	unit_case = "";
	free(a);
}

/* Lengths around the 55/56/64-byte padding edges; digests from Python's hashlib
 * for bytes((i * 7 + 3) & 0xff for i in range(len)). */
static void test_padding_edges(void)
{
	static const struct {
		size_t len;
		const char *hex;
	} cases[] = {
		{ 55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b" },
		{ 56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27" },
		{ 57, "35df609437dcfea3279283ab79fd554e2bf78f8f7ae2de532d8ee300b09e8f73" },
		{ 63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055" },
		{ 64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241" },
		{ 65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e" },
		{ 119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e" },
		{ 120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5" },
		{ 127, "a8d23e75d936f303d248888d9b165ee543f4cbafcad3c9dd2a79bd84faa11d07" },
		{ 128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6" },
		{ 129, "307f8fc2c1622b92762e818d39a185d4d667ad49a4b07ceae1f4afa008a93ec4" },
	};
	uint8_t buf[129];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)((i * 7 + 3) & 0xff);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char what[32];
		snprintf(what, sizeof(what), "len %zu", cases[c].len);
		check_oneshot(what, buf, cases[c].len, cases[c].hex);
	}
}

/* Every split of a 200-byte message into two updates (plus an empty update in the
 * middle) gives the one-shot digest. */
static void test_splits(void)
{
	uint8_t msg[200];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 31 + 1);
	for (size_t len = 0; len <= sizeof(msg); len += 13) {
		char want[65];
		sha256_hex(msg, len, want);
		int all_same = 1;
		for (size_t cut = 0; cut <= len; cut++) {
			struct sha256 s;
			uint8_t d[32];
			char hex[65];
			sha256_init(&s);
			sha256_update(&s, msg, cut);
			sha256_update(&s, msg, 0);
			sha256_update(&s, msg + cut, len - cut);
			sha256_final(&s, d);
			hex_of(d, hex);
			if (strcmp(hex, want) != 0)
				all_same = 0;
		}
		CHECK(all_same);
	}
	/* distinct inputs, distinct digests (a sanity check of the plumbing) */
	char h1[65], h2[65];
	sha256_hex("abd", 3, h1);
	sha256_hex("abc", 3, h2);
	CHECK(strcmp(h1, h2) != 0);
	CHECK_INT(strlen(h1), 64);
}

int main(void)
{
	test_nist();
	test_padding_edges();
	test_splits();
	return UNIT_DONE();
}
