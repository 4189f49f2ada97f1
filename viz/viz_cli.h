/* The viewer's subcommands, rows of the CLI's table (sim/cli/commands.c):
 *   mailsim view [FILE]       the interactive window (cmd_view.c)
 *   mailsim snapshot [FILE]   PNG images with no display (cmd_snapshot.c)
 * and whether `mailsim` with no arguments opens the viewer. */
#ifndef VIZ_CLI_H
#define VIZ_CLI_H

int cmd_view(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
/* 1 if the viewer can open a window here: DISPLAY or WAYLAND_DISPLAY is
 * set and SDL's video subsystem starts. */
int cli_display_available(void);

#endif
