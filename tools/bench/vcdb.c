/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/* The public API of libvcdbench: connection life cycle, sessions, submit and poll. */
#include <errno.h>
#include <sched.h>
#include <linux/virtio_crypto.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vcdb_internal.h"

#define SESS_MSG_MAX 2048

static int
opts_fill(struct vcdb_opts *o, const struct vcdb_opts *in)
{
	*o = in ? *in : (struct vcdb_opts){0};
	if (o->layout == VCD_SESS_LAYOUT_AUTO)
		o->layout = VCD_SESS_LAYOUT_QEMU70;
	if (o->startup == VCDB_STARTUP_DEFAULT)
		o->startup = o->layout == VCD_SESS_LAYOUT_QEMU72 ? VCDB_STARTUP_QEMU72
								 : VCDB_STARTUP_QEMU70;
	o->ring_size = o->ring_size ? o->ring_size : 256;
	if (o->queue_depth == 0)
		o->queue_depth = o->ring_size < 128 ? o->ring_size : 128;
	o->max_data = o->max_data ? o->max_data : 64 * 1024;
	o->nr_regions = o->nr_regions ? o->nr_regions : 1;
	o->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 5000;
	o->reply_timeout_ms = o->reply_timeout_ms ? o->reply_timeout_ms : 5000;
	if (o->ring_size > 32768 || (o->ring_size & (o->ring_size - 1)))
		return -EINVAL;
	o->queues = o->queues ? o->queues : 1;
	if (o->queue_depth > o->ring_size || o->nr_regions > VCDB_MAX_REGIONS ||
		o->queues > VCDB_MAX_QUEUES)
		return -EINVAL;
	return 0;
}

