/* `mailsim bench viewer`: headless frame times of the viewer (software
 * renderer, 1920x1080 by default) for the classic scenario and for a
 * generated world of 200 hosts with about 2,000 segments in flight. A
 * frame is what the window loop does per frame except presenting:
 * advance the simulation, build the frame, render it. Prints the median
 * and 99th percentile (with --json, one JSON object). A row of
 * sim/bench/bench_list.h; it lives in viz/ because it needs SDL. */
#include "sim/bench/bench.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/net/packet.h"
#include "viz/control.h"
#include "viz/scene.h"
#include "viz/sdl_app.h"
#include "viz/cmd_common.h"
#include "viz/source_gen.h"
#include "viz/source_scn.h"

static int64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CPU time of this thread: what a frame costs whatever else the machine
 * runs (wall time is what the user sees, and includes waiting for a core). */
static int64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static size_t visible_packets(struct viz_control *c)
{
	struct viz_scene *s = viz_control_scene(c);
	size_t n = 0;
	for (size_t i = 0; i < viz_scene_flight_count(s); i++) {
		const struct viz_flight *f = viz_scene_flight(s, i);
		n += !f->dropped && viz_flight_visible(f, viz_control_now(c), 0);
	}
	return n;
}

struct result {
	const char *name;
	int frames;
	double median_ms, p99_ms, max_ms;
	double build_median_ms, render_median_ms, sim_median_ms;
	size_t hosts, packets_min, packets_median, packets_max, dots_median;
	double cpu_median_ms, cpu_p99_ms; /* the same frames in thread CPU time */
	double replay_ms;      /* seeking back to the middle: replay from zero */
	double replay_end_ms;  /* seeking back to the run's (or the played part's) end */
};

/* Plays from start for frames frames of 1/60 s each at speed, timing each
 * frame's simulation step, frame build and rendering. */
