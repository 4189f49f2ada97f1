/* Version of the sans-I/O protocol library. */
#ifndef PROTOCOLS_VERSION_H
#define PROTOCOLS_VERSION_H
const char *protocols_version(void);
#endif
