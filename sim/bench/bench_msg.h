/* `mailsim bench msg`: parse and build throughput of the message library
 * (protocols/mime, mime_build, compose) on a 10 MB message with base64
 * attachments and on 10,000 small text messages, beside Python's email
 * package on the same inputs (tests/tools/py_email_bench.py). Prints a
 * table, or one JSON object with --json. Returns the exit code (0 ok,
 * 1 the run failed, 2 usage). Figures: docs/performance.md. */
#ifndef SIM_BENCH_BENCH_MSG_H
#define SIM_BENCH_BENCH_MSG_H

int bench_msg(int argc, char **argv);
/* The same, under the name the bench dispatcher's table expects. */
int bench_msg_main(int argc, char **argv);

#endif
