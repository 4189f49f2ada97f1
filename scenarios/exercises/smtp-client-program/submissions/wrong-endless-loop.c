/* Mistake: a reply-reading loop that never ends (it waits for a line that
 * starts with "250 " but compares the wrong bytes), spinning on the CPU. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	char line[64] = "220 smtp-1.dc.uba.ar ESMTP";
	volatile unsigned long spins = 0;
	while (strncmp(line + 1, "250 ", 4) != 0)
		spins++;
	printf("%lu\n", spins);
	return 0;
}
