/*
 * Match a relative path against a shell pattern, segment by segment with
 * fnmatch(3), where a "**" segment matches any number of directories.
 */
#include <fnmatch.h>
#include <string.h>

#include "dt.h"

static int
seglen(const char *s)
{
	const char *p = strchr(s, '/');

	return p ? (int)(p - s) : (int)strlen(s);
}

static int
segmatch(const char *p, int pn, const char *s, int sn)
{
	char pb[1024], sb[1024];

	if (pn >= (int)sizeof(pb) || sn >= (int)sizeof(sb))
		return 0;
	memcpy(pb, p, pn);
	pb[pn] = '\0';
	memcpy(sb, s, sn);
	sb[sn] = '\0';
	return fnmatch(pb, sb, FNM_PERIOD) == 0;
}

int
dt_glob_match(const char *pat, const char *path)
{
	int pn, sn;

	for (;;) {
		pn = seglen(pat);
		if (pn == 2 && pat[0] == '*' && pat[1] == '*') {
			if (pat[2] == '\0')
				return path[0] != '.' && strstr(path, "/.") == NULL;
			/* Zero directories, or one more and try again. */
			for (;;) {
				if (dt_glob_match(pat + 3, path))
					return 1;
				sn = seglen(path);
				/* Like globstar, ** does not enter hidden
				 * directories. */
				if (path[sn] == '\0' || path[0] == '.')
					return 0;
				path += sn + 1;
			}
		}
		sn = seglen(path);
		if (!segmatch(pat, pn, path, sn))
			return 0;
		if (pat[pn] == '\0' || path[sn] == '\0')
			return pat[pn] == '\0' && path[sn] == '\0';
		pat += pn + 1;
		path += sn + 1;
	}
}
