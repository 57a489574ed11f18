/*
 * The configuration reader: any bytes as a configuration file.  A file
 * that loads has only values its keys take.
 */
#include "fuzz.h"

static const char *path;

static int
runners_ok(const char *v)
{
	const char *e;

	if (strcmp(v, "auto") == 0)
		return 1;
	dt_strtonum(v, 1, DT_RUNNERS_MAX, &e);
	return e == NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt_conf c;
	const char *e;
	size_t i;

	if (path == NULL)
		path = fuzz_path("conf");
	fuzz_put(path, data, size);
	dt_conf_init(&c);
	if (dt_conf_load(&c, path, 1) == 0) {
		FUZZ_CHECK(c.nnodes >= 1);
		for (i = 0; i < c.nnodes; i++) {
			FUZZ_CHECK(*c.nodes[i].name != '\0' &&
			    strpbrk(c.nodes[i].name, " \t\n[]=") == NULL);
			FUZZ_CHECK(c.nodes[i].runners.value == NULL ||
			    runners_ok(c.nodes[i].runners.value));
		}
		if (c.run[DT_RUN_RETRIES].value != NULL) {
			dt_strtonum(c.run[DT_RUN_RETRIES].value, 0, 100, &e);
			FUZZ_CHECK(e == NULL);
		}
		for (i = 0; i < DT_RUN_NKEYS; i++)
			FUZZ_CHECK(c.run[i].value == NULL ||
			    strchr(c.run[i].value, '\n') == NULL);
	}
	dt_conf_free(&c);
	return 0;
}
