// SPDX-License-Identifier: MIT
// Bench driver for bench/redaction.ts: libjpeg-turbo's full-size decode (tjDecompress2 to RGB, no scaling, the naive
// alternative's first half) and hosts/esp32/native/doorbell_redact.c with one mask, over the same frames, interleaved
// round by round, in CPU time; prints one JSON line. `only <count>` redacts the first frame count times, untimed (for
// callgrind). Usage: redact-bench <rounds | only N> <mask file> <file.jpg>... (mask: uint32 width, height, then cells).
#include "doorbell_redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <turbojpeg.h>

static double cpu_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint8_t *read_file(const char *path, size_t *length)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long size;
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0)
		return NULL;
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)size);
	if (data && fread(data, 1, (size_t)size, f) != (size_t)size)
		data = NULL;
	fclose(f);
	*length = (size_t)size;
	return data;
}

int main(int argc, char **argv)
{
	static doorbell_redactor r;
	static uint8_t rgb[4096 * 4096 * 3 / 16], out[1 << 20];
	int only = argc > 2 && !strcmp(argv[1], "only"), first = only ? 4 : 3;
	int rounds = atoi(argv[only ? 2 : 1]), n = argc - first, i, k;
	size_t mask_length, *size, bytes = 0, out_bytes = 0;
	uint8_t *mask = argc > first ? read_file(argv[first - 1], &mask_length) : NULL, **jpeg;
	double best_turbo = 1e9, best_c = 1e9;
	doorbell_redact_job job;
	doorbell_redact_info info;
	tjhandle tj;

	if (argc <= first || !mask || mask_length < 8) {
		fprintf(stderr, "usage: redact-bench <rounds | only N> <mask file> <file.jpg>...\n");
		return 2;
	}
	jpeg = calloc((size_t)n, sizeof *jpeg);
	size = calloc((size_t)n, sizeof *size);
	for (i = 0; i < n; i++) {
		if (!(jpeg[i] = read_file(argv[first + i], &size[i])))
			return 2;
		bytes += size[i];
	}
	memset(&job, 0, sizeof job);
	memcpy(&job.width_cells, mask, 4); /* little-endian host */
	memcpy(&job.height_cells, mask + 4, 4);
	job.cells = mask + 8;
	job.cells_length = mask_length - 8;
	job.grey = 128;
	job.max_cells = 512 * 512;
	job.out = out;
	job.capacity = sizeof out;
	doorbell_redact_init(&r);
	if (only) {
		job.jpeg = jpeg[0];
		job.length = size[0];
		for (k = 0; k < rounds; k++)
			if (doorbell_redact(&r, &job, &info) != DOORBELL_REDACT_OK)
				return 1;
		return 0;
	}
	tj = tjInitDecompress();
	for (k = 0; k < rounds; k++) {
		double t0 = cpu_seconds(), t1, t2;
		for (i = 0; i < n; i++) {
			int w, h, subsampling, colorspace;
			if (tjDecompressHeader3(tj, jpeg[i], size[i], &w, &h, &subsampling, &colorspace)
				|| (size_t)w * (size_t)h * 3 > sizeof rgb || tjDecompress2(tj, jpeg[i], size[i], rgb, w, 0, h, TJPF_RGB, 0)) {
				fprintf(stderr, "redact-bench: libjpeg-turbo: %s\n", tjGetErrorStr2(tj));
				return 1;
			}
		}
		t1 = cpu_seconds();
		out_bytes = 0;
		for (i = 0; i < n; i++) {
			job.jpeg = jpeg[i];
			job.length = size[i];
			if (doorbell_redact(&r, &job, &info) != DOORBELL_REDACT_OK) {
				fprintf(stderr, "redact-bench: doorbell_redact: %s at byte %zu\n", info.detail, info.error_offset);
				return 1;
			}
			out_bytes += info.length;
		}
		t2 = cpu_seconds();
		if (t1 - t0 < best_turbo)
			best_turbo = t1 - t0;
		if (t2 - t1 < best_c)
			best_c = t2 - t1;
	}
	printf("{\"frames\":%d,\"bytesIn\":%zu,\"bytesOut\":%zu,\"rounds\":%d,\"turboFps\":%.1f,\"cFps\":%.1f}\n", n, bytes,
		out_bytes, rounds, n / best_turbo, n / best_c);
	tjDestroy(tj);
	return 0;
}
