/* Numbers from text: dt_strtonum and dt_strtosecs, and what they refuse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt.h"
#include "tap.h"

static void
num(const char *s, long long min, long long max, long long want,
    const char *err)
{
	const char *e;
	long long v = dt_strtonum(s, min, max, &e);

	if (err == NULL)
		ok(e == NULL && v == want, "\"%s\" in %lld..%lld is %lld "
		    "(got %lld, %s)", s ? s : "NULL", min, max, want, v,
		    e ? e : "no error");
	else
		ok(e != NULL && strcmp(e, err) == 0 && v == 0,
		    "\"%s\" in %lld..%lld is %s (got %s)", s ? s : "NULL", min,
		    max, err, e ? e : "no error");
}

static void
secs(const char *s, double want, const char *err)
{
	const char *e;
	double v = dt_strtosecs(s, &e);

	if (err == NULL)
		ok(e == NULL && v == want, "seconds \"%.20s\" are %g (got %g, "
		    "%s)", s, want, v, e ? e : "no error");
	else
		ok(e != NULL && strcmp(e, err) == 0 && v == 0,
		    "seconds \"%.20s\" are %s (got %s)", s, err,
		    e ? e : "no error");
}

int
main(void)
{
	char big[512], tiny[512];

	dt_setprog("num-test");
	plan(43);

	/* --- dt_strtonum --- */
	num("0", 0, 10, 0, NULL);
	num("10", 0, 10, 10, NULL);
	num("007", 0, 10, 7, NULL);
	num("-1", -1, 255, -1, NULL);
	num("-0", -1, 255, 0, NULL);
	num("9223372036854775807", 0, 9223372036854775807LL,
	    9223372036854775807LL, NULL);
	num("11", 0, 10, 0, "too large");
	num("9223372036854775808", 0, 9223372036854775807LL, 0, "too large");
	num("-1", 0, 10, 0, "too small");
	num("-0", 0, 10, 0, "too small");
	num("-9223372036854775809", -5, 10, 0, "too small");
	num("", 0, 10, 0, "empty");
	num(NULL, 0, 10, 0, "empty");
	num(" 1", 0, 10, 0, "not a number");
	num("+1", 0, 10, 0, "not a number");
	num("1 ", 0, 10, 0, "not a number");
	num("1e3", 0, 10000, 0, "not a number");
	num("0x10", 0, 100, 0, "not a number");
	num("1.0", 0, 10, 0, "not a number");
	num("-", 0, 10, 0, "not a number");
	num("- 1", -5, 10, 0, "not a number");

	/* --- dt_strtosecs --- */
	secs("0", 0, NULL);
	secs("0.000", 0, NULL);
	secs("1.5", 1.5, NULL);
	secs("007.50", 7.5, NULL);
	secs("1000000000", 1e9, NULL);
	secs("1000000000.000", 1e9, NULL);
	secs("1000000000.001", 0, "too large");
	secs("-1", 0, "too small");
	secs("-0", 0, "too small");
	secs("", 0, "empty");
	secs("nan", 0, "not a decimal number");
	secs("inf", 0, "not a decimal number");
	secs("1e3", 0, "not a decimal number");
	secs("0x1p3", 0, "not a decimal number");
	secs(" 1", 0, "not a decimal number");
	secs("+1", 0, "not a decimal number");
	secs(".5", 0, "not a decimal number");
	secs("1.", 0, "not a decimal number");
	secs("1,5", 0, "not a decimal number");
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	secs(big, 0, "too large");
	strcpy(tiny, "0.");
	memset(tiny + 2, '0', sizeof(tiny) - 4);
	strcpy(tiny + sizeof(tiny) - 2, "1");
	{
		const char *e;
		double v = dt_strtosecs(tiny, &e);

		ok(e == NULL && v >= 0 && v < 1e-300,
		    "seconds of 510 digits under 1e-300 are read, not refused");
	}
	secs("12.5x", 0, "not a decimal number");
	return done_testing();
}
