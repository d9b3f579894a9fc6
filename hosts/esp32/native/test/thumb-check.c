// SPDX-License-Identifier: MIT
// Host test driver for doorbell_thumb.c (run.sh, npm run test:native):
//   thumb-check pgm <file.jpg>                 writes the thumbnail as binary PGM to stdout, like npm run thumb
//   thumb-check compare <ref-dir> <file.jpg>... compares each with <ref-dir>/<name>.pgm (djpeg's output)
//   thumb-check refuse <code> <file.jpg>...    each must fail with that code ("unsupported", "truncated", ...)
// Inputs and outputs live in exactly sized heap blocks, so ASan sees any read or write outside them.
#include "doorbell_thumb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *read_file(const char *path, size_t *length)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long size;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc(size > 0 ? (size_t)size : 1);
	if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
		free(data);
		data = NULL;
	}
	fclose(f);
	*length = (size_t)size;
	return data;
}

/* Decodes `path` into a PGM in a fresh buffer; returns the status. */
static int thumbnail_pgm(doorbell_thumb_decoder *d, const char *path, uint8_t **pgm, size_t *pgm_length, doorbell_thumb_info *info)
{
	size_t length, cells = 1 << 20;
	uint8_t *jpeg = read_file(path, &length), *luma;
	char header[64];
	int status, n;
	if (!jpeg) {
		fprintf(stderr, "thumb-check: cannot read %s\n", path);
		exit(2);
	}
	luma = malloc(cells);
	status = doorbell_thumb_decode(d, jpeg, length, luma, cells, info);
	free(jpeg);
	if (status != DOORBELL_THUMB_OK) {
		free(luma);
		return status;
	}
	n = snprintf(header, sizeof header, "P5\n%u %u\n255\n", info->width, info->height);
	*pgm_length = (size_t)n + (size_t)info->width * info->height;
	*pgm = malloc(*pgm_length);
	memcpy(*pgm, header, (size_t)n);
	memcpy(*pgm + n, luma, (size_t)info->width * info->height);
	free(luma);
	return status;
}

int main(int argc, char **argv)
{
	static doorbell_thumb_decoder d; /* reused across files, as on the device: tables are cached */
	doorbell_thumb_info info;
	uint8_t *pgm = NULL;
	size_t pgm_length = 0;
	int i, status, failures = 0;

	doorbell_thumb_init(&d);
	if (argc == 3 && !strcmp(argv[1], "pgm")) {
		status = thumbnail_pgm(&d, argv[2], &pgm, &pgm_length, &info);
		if (status != DOORBELL_THUMB_OK) {
			fprintf(stderr, "thumb-check: %s: jpeg %s at byte %zu: %s\n", argv[2], doorbell_thumb_code(status), info.error_offset, info.detail);
			return 1;
		}
		fwrite(pgm, 1, pgm_length, stdout);
		free(pgm);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "compare")) {
		for (i = 3; i < argc; i++) {
			char ref_path[4096];
			const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
			size_t ref_length, stem = strlen(base) - (strrchr(base, '.') ? strlen(strrchr(base, '.')) : 0);
			uint8_t *ref;
			snprintf(ref_path, sizeof ref_path, "%s/%.*s.pgm", argv[2], (int)stem, base);
			ref = read_file(ref_path, &ref_length);
			status = thumbnail_pgm(&d, argv[i], &pgm, &pgm_length, &info);
			if (!ref || status != DOORBELL_THUMB_OK || ref_length != pgm_length || memcmp(ref, pgm, pgm_length)) {
				failures++;
				printf("FAIL %s: %s\n", argv[i], status != DOORBELL_THUMB_OK ? info.detail : !ref ? "no reference PGM" : "differs from djpeg");
			}
			if (status == DOORBELL_THUMB_OK)
				free(pgm);
			free(ref);
		}
		printf("%s %d of %d thumbnails byte-identical to djpeg -grayscale -scale 1/8\n",
			failures ? "FAIL" : "PASS", argc - 3 - failures, argc - 3);
		return failures ? 1 : 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "refuse")) {
		for (i = 3; i < argc; i++) {
			status = thumbnail_pgm(&d, argv[i], &pgm, &pgm_length, &info);
			if (status == DOORBELL_THUMB_OK)
				free(pgm);
			if (strcmp(doorbell_thumb_code(status), argv[2])) {
				failures++;
				printf("FAIL %s: expected %s, got %s\n", argv[i], argv[2], doorbell_thumb_code(status));
			}
		}
		printf("%s %d of %d refused as %s\n", failures ? "FAIL" : "PASS", argc - 3 - failures, argc - 3, argv[2]);
		return failures ? 1 : 0;
	}
	fprintf(stderr, "usage: thumb-check pgm <file.jpg> | compare <ref-dir> <file.jpg>... | refuse <code> <file.jpg>...\n");
	return 2;
}
