/* The mail ledger's reports: the text printed at the end of a run and the
 * "ledger" object of the run summary (docs/trace-format.md). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "sim/observe/ledger.h"
#include "sim/observe/ledger_internal.h"

/* ---- text ---- */

int obs_ledger_print(struct obs_ledger *l, FILE *out)
{
	struct obs_ledger_totals t;
	obs_ledger_totals(l, &t);
	int balanced = obs_ledger_balanced(l);
	fprintf(out, "ledger: accepted %zu = delivered %zu + relayed %zu + bounced %zu + discarded %zu + queued %zu",
		t.accepted, t.delivered, t.relayed, t.bounced, t.discarded, t.queued);
	/* Only when a forwarding rule ended some: runs without rules print
	 * the line they always printed. */
	if (t.forwarded)
		fprintf(out, " + forwarded %zu", t.forwarded);
	fputs(": ", out);
	if (balanced)
		fputs("balanced\n", out);
	else
		fprintf(out, "NOT balanced (%zu problem%s)\n", t.problems, t.problems == 1 ? "" : "s");
	for (size_t i = 0; i < l->seen.n; i++)
		fprintf(out, "  problem: %s\n", l->seen.items[i]);
	for (size_t i = 0; i < l->settled.n; i++)
		fprintf(out, "  problem: %s\n", l->settled.items[i]);
	if (l->oom)
		fputs("  problem: out of memory while keeping the ledger: it is incomplete\n", out);
	for (size_t i = 0; i < l->dups.n; i++)
		fprintf(out, "  %s\n", l->dups.items[i]);
	char b[24];
	for (size_t m = 0; m < l->nmsgs; m++) {
		const struct ledger_message *msg = &l->msgs[m];
		fprintf(out, "message %s from <%s>: %s\n", msg->id ? msg->id : "(no Message-ID)", msg->from,
			ledger_message_fate(l, msg));
		for (size_t k = 0; k < msg->n; k++) {
			if (!ledger_first_for_mailbox(l, msg, k))
				continue;
			struct ledger_journey j;
			ledger_follow(l, msg, k, &j);
			const char *detail = ledger_journey_detail(&j);
			fprintf(out, "  %s: %s", l->entries[msg->entries[k]].rcpt, ledger_fate_names[j.fate]);
			if (j.fate == FATE_RELAYED)
				fprintf(out, " by %s %s, not seen again", ledger_host_name(l, j.at->host, b), j.at->qid);
			else
				fprintf(out, " at %s %s", ledger_host_name(l, j.at->host, b), j.at->qid);
			if (*detail)
				fprintf(out, j.fate == FATE_DELIVERED ? " (%s)" : ": %s", detail);
			if (j.deliveries > 1)
				fprintf(out, " [delivered %zu times]", j.deliveries);
			fputs("; path ", out);
			for (size_t p = 0; p < j.npath; p++)
				fprintf(out, "%s%s", p ? " > " : "", ledger_host_name(l, j.path[p], b));
			fputs(j.path_truncated ? " > ...\n" : "\n", out);
		}
	}
	return l->oom || ferror(out) ? -1 : 0;
}

/* ---- JSON ---- */

/* Appends item to arr (a NULL item is ENOMEM); on failure item is
 * deleted. 0 or -1. */
static int append(cJSON *arr, cJSON *item)
{
	if (item && cJSON_AddItemToArray(arr, item))
		return 0;
	cJSON_Delete(item);
	return -1;
}

static int add_count(cJSON *o, const char *key, size_t v) { return cJSON_AddNumberToObject(o, key, (double)v) ? 0 : -1; }

static int add_list(cJSON *o, const char *key, const struct ledger_strlist *a, const struct ledger_strlist *b)
{
	cJSON *arr = cJSON_AddArrayToObject(o, key);
	if (!arr)
		return -1;
	const struct ledger_strlist *lists[2] = {a, b};
	for (int k = 0; k < 2; k++) {
		if (!lists[k])
			continue;
		for (size_t i = 0; i < lists[k]->n; i++)
			if (append(arr, cJSON_CreateString(lists[k]->items[i])) < 0)
				return -1;
	}
	return 0;
}