static void
db_free(struct vcdb *db)
{
	if (db->sock >= 0)
		close(db->sock);
	for (unsigned int q = 0; q < VCDB_MAX_QUEUES; q++)
		vq_fini(&db->vq[q]);
	vcdb_mem_teardown(&db->mem);
	free(db->slots);
	free(db->free_slots);
	free(db->segs);
	free(db);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Connect and negotiate.  A backend still tearing down our previous connection may
 * accept the new one and drop it at once: retry that too, within the connect timeout.
 */
static int
db_connect(struct vcdb *db, const char *path)
{
	uint64_t deadline = now_ms() + db->o.connect_timeout_ms;
	struct timespec pause = {.tv_nsec = 100 * 1000000L};
	int rc;

	for (;;) {
		rc = vhu_connect(db, path);
		if (rc == 0)
			rc = vhu_handshake(db);
		if (rc != -ECONNRESET || now_ms() >= deadline)
			return rc;
		close(db->sock);
		db->sock = -1;
		nanosleep(&pause, NULL);
	}
}

static int
db_start(struct vcdb *db, const char *path)
{
	int rc;

	rc = vq_init(db);
	if (rc == 0)
		rc = vcdb_mem_setup(db);
	if (rc < 0)
		return rc;
	db->segs = calloc(db->segs_max, sizeof(*db->segs));
	if (db->segs == NULL)
		return -ENOMEM;
	rc = db_connect(db, path);
	if (rc < 0)
		return rc;
	vq_setup_ring(db);
	return vhu_start_queue(db);
}

int
vcdb_open(struct vcdb **out, const char *path, const struct vcdb_opts *opts)
{
	struct vcdb *db;
	int rc;

	db = calloc(1, sizeof(*db));
	if (db == NULL)
		return -ENOMEM;
	db->sock = -1;
	for (unsigned int q = 0; q < VCDB_MAX_QUEUES; q++)
		db->vq[q].kick_fd = db->vq[q].call_fd = -1;
	snprintf(db->path, sizeof(db->path), "%s", path);
	rc = opts_fill(&db->o, opts);
	db->nb_vq = db->o.queues;
	if (rc == 0)
		rc = db_start(db, path);
	if (rc < 0) {
		db_free(db);
		return rc;
	}
	*out = db;
	return 0;
}

void
vcdb_close(struct vcdb *db)
{
	if (db == NULL)
		return;
	if (db->sock >= 0 && vhu_stop_queue(db) < 0)
		vcdb_log(db, "GET_VRING_BASE failed on %s\n", db->path);
	db_free(db);
}

void
vcdb_abort(struct vcdb *db)
{
	if (db != NULL)
		db_free(db);
}

uint64_t
vcdb_features(const struct vcdb *db)
{
	return db->features;
}

uint64_t
vcdb_protocol_features(const struct vcdb *db)
{
	return db->pfeatures;
}

const struct vcdb_opts *
vcdb_get_opts(const struct vcdb *db)
{
	return &db->o;
}

int64_t
vcdb_session_create_raw(struct vcdb *db, const void *payload, uint32_t size)
{
	int64_t id = -1;
	int rc;

	rc = vhu_create_session(db, payload, size, &id);
	if (rc < 0)
		return rc;
	db->last_reply_id = id;
	return id >= 0 ? id : -EREMOTEIO;
}

int64_t
vcdb_session_create(struct vcdb *db, const struct vcd_sess_params *p)
{
	uint8_t buf[SESS_MSG_MAX];
	int n;

	n = vcd_sess_msg_encode(db->o.layout, p, buf, sizeof(buf));
	if (n < 0)
		return n;
	return vcdb_session_create_raw(db, buf, (uint32_t)n);
}

int64_t
vcdb_last_reply_id(const struct vcdb *db)
{
	return db->last_reply_id;
}

int
vcdb_session_close(struct vcdb *db, uint64_t id)
{
	return vhu_close_session(db, id);
}

int
vcdb_submit(struct vcdb *db, const struct vcdb_req *r)
{
	int tag, rc;

	tag = slot_get(db);
	if (tag < 0)
		return tag;
	rc = req_submit(db, tag, r);
	if (rc < 0) {
		slot_put(db, tag);
		return rc;
	}
	db->st.submitted++;
	return tag;
}

int
vcdb_flush(struct vcdb *db)
{
	return vq_flush(db);
}

int
vcdb_poll(struct vcdb *db, struct vcdb_cpl *cpl, unsigned int max)
{
	unsigned int n = 0;
	uint32_t len;
	int tag, rc;

	rc = vq_flush(db);
	if (rc < 0)
		return rc;
	while (n < max) {
		rc = vq_reap(db, &tag, &len);
		if (rc <= 0)
			break;
		req_fill_cpl(db, tag, len, &cpl[n++]);
		slot_put(db, tag);
		db->st.completed++;
		db->st.used_len_zero += len == 0;
	}
	return n > 0 || rc >= 0 ? (int)n : rc;
}

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

int
vcdb_wait(struct vcdb *db, struct vcdb_cpl *cpl, unsigned int max, unsigned int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	unsigned int spins = 0;
	int n;

	for (;;) {
		n = vcdb_poll(db, cpl, max);
		if (n != 0)
			return n;
		if ((++spins & 1023) != 0) {
			cpu_relax();
			continue;
		}
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		sched_yield(); /* the backend may share this CPU */
	}
}

unsigned int
vcdb_in_flight(const struct vcdb *db)
{
	return db->o.queue_depth - db->nr_free_slots;
}

uint8_t *
vcdb_src_buf(struct vcdb *db, uint32_t *cap)
{
	int tag;

	if (db->nr_free_slots == 0)
		return NULL;
	tag = db->free_slots[db->nr_free_slots - 1];
	if (cap)
		*cap = db->o.max_data;
	return vcdb_gpa_va(db, db->slots[tag].src_gpa);
}

void
vcdb_get_stats(struct vcdb *db, struct vcdb_stats *st)
{
	vq_count_calls(db);
	*st = db->st;
}

static const char *const style_names[] = {"linux", "dpdk", "direct"};
static const char *const startup_names[] = {"default", "qemu70", "qemu72", "dpdk"};
static const char *const status_names[] = {
	"OK", "ERR", "BADMSG", "NOTSUPP", "INVSESS", "NOSPC", "KEY_REJECTED"};

static int
name_index(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

int
vcdb_style_parse(const char *name, enum vcdb_style *out)
{
	int i = name_index(style_names, 3, name);

	if (i < 0)
		return i;
	*out = (enum vcdb_style)i;
	return 0;
}

const char *
vcdb_style_name(enum vcdb_style s)
{
	return (unsigned int)s < 3 ? style_names[s] : "?";
}

int
vcdb_startup_parse(const char *name, enum vcdb_startup *out)
{
	int i = name_index(startup_names, 4, name);

	if (i < 0)
		return i;
	*out = (enum vcdb_startup)i;
	return 0;
}

const char *
vcdb_startup_name(enum vcdb_startup s)
{
	return (unsigned int)s < 4 ? startup_names[s] : "?";
}

const char *
vcdb_status_name(int status)
{
	if (status == VCDB_EXPECT_NO_STATUS)
		return "no-status(len 0)";
	if (status == VCDB_EXPECT_SESS_REFUSED)
		return "session-refused";
	if (status >= 0 && status < (int)(sizeof(status_names) / sizeof(status_names[0])))
		return status_names[status];
	return "?";
}
