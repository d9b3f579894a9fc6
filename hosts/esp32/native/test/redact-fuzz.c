// SPDX-License-Identifier: MIT
// Seeded mutation fuzz of doorbell_redact.c, built with ASan and UBSan by redact.sh: redact-fuzz <seed> <rounds>
// <seed.jpg>... mutates the seeds (byte changes, 0xFF and marker bytes, insertions, deletions, truncation) and redacts
// each with a random mask (the seed's size, sometimes another), grey and output size, all in exactly sized heap blocks.
// A crash, a sanitizer report, a status outside the known codes or an accepted output that is not SOI ... EOI fails.
#include "doorbell_redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;
static uint32_t next(void)
{
	state = state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(state >> 33);
}

/* The seed's size in 8x8 cells, from its first SOF0/SOF1 (the seeds are valid JPEGs). */
static void cells_of(const uint8_t *jpeg, size_t length, uint32_t *wc, uint32_t *hc)
{
	size_t pos = 2;
	*wc = *hc = 1;
	while (pos + 9 < length && jpeg[pos] == 0xff) {
		int marker = jpeg[pos + 1];
		if (marker == 0xc0 || marker == 0xc1) {
			*hc = (((uint32_t)jpeg[pos + 5] << 8 | jpeg[pos + 6]) + 7) / 8;
			*wc = (((uint32_t)jpeg[pos + 7] << 8 | jpeg[pos + 8]) + 7) / 8;
			return;
		}
		pos += 2 + ((size_t)jpeg[pos + 2] << 8 | jpeg[pos + 3]);
	}
}

static uint8_t *mutate(const uint8_t *seed, size_t seed_length, size_t *length_out)
{
	size_t length = seed_length;
	uint8_t *jpeg = malloc(length + 64), *exact;
	int edits = 1 + (int)(next() % 8), e;
	memcpy(jpeg, seed, length);
	for (e = 0; e < edits && length > 0; e++) {
		size_t at = next() % length;
		switch (next() % 6) {
		case 0: jpeg[at] = (uint8_t)next(); break;
		case 1: jpeg[at] = 0xff; break;
		case 2: jpeg[at] ^= (uint8_t)(1u << (next() % 8)); break;
		case 3:
			if (length + 1 < seed_length + 64) {
				memmove(jpeg + at + 1, jpeg + at, length - at);
				jpeg[at] = (uint8_t)(0xc0 + next() % 64);
				length++;
			}
			break;
		case 4: memmove(jpeg + at, jpeg + at + 1, length - at - 1); length--; break;
		default: length = at; break; /* truncate */
		}
	}
	exact = malloc(length ? length : 1); /* exactly sized, so ASan flags any read past the data */
	memcpy(exact, jpeg, length);
	free(jpeg);
	*length_out = length;
	return exact;
}

/* Reads the seed files named in argv[3..]; returns how many, or -1 naming the one it cannot read. */
static int load_seeds(int argc, char **argv, uint8_t **seeds, size_t *seed_length)
{
	int nseeds = 0, i;
	for (i = 3; i < argc && nseeds < 64; i++) {
		FILE *f = fopen(argv[i], "rb");
		long size;
		if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0) {
			fprintf(stderr, "redact-fuzz: cannot read %s\n", argv[i]);
			return -1;
		}
		fseek(f, 0, SEEK_SET);
		seeds[nseeds] = malloc((size_t)size);
		if (fread(seeds[nseeds], 1, (size_t)size, f) != (size_t)size)
			return -1;
		seed_length[nseeds++] = (size_t)size;
		fclose(f);
	}
	return nseeds;
}

/* One random job on a mutated seed: a random mask (sometimes of the wrong size), grey, bound and capacity. */
static void random_job(const uint8_t *seed, size_t seed_length, doorbell_redact_job *job)
{
	uint8_t *cells;
	size_t c;
	memset(job, 0, sizeof *job);
	cells_of(seed, seed_length, &job->width_cells, &job->height_cells);
	if (next() % 8 == 0) {
		job->width_cells = 1 + next() % 64;
		job->height_cells = 1 + next() % 64;
	}
	job->cells_length = (size_t)job->width_cells * job->height_cells;
	cells = malloc(job->cells_length);
	for (c = 0; c < job->cells_length; c++)
		cells[c] = next() % 5 == 0;
	job->cells = cells;
	job->jpeg = mutate(seed, seed_length, &job->length);
	job->grey = next() % 16 == 0 ? (int)(next() % 600) - 300 : (int)(next() % 256);
	job->max_cells = next() % 16 == 0 ? next() % 2000 : 512 * 512;
	job->capacity = next() % 4 == 0 ? next() % 4096 : job->length + 1024;
	job->out = malloc(job->capacity ? job->capacity : 1);
}

/* Redacts `job`, once more with info.output_bound when the buffer was too small; 0, or 1 after a FAIL line. */
static int run_job(doorbell_redactor *r, doorbell_redact_job *job, long round, long *ok, long *refused)
{
	doorbell_redact_info info;
	int status = doorbell_redact(r, job, &info);
	if (status == DOORBELL_REDACT_NO_ROOM && info.output_bound && info.output_bound < (64u << 20)) {
		free(job->out);
		job->capacity = info.output_bound;
		job->out = malloc(job->capacity);
		status = doorbell_redact(r, job, &info);
		if (status == DOORBELL_REDACT_NO_ROOM) {
			printf("FAIL round %ld: no room in the %zu bytes of info.output_bound\n", round, job->capacity);
			return 1;
		}
	}
	if (status == DOORBELL_REDACT_OK) {
		const uint8_t *out = job->out;
		(*ok)++;
		if (info.length > job->capacity || info.length < 4 || out[0] != 0xff || out[1] != 0xd8
			|| out[info.length - 2] != 0xff || out[info.length - 1] != 0xd9 || info.mcus_redacted > info.mcus) {
			printf("FAIL round %ld: accepted output of %zu bytes is not SOI ... EOI\n", round, info.length);
			return 1;
		}
	} else if (status < DOORBELL_REDACT_NO_ROOM || status > 0 || !info.detail || info.error_offset > job->length) {
		printf("FAIL round %ld: status %d, offset %zu of %zu\n", round, status, info.error_offset, job->length);
		return 1;
	} else
		refused[-status]++;
	return 0;
}

int main(int argc, char **argv)
{
	static doorbell_redactor r;
	uint8_t *seeds[64];
	size_t seed_length[64];
	int nseeds, i;
	long rounds, round, ok = 0, refused[10] = { 0 };

	if (argc < 4) {
		fprintf(stderr, "usage: redact-fuzz <seed> <rounds> <seed.jpg>...\n");
		return 2;
	}
	state = strtoull(argv[1], NULL, 10);
	rounds = strtol(argv[2], NULL, 10);
	if ((nseeds = load_seeds(argc, argv, seeds, seed_length)) < 1)
		return 2;
	doorbell_redact_init(&r);
	for (round = 0; round < rounds; round++) {
		int s = (int)(next() % (uint32_t)nseeds);
		doorbell_redact_job job;
		random_job(seeds[s], seed_length[s], &job);
		if (run_job(&r, &job, round, &ok, refused))
			return 1;
		free(job.out);
		free((void *)job.jpeg);
		free((void *)job.cells);
	}
	printf("PASS %ld mutated JPEGs (seed %s): %ld redacted; refused", rounds, argv[1], ok);
	for (i = 1; i < 10; i++)
		printf(" %ld %s%s", refused[i], doorbell_redact_code(-i), i < 9 ? "," : "\n");
	for (i = 0; i < nseeds; i++)
		free(seeds[i]);
	return 0;
}
