/* What the stepper's files share (cmd_step.c: options, the loop and the
 * keys; step_show.c: sessions and how items are shown with their
 * explanations; step_quiz.c: the --predict questions and the score). */
#ifndef SIM_CLI_STEP_INTERNAL_H
#define SIM_CLI_STEP_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "sim/cli/step_feed.h"
#include "sim/explain/explain.h"

struct scn_world;
struct net;
struct scenario;

#define STEP_BODY_LINES 4 /* body lines of a message shown per part */
#define STEP_MAX_BREAKS 32

/* How far the stepper runs before it asks for a key again. */
enum step_mode {
	MODE_STEP, /* stop at the next protocol line */
	MODE_HOP,  /* stop when the next connection starts */
	MODE_MAIL, /* stop after the next message event */
	MODE_CONT, /* run to the end (or a breakpoint) */
};

enum quiz_kind { QUIZ_REPLY, QUIZ_HOP, QUIZ_RECEIVED, QUIZ_RETRANSMIT, QUIZ_KINDS };

struct step_session {
	int host[2];      /* the client (first to connect) and the server */
	uint32_t conn[2]; /* each side's connection id; 0 unknown */
	char proto[12];
	uint16_t port;    /* the server's port, 0 unknown */
	int data_from;    /* host sending a message or multi-line answer, -1 none */
	int data_count;   /* lines of that block so far */
	int data_message; /* the block is a message (elided like the transcript) */
	int data_in_body, data_shown, data_hidden;
	int pop3_multi;   /* POP3: the last command expects a multi-line answer */
	int pop3_capa;    /* ... and it was CAPA */
	int continuation; /* SMTP: the previous reply line was "NNN-" */
	int closed;       /* an end closed: later lines start a new session */
	const struct explain_entry *last[EXPLAIN_LINE_MAX];
	size_t nlast;
};

enum break_type { BREAK_HOST, BREAK_COMMAND, BREAK_REPLY };

struct step_break {
	enum break_type type;
	int host;
	char spec[32];
};

struct stepper {
	struct scn_world *world;
	const struct scenario *scn;
	const struct net *net;
	struct step_feed *feed;
	struct explain *ex;
	enum explain_lang lang;
	FILE *out;
	FILE *in;
	int echo;      /* stdin is not a terminal: echo what was read */
	int color;
	int predict, plaintext;
	int width;     /* the "a -> b" column */
	enum step_mode mode;
	int force_stop;
	struct step_session *sessions;
	size_t nsessions, capsessions;
	unsigned char *seen; /* per catalogue entry: explained once already */
	struct step_break breaks[STEP_MAX_BREAKS];
	size_t nbreaks;
	int asked[QUIZ_KINDS], right[QUIZ_KINDS];
	uint64_t lines;
	int quit;      /* q or end of input */
	int failed;    /* memory ran out */
};

#define L(st, en, es) ((st)->lang == EXPLAIN_ES ? (es) : (en))

/* Colours (ANSI), only when st->color. */
const char *step_color(const struct stepper *st, const char *code);
#define C_RESET "0"
#define C_DIM "2"
#define C_BOLD "1"
#define C_CLIENT "36"
#define C_OK "32"
#define C_MORE "36"
#define C_TEMP "33"
#define C_FAIL "31"
#define C_MAIL "35"
#define C_DNS "34"

const char *step_host(const struct stepper *st, int host);

/* The session a line belongs to, or -1 if the line starts a new one
 * (step_session_new makes it). */
int step_session_find(const struct stepper *st, const struct step_item *it);
int step_session_new(struct stepper *st, const struct step_item *it);
/* Shows one item (and its explanations); returns 1 when the item is one the
 * stepper stops after in MODE_STEP. */
int step_show(struct stepper *st, const struct step_item *it);

/* --predict: asks the question that fits the item, if any (before it is
 * shown), reads the answer and scores it. 0, or -1 at the end of input. */
int step_quiz(struct stepper *st, const struct step_item *it);
void step_quiz_score(const struct stepper *st);
/* Reads one line of input into buf (newline removed), echoing it when
 * stdin is not a terminal. 0, or -1 at the end of input. */
int step_read(struct stepper *st, char *buf, size_t size);

#endif
