/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * vcd-guest-afalg: the guest half of the Linux guest tests.  A static program in
 * the initramfs that scripts/guest-image.sh builds; /init runs it once the stock
 * virtio_crypto driver has registered.  Everything it does goes through AF_ALG to
 * the driver by name (virtio_crypto_aes_cbc), i.e. through QEMU's virtio-crypto
 * device into vcryptd, and is compared with the guest kernel's software AES-CBC
 * (cbc(aes-generic), and cbc-aes-aesni where present).
 *
 *   selftest   /proc/crypto: the driver is registered and "selftest : passed"
 *   kat        NIST SP 800-38A F.2.1-F.2.6 (whole messages and block by block)
 *   sweep      sizes 16 B .. 256 KiB x 128/192/256-bit keys, both directions,
 *              buffers at odd offsets (scattered descriptors)
 *   parallel   N threads, one AF_ALG socket each, random sizes and keys: N
 *              requests in flight at once, every result checked
 *   throughput MB/s of the driver for a few sizes (1 and N threads)
 *   load       (mode load) the parallel test forever, with progress lines: the
 *              host kills QEMU in the middle of it
 *
 * Output: lines starting with "VCRYPTD-GUEST: " that the host-side tests parse,
 * ending with "VCRYPTD-GUEST: RESULT PASS" or "VCRYPTD-GUEST: RESULT FAIL ...".
 * Exit status 0 only on PASS.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/if_alg.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define TAG       "VCRYPTD-GUEST: "
#define BLK       16
#define MAX_LEN   (1024 * 1024) /* largest request (--sizes) */
#define MAX_OFF   4096
#define SOCK_BUF  (4 * 1024 * 1024)
#define MAX_THR   64
#define MAX_FAILS 8 /* detailed failure lines per test */