static int add_recipient(const struct obs_ledger *l, cJSON *arr, const struct ledger_message *msg, size_t k)
{
	struct ledger_journey j;
	ledger_follow(l, msg, k, &j);
	char b[24];
	cJSON *r = cJSON_CreateObject(), *path;
	if (append(arr, r) < 0)
		return -1;
	if (!cJSON_AddStringToObject(r, "rcpt", l->entries[msg->entries[k]].rcpt) ||
	    !cJSON_AddStringToObject(r, "fate", ledger_fate_names[j.fate]) ||
	    !cJSON_AddStringToObject(r, "host", ledger_host_name(l, j.at->host, b)) ||
	    !cJSON_AddStringToObject(r, "queue_id", j.at->qid) ||
	    !cJSON_AddStringToObject(r, "detail", ledger_journey_detail(&j)) || add_count(r, "deliveries", j.deliveries) < 0 ||
	    !(path = cJSON_AddArrayToObject(r, "path")))
		return -1;
	for (size_t p = 0; p < j.npath; p++) {
		if (append(path, cJSON_CreateString(ledger_host_name(l, j.path[p], b))) < 0)
			return -1;
	}
	return 0;
}

int obs_ledger_add_json(struct obs_ledger *l, cJSON *obj)
{
	struct obs_ledger_totals t;
	obs_ledger_totals(l, &t);
	int balanced = obs_ledger_balanced(l);
	cJSON *o = cJSON_AddObjectToObject(obj, "ledger"), *queue, *msgs;
	if (!o || add_count(o, "accepted", t.accepted) < 0 || add_count(o, "delivered", t.delivered) < 0 ||
	    add_count(o, "relayed", t.relayed) < 0 || add_count(o, "bounced", t.bounced) < 0 ||
	    add_count(o, "discarded", t.discarded) < 0 || add_count(o, "queued", t.queued) < 0 ||
	    add_count(o, "forwarded", t.forwarded) < 0 ||
	    !cJSON_AddBoolToObject(o, "balanced", balanced) || add_count(o, "duplicates", t.duplicates) < 0 ||
	    add_list(o, "problems", &l->seen, &l->settled) < 0 || add_list(o, "duplicate_reports", &l->dups, NULL) < 0 ||
	    !(queue = cJSON_AddArrayToObject(o, "queue")))
		return -1;
	char b[24];
	for (size_t i = 0; i < l->nentries; i++) {
		const struct ledger_entry *en = &l->entries[i];
		if (en->fate != FATE_OPEN)
			continue;
		cJSON *q = cJSON_CreateObject();
		if (append(queue, q) < 0)
			return -1;
		if (!cJSON_AddStringToObject(q, "host", ledger_host_name(l, en->host, b)) ||
		    !cJSON_AddStringToObject(q, "queue_id", en->qid) || !cJSON_AddStringToObject(q, "rcpt", en->rcpt) ||
		    !cJSON_AddStringToObject(q, "reason", en->deferred && *en->deferred ? en->deferred
							   : en->queue_error			 ? en->queue_error
											 : "") ||
		    !cJSON_AddBoolToObject(q, "verified", en->declared))
			return -1;
	}
	if (!(msgs = cJSON_AddArrayToObject(o, "messages")))
		return -1;
	for (size_t m = 0; m < l->nmsgs; m++) {
		const struct ledger_message *msg = &l->msgs[m];
		cJSON *mo = cJSON_CreateObject(), *rs;
		if (append(msgs, mo) < 0)
			return -1;
		if (!(msg->id ? cJSON_AddStringToObject(mo, "id", msg->id) : cJSON_AddNullToObject(mo, "id")) ||
		    !cJSON_AddStringToObject(mo, "from", msg->from) ||
		    !cJSON_AddStringToObject(mo, "fate", ledger_message_fate(l, msg)) ||
		    !(rs = cJSON_AddArrayToObject(mo, "recipients")))
			return -1;
		for (size_t k = 0; k < msg->n; k++)
			if (ledger_first_for_mailbox(l, msg, k) && add_recipient(l, rs, msg, k) < 0)
				return -1;
	}
	return l->oom ? -1 : 0;
}

