/*
 * What the libFuzzer targets share: the input as a file, for readers
 * that take a name or a descriptor.  A target aborts when a property it
 * checks does not hold, so that the fuzzer keeps the input as a crash.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dt.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s does not hold\n", __FILE__,	\
		    __LINE__, #cond);					\
		abort();						\
	}								\
} while (0)

static char *fuzz_paths[4];

static inline void
fuzz_unlink(void)
{
	size_t i;

	for (i = 0; i < sizeof(fuzz_paths) / sizeof(*fuzz_paths); i++)
		if (fuzz_paths[i] != NULL)
			unlink(fuzz_paths[i]);
}

/*
 * The name of a temporary file, in memory when /dev/shm is there, to ask
 * for once; it is removed at exit.
 */
static inline const char *
fuzz_path(const char *name)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	size_t i;

	for (i = 0; fuzz_paths[i] != NULL; i++)
		if (i + 1 == sizeof(fuzz_paths) / sizeof(*fuzz_paths))
			abort();
	if (i == 0)
		atexit(fuzz_unlink);
	fuzz_paths[i] = dt_xasprintf("%s/dt-fuzz-%ld-%s", dir,
	    (long)getpid(), name);
	return fuzz_paths[i];
}

/* Replace the file's content with the n bytes of data. */
static inline void
fuzz_put(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || dt_write_all(fd, data, n) < 0 || close(fd) < 0) {
		perror(path);
		abort();
	}
}

/* A descriptor reading the n bytes of data from their start. */
static inline int
fuzz_fd(const void *data, size_t n)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0 || dt_write_all(fd, data, n) < 0 ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		perror("memfd");
		abort();
	}
	return fd;
}

#endif