static const char *drv = "virtio_crypto_aes_cbc";
static const char *ref_drv = "cbc(aes-generic)";
static char ref2_drv[64]; /* cbc-aes-aesni when the guest has it */
static unsigned int nthreads = 8;
static unsigned int par_ops = 40;   /* per thread */
static size_t max_len = 256 * 1024; /* sweep and random sizes */
static const char *size_list;       /* --sizes */
static double tput_secs = 0.5;      /* per throughput point */
static uint64_t seed;
static int total_fail;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void
say(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	fputs(TAG, stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: reproducible from the printed seed. */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static void
rnd_fill(uint64_t *s, uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint64_t v = rnd(s);

		memcpy(p, &v, 8);
		p += 8;
		n -= 8;
	}
	while (n--)
		*p++ = (uint8_t)rnd(s);
}

/* ---- AF_ALG ---------------------------------------------------------------- */

/* One transform (bound by driver name) and one operation socket on it. */
struct alg {
	const char *name;
	int tfm;
	int op;
};

static int
alg_open(struct alg *a, const char *name)
{
	struct sockaddr_alg sa = {.salg_family = AF_ALG};

	a->name = name;
	a->op = -1;
	strcpy((char *)sa.salg_type, "skcipher");
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", name);
	a->tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (a->tfm < 0)
		return -errno;
	if (bind(a->tfm, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(a->tfm);
		a->tfm = -1;
		return -e;
	}
	return 0;
}

/*
 * A new key: AF_ALG refuses ALG_SET_KEY while an operation socket is open, so
 * close it, set the key (for virtio_crypto: new encrypt and decrypt sessions in
 * vcryptd), and accept a new one with buffers large enough for one request of
 * MAX_LEN bytes (so that a 256 KiB read is one crypto request, not several).
 */
static int
alg_key(struct alg *a, const uint8_t *key, size_t klen)
{
	int sz = SOCK_BUF;

	if (a->op >= 0)
		close(a->op);
	a->op = -1;
	if (setsockopt(a->tfm, SOL_ALG, ALG_SET_KEY, key, klen) < 0)
		return -errno;
	a->op = accept(a->tfm, NULL, NULL);
	if (a->op < 0)
		return -errno;
	if (setsockopt(a->op, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0 ||
		setsockopt(a->op, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		return -errno;
	return 0;
}

static void
alg_close(struct alg *a)
{
	if (a->op >= 0)
		close(a->op);
	if (a->tfm >= 0)
		close(a->tfm);
	a->op = a->tfm = -1;
}

/* One request: len bytes of in -> out.  0, or -errno. */
static int
alg_crypt(struct alg *a, int enc, const uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(struct af_alg_iv) + BLK)];
	} c;
	struct iovec iov = {.iov_base = (void *)in, .iov_len = len};
	struct msghdr msg = {0};
	struct cmsghdr *cm;
	struct af_alg_iv *aiv;
	size_t got = 0;
	ssize_t n;

	memset(&c, 0, sizeof(c));
	msg.msg_control = c.buf;
	msg.msg_controllen = sizeof(c.buf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_OP;
	cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	*(uint32_t *)CMSG_DATA(cm) = enc ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_IV;
	cm->cmsg_len = CMSG_LEN(sizeof(struct af_alg_iv) + BLK);
	aiv = (struct af_alg_iv *)CMSG_DATA(cm);
	aiv->ivlen = BLK;
	memcpy(aiv->iv, iv, BLK);

	n = sendmsg(a->op, &msg, 0);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EMSGSIZE; /* socket buffer too small: never with SOCK_BUF */
	while (got < len) {
		n = read(a->op, out + got, len - got);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		got += (size_t)n;
	}
	return 0;
}

/* ---- /proc/crypto ----------------------------------------------------------- */

/*
 * Copies the "field : value" of the /proc/crypto entry whose driver is d into val.
 * Entries are separated by blank lines; "name" comes before "driver", so each
 * entry is read whole before it is matched.
 */
static int
proc_crypto_field(const char *d, const char *field, char *val, size_t vlen)
{
	FILE *f = fopen("/proc/crypto", "r");
	char line[256], want[64] = "", drvname[128] = "";
	int found = 0, eof = 0;

	if (!f)
		return -errno;
	while (!found && !eof) {
		eof = fgets(line, sizeof(line), f) == NULL;
		if (eof || line[0] == '\n') {
			/* end of an entry */
			if (!strcmp(drvname, d) && want[0]) {
				snprintf(val, vlen, "%s", want);
				found = 1;
			}
			want[0] = drvname[0] = 0;
			continue;
		}
		char *colon = strchr(line, ':'), key[64], *v;
		size_t kl;

		if (!colon)
			continue;
		kl = (size_t)(colon - line);
		while (kl && line[kl - 1] == ' ')
			kl--;
		if (kl >= sizeof(key))
			continue;
		memcpy(key, line, kl);
		key[kl] = 0;
		v = colon + 1;
		while (*v == ' ')
			v++;
		v[strcspn(v, "\n")] = 0;
		if (!strcmp(key, "driver"))
			snprintf(drvname, sizeof(drvname), "%s", v);
		if (!strcmp(key, field))
			snprintf(want, sizeof(want), "%s", v);
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

static int
test_selftest(void)
{
	char st[64] = "", prio[32] = "?", name[64] = "?";

	if (proc_crypto_field(drv, "selftest", st, sizeof(st)) < 0) {
		say("selftest FAILED: %s not in /proc/crypto (not registered: refused by the "
		    "self-test, or the device never started)",
			drv);
		return -1;
	}
	proc_crypto_field(drv, "priority", prio, sizeof(prio));
	proc_crypto_field(drv, "name", name, sizeof(name));
	if (strcmp(st, "passed")) {
		say("selftest FAILED: %s selftest : %s", drv, st);
		return -1;
	}
	say("selftest passed driver=%s name=%s priority=%s", drv, name, prio);
	if (proc_crypto_field("cbc-aes-aesni", "selftest", st, sizeof(st)) == 0 &&
		!strcmp(st, "passed"))
		snprintf(ref2_drv, sizeof(ref2_drv), "cbc-aes-aesni");
	return 0;
}

/* ---- known answers ------------------------------------------------------------ */

static int
unhex(const char *h, uint8_t *out)
{
	int n = 0;

	for (; h[0] && h[1]; h += 2) {
		unsigned int v;

		if (sscanf(h, "%2x", &v) != 1)
			return -1;
		out[n++] = (uint8_t)v;
	}
	return n;
}

static const char kat_iv[] = "000102030405060708090a0b0c0d0e0f";
static const char kat_pt[] = "6bc1bee22e409f96e93d7e117393172a"
			     "ae2d8a571e03ac9c9eb76fac45af8e51"
			     "30c81c46a35ce411e5fbc1191a0a52ef"
			     "f69f2445df4f9b17ad2b417be66c3710";
static const struct {
	const char *id, *key, *ct;
} kats[] = {
	{"F.2.1/F.2.2 CBC-AES128", "2b7e151628aed2a6abf7158809cf4f3c",
		"7649abac8119b246cee98e9b12e9197d"
		"5086cb9b507219ee95db113a917678b2"
		"73bed6b8e3c1743b7116e69e22229516"
		"3ff1caa1681fac09120eca307586e1a7"},
	{"F.2.3/F.2.4 CBC-AES192", "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
		"4f021db243bc633d7178183a9fa071e8"
		"b4d9ada9ad7dedf4e5e738763f69145a"
		"571b242012fb7ae07fa9baac3df102e0"
		"08b0e27988598881d920a9e64f5615cd"},
	{"F.2.5/F.2.6 CBC-AES256",
		"603deb1015ca71be2b73aef0857d7781"
		"1f352c073b6108d72d9810a30914dff4",
		"f58c4c04d6e5f1ba779eabfb5f7bfbd6"
		"9cfc4e967edb808d679f777bc6702c7d"
		"39f23369a9d9bacfa530e26304231461"
		"b2eb05e2c39be9fcda6c19078c6a9d1b"},
};

/* One KAT case on driver d; returns 0 when it matched. */
static int
kat_one(struct alg *a, int enc, const uint8_t *iv, const uint8_t *in, const uint8_t *expect,
	size_t len, const char *what)
{
	uint8_t out[64];
	int r = alg_crypt(a, enc, iv, in, out, len);

	if (r < 0) {
		say("kat FAIL %s %s on %s: %s", what, enc ? "encrypt" : "decrypt", a->name,
			strerror(-r));
		return -1;
	}
	if (memcmp(out, expect, len)) {
		say("kat FAIL %s %s on %s: wrong output", what, enc ? "encrypt" : "decrypt",
			a->name);
		return -1;
	}
	return 0;
}

static int
test_kat(const char *d, const char *label)
{
	int ok = 0, total = 0;
	uint8_t iv[BLK], pt[64], ct[64], key[32];
	size_t i, b;

	unhex(kat_iv, iv);
	unhex(kat_pt, pt);
	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		struct alg a;
		int klen = unhex(kats[i].key, key), r;

		unhex(kats[i].ct, ct);
		r = alg_open(&a, d);
		if (r == 0)
			r = alg_key(&a, key, (size_t)klen);
		if (r < 0) {
			say("kat FAIL %s: cannot open %s: %s", kats[i].id, d, strerror(-r));
			total += 2 + 8;
			continue;
		}
		/* the whole 64-byte message, both directions */
		total += 2;
		ok += kat_one(&a, 1, iv, pt, ct, 64, kats[i].id) == 0;
		ok += kat_one(&a, 0, iv, ct, pt, 64, kats[i].id) == 0;
		/* block by block, each IV the previous ciphertext block */
		for (b = 0; b < 4; b++) {
			const uint8_t *biv = b ? ct + (b - 1) * BLK : iv;

			total += 2;
			ok += kat_one(&a, 1, biv, pt + b * BLK, ct + b * BLK, BLK, kats[i].id) == 0;
			ok += kat_one(&a, 0, biv, ct + b * BLK, pt + b * BLK, BLK, kats[i].id) == 0;
		}
		alg_close(&a);
	}
	say("%s kat %s %d/%d driver=%s", label, ok == total ? "ok" : "FAIL", ok, total, d);
	return ok == total ? 0 : -1;
}

/* ---- random data against the software implementation --------------------------- */

struct checker {
	struct alg dev, ref, ref2;
	uint8_t *pt, *ct_dev, *ct_ref, *back; /* MAX_LEN + MAX_OFF each */
	uint64_t rs;
	unsigned long ops, bytes, fails;
	const char *test;
};

static int
checker_init(struct checker *c, const char *test, uint64_t s)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->test = test;
	/* splitmix64 of the seed: neighbouring seeds give unrelated streams */
	s += 0x9E3779B97F4A7C15ULL;
	s = (s ^ (s >> 30)) * 0xBF58476D1CE4E5B9ULL;
	s = (s ^ (s >> 27)) * 0x94D049BB133111EBULL;
	c->rs = (s ^ (s >> 31)) | 1;
	c->pt = malloc(MAX_LEN + MAX_OFF);
	c->ct_dev = malloc(MAX_LEN + MAX_OFF);
	c->ct_ref = malloc(MAX_LEN + MAX_OFF);
	c->back = malloc(MAX_LEN + MAX_OFF);
	c->ref2.tfm = c->ref2.op = -1;
	if (!c->pt || !c->ct_dev || !c->ct_ref || !c->back)
		return -ENOMEM;
	r = alg_open(&c->dev, drv);
	if (r < 0) {
		say("%s FAIL: cannot bind AF_ALG to %s: %s", test, drv, strerror(-r));
		return r;
	}
	r = alg_open(&c->ref, ref_drv);
	if (r < 0) {
		say("%s FAIL: cannot bind AF_ALG to %s: %s", test, ref_drv, strerror(-r));
		return r;
	}
	if (ref2_drv[0] && alg_open(&c->ref2, ref2_drv) < 0)
		c->ref2.tfm = -1;
	return 0;
}

static void
checker_fini(struct checker *c)
{
	alg_close(&c->dev);
	alg_close(&c->ref);
	alg_close(&c->ref2);
	free(c->pt);
	free(c->ct_dev);
	free(c->ct_ref);
	free(c->back);
}

static int
checker_key(struct checker *c, size_t klen)
{
	uint8_t key[32];
	int r;

	rnd_fill(&c->rs, key, klen);
	r = alg_key(&c->dev, key, klen);
	if (r == 0)
		r = alg_key(&c->ref, key, klen);
	if (r == 0 && c->ref2.tfm >= 0)
		r = alg_key(&c->ref2, key, klen);
	if (r < 0 && c->fails++ < MAX_FAILS)
		say("%s FAIL: set %zu-bit key: %s", c->test, klen * 8, strerror(-r));
	return r;
}

static void
check_fail(struct checker *c, const char *what, size_t len, size_t klen, int err)
{
	if (c->fails++ < MAX_FAILS)
		say("%s FAIL: %s len=%zu key=%zu %s", c->test, what, len, klen * 8,
			err ? strerror(-err) : "mismatch");
}

/*
 * len random bytes: encrypt on the device and on the reference(s), compare;
 * decrypt the reference ciphertext on the device, compare with the plaintext.
 * Each buffer at its own offset so that the driver's scatterlists start and end
 * inside pages.
 */
static int
check_one(struct checker *c, size_t len, size_t klen)
{
	size_t o1 = (rnd(&c->rs) % (MAX_OFF / BLK)) * BLK + (rnd(&c->rs) & 1) * 8;
	size_t o2 = rnd(&c->rs) % MAX_OFF, o3 = rnd(&c->rs) % MAX_OFF;
	uint8_t iv[BLK], *pt = c->pt + o1, *cd = c->ct_dev + o2, *bk = c->back + o3;
	int r;

	rnd_fill(&c->rs, iv, BLK);
	rnd_fill(&c->rs, pt, len);
	r = alg_crypt(&c->ref, 1, iv, pt, c->ct_ref, len);
	if (r < 0) {
		check_fail(c, "reference encrypt", len, klen, r);
		return -1;
	}
	if (c->ref2.op >= 0) {
		r = alg_crypt(&c->ref2, 1, iv, pt, bk, len);
		if (r < 0 || memcmp(bk, c->ct_ref, len)) {
			check_fail(c, "second reference disagrees", len, klen, r);
			return -1;
		}
	}
	r = alg_crypt(&c->dev, 1, iv, pt, cd, len);
	if (r < 0 || memcmp(cd, c->ct_ref, len)) {
		check_fail(c, "encrypt", len, klen, r);
		return -1;
	}
	memset(bk, 0, len);
	r = alg_crypt(&c->dev, 0, iv, c->ct_ref, bk, len);
	if (r < 0 || memcmp(bk, pt, len)) {
		check_fail(c, "decrypt", len, klen, r);
		return -1;
	}
	c->ops += 2;
	c->bytes += 2 * len;
	return 0;
}

static const size_t sweep_sizes[] = {16, 32, 48, 64, 80, 128, 256, 512, 1008, 1024, 2048, 2176,
	2192, 4080, 4096, 4112, 8192, 12352, 16384, 32768, 65520, 65536, 65552, 131072, 196608,
	262144};

static int
test_sweep(size_t max_len)
{
	static const size_t klens[] = {16, 24, 32};
	struct checker c;
	size_t k, s;
	int n = 0, ok = 0;

	if (checker_init(&c, "sweep", seed ^ 0x5eed) < 0) {
		checker_fini(&c);
		say("sweep FAIL 0/1");
		return -1;
	}
	for (k = 0; k < 3; k++) {
		for (s = 0; s < sizeof(sweep_sizes) / sizeof(sweep_sizes[0]); s++) {
			if (sweep_sizes[s] > max_len)
				continue;
			n++;
			if (checker_key(&c, klens[k]) == 0 &&
				check_one(&c, sweep_sizes[s], klens[k]) == 0)
				ok++;
		}
	}
	say("sweep %s %d/%d sizes=16..%zu keys=128,192,256 ops=%lu bytes=%lu ref=%s%s%s",
		ok == n ? "ok" : "FAIL", ok, n, max_len, c.ops, c.bytes, ref_drv,
		c.ref2.tfm >= 0 ? "," : "", c.ref2.tfm >= 0 ? ref2_drv : "");
	checker_fini(&c);
	return ok == n ? 0 : -1;
}

/* --sizes LIST: one line per size (128-bit key), for looking at one size. */
static int
test_sizes(void)
{
	struct checker c;
	char *list = strdup(size_list), *save = NULL, *t;
	int n = 0, ok = 0;

	if (checker_init(&c, "sizes", seed ^ 0x51e5) < 0 || !list) {
		checker_fini(&c);
		free(list);
		say("sizes FAIL 0/1");
		return -1;
	}
	for (t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t len = strtoul(t, NULL, 0);
		unsigned long f = c.fails = 0; /* every size gets its failure line */

		if (len == 0 || len % BLK || len > MAX_LEN) {
			say("sizes: bad size %s (multiples of 16 up to %d)", t, MAX_LEN);
			continue;
		}
		n++;
		if (checker_key(&c, 16) == 0 && check_one(&c, len, 16) == 0)
			ok++;
		say("size %zu %s", len, c.fails == f ? "ok" : "FAIL");
	}
	say("sizes %s %d/%d", ok == n ? "ok" : "FAIL", ok, n);
	free(list);
	checker_fini(&c);
	return ok == n && n > 0 ? 0 : -1;
}

/* Random sizes: mostly small, some up to 64 KiB, a few up to MAX_LEN. */
static size_t
rnd_len(uint64_t *s)
{
	unsigned int p = rnd(s) % 100;
	size_t max = p < 70 ? 4096 : p < 95 ? 65536 : max_len;

	return (rnd(s) % (max / BLK) + 1) * BLK;
}

struct worker {
	pthread_t th;
	unsigned int id;
	unsigned long ops_target; /* 0: forever */
	struct checker c;
	volatile int done;
	int err;
};

static volatile unsigned long load_ops;

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	static const size_t klens[] = {16, 24, 32};
	unsigned long i;
	size_t klen = 16;

	if (checker_init(&w->c, "parallel", seed * 1000003 + w->id) < 0) {
		w->err = -1;
		w->done = 1;
		return NULL;
	}
	for (i = 0; w->ops_target == 0 || i < w->ops_target; i++) {
		if (i % 8 == 0) {
			klen = klens[rnd(&w->c.rs) % 3];
			if (checker_key(&w->c, klen) < 0) {
				w->err = -1;
				break;
			}
		}
		if (check_one(&w->c, rnd_len(&w->c.rs), klen) < 0) {
			w->err = -1;
			if (w->ops_target || w->c.fails >= MAX_FAILS)
				break;
		}
		__atomic_add_fetch(&load_ops, 2, __ATOMIC_RELAXED);
	}
	w->done = 1;
	return NULL;
}

static int
test_parallel(unsigned long per_thread)
{
	struct worker *w = calloc(nthreads, sizeof(*w));
	unsigned long ops = 0, bytes = 0, fails = 0;
	unsigned int i, started = 0;
	int err = 0;
	double t0 = now(), last = t0;

	if (!w)
		return -1;
	for (i = 0; i < nthreads; i++) {
		w[i].id = i;
		w[i].ops_target = per_thread;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) == 0)
			started++;
		else
			err = -1;
	}
	if (per_thread == 0) {
		/* load mode: progress lines until the host kills the VM */
		int said = 0;

		for (;;) {
			usleep(200000);
			for (i = 0; i < started; i++)
				if (w[i].done) {
					say("load FAIL: thread %u stopped", i);
					return -1;
				}
			if (!said && load_ops >= 20) {
				say("load running threads=%u", nthreads);
				said = 1;
			}
			if (now() - last >= 2) {
				last = now();
				say("load ops=%lu t=%.0fs", load_ops, last - t0);
			}
		}
	}
	for (i = 0; i < started; i++) {
		pthread_join(w[i].th, NULL);
		ops += w[i].c.ops;
		bytes += w[i].c.bytes;
		fails += w[i].c.fails;
		if (w[i].err)
			err = -1;
		checker_fini(&w[i].c);
	}
	say("parallel %s threads=%u ops=%lu bytes=%lu failures=%lu secs=%.1f", err ? "FAIL" : "ok",
		nthreads, ops, bytes, fails, now() - t0);
	free(w);
	return err;
}

