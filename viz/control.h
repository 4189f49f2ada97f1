/* The viewer's controls, with no SDL: play and pause, step one event,
 * speed (0.1x to 1000x real time), seeking (scrubbing) by deterministic
 * replay from zero, selection by click, the help overlay, projector mode
 * and the language. A backend translates its events into viz_input and
 * calls viz_control_tick() once per displayed frame with the wall time that
 * passed; tests feed synthetic inputs the same way.
 *
 * The simulation advances in bounded steps per frame (event by event up to
 * the frame's target time, stopping once the frame's event cap or wall
 * budget is spent), so the display never waits for it: a busy run just
 * plays slower than asked.
 * The viewer changes the run only through the kernel's run controls. */
#ifndef VIZ_CONTROL_H
#define VIZ_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"
#include "viz/frame.h"
#include "viz/source.h"
#include "viz/strings.h"

struct viz_control;
struct viz_scene;

enum viz_key {
	VIZ_KEY_NONE,
	VIZ_KEY_PLAY,      /* toggle play / pause */
	VIZ_KEY_STEP,      /* pause and run one event */
	VIZ_KEY_STEP_LINE, /* pause and run to the next protocol line */
	VIZ_KEY_FASTER,
	VIZ_KEY_SLOWER,
	VIZ_KEY_BACK,      /* seek back a fiftieth of the run */
	VIZ_KEY_FORWARD,
	VIZ_KEY_HOME,      /* seek to 0 */
	VIZ_KEY_END,       /* seek to the end */
	VIZ_KEY_HELP,      /* toggle the help overlay */
	VIZ_KEY_PROJECTOR, /* toggle projector mode */
	VIZ_KEY_LANG,      /* switch language */
	VIZ_KEY_ESCAPE,    /* close help, else clear the selection */
	VIZ_KEY_QUIT,
	VIZ_KEY_STEP_HOP,      /* pause and run to the next hop of the inspected message */
	VIZ_KEY_NEXT_MESSAGE,  /* inspect the next message (wraps; none after the last) */
	VIZ_KEY_BREAK_5XX,     /* toggle the breakpoint on any 5xx reply */
	VIZ_KEY_BREAK_CMD,     /* breakpoint on the selected line's command, else the next in a list */
	VIZ_KEY_BREAK_MAILBOX, /* toggle the breakpoint on delivery to a mailbox */
};

enum viz_input_kind {
	VIZ_IN_KEY,
	VIZ_IN_PRESS,   /* mouse button down at (x, y) */
	VIZ_IN_MOTION,  /* pointer moved to (x, y) */
	VIZ_IN_RELEASE, /* mouse button up */
	VIZ_IN_QUIT,    /* the window was closed */
};

struct viz_input {
	enum viz_input_kind kind;
	enum viz_key key;
	int x, y;
};

struct viz_control_opts {
	double speed;          /* initial speed, clamped to 0.1 .. 1000 */
	enum viz_lang lang;
	int projector;
	int playing;           /* start playing */
	uint64_t max_events;   /* per tick; 0: 50,000 */
	int64_t budget_ns;     /* wall time per tick for the simulation; 0: 8 ms */
	/* Wall clock for the budget and replay timing (NULL: monotonic). */
	int64_t (*wall_ns)(void);
	/* Breakpoints set from the start (see viz_control_set_break). */
	int break_5xx, break_mailbox;
	const char *break_cmd; /* NULL: none */
};
struct viz_control_opts viz_control_opts_default(void);

/* Builds the first world from src (which must outlive the control) and
 * learns the run's end by a first replay (bounded: if the run is longer
 * than a few seconds of replay, the timeline grows as it plays). NULL and a
 * message in err on failure. */
struct viz_control *viz_control_new(const struct viz_source *src, const struct viz_control_opts *o, char *err,
				    size_t errlen);
void viz_control_free(struct viz_control **c);

void viz_control_input(struct viz_control *c, const struct viz_input *in);
/* Advances the simulation by wall_dt_ns of wall time at the current speed
 * when playing. */
void viz_control_tick(struct viz_control *c, int64_t wall_dt_ns);
/* Builds the frame for a window of w x h (kept until the next call; also
 * what clicks are tested against). m NULL: approximate metrics. */
const struct viz_frame *viz_control_frame(struct viz_control *c, int w, int h, const struct viz_text_metrics *m);

/* Runs events (pausing first) until the inspected message makes its next
 * hop (accepted by the next host, delivered to a mailbox, bounced); with
 * no message inspected, until any message does, which it then inspects.
 * At most a million events. 1 if a hop came, 0 if not. */
int viz_control_step_hop(struct viz_control *c);
/* Inspects message msg (index in viz_scene_msgs; -1: none). */
void viz_control_select_message(struct viz_control *c, int msg);
int viz_control_message(const struct viz_control *c);

/* Breakpoints: while playing or stepping to a hop, the run pauses right
 * after the event that published a matching record. Seeking (replay) never
 * stops at one. */
enum viz_break {
	VIZ_BREAK_5XX,     /* a reply whose code is 5xx (SMTP) */
	VIZ_BREAK_COMMAND, /* a client command with this verb (any protocol) */
	VIZ_BREAK_MAILBOX, /* a message stored in a mailbox */
};
/* Sets (on) or clears a breakpoint; verb for VIZ_BREAK_COMMAND (cut at 15
 * bytes, compared without case). */
void viz_control_set_break(struct viz_control *c, enum viz_break kind, int on, const char *verb);
/* "5xx, RCPT, mailbox" or "". */
const char *viz_control_breaks(const struct viz_control *c);
/* Why the last stop happened ("550 5.1.1 ... from mx to gateway"), "" if
 * the run did not stop at a breakpoint since the last play or step. */
const char *viz_control_break_note(const struct viz_control *c);

/* The debug description of what the window shows now: the scene's
 * (viz_scene_describe), then "selected ..." and the inspectors' rows
 * ("inspect new Received: ..." for a lit Received line; see rows.h).
 * malloc'd; NULL on ENOMEM. */
char *viz_control_describe(struct viz_control *c);

/* Goes to time t: forward by running, backward by rebuilding the world
 * and replaying from 0. Returns 0, or -1 if the world cannot be rebuilt. */
int viz_control_seek(struct viz_control *c, sim_time t);
/* Runs the next event (pausing first). 1 if one ran, 0 if none was left. */
int viz_control_step(struct viz_control *c);
/* Runs events (pausing first) until a protocol line is published, at most
 * a million of them. 1 if a line came, 0 if the run ended or the bound was
 * reached first. */
int viz_control_step_line(struct viz_control *c);
void viz_control_set_playing(struct viz_control *c, int playing);
void viz_control_set_speed(struct viz_control *c, double speed);
void viz_control_select(struct viz_control *c, struct viz_hit hit);

sim_time viz_control_now(const struct viz_control *c);
sim_time viz_control_end(const struct viz_control *c);
int viz_control_playing(const struct viz_control *c);
int viz_control_finished(const struct viz_control *c);
double viz_control_speed(const struct viz_control *c);
int viz_control_help(const struct viz_control *c);
int viz_control_projector(const struct viz_control *c);
enum viz_lang viz_control_lang(const struct viz_control *c);
int viz_control_quit(const struct viz_control *c);
struct viz_hit viz_control_selected(const struct viz_control *c);
struct viz_scene *viz_control_scene(const struct viz_control *c);
/* Events run by the last tick, and wall time of the last backward seek's
 * replay (ns; -1 if none yet). */
uint64_t viz_control_last_tick_events(const struct viz_control *c);
int64_t viz_control_last_replay_ns(const struct viz_control *c);

#endif
