/* A sniffer: an eavesdropper on one link (the note's section 8). It reads
 * every TCP payload that crosses the link, in either direction, and keeps
 * what it could read: the plaintext of each connection, and for bytes sent
 * after STARTTLS only ciphertext (the packet is enciphered on the wire, see
 * sim/net/wire_cipher.h). After the run it prints what it saw.
 *
 * An observer like the others: it changes nothing. Each flow keeps at most
 * 1 MiB. */
#ifndef SIM_OBSERVE_SNIFFER_H
#define SIM_OBSERVE_SNIFFER_H

#include <stddef.h>
#include <stdio.h>

struct sim;
struct net;
struct obs_sniffer;

/* Taps link (a network link number) under the name given; link_name is how
 * the link is called in messages (NULL: the network's name for it). NULL on
 * ENOMEM. */
struct obs_sniffer *obs_sniffer_open(struct sim *sim, const struct net *net, int link, const char *name,
				     const char *link_name);
void obs_sniffer_close(struct obs_sniffer **s);
/* Prints, per connection, the text read in the clear and how much was
 * ciphertext. 0, or -1 if a write failed. */
int obs_sniffer_print(const struct obs_sniffer *s, FILE *out);
/* Whether text appears in the plaintext it read (for tests and graders). */
int obs_sniffer_read(const struct obs_sniffer *s, const char *text);
/* Bytes read in the clear and as ciphertext, over all flows. */
size_t obs_sniffer_plain_bytes(const struct obs_sniffer *s);
size_t obs_sniffer_cipher_bytes(const struct obs_sniffer *s);

#endif
