/* The viewer's user-visible strings in English and Spanish, kept in one
 * table (strings.c) so a translation is one column and nothing is missed.
 *
 *   enum viz_lang lang = viz_lang_from_env();      // LC_ALL, LC_MESSAGES, LANG
 *   const char *s = viz_str(lang, VIZ_S_PAUSED);
 *
 * Strings are UTF-8 and static. */
#ifndef VIZ_STRINGS_H
#define VIZ_STRINGS_H

enum viz_lang { VIZ_LANG_EN, VIZ_LANG_ES, VIZ_LANG_COUNT };

enum viz_str {
	VIZ_S_PLAYING,
	VIZ_S_PAUSED,
	VIZ_S_FINISHED,
	VIZ_S_SPEED,
	VIZ_S_HELP_HINT,
	VIZ_S_CONNECTIONS,
	VIZ_S_NO_CONNECTIONS,
	VIZ_S_EVENT_LOG,
	VIZ_S_LEGEND_SMTP,
	VIZ_S_LEGEND_POP3,
	VIZ_S_LEGEND_IMAP,
	VIZ_S_LEGEND_DNS,
	VIZ_S_LEGEND_TCP_DATA,
	VIZ_S_LEGEND_TCP_CONTROL,
	VIZ_S_LEGEND_RETRANSMIT,
	VIZ_S_LEGEND_DROP,
	VIZ_S_HELP_TITLE,
	VIZ_S_KEY_PLAY,
	VIZ_S_KEY_STEP,
	VIZ_S_KEY_STEP_LINE,
	VIZ_S_KEY_SPEED,
	VIZ_S_KEY_SCRUB,
	VIZ_S_KEY_HOME_END,
	VIZ_S_KEY_CLICK,
	VIZ_S_KEY_TIMELINE,
	VIZ_S_KEY_PROJECTOR,
	VIZ_S_KEY_LANG,
	VIZ_S_KEY_HELP,
	VIZ_S_KEY_QUIT,
	VIZ_S_LINK_DOWN,
	VIZ_S_LINK_UP,
	VIZ_S_DROPPED,
	VIZ_S_RETRANSMIT,
	VIZ_S_ROLE_HOST,
	VIZ_S_ROLE_UA,
	VIZ_S_ROLE_MTA,
	VIZ_S_ROLE_DNS,
	VIZ_S_ROLE_MAILBOX,
	VIZ_S_ROLE_ROUTER,
	VIZ_S_ROLE_SNIFFER,
	VIZ_S_SEL_HOST,
	VIZ_S_SEL_LINK,
	VIZ_S_SEL_PACKET,
	VIZ_S_LATENCY,
	VIZ_S_BANDWIDTH,
	VIZ_S_LOSS,
	VIZ_S_STATE_UP,
	VIZ_S_STATE_DOWN,
	VIZ_S_IN_FLIGHT,
	VIZ_S_DROP_LOSS,
	VIZ_S_DROP_QUEUE,
	VIZ_S_DROP_LINK_DOWN,
	VIZ_S_DROP_NO_ROUTE,
	VIZ_S_DROP_TTL,
	VIZ_S_DROP_TOO_BIG,
	VIZ_S_DROP_NO_SOCKET,
	VIZ_S_DROP_HOST_DOWN,
	VIZ_S_CLICK_TO_CLOSE,
	VIZ_S_KEY_HOP,
	VIZ_S_KEY_MESSAGE,
	VIZ_S_KEY_BREAK_5XX,
	VIZ_S_KEY_BREAK_CMD,
	VIZ_S_KEY_BREAK_MAILBOX,
	VIZ_S_KEY_CLICK_LINE,
	VIZ_S_MESSAGE,
	VIZ_S_MSG_AT,
	VIZ_S_MSG_COMPOSED,
	VIZ_S_MSG_FROM_HOST,
	VIZ_S_ENVELOPE,
	VIZ_S_HEADER_ADDR,
	VIZ_S_HEADER_FIELDS,
	VIZ_S_MIME_TREE,
	VIZ_S_OTHER_FIELDS,
	VIZ_S_HOPS,
	VIZ_S_ABSENT,
	VIZ_S_NOT_YET,
	VIZ_S_MTA_QUEUE,
	VIZ_S_QUEUE_EMPTY,
	VIZ_S_NEXT_ATTEMPT,
	VIZ_S_MAILBOXES,
	VIZ_S_DNS_ZONE,
	VIZ_S_BREAKPOINTS,
	VIZ_S_BREAK_HIT,
	VIZ_S_LIVE,        /* format: gateway name, open connections (unsigned long long) */
	VIZ_S_LIVE_PAUSED, /* the same while paused */
	VIZ_S_SEL_LINE,
	VIZ_S_COUNT
};

/* The string id in lang; never NULL (falls back to English). */
const char *viz_str(enum viz_lang lang, enum viz_str id);
/* "es" for Spanish ("es", "es_AR.UTF-8" ...), else English; NULL or "" is
 * English. */
enum viz_lang viz_lang_parse(const char *name);
/* The language of the environment: LC_ALL, then LC_MESSAGES, then LANG
 * (the first one set and non-empty), as POSIX orders them. */
enum viz_lang viz_lang_from_env(void);
const char *viz_lang_code(enum viz_lang lang);

#endif
