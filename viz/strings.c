/* The viewer's string table: one row per string, one column per language.
 * Add a language by adding a column; a missing (NULL) entry falls back to
 * English. */
#include "viz/strings.h"

#include <stdlib.h>
#include <string.h>

static const char *const table[VIZ_S_COUNT][VIZ_LANG_COUNT] = {
    [VIZ_S_PLAYING] = {"playing", "reproduciendo"},
    [VIZ_S_PAUSED] = {"paused", "en pausa"},
    [VIZ_S_FINISHED] = {"finished", "terminado"},
    [VIZ_S_SPEED] = {"speed", "velocidad"},
    [VIZ_S_HELP_HINT] = {"F1 or ?: help", "F1 o ?: ayuda"},
    [VIZ_S_CONNECTIONS] = {"TCP connections", "Conexiones TCP"},
    [VIZ_S_NO_CONNECTIONS] = {"(none yet)", "(ninguna todavía)"},
    [VIZ_S_EVENT_LOG] = {"Event log", "Registro de eventos"},
    [VIZ_S_LEGEND_SMTP] = {"SMTP", "SMTP"},
    [VIZ_S_LEGEND_POP3] = {"POP3", "POP3"},
    [VIZ_S_LEGEND_IMAP] = {"IMAP", "IMAP"},
    [VIZ_S_LEGEND_DNS] = {"DNS", "DNS"},
    [VIZ_S_LEGEND_TCP_DATA] = {"other data", "otros datos"},
    [VIZ_S_LEGEND_TCP_CONTROL] = {"TCP control", "control TCP"},
    [VIZ_S_LEGEND_RETRANSMIT] = {"retransmission", "retransmisión"},
    [VIZ_S_LEGEND_DROP] = {"lost", "perdido"},
    [VIZ_S_HELP_TITLE] = {"Keys", "Teclas"},
    [VIZ_S_KEY_PLAY] = {"Space: play / pause", "Espacio: reproducir / pausa"},
    [VIZ_S_KEY_STEP] = {"N or .: step one event", "N o .: avanzar un evento"},
    [VIZ_S_KEY_STEP_LINE] = {"Tab: step to the next protocol line", "Tab: avanzar hasta la próxima línea del protocolo"},
    [VIZ_S_KEY_SPEED] = {"+ / -: faster / slower (0.1x to 1000x)", "+ / -: más rápido / más lento (0,1x a 1000x)"},
    [VIZ_S_KEY_SCRUB] = {"Left / Right: back / forward in time", "Izquierda / Derecha: atrás / adelante en el tiempo"},
    [VIZ_S_KEY_HOME_END] = {"Home / End: start / end of the run", "Inicio / Fin: principio / final"},
    [VIZ_S_KEY_CLICK] = {"Click: select a host, link or packet", "Clic: elegir un equipo, enlace o paquete"},
    [VIZ_S_KEY_TIMELINE] = {"Click or drag the timeline: go to that time", "Clic o arrastre en la línea de tiempo: ir a ese momento"},
    [VIZ_S_KEY_PROJECTOR] = {"P: projector mode (large text, high contrast)", "P: modo proyector (texto grande, alto contraste)"},
    [VIZ_S_KEY_LANG] = {"L: español / English", "L: English / español"},
    [VIZ_S_KEY_HELP] = {"F1 or ?: this help", "F1 o ?: esta ayuda"},
    [VIZ_S_KEY_QUIT] = {"Esc: close / deselect    Q: quit", "Esc: cerrar / deseleccionar    Q: salir"},
    [VIZ_S_LINK_DOWN] = {"link %s down", "enlace %s caído"},
    [VIZ_S_LINK_UP] = {"link %s up", "enlace %s activo"},
    [VIZ_S_DROPPED] = {"dropped", "descartado"},
    [VIZ_S_RETRANSMIT] = {"retransmits", "retransmite"},
    [VIZ_S_ROLE_HOST] = {"host", "equipo"},
    [VIZ_S_ROLE_UA] = {"user agent", "agente de usuario"},
    [VIZ_S_ROLE_MTA] = {"mail transfer agent", "agente de transferencia"},
    [VIZ_S_ROLE_DNS] = {"DNS server", "servidor DNS"},
    [VIZ_S_ROLE_MAILBOX] = {"mailbox server", "servidor de buzones"},
    [VIZ_S_ROLE_ROUTER] = {"router", "router"},
    [VIZ_S_ROLE_SNIFFER] = {"sniffer", "espía de red"},
    [VIZ_S_SEL_HOST] = {"Host", "Equipo"},
    [VIZ_S_SEL_LINK] = {"Link", "Enlace"},
    [VIZ_S_SEL_PACKET] = {"Packet", "Paquete"},
    [VIZ_S_LATENCY] = {"latency", "latencia"},
    [VIZ_S_BANDWIDTH] = {"bandwidth", "ancho de banda"},
    [VIZ_S_LOSS] = {"loss", "pérdida"},
    [VIZ_S_STATE_UP] = {"up", "activo"},
    [VIZ_S_STATE_DOWN] = {"DOWN", "CAÍDO"},
    [VIZ_S_IN_FLIGHT] = {"in flight", "en viaje"},
    [VIZ_S_DROP_LOSS] = {"lost on the link", "perdido en el enlace"},
    [VIZ_S_DROP_QUEUE] = {"queue full", "cola llena"},
    [VIZ_S_DROP_LINK_DOWN] = {"link down", "enlace caído"},
    [VIZ_S_DROP_NO_ROUTE] = {"no route", "sin ruta"},
    [VIZ_S_DROP_TTL] = {"TTL expired", "TTL agotado"},
    [VIZ_S_DROP_TOO_BIG] = {"larger than the MTU", "mayor que la MTU"},
    [VIZ_S_DROP_NO_SOCKET] = {"no socket on that port", "ningún socket en ese puerto"},
    [VIZ_S_DROP_HOST_DOWN] = {"host down (crashed)", "host caído (se colgó)"},
    [VIZ_S_CLICK_TO_CLOSE] = {"Esc or F1 closes this", "Esc o F1 cierra esto"},
    [VIZ_S_KEY_HOP] = {"H: step to the next hop of the selected message", "H: avanzar hasta el próximo salto del mensaje elegido"},
    [VIZ_S_KEY_MESSAGE] = {"M: inspect the next message (its headers at the selected host)", "M: inspeccionar el mensaje siguiente (sus encabezados en el equipo elegido)"},
    [VIZ_S_KEY_BREAK_5XX] = {"E: breakpoint on any 5xx reply", "E: punto de parada en toda respuesta 5xx"},
    [VIZ_S_KEY_BREAK_CMD] = {"K: breakpoint on a command (the selected line's, else the next one in a list)", "K: punto de parada en un comando (el de la línea elegida, o el siguiente de una lista)"},
    [VIZ_S_KEY_BREAK_MAILBOX] = {"D: breakpoint when a message reaches a mailbox", "D: punto de parada cuando un mensaje llega a un buzón"},
    [VIZ_S_KEY_CLICK_LINE] = {"Click a line of the sequence chart: its details and its message", "Clic en una línea del diagrama: sus detalles y su mensaje"},
    [VIZ_S_MESSAGE] = {"Message", "Mensaje"},
    [VIZ_S_MSG_AT] = {"at", "en"},
    [VIZ_S_MSG_COMPOSED] = {"composed here", "escrito aquí"},
    [VIZ_S_MSG_FROM_HOST] = {"from", "desde"},
    [VIZ_S_ENVELOPE] = {"Envelope (SMTP)", "Sobre (SMTP)"},
    [VIZ_S_HEADER_ADDR] = {"Header fields", "Campos del encabezado"},
    [VIZ_S_HEADER_FIELDS] = {"Trace fields (Received)", "Campos de traza (Received)"},
    [VIZ_S_MIME_TREE] = {"MIME structure", "Estructura MIME"},
    [VIZ_S_OTHER_FIELDS] = {"Other header fields", "Otros campos del encabezado"},
    [VIZ_S_HOPS] = {"Journey", "Recorrido"},
    [VIZ_S_ABSENT] = {"(not in the header)", "(no está en el encabezado)"},
    [VIZ_S_NOT_YET] = {"(not sent yet)", "(todavía no enviado)"},
    [VIZ_S_MTA_QUEUE] = {"MTA queue", "Cola del MTA"},
    [VIZ_S_QUEUE_EMPTY] = {"(empty)", "(vacía)"},
    [VIZ_S_NEXT_ATTEMPT] = {"next attempt", "próximo intento"},
    [VIZ_S_MAILBOXES] = {"Mailboxes", "Buzones"},
    [VIZ_S_DNS_ZONE] = {"DNS zone", "Zona DNS"},
    [VIZ_S_BREAKPOINTS] = {"break on", "parar en"},
    [VIZ_S_BREAK_HIT] = {"breakpoint", "punto de parada"},
    [VIZ_S_LIVE] = {"LIVE via %s: %llu real connection(s) open; no going back in time",
		     "EN VIVO vía %s: %llu conexión(es) real(es) abierta(s); no se puede volver atrás"},
    [VIZ_S_LIVE_PAUSED] = {"PAUSED via %s: simulated time is held, %llu real connection(s) wait for replies; Space resumes",
			   "EN PAUSA vía %s: el tiempo simulado está detenido, %llu conexión(es) real(es) esperan respuesta; Espacio continúa"},
    [VIZ_S_SEL_LINE] = {"Protocol line", "Línea del protocolo"},
};

const char *viz_str(enum viz_lang lang, enum viz_str id)
{
	if ((unsigned)id >= VIZ_S_COUNT)
		return "?";
	if ((unsigned)lang >= VIZ_LANG_COUNT)
		lang = VIZ_LANG_EN;
	const char *s = table[id][lang];
	if (!s)
		s = table[id][VIZ_LANG_EN];
	return s ? s : "?";
}

enum viz_lang viz_lang_parse(const char *name)
{
	if (name && strncmp(name, "es", 2) == 0 && (name[2] == '\0' || name[2] == '_' || name[2] == '-' || name[2] == '.'))
		return VIZ_LANG_ES;
	return VIZ_LANG_EN;
}

enum viz_lang viz_lang_from_env(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return viz_lang_parse(v);
	}
	return VIZ_LANG_EN;
}

const char *viz_lang_code(enum viz_lang lang) { return lang == VIZ_LANG_ES ? "es" : "en"; }
