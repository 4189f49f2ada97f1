/* The protocols library's version string, so the library always has at least
 * one object and tools can report which engine build they run. */
#include "protocols/protocols_version.h"

const char *protocols_version(void) { return "0.1.0"; }
