/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * vcryptctl: talk to a running vcryptd through its DPDK telemetry socket, for
 * orchestration that cannot edit files (a libvirt or Nova hook adding a socket
 * per VM).  The telemetry protocol: connect a SOCK_SEQPACKET socket, read the
 * server's greeting, send "command,params", read one JSON reply.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define REPLY_MAX 16384

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: vcryptctl [-f FILE_PREFIX | -s TELEMETRY_SOCKET] COMMAND\n"
		"commands:\n"
		"  show [VM]              daemon info and VMs, or one VM's counters\n"
		"  add NAME SOCKET        serve a new VM on SOCKET (absolute path)\n"
		"  remove NAME            answer, disconnect and remove a VM\n"
		"  limit NAME OPS BYTES   rate limits until the next reload: requests and\n"
		"                         bytes per second (0: no limit)\n"
		"  move NAME WORKER       move a VM to another worker (nothing lost)\n"
		"  log-level LEVEL        emerg alert crit err warning notice info debug\n"
		"  config                 the running configuration\n"
		"  raw TELEMETRY_COMMAND  e.g. raw /vcryptd/workers\n"
		"options:\n"
		"  -f PREFIX   the daemon's EAL file prefix (default vcryptd)\n"
		"  -s PATH     the telemetry socket itself\n");
}

/*
 * Where DPDK 22.11 puts the telemetry socket of the process with file prefix
 * @prefix: under $RUNTIME_DIRECTORY when systemd gave one (the unit's
 * RuntimeDirectory=vcryptd, so /run/vcryptd/dpdk/...), else /var/run/dpdk for
 * root, else $XDG_RUNTIME_DIR/dpdk or /tmp/dpdk.  The first that exists wins.
 */
static void
socket_path(const char *prefix, char *buf, size_t len)
{
	const char *bases[] = {getenv("RUNTIME_DIRECTORY"), "/run/vcryptd",
		getuid() == 0 ? "/var/run" : getenv("XDG_RUNTIME_DIR"), "/tmp"};
	unsigned int i;

	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (bases[i] == NULL)
			continue;
		snprintf(buf, len, "%s/dpdk/%s/dpdk_telemetry.v2", bases[i], prefix);
		if (access(buf, F_OK) == 0)
			return;
	}
	snprintf(buf, len, "%s/dpdk/%s/dpdk_telemetry.v2", getuid() == 0 ? "/var/run" : "/tmp",
		prefix);
}

static int
query(const char *path, const char *cmd, char *out, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ssize_t n;

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "vcryptctl: %s: %s (is vcryptd running? see -f/-s)\n", path,
			strerror(errno));
		close(fd);
		return -1;
	}
	n = read(fd, out, len - 1); /* the greeting */
	if (n <= 0 || write(fd, cmd, strlen(cmd)) < 0 || (n = read(fd, out, len - 1)) <= 0) {
		fprintf(stderr, "vcryptctl: no answer from %s\n", path);
		close(fd);
		return -1;
	}
	out[n] = '\0';
	close(fd);
	return 0;
}

/* The telemetry command for argv; NULL (usage printed) when argv is wrong. */
static const char *
command(int argc, char **argv, char *buf, size_t len)
{
	const char *verb = argc > 0 ? argv[0] : "";

	if (strcmp(verb, "show") == 0 && argc == 1)
		snprintf(buf, len, "/vcryptd/vms");
	else if (strcmp(verb, "show") == 0 && argc == 2)
		snprintf(buf, len, "/vcryptd/vm,%s", argv[1]);
	else if (strcmp(verb, "add") == 0 && argc == 3)
		snprintf(buf, len, "/vcryptd/vm_add,%s,%s", argv[1], argv[2]);
	else if (strcmp(verb, "remove") == 0 && argc == 2)
		snprintf(buf, len, "/vcryptd/vm_remove,%s", argv[1]);
	else if (strcmp(verb, "limit") == 0 && argc == 4)
		snprintf(buf, len, "/vcryptd/vm_limit,%s,%s,%s", argv[1], argv[2], argv[3]);
	else if (strcmp(verb, "move") == 0 && argc == 3)
		snprintf(buf, len, "/vcryptd/vm_move,%s,%s", argv[1], argv[2]);
	else if (strcmp(verb, "log-level") == 0 && argc == 2)
		snprintf(buf, len, "/vcryptd/log_level,%s", argv[1]);
	else if (strcmp(verb, "config") == 0 && argc == 1)
		snprintf(buf, len, "/vcryptd/config");
	else if (strcmp(verb, "raw") == 0 && argc == 2)
		snprintf(buf, len, "%s", argv[1]);
	else
		return NULL;
	return buf;
}

int
main(int argc, char **argv)
{
	static char reply[REPLY_MAX];
	char path[256], cmd[512];
	const char *prefix = "vcryptd", *sock = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "+f:s:h")) != -1) {
		if (opt == 'f')
			prefix = optarg;
		else if (opt == 's')
			sock = optarg;
		else {
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (command(argc - optind, argv + optind, cmd, sizeof(cmd)) == NULL) {
		usage(stderr);
		return 2;
	}
	if (sock == NULL)
		socket_path(prefix, path, sizeof(path));
	else
		snprintf(path, sizeof(path), "%s", sock);
	if (query(path, cmd, reply, sizeof(reply)) != 0)
		return 1;
	printf("%s\n", reply);
	/* A refused command answers {"...": {"error": "..."}}; an unknown one, {"...": null}. */
	return strstr(reply, "{\"error\":") != NULL || strstr(reply, "\":null}") != NULL ? 1 : 0;
}
