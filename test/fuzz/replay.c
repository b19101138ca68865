/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Replay driver for the fuzz harnesses when built without libFuzzer: runs
 * LLVMFuzzerTestOneInput() once on every file named on the command line, or
 * found in a directory named there (the seed corpus), so that the normal test
 * suite exercises the harnesses with any compiler.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Replay mode: every file named, or found in a directory named, is one input. */
static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;
	int rc = -1;

	if (f == NULL)
		goto out;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		goto out;
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "%s: cannot read\n", path);
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

static int
replay_dir(const char *dir, DIR *d)
{
	struct dirent *e;
	int nb = 0;

	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path) != 0)
			return -1;
		nb++;
	}
	return nb;
}

int
main(int argc, char **argv)
{
	int nb = 0;

	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		int rc = d != NULL ? replay_dir(argv[i], d) : replay_file(argv[i]);

		if (d != NULL)
			closedir(d);
		if (rc < 0)
			return 1;
		nb += d != NULL ? rc : 1;
	}
	printf("%d inputs replayed\n", nb);
	return nb > 0 ? 0 : 1;
}
