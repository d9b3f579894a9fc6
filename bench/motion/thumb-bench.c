// SPDX-License-Identifier: MIT
// Bench driver for bench/motion.ts: the 1/8-scale grayscale decode of the given JPEGs, in process, by
// libjpeg-turbo (tjDecompress2 with TJPF_GRAY at 1/8, the reference) and by hosts/esp32/native/doorbell_thumb.c,
// each over all frames for `rounds` rounds, timed in CPU time; prints one JSON line. Also checks that both
// give the same bytes. Usage: thumb-bench <rounds> <file.jpg>...
#include "doorbell_thumb.h"

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

int main(int argc, char **argv)
{
	static doorbell_thumb_decoder d;
	int rounds, n = argc - 2, i, r, identical = 1;
	unsigned char **jpeg;
	unsigned long *size;
	static uint8_t ours[1 << 20], theirs[1 << 20];
	double best_turbo = 1e9, best_c = 1e9;
	long bytes = 0;
	tjhandle tj;

	if (argc < 3) {
		fprintf(stderr, "usage: thumb-bench <rounds> <file.jpg>...\n");
		return 2;
	}
	rounds = atoi(argv[1]);
	jpeg = calloc((size_t)n, sizeof *jpeg);
	size = calloc((size_t)n, sizeof *size);
	for (i = 0; i < n; i++) {
		FILE *f = fopen(argv[i + 2], "rb");
		if (!f || fseek(f, 0, SEEK_END))
			return 2;
		size[i] = (unsigned long)ftell(f);
		fseek(f, 0, SEEK_SET);
		jpeg[i] = malloc(size[i]);
		if (fread(jpeg[i], 1, size[i], f) != size[i])
			return 2;
		fclose(f);
		bytes += (long)size[i];
	}
	tj = tjInitDecompress();
	doorbell_thumb_init(&d);
	for (r = 0; r < rounds; r++) {
		double t0 = cpu_seconds(), t1, t2;
		for (i = 0; i < n; i++) {
			int w, h, subsampling, colorspace;
			if (tjDecompressHeader3(tj, jpeg[i], size[i], &w, &h, &subsampling, &colorspace) ||
				tjDecompress2(tj, jpeg[i], size[i], theirs, (w + 7) / 8, 0, (h + 7) / 8, TJPF_GRAY, 0)) {
				fprintf(stderr, "thumb-bench: libjpeg-turbo: %s\n", tjGetErrorStr2(tj));
				return 1;
			}
		}
		t1 = cpu_seconds();
		for (i = 0; i < n; i++) {
			doorbell_thumb_info info;
			if (doorbell_thumb_decode(&d, jpeg[i], size[i], ours, sizeof ours, &info) != DOORBELL_THUMB_OK) {
				fprintf(stderr, "thumb-bench: doorbell_thumb: %s\n", info.detail);
				return 1;
			}
		}
		t2 = cpu_seconds();
		if (t1 - t0 < best_turbo)
			best_turbo = t1 - t0;
		if (t2 - t1 < best_c)
			best_c = t2 - t1;
	}
	/* Same bytes from both, frame by frame (the last round's buffers hold only the last frame). */
	for (i = 0; i < n && identical; i++) {
		int w, h, subsampling, colorspace;
		doorbell_thumb_info info;
		tjDecompressHeader3(tj, jpeg[i], size[i], &w, &h, &subsampling, &colorspace);
		tjDecompress2(tj, jpeg[i], size[i], theirs, (w + 7) / 8, 0, (h + 7) / 8, TJPF_GRAY, 0);
		doorbell_thumb_decode(&d, jpeg[i], size[i], ours, sizeof ours, &info);
		identical = !memcmp(ours, theirs, (size_t)info.width * info.height);
	}
	printf("{\"frames\":%d,\"bytes\":%ld,\"rounds\":%d,\"turboFps\":%.1f,\"cFps\":%.1f,\"identical\":%s,\"turboVersion\":\"%s\"}\n",
		n, bytes, rounds, n / best_turbo, n / best_c, identical ? "true" : "false", "libturbojpeg (TurboJPEG API 2)");
	tjDestroy(tj);
	return 0;
}
