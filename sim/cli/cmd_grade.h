/* `mailsim grade`: grade a student's submission to an exercise (issue 8). */
#ifndef SIM_CLI_CMD_GRADE_H
#define SIM_CLI_CMD_GRADE_H

int cmd_grade(int argc, char **argv);

#endif
