/*
 * color.h - the one home of the terminal's colours (git's color.h).
 *
 * Colour is on when the output is a terminal and NO_COLOR is unset or
 * empty (no-color.org); commands decide once, with color_on(fd), and pass
 * the answer down.  color(on, COLOR_X) is the escape sequence when on,
 * else "", so a format string needs no branches:
 *
 *   printf("%s%s%s\n", color(on, COLOR_BOLD), name, color(on, COLOR_RESET));
 */
#ifndef CANDOR_COLOR_H
#define CANDOR_COLOR_H

#include "tone.h"

#define COLOR_RESET     "\033[0m"
#define COLOR_BOLD      "\033[1m"
#define COLOR_DIM       "\033[2m"
#define COLOR_RED       "\033[31m"
#define COLOR_YELLOW    "\033[33m"
#define COLOR_BOLD_RED    "\033[1;31m"
#define COLOR_BOLD_YELLOW "\033[1;33m"
#define COLOR_BOLD_CYAN   "\033[1;36m"
#define COLOR_MARK_ERROR   "\033[41;97m"  /* white on red: an error's span */
#define COLOR_MARK_WARNING "\033[43;30m"  /* black on yellow: a warning's */
#define COLOR_CLEAR_SCREEN "\033[H\033[2J"

/* 1 when NO_COLOR is set and not empty. */
int color_disabled(void);

/* 1 when fd is a terminal and colour is not disabled. */
int color_on(int fd);

/* code when on, else "". */
static inline const char *color(int on, const char *code)
{
	return on ? code : "";
}

/* The colour of a finding's severity: red, yellow, or (bold) cyan for info. */
const char *color_severity(int on, enum tone_severity s, int bold);

#endif
