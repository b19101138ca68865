/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * systemd integration without libsystemd: the notify protocol is one datagram
 * per message on the AF_UNIX socket named by $NOTIFY_SOCKET ('@' for the
 * abstract namespace), and journald reads "<N>" priority prefixes on stderr.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_log.h>

#include "vcryptd/service.h"

void
vcd_notify(const char *fmt, ...)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t salen;
	char msg[256];
	va_list ap;
	size_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	len = strlen(path);
	if (len >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen) < 0)
		fprintf(stderr, "vcryptd: cannot notify %s: %m\n", path);
	close(fd);
}

/* journald sets JOURNAL_STREAM for services whose stderr it reads. */
static bool journal_prefix;
static bool at_line_start = true;

/*
 * DPDK 22.11's default log stream prints every line on stdout and sends it to
 * syslog as well, so journald shows it twice.  This one writes once, to
 * stderr, prefixing each line with the message's syslog priority when
 * journald is listening (RTE_LOG_EMERG 1 .. RTE_LOG_DEBUG 8 -> 0 .. 7).
 */
static ssize_t
log_write(void *cookie, const char *buf, size_t size)
{
	size_t done = 0;

	(void)cookie;
	while (done < size) {
		const char *nl = memchr(buf + done, '\n', size - done);
		size_t n = nl != NULL ? (size_t)(nl - (buf + done)) + 1 : size - done;

		if (journal_prefix && at_line_start) {
			int level = rte_log_cur_msg_loglevel();

			fprintf(stderr, "<%d>", level >= 1 && level <= 8 ? level - 1 : 6);
		}
		fwrite(buf + done, 1, n, stderr);
		at_line_start = nl != NULL;
		done += n;
	}
	fflush(stderr);
	return (ssize_t)size;
}

void
vcd_log_stream_init(void)
{
	static const cookie_io_functions_t io = {.write = log_write};
	FILE *f;

	journal_prefix = getenv("JOURNAL_STREAM") != NULL;
	f = fopencookie(NULL, "w", io);
	if (f == NULL)
		return;
	setvbuf(f, NULL, _IOLBF, 0);
	rte_openlog_stream(f);
}
