/* A request's query parameters, in the order given (restrictions apply in
 * that order), with the checks every endpoint makes: only known names, whole
 * numbers in range, flags. */
#ifndef PV_WEB_QUERY_H
#define PV_WEB_QUERY_H
#include <stddef.h>

struct api_request;

struct query_param {
	char *key, *value;	/* decoded, owned; value "" for a bare "?key" */
};

struct query {
	struct query_param *v;
	size_t n, cap;
	size_t bytes;		/* keys and values, for the length limit */
	int has_nul;		/* a %00 somewhere: refused */
};

/* Percent-decodes s[0..n) into a new string (escapes that are not two hex
 * digits stay as they are); returns -1 when it decodes to a NUL byte. */
int url_decode(const char *s, size_t n, char **out);
/* Adds a parameter as it came in the URL (still percent-encoded). */
void query_add(struct query *q, const char *key, const char *value);
void query_release(struct query *q);
/* The last value of key, or NULL. */
const char *query_get(const struct query *q, const char *key);

/* 400 unless every parameter is one of names (NULL-terminated). */
int query_only(struct api_request *r, const char *const *names);
/* A whole number in [min, max]; dflt when absent. 400 otherwise. */
int query_long(struct api_request *r, const char *key, long long min, long long max, long long dflt, long long *out);
/* A number in [min, max]; dflt when absent. */
int query_double(struct api_request *r, const char *key, double min, double max, double dflt, double *out);
/* 1/true/yes or 0/false/no or "" (a bare ?key is on). Absent: 0. */
int query_flag(struct api_request *r, const char *key, int *out);
/* A required parameter. */
int query_need(struct api_request *r, const char *key, const char **out);

#endif
