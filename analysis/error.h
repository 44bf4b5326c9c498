/* Errors travel up as a filled struct pv_error and a -1 return; only cmd/ and web/
 * print them, once, git-style: error: 'FILE': what went wrong at byte N. A message
 * that says what the subject is reads on from it instead:
 * error: 'app.py' is Python source: profile it with ... */
#ifndef PV_ERROR_H
#define PV_ERROR_H
#include <stdint.h>
#include <stdio.h>

enum pv_error_where { PV_WHERE_NONE, PV_WHERE_BYTE, PV_WHERE_LINE };

/* What went wrong, beyond the words: web/ answers each with its own HTTP status. */
enum pv_error_kind {
	PV_ERROR_OTHER = 0,	/* bad input, a damaged store, a failing machine */
	PV_ERROR_NOT_FOUND,	/* what was asked for is not there (no function matches --root) */
	PV_ERROR_LIMIT,		/* the work asked for passes a bound (a regex too costly to search) */
	PV_ERROR_CANCELLED,	/* stopped from outside before the end (analysis/cancel.h) */
};

struct pv_error {
	char subject[4200];	/* usually a file name (up to PATH_MAX); empty when not about a file */
	char message[512];
	enum pv_error_where where;
	uint64_t pos;		/* byte offset or line number, per where */
	int usage;		/* 1 when the caller passed bad options (exit code 2) */
	enum pv_error_kind kind;	/* for a server's answer; the CLI exits 1 for each */
	int predicate;		/* 1: the message continues the subject ("is ..."), no ': ' between */
};

void pv_error_clear(struct pv_error *e);
int pv_error_set(struct pv_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, with a byte offset appended when printed ("at byte N"). */
int pv_error_at(struct pv_error *e, uint64_t byte, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int pv_error_usage(struct pv_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A message that completes a sentence about the subject: "is Python source: ...",
 * printed "'app.py' is Python source: ..." ("the input is ..." without a subject). */
int pv_error_predicate(struct pv_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pv_error_subject(struct pv_error *e, const char *subject);
/* Writes "error: 'subject': message at byte N\n". */
void pv_error_print(const struct pv_error *e, FILE *out);
/* The same with another prefix ("warning"). */
void pv_error_print_as(const struct pv_error *e, const char *prefix, FILE *out);
/* Formats the same text without the "error: " prefix or newline. */
void pv_error_format(const struct pv_error *e, char *buf, size_t size);

#endif