/* ---- throughput -------------------------------------------------------------- */

struct tput {
	pthread_t th;
	const char *d;
	size_t len;
	double secs;
	unsigned long ops;
	int err;
};

static void *
tput_main(void *arg)
{
	struct tput *t = arg;
	struct alg a;
	uint8_t key[16] = {1, 2, 3}, iv[BLK] = {0};
	uint8_t *in = calloc(1, t->len), *out = malloc(t->len);
	double end;

	t->err = -ENOMEM;
	if (!in || !out)
		goto out;
	t->err = alg_open(&a, t->d);
	if (t->err < 0)
		goto out;
	t->err = alg_key(&a, key, sizeof(key));
	end = now() + t->secs;
	while (t->err == 0 && now() < end) {
		t->err = alg_crypt(&a, 1, iv, in, out, t->len);
		t->ops += t->err == 0;
	}
	alg_close(&a);
out:
	free(in);
	free(out);
	return NULL;
}

static int
throughput(const char *d, size_t len, unsigned int thr)
{
	struct tput t[MAX_THR];
	unsigned long ops = 0;
	unsigned int i;
	double t0 = now(), el;
	int err = 0;

	for (i = 0; i < thr; i++) {
		t[i] = (struct tput){.d = d, .len = len, .secs = tput_secs};
		if (pthread_create(&t[i].th, NULL, tput_main, &t[i]))
			return -1;
	}
	for (i = 0; i < thr; i++) {
		pthread_join(t[i].th, NULL);
		ops += t[i].ops;
		if (t[i].err)
			err = t[i].err;
	}
	el = now() - t0;
	if (err) {
		say("throughput FAIL driver=%s size=%zu threads=%u: %s", d, len, thr,
			strerror(-err));
		return -1;
	}
	say("throughput driver=%s op=encrypt size=%zu threads=%u ops=%lu secs=%.2f "
	    "ops/s=%.0f MB/s=%.2f",
		d, len, thr, ops, el, ops / el, ops * (double)len / el / 1e6);
	return 0;
}

