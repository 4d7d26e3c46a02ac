/*
 * color.c - see color.h.
 */
#include "color.h"

#include <stdlib.h>
#include <unistd.h>

int color_disabled(void)
{
	const char *v = getenv("NO_COLOR");

	return v && *v;         /* no-color.org: set and not empty */
}

int color_on(int fd)
{
	return isatty(fd) && !color_disabled();
}

const char *color_severity(int on, enum tone_severity s, int bold)
{
	if (!on)
		return "";
	if (s == TONE_ERROR)
		return bold ? COLOR_BOLD_RED : COLOR_RED;
	if (s == TONE_WARNING)
		return bold ? COLOR_BOLD_YELLOW : COLOR_YELLOW;
	return bold ? COLOR_BOLD_CYAN : COLOR_YELLOW;
}
