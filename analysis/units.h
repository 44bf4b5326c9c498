/* Units of profile weights (DESIGN.md §1: never mix them silently): which are
 * times, how they convert, and how people read them. */
#ifndef PV_UNITS_H
#define PV_UNITS_H
#include <stddef.h>

/* Seconds per unit for nanoseconds, microseconds, milliseconds and seconds;
 * 0 for units that are not times (samples, none, bytes, unknown). */
double unit_seconds(const char *unit);
/* The unit's canonical (static) name when it is one speedscope also knows
 * besides "none" (nanoseconds ... seconds, bytes); NULL otherwise. */
const char *unit_measured(const char *unit);
/* The canonical (static) name of a unit as people and file headers write it:
 * ns, us, ms, s and nanoseconds ... seconds (also nsec, usec, msec, sec), samples,
 * bytes; NULL when it is none of these. The one parser for --unit options. */
const char *unit_parse(const char *name);
/* The unit of values read from a file (import --unit): unit_parse()'s names,
 * and multiples that are stored converted: KiB (kibibytes, as Austin 1.x writes
 * memory) and MiB are bytes times *scale. *scale is 1 for the others; NULL
 * when the name is none of these. */
const char *unit_parse_input(const char *name, double *scale);
/* The short name of a canonical unit for tables and options: "ns", "us", "ms",
 * "s", "B", "samples"; the name itself when it has no short form. */
const char *unit_short(const char *unit);
/* v in unit, for people: "1.234s", "12.5ms", "830us", "41ns", "3.0MiB", "1234"
 * (counts). Fits in 32 bytes. */
void unit_format(double v, const char *unit, char *buf, size_t size);

#endif
