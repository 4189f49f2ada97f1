/* `mailsim bench viewer`: headless frame times of the viewer (software
 * renderer, 1920x1080 by default) for the classic scenario and for a
 * generated world of 200 hosts with about 2,000 segments in flight.
 * A frame is everything the window loop does per frame except present:
 * advance the simulation, build the frame, render it. Prints the median
 * and 99th percentile (with --json, one JSON object). */
#ifndef VIZ_BENCH_VIEWER_H
#define VIZ_BENCH_VIEWER_H

int bench_viewer(int argc, char **argv);

#endif
