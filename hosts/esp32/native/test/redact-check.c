// SPDX-License-Identifier: MIT
// Host test driver for doorbell_redact.c, run by redact.sh through redact-compare.ts (npm run test:native):
//   redact-check batch <list>   each line of <list> is "<in.jpg> <mask file> <grey>"; for each, redacts as the port does
//                               (an output of length + 1024 bytes, then info.output_bound after NO_ROOM) and writes a
//                               record to stdout: int32 status, uint32 error offset, uint32 length, uint32 MCUs
//                               redacted, uint32 MCUs (little-endian), then the JPEG. A mask file is uint32 width and
//                               height in cells, then the cells.
// Inputs and outputs live in exactly sized heap blocks, so ASan sees any read or write outside them.
#include "doorbell_redact.h"

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

static void put32(uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	fwrite(b, 1, 4, stdout);
}

/* Redacts one case; returns 0, or 1 when the output-bound rule was broken. */
static int one(doorbell_redactor *r, const char *jpeg_path, const char *mask_path, int grey)
{
	size_t length, mask_length;
	uint8_t *jpeg = read_file(jpeg_path, &length), *mask = read_file(mask_path, &mask_length), *cells;
	doorbell_redact_job job;
	doorbell_redact_info info;
	int status, broken = 0;
	if (!jpeg || !mask || mask_length < 8) {
		fprintf(stderr, "redact-check: cannot read %s or %s\n", jpeg_path, mask_path);
		exit(2);
	}
	cells = malloc(mask_length - 8 ? mask_length - 8 : 1);
	memcpy(cells, mask + 8, mask_length - 8);
	memset(&job, 0, sizeof job);
	job.jpeg = jpeg;
	job.length = length;
	job.cells = cells;
	job.cells_length = mask_length - 8;
	job.width_cells = (uint32_t)mask[0] | (uint32_t)mask[1] << 8 | (uint32_t)mask[2] << 16 | (uint32_t)mask[3] << 24;
	job.height_cells = (uint32_t)mask[4] | (uint32_t)mask[5] << 8 | (uint32_t)mask[6] << 16 | (uint32_t)mask[7] << 24;
	job.grey = grey;
	job.max_cells = 512 * 512;
	job.capacity = length + 1024;
	job.out = malloc(job.capacity);
	status = doorbell_redact(r, &job, &info);
	if (status == DOORBELL_REDACT_NO_ROOM && info.output_bound) {
		free(job.out);
		job.capacity = info.output_bound;
		job.out = malloc(job.capacity);
		status = doorbell_redact(r, &job, &info);
	}
	if (status == DOORBELL_REDACT_NO_ROOM || (status == DOORBELL_REDACT_OK && info.length > info.output_bound)) {
		fprintf(stderr, "FAIL %s: output %zu bytes, bound %zu\n", jpeg_path, info.length, info.output_bound);
		broken = 1;
	}
	put32((uint32_t)status);
	put32((uint32_t)info.error_offset);
	put32(status == DOORBELL_REDACT_OK ? (uint32_t)info.length : 0);
	put32(info.mcus_redacted);
	put32(info.mcus);
	if (status == DOORBELL_REDACT_OK)
		fwrite(job.out, 1, info.length, stdout);
	free(job.out);
	free(cells);
	free(mask);
	free(jpeg);
	return broken;
}

int main(int argc, char **argv)
{
	static doorbell_redactor r; /* reused across files, as on the device: tables are cached */
	char jpeg_path[4096], mask_path[4096];
	int grey, broken = 0;
	FILE *list;
	if (argc != 3 || strcmp(argv[1], "batch")) {
		fprintf(stderr, "usage: redact-check batch <list>\n");
		return 2;
	}
	list = fopen(argv[2], "r");
	if (!list) {
		fprintf(stderr, "redact-check: cannot read %s\n", argv[2]);
		return 2;
	}
	doorbell_redact_init(&r);
	while (fscanf(list, "%4095s %4095s %d", jpeg_path, mask_path, &grey) == 3)
		broken |= one(&r, jpeg_path, mask_path, grey);
	fclose(list);
	return broken ? 1 : 0;
}
