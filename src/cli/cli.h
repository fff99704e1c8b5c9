/* cli.h - the commands of the segc CLI that live in their own files. */
#ifndef SEGC_CLI_H
#define SEGC_CLI_H

extern const char gen_help[];
int cmd_gen(int argc, char **argv);

#endif
