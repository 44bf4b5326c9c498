/* A decoder for Python's marshal format, versions 0-4 as written by Python 2.7 and
 * every Python 3: enough of it to read profiles (.prof files) and to skip over
 * anything else a producer put in them (code objects, sets, complex numbers).
 *
 * Ownership: decoded values and their arrays live in the arena passed in; string
 * values point into the input buffer, which must outlive them.
 */
#ifndef PV_MARSHAL_H
#define PV_MARSHAL_H

#include "../analysis/arena.h"
#include "../analysis/error.h"
#include <stddef.h>
#include <stdint.h>

enum mval_type {
	MV_NULL,	/* the '0' terminator; never returned as a value */
	MV_NONE,
	MV_BOOL,
	MV_INT,		/* fits int64 */
	MV_BIGINT,	/* an 'l' long outside int64; u.d holds an approximation */
	MV_FLOAT,
	MV_STR,		/* any string or bytes; kind holds the type byte */
	MV_TUPLE,
	MV_LIST,
	MV_DICT,	/* items hold n key/value pairs: 2n values */
	MV_SET,
	MV_CODE,	/* a code object: items hold filename, name, firstlineno */
	MV_OTHER,	/* complex, Ellipsis, StopIteration: decoded and ignored */
};

struct mval {
	uint8_t type;
	uint8_t kind;	/* for MV_STR: 's','u','t','a','A','z','Z' */
	uint16_t pad;
	uint32_t n;	/* string length, or number of items (pairs for dicts) */
	uint64_t off;	/* byte offset of the value's type code in the input */
	union {
		int64_t i;
		double d;
		const uint8_t *s;
		struct mval *items;
	} u;
};

enum marshal_flags {
	MARSHAL_SAW_PY2_STR = 1,	/* 'R' string refs or 'I' ints: only Python 2 writes them */
	MARSHAL_SAW_UNICODE = 2,	/* 'u','a','A','z','Z': only Python 3 writes str this way */
};

struct marshal_result {
	struct mval value;
	uint64_t end;		/* bytes consumed */
	unsigned flags;		/* enum marshal_flags */
};

#define MARSHAL_MAX_DEPTH 200

/* Decodes one value from buf[0..len). Returns 0, or -1 with err set
 * ("truncated marshal data at byte N", "unknown marshal type code 0x.. at byte N"...). */
int marshal_decode(const uint8_t *buf, size_t len, struct arena *a, struct marshal_result *out,
		   struct pv_error *err);

#endif
