/* dt_glob_match: fnmatch per segment, "**" spanning directories. */
#include <stdio.h>

#include "dt.h"
#include "tap.h"

static const struct {
	const char	*pat, *path;
	int		 want;
} cases[] = {
	/* The rspec default. */
	{ "spec/**/*_spec.rb", "spec/a_spec.rb", 1 },
	{ "spec/**/*_spec.rb", "spec/x/a_spec.rb", 1 },
	{ "spec/**/*_spec.rb", "spec/x/y/z_spec.rb", 1 },
	{ "spec/**/*_spec.rb", "spec/_spec.rb", 1 },
	{ "spec/**/*_spec.rb", "spec/a_spec.rbx", 0 },
	{ "spec/**/*_spec.rb", "spec/x/a_spec.rbx", 0 },
	{ "spec/**/*_spec.rb", "lib/a_spec.rb", 0 },
	{ "spec/**/*_spec.rb", "lib/spec/a_spec.rb", 0 },
	{ "spec/**/*_spec.rb", "xspec/a_spec.rb", 0 },
	{ "spec/**/*_spec.rb", "spec/a_test.rb", 0 },
	{ "spec/**/*_spec.rb", "spec/a_spec.rb/x", 0 },
	{ "spec/**/*_spec.rb", "spec", 0 },
	{ "spec/**/*_spec.rb", "a_spec.rb", 0 },
	/* A leading "**". */
	{ "**/*.py", "a.py", 1 },
	{ "**/*.py", "x/a.py", 1 },
	{ "**/*.py", "x/y/a.py", 1 },
	{ "**/*.py", "x/y/a.pyc", 0 },
	{ "**/*.py", "x.py/a.txt", 0 },
	{ "**/test_*.py", "pkg/sub/test_io.py", 1 },
	{ "**/test_*.py", "pkg/test/io.py", 0 },
	/* "**" in the middle, any number of directories. */
	{ "a/**/b", "a/b", 1 },
	{ "a/**/b", "a/x/b", 1 },
	{ "a/**/b", "a/x/y/z/b", 1 },
	{ "a/**/b", "a/bb", 0 },
	{ "a/**/b", "a/x/b/c", 0 },
	{ "a/**/**/b", "a/b", 1 },
	{ "a/**/**/b", "a/x/y/b", 1 },
	{ "a/**/x/**/b", "a/1/x/2/3/b", 1 },
	{ "a/**/x/**/b", "a/1/y/2/3/b", 0 },
	/* One "*" stays in its directory. */
	{ "test/*_test.rb", "test/a_test.rb", 1 },
	{ "test/*_test.rb", "test/x/a_test.rb", 0 },
	{ "test/*_test.rb", "test/x/y/a_test.rb", 0 },
	{ "test/*_test.rb", "a_test.rb", 0 },
	{ "*", "a", 1 },
	{ "*", "a/b", 0 },
	{ "*/*", "a/b", 1 },
	{ "*/*", "a/b/c", 0 },
	{ "t*t/*.rb", "test/a.rb", 1 },
	{ "t*t/*.rb", "t/x/t/a.rb", 0 },
	/* ? and classes. */
	{ "t?st.rb", "test.rb", 1 },
	{ "t?st.rb", "tast.rb", 1 },
	{ "t?st.rb", "tst.rb", 0 },
	{ "t?st.rb", "teest.rb", 0 },
	{ "a?b", "a/b", 0 },
	{ "[ab].rb", "a.rb", 1 },
	{ "[ab].rb", "b.rb", 1 },
	{ "[ab].rb", "c.rb", 0 },
	{ "[ab].rb", "ab.rb", 0 },
	{ "[!ab].rb", "c.rb", 1 },
	{ "[!ab].rb", "a.rb", 0 },
	{ "[a-c]x/[0-9]*.t", "bx/10.t", 1 },
	{ "[a-c]x/[0-9]*.t", "dx/10.t", 0 },
	{ "[a-c]x/[0-9]*.t", "bx/x0.t", 0 },
	/* Leading dots (FNM_PERIOD). */
	{ "*.rb", ".hidden.rb", 0 },
	{ "*", ".x", 0 },
	{ "?x", ".x", 0 },
	{ "[.]x", ".x", 0 },
	{ ".*.rb", ".hidden.rb", 1 },
	{ "spec/*", "spec/.x", 0 },
	{ "spec/**/*_spec.rb", "spec/.a_spec.rb", 0 },
	{ "spec/**/*_spec.rb", "spec/x/.a_spec.rb", 0 },
	{ "spec/.*/*_spec.rb", "spec/.d/a_spec.rb", 1 },
	{ "a*.rb", "a.b.rb", 1 },
	/* A trailing "**". */
	{ "spec/**", "spec/a", 1 },
	{ "spec/**", "spec/a/b/c_spec.rb", 1 },
	{ "spec/**", "lib/a", 0 },
	{ "spec/**", "spec/.hidden", 0 },
	{ "spec/**", "spec/.git/config", 0 },
	{ "spec/**", "spec/a/.cache/x", 0 },
	{ "spec/**", "specs/a", 0 },
	{ "spec/**", "spec", 0 },
	{ "**", "a", 1 },
	{ "**", "a/b/c", 1 },
	/* Plain names. */
	{ "a/b.rb", "a/b.rb", 1 },
	{ "a/b.rb", "a/b.rbx", 0 },
	{ "a/b.rb", "a/b", 0 },
	{ "a/b", "a/b.rb", 0 },
	{ "a", "a/b", 0 },
	{ "a/b", "a", 0 },
};

int
main(void)
{
	size_t i, n = sizeof(cases) / sizeof(cases[0]);

	plan((int)n + 2);
	for (i = 0; i < n; i++)
		ok(dt_glob_match(cases[i].pat, cases[i].path) == cases[i].want,
		    "\"%s\" %s \"%s\"", cases[i].pat,
		    cases[i].want ? "matches" : "does not match", cases[i].path);

	/*
	 * A "**" is a wildcard too: as in bash's globstar and Ruby's
	 * Dir.glob (which rspec uses for this very pattern), it should not
	 * step into a directory whose name starts with a dot.
	 */
	ok(!dt_glob_match("spec/**/*_spec.rb", "spec/.cache/a_spec.rb"),
	    "\"spec/**/*_spec.rb\" does not match \"spec/.cache/a_spec.rb\"");
	ok(!dt_glob_match("**/*.py", ".venv/lib/x.py"),
	    "\"**/*.py\" does not match \".venv/lib/x.py\"");
	return done_testing();
}
