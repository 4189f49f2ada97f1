/* Mistake: does not compile (a missing semicolon and an undeclared name). */
#include <stdio.h>

int main(void)
{
	int sock = socket(AF_INET, SOCK_STREAM, 0)
	printf("%d\n", sock);
	return 0;
}