static int measure(const char *name, const struct viz_source *src, double speed, sim_time start, int frames, int w,
		   int h, int inspect, struct result *r, char *err, size_t errlen)
{
	struct viz_control_opts co = viz_control_opts_default();
	co.speed = speed;
	co.playing = 1;
	struct viz_control *c = viz_control_new(src, &co, err, errlen);
	if (!c)
		return -1;
	struct viz_headless *hl = viz_headless_new(w, h, err, errlen);
	if (!hl) {
		viz_control_free(&c);
		return -1;
	}
	int64_t *total = malloc(sizeof(int64_t) * (size_t)frames * 5);
	size_t *pk = malloc(sizeof(size_t) * (size_t)frames * 2);
	if (!total || !pk) {
		free(total);
		free(pk);
		viz_headless_free(&hl);
		viz_control_free(&c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int64_t *build = total + frames, *render = total + 2 * frames, *simt = total + 3 * frames;
	int64_t *cpu = total + 4 * frames;
	viz_control_seek(c, start);
	if (inspect) {
		/* Both inspectors open, as a class reading the first message at
		 * the first MTA would have them. */
		const struct viz_scene *sc = viz_control_scene(c);
		for (int hh = 0; hh < viz_scene_host_count(sc); hh++)
			if (viz_scene_host_role(sc, hh) == VIZ_ROLE_MTA) {
				viz_control_select(c, (struct viz_hit){VIZ_HIT_HOST, (uint64_t)hh, 0});
				break;
			}
		viz_control_select_message(c, 0);
	}
	/* Warm the text cache as a running viewer would have. */
	viz_headless_render(hl, c, err, errlen);
	memset(r, 0, sizeof *r);
	r->name = name;
	r->frames = frames;
	r->hosts = (size_t)viz_scene_host_count(viz_control_scene(c));
	for (int i = 0; i < frames; i++) {
		int64_t t0 = wall_ns(), c0 = cpu_ns(), c1 = 0;
		if (!viz_control_playing(c))
			viz_control_set_playing(c, 1); /* loop the run */
		viz_control_tick(c, 16666667);
		int64_t t1 = wall_ns();
		c1 = cpu_ns() - c0;
		const struct viz_frame *fr = viz_control_frame(c, w, h, NULL); /* the build alone, approximate metrics */
		size_t dots = 0;
		for (size_t k = 0; k < viz_frame_count(fr); k++) {
			const struct viz_cmd *cm = viz_frame_cmd(fr, k);
			dots += cm->kind == VIZ_CMD_DISC && cm->tag == VIZ_TAG_PACKET;
		}
		int64_t t2 = wall_ns(), c2 = cpu_ns();
		if (viz_headless_render(hl, c, err, errlen) < 0)
			break;
		int64_t t3 = wall_ns();
		cpu[i] = c1 + (cpu_ns() - c2);
		simt[i] = t1 - t0;
		build[i] = t2 - t1;
		/* viz_headless_render builds again with the real metrics: the frame
		 * is that build plus the drawing. */
		render[i] = t3 - t2;
		total[i] = simt[i] + render[i];
		pk[i] = visible_packets(c);
		pk[frames + i] = dots; /* discs: fill, plus an outline when not dense */
	}
	qsort(total, (size_t)frames, sizeof *total, cmp_i64);
	qsort(build, (size_t)frames, sizeof *build, cmp_i64);
	qsort(render, (size_t)frames, sizeof *render, cmp_i64);
	qsort(simt, (size_t)frames, sizeof *simt, cmp_i64);
	qsort(cpu, (size_t)frames, sizeof *cpu, cmp_i64);
	size_t p99 = (size_t)((double)frames * 0.99);
	if (p99 >= (size_t)frames)
		p99 = (size_t)frames - 1;
	r->median_ms = (double)total[frames / 2] / 1e6;
	r->p99_ms = (double)total[p99] / 1e6;
	r->max_ms = (double)total[frames - 1] / 1e6;
	r->cpu_median_ms = (double)cpu[frames / 2] / 1e6;
	r->cpu_p99_ms = (double)cpu[p99] / 1e6;
	r->build_median_ms = (double)build[frames / 2] / 1e6;
	r->render_median_ms = (double)render[frames / 2] / 1e6;
	r->sim_median_ms = (double)simt[frames / 2] / 1e6;
	size_t lo = (size_t)-1, hi = 0;
	for (int i = 0; i < frames; i++) {
		lo = pk[i] < lo ? pk[i] : lo;
		hi = pk[i] > hi ? pk[i] : hi;
	}
	for (int i = 1; i < frames; i++) /* insertion sort of counts for the median */
		for (int j = i; j > 0 && pk[j - 1] > pk[j]; j--) {
			size_t t = pk[j];
			pk[j] = pk[j - 1];
			pk[j - 1] = t;
		}
	r->packets_min = lo;
	r->packets_max = hi;
	r->packets_median = pk[frames / 2];
	qsort(pk + frames, (size_t)frames, sizeof *pk, cmp_size);
	r->dots_median = pk[frames + frames / 2];
	/* One replay: back to the middle of what was played. */
	sim_time mid = viz_control_now(c) / 2;
	viz_control_seek(c, mid);
	r->replay_ms = viz_control_last_replay_ns(c) / 1e6;
	/* The longest drag: from the end of the run (as far as the timeline
	 * knows it) back to just before it. */
	sim_time last = viz_control_end(c);
	viz_control_seek(c, last);
	viz_control_seek(c, last - 1);
	r->replay_end_ms = viz_control_last_replay_ns(c) / 1e6;
	free(total);
	free(pk);
	viz_headless_free(&hl);
	viz_control_free(&c);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: mailsim bench viewer [--json] [--frames N] [--size WxH] [--scenario FILE]\n\n"
		     "Renders the viewer headless with SDL's software renderer and prints the median and\n"
		     "99th-percentile frame time (simulation step + frame build + rendering) for the\n"
		     "classic scenario (or FILE) and for a generated world of 200 hosts with about\n"
		     "2,000 segments in flight. Goal: both within 16.7 ms (60 frames a second).\n");
}

int bench_viewer_main(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"frames", required_argument, NULL, 'f'},
					     {"size", required_argument, NULL, 's'},
					     {"scenario", required_argument, NULL, 'c'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int json = 0, frames = 600, w = 1920, h = 1080;
	const char *scenario = NULL;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'f':
			frames = atoi(optarg);
			if (frames < 10 || frames > 100000) {
				fprintf(stderr, "mailsim bench viewer: --frames takes 10 to 100000\n");
				return 2;
			}
			break;
		case 's':
			if (sscanf(optarg, "%dx%d", &w, &h) != 2 || w < 64 || h < 64 || w > 16384 || h > 16384) {
				fprintf(stderr, "mailsim bench viewer: --size takes WxH, e.g. 1920x1080\n");
				return 2;
			}
			break;
		case 'c':
			scenario = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mailsim bench viewer: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	char err[512] = "";
	struct result res[2];
	struct viz_source *classic = viz_cli_source(scenario, 0, 0, err, sizeof err);
	if (!classic) {
		fprintf(stderr, "mailsim bench viewer: %s\n", err);
		return 2;
	}
	/* The classic run, played whole across the frames (looping if short). */
	struct viz_control_opts co = viz_control_opts_default();
	struct viz_control *probe = viz_control_new(classic, &co, err, sizeof err);
	if (!probe) {
		fprintf(stderr, "mailsim bench viewer: %s\n", err);
		viz_scn_source_free(&classic);
		return 1;
	}
	double speed = (double)viz_control_end(probe) / ((double)frames * 16666667.0);
	viz_control_free(&probe);
	speed = speed < 0.1 ? 0.1 : speed > 1000 ? 1000 : speed;
	int rc = measure("classic", classic, speed, 0, frames, w, h, 1, &res[0], err, sizeof err);
	struct viz_gen_opts *go = malloc(sizeof *go);
	struct viz_source *big = NULL;
	if (rc == 0 && go) {
		viz_gen_opts_big(go);
		big = viz_gen_source_new(go);
		/* 4 s in, every flow has opened its window fully: the busiest time.
		 * 0.1x: the segments crawl, as a class would watch them. */
		rc = big ? measure("generated-200-hosts", big, 0.1, 4 * SIM_S, frames, w, h, 0, &res[1], err,
					sizeof err) : -1;
	}
	free(go);
	viz_gen_source_free(&big);
	viz_scn_source_free(&classic);
	packet_pool_drain();
	if (rc < 0) {
		fprintf(stderr, "mailsim bench viewer: %s\n", err[0] ? err : "out of memory");
		return 1;
	}
	if (json) {
		cJSON *root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "benchmark", "viewer");
		cJSON_AddStringToObject(root, "renderer", "software");
		cJSON_AddNumberToObject(root, "width", w);
		cJSON_AddNumberToObject(root, "height", h);
		cJSON_AddNumberToObject(root, "budget_ms", 16.7);
		cJSON *arr = cJSON_AddArrayToObject(root, "workloads");
		for (int i = 0; i < 2; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", res[i].name);
			cJSON_AddNumberToObject(o, "frames", res[i].frames);
			cJSON_AddNumberToObject(o, "hosts", (double)res[i].hosts);
			cJSON_AddNumberToObject(o, "packets_in_flight_median", (double)res[i].packets_median);
			cJSON_AddNumberToObject(o, "packets_in_flight_max", (double)res[i].packets_max);
			cJSON_AddNumberToObject(o, "packet_dots_drawn_median", (double)res[i].dots_median);
			cJSON_AddNumberToObject(o, "frame_ms_median", res[i].median_ms);
			cJSON_AddNumberToObject(o, "frame_ms_p99", res[i].p99_ms);
			cJSON_AddNumberToObject(o, "frame_ms_max", res[i].max_ms);
			cJSON_AddNumberToObject(o, "frame_cpu_ms_median", res[i].cpu_median_ms);
			cJSON_AddNumberToObject(o, "frame_cpu_ms_p99", res[i].cpu_p99_ms);
			cJSON_AddNumberToObject(o, "sim_ms_median", res[i].sim_median_ms);
			cJSON_AddNumberToObject(o, "build_ms_median", res[i].build_median_ms);
			cJSON_AddNumberToObject(o, "build_and_render_ms_median", res[i].render_median_ms);
			cJSON_AddNumberToObject(o, "replay_to_middle_ms", res[i].replay_ms);
			cJSON_AddNumberToObject(o, "replay_to_end_ms", res[i].replay_end_ms);
			cJSON_AddBoolToObject(o, "within_budget", res[i].p99_ms <= 16.7);
			cJSON_AddItemToArray(arr, o);
		}
		char *text = cJSON_PrintUnformatted(root);
		if (text)
			printf("%s\n", text);
		free(text);
		cJSON_Delete(root);
		return 0;
	}
	printf("viewer: headless software rendering at %dx%d, %d frames of 1/60 s each\n", w, h, frames);
	printf("%-22s %6s %8s %6s %10s %8s %8s %8s %8s %8s %11s\n", "workload", "hosts", "packets", "dots",
	       "median ms", "p99 ms", "max ms", "cpu med", "cpu p99", "sim ms", "replay ms");
	for (int i = 0; i < 2; i++)
		printf("%-22s %6zu %8zu %6zu %10.2f %8.2f %8.2f %8.2f %8.2f %8.2f %5.1f/%5.1f\n", res[i].name,
		       res[i].hosts, res[i].packets_median, res[i].dots_median, res[i].median_ms, res[i].p99_ms,
		       res[i].max_ms, res[i].cpu_median_ms, res[i].cpu_p99_ms, res[i].sim_median_ms, res[i].replay_ms,
		       res[i].replay_end_ms);
	printf("(medians over the frames. packets: on links; dots: drawn (packets on the same pixels are\n"
	       " drawn once; discs drawn); a frame is the simulation step, the frame build and the rendering, in wall\n"
	       " time and in this thread's CPU time (cpu: what it costs whatever else runs); replay:\n"
	       " seeking back to the middle / to the end of what was played, by replay from zero. Goal: p99 within 16.7 ms)\n");
	return 0;
}
