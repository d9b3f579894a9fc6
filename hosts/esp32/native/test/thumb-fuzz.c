// SPDX-License-Identifier: MIT
// Seeded mutation fuzz of doorbell_thumb.c, built with ASan and UBSan by run.sh: thumb-fuzz <seed> <rounds>
// <seed.jpg>... mutates the seeds (byte changes, 0xFF and marker bytes, insertions, deletions, truncation)
// and decodes each into an exactly sized output. A crash, a sanitizer report or a status outside the
// known codes fails; every input must decode or be refused.
#include "doorbell_thumb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;
static uint32_t next(void)
{
	state = state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(state >> 33);
}

#define MAX_SEEDS 64

/* Reads up to MAX_SEEDS of the count files at paths into fresh buffers; exits on one it cannot read. */
static int load_seeds(int count, char **paths, uint8_t **seeds, size_t *seed_length)
{
	int n;

	for (n = 0; n < count && n < MAX_SEEDS; n++) {
		FILE *f = fopen(paths[n], "rb");
		long size;
		if (!f) {
			fprintf(stderr, "thumb-fuzz: cannot read %s\n", paths[n]);
			exit(2);
		}
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		fseek(f, 0, SEEK_SET);
		seeds[n] = malloc((size_t)size);
		if (fread(seeds[n], 1, (size_t)size, f) != (size_t)size) {
			fprintf(stderr, "thumb-fuzz: cannot read %s\n", paths[n]);
			exit(2);
		}
		seed_length[n] = (size_t)size;
		fclose(f);
	}
	return n;
}

/* Applies 1 to 8 random edits to jpeg[0 .. length), a buffer of room bytes: byte changes, 0xFF and marker
 * bytes, insertions, deletions, truncation. Returns the new length. */
static size_t mutate(uint8_t *jpeg, size_t length, size_t room)
{
	int edits = 1 + (int)(next() % 8), e;

	for (e = 0; e < edits && length > 0; e++) {
		size_t at = next() % length;
		switch (next() % 6) {
		case 0: jpeg[at] = (uint8_t)next(); break;
		case 1: jpeg[at] = 0xff; break;
		case 2: jpeg[at] ^= (uint8_t)(1u << (next() % 8)); break;
		case 3:
			if (length + 1 < room) {
				memmove(jpeg + at + 1, jpeg + at, length - at);
				jpeg[at] = (uint8_t)(0xc0 + next() % 64);
				length++;
			}
			break;
		case 4: memmove(jpeg + at, jpeg + at + 1, length - at - 1); length--; break;
		default: length = at; break; /* truncate */
		}
	}
	return length;
}

/* A thumbnail must fit its output; a refusal must carry a known code, a reason and an offset inside the data. */
static void check_result(long round, int status, const doorbell_thumb_info *info, size_t length, size_t capacity)
{
	if (status == DOORBELL_THUMB_OK) {
		if ((size_t)info->width * info->height > capacity) {
			printf("FAIL round %ld: %ux%u thumbnail reported for a %zu-byte output\n", round, info->width, info->height,
				capacity);
			exit(1);
		}
	} else if (status < DOORBELL_THUMB_TOO_LARGE || !info->detail || info->error_offset > length) {
		printf("FAIL round %ld: status %d, offset %zu of %zu, detail %s\n", round, status, info->error_offset, length,
			info->detail ? info->detail : "(none)");
		exit(1);
	}
}

/* One round: a mutated seed in an exactly sized block, so ASan flags any read past the data, decoded into an
 * output of random capacity. Returns the status; exits on a result no input may give. */
static int fuzz_round(doorbell_thumb_decoder *d, long round, uint8_t **seeds, const size_t *seed_length, int nseeds)
{
	int s = (int)(next() % (uint32_t)nseeds), status;
	size_t length = seed_length[s], capacity;
	uint8_t *jpeg = malloc(length + 64), *exact, *out;
	doorbell_thumb_info info;

	memcpy(jpeg, seeds[s], length);
	length = mutate(jpeg, length, seed_length[s] + 64);
	exact = malloc(length ? length : 1);
	memcpy(exact, jpeg, length);
	free(jpeg);
	capacity = (next() % 4 == 0) ? next() % 2048 : 40 * 30 * 4;
	out = malloc(capacity ? capacity : 1);
	status = doorbell_thumb_decode(d, exact, length, out, capacity, &info);
	check_result(round, status, &info, length, capacity);
	free(out);
	free(exact);
	return status;
}

int main(int argc, char **argv)
{
	static doorbell_thumb_decoder d;
	uint8_t *seeds[MAX_SEEDS];
	size_t seed_length[MAX_SEEDS];
	int nseeds, i;
	long rounds, round, ok = 0, refused[6] = { 0 };

	if (argc < 4) {
		fprintf(stderr, "usage: thumb-fuzz <seed> <rounds> <seed.jpg>...\n");
		return 2;
	}
	state = strtoull(argv[1], NULL, 10);
	rounds = strtol(argv[2], NULL, 10);
	nseeds = load_seeds(argc - 3, argv + 3, seeds, seed_length);
	doorbell_thumb_init(&d);
	for (round = 0; round < rounds; round++) {
		int status = fuzz_round(&d, round, seeds, seed_length, nseeds);
		if (status == DOORBELL_THUMB_OK)
			ok++;
		else
			refused[-status]++;
	}
	printf("PASS %ld mutated JPEGs (seed %s): %ld decoded, refused %ld not-jpeg, %ld truncated, %ld corrupt, %ld unsupported, %ld too-large\n",
		rounds, argv[1], ok, refused[1], refused[2], refused[3], refused[4], refused[5]);
	for (i = 0; i < nseeds; i++)
		free(seeds[i]);
	return 0;
}