static int
test_throughput(void)
{
	static const size_t sizes[] = {64, 1024, 4096, 16384, 65536};
	size_t i;
	int err = 0;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		err |= throughput(drv, sizes[i], 1);
	err |= throughput(drv, 4096, nthreads);
	err |= throughput(drv, 65536, nthreads);
	err |= throughput(ref_drv, 4096, 1); /* the guest's software AES, for scale */
	return err;
}

/* ---- main ---------------------------------------------------------------------- */

static void
usage(void)
{
	fprintf(stderr,
		"usage: vcd-guest-afalg [--mode full|quick|load|selftest] [--seed N] "
		"[--threads N] [--ops N] [--max-len N] [--sizes N,N,...] [--tput-secs S] "
		"[--driver NAME] [--ref NAME]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *mode = "full";
	int i, full, quick;

	seed = (uint64_t)time(NULL);
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		if (!strcmp(o, "--mode"))
			mode = v;
		else if (!strcmp(o, "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--threads"))
			nthreads = (unsigned int)atoi(v);
		else if (!strcmp(o, "--ops"))
			par_ops = (unsigned int)atoi(v);
		else if (!strcmp(o, "--max-len"))
			max_len = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--sizes"))
			size_list = v;
		else if (!strcmp(o, "--tput-secs"))
			tput_secs = atof(v);
		else if (!strcmp(o, "--driver"))
			drv = v;
		else if (!strcmp(o, "--ref"))
			ref_drv = v;
		else
			usage();
		i++;
	}
	if (nthreads < 1 || nthreads > MAX_THR || max_len < 4096 || max_len > MAX_LEN ||
		max_len % BLK)
		usage();
	full = !strcmp(mode, "full");
	quick = !strcmp(mode, "quick");
	if (!full && !quick && strcmp(mode, "load") && strcmp(mode, "selftest") &&
		strcmp(mode, "sizes"))
		usage();
	say("start mode=%s seed=%" PRIu64 " threads=%u driver=%s ref=%s", mode, seed, nthreads, drv,
		ref_drv);

	if (test_selftest() < 0)
		total_fail++;
	else if (!strcmp(mode, "load"))
		return test_parallel(0) ? 1 : 0; /* never returns unless a thread fails */
	else if (!strcmp(mode, "sizes")) {
		if (!size_list || test_sizes() < 0)
			total_fail++;
	} else if (full || quick) {
		if (test_kat(ref_drv, "reference") < 0) /* checks the vectors themselves */
			total_fail++;
		if (test_kat(drv, "afalg") < 0)
			total_fail++;
		if (size_list && test_sizes() < 0)
			total_fail++;
		if (test_sweep(quick && max_len > 65552 ? 65552 : max_len) < 0)
			total_fail++;
		if (test_parallel(quick ? par_ops / 2 : par_ops) < 0)
			total_fail++;
		if (full && test_throughput() < 0)
			total_fail++;
	}
	if (total_fail)
		say("RESULT FAIL (%d tests failed)", total_fail);
	else
		say("RESULT PASS");
	return total_fail ? 1 : 0;
}
