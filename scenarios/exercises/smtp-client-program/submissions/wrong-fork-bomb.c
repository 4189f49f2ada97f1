/* Mischief: a fork bomb. The process limit stops it from growing and the
 * whole process tree is killed at the time limit. */
#include <unistd.h>

int main(void)
{
	for (;;)
		fork();
}
