/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * PKCS#1 RSA keys in DER (rsa_key.h): a reader of the two structures, no more.
 */
#include <errno.h>
#include <string.h>

#include "vcryptd/rsa_key.h"

struct der {
	const uint8_t *p;
	size_t left;
};

/* One TLV of @tag: its content in *@c; the reader moves past it. */
static int
der_take(struct der *r, uint8_t tag, struct der *c)
{
	size_t len, i, nb;

	if (r->left < 2 || r->p[0] != tag)
		return -EINVAL;
	len = r->p[1];
	i = 2;
	if (len & 0x80) {
		nb = len & 0x7f;
		/* Long form: 1 or 2 length bytes (a key is under 64 KiB), minimal. */
		if (nb == 0 || nb > 2 || r->left < 2 + nb)
			return -EINVAL;
		len = 0;
		for (; i < 2 + nb; i++)
			len = len << 8 | r->p[i];
		if (len < 0x80 || (nb == 2 && len < 0x100))
			return -EINVAL;
	}
	if (len > r->left - i)
		return -EINVAL;
	c->p = r->p + i;
	c->left = len;
	r->p += i + len;
	r->left -= i + len;
	return 0;
}

/* A non-negative INTEGER, minimally encoded; its magnitude without leading zeros. */
static int
der_uint(struct der *r, struct vcd_rsa_num *out)
{
	struct der c;

	if (der_take(r, 0x02, &c) != 0 || c.left == 0)
		return -EINVAL;
	if (c.p[0] & 0x80)
		return -EINVAL; /* negative */
	if (c.left > 1 && c.p[0] == 0 && !(c.p[1] & 0x80))
		return -EINVAL; /* not minimal */
	if (c.p[0] == 0) {
		c.p++;
		c.left--;
	}
	out->p = c.left != 0 ? c.p : NULL;
	out->len = c.left;
	return 0;
}

static unsigned int
num_bits(const struct vcd_rsa_num *x)
{
	unsigned int b = 8;

	if (x->len == 0)
		return 0;
	while (b > 0 && !(x->p[0] & (1u << (b - 1))))
		b--;
	return (unsigned int)(x->len - 1) * 8 + b;
}

/* a < b, both magnitudes without leading zeros. */
static bool
num_less(const struct vcd_rsa_num *a, const struct vcd_rsa_num *b)
{
	if (a->len != b->len)
		return a->len < b->len;
	return a->len != 0 && memcmp(a->p, b->p, a->len) < 0;
}

int
vcd_rsa_key_parse(const uint8_t *der, size_t len, bool priv, struct vcd_rsa_key *k)
{
	struct der r = {.p = der, .left = len}, s;
	struct vcd_rsa_num version;
	int rc = 0;

	memset(k, 0, sizeof(*k));
	k->priv = priv;
	if (der == NULL || der_take(&r, 0x30, &s) != 0 || r.left != 0)
		return -EINVAL;
	if (priv && (der_uint(&s, &version) != 0 || version.len > 1))
		return -EINVAL;
	if (priv && version.len == 1)
		return -ENOTSUP; /* version 1: otherPrimeInfos (multi-prime) */
	if (der_uint(&s, &k->n) != 0 || der_uint(&s, &k->e) != 0)
		return -EINVAL;
	if (priv) {
		struct vcd_rsa_num *crt[] = {&k->p, &k->q, &k->dp, &k->dq, &k->qinv};
		unsigned int i, zero = 0;

		if (der_uint(&s, &k->d) != 0)
			return -EINVAL;
		for (i = 0; i < 5; i++) {
			if (der_uint(&s, crt[i]) != 0)
				return -EINVAL;
			zero += crt[i]->len == 0;
		}
		if (zero != 0 && zero != 5)
			rc = -EINVAL; /* some CRT values but not all */
		k->crt = zero == 0;
		if (k->d.len == 0 || !num_less(&k->d, &k->n))
			rc = rc != 0 ? rc : -ENOTSUP;
	}
	if (s.left != 0 || rc == -EINVAL)
		return -EINVAL;
	k->bits = num_bits(&k->n);
	if (k->bits < VCD_RSA_MIN_BITS || k->bits > VCD_RSA_MAX_BITS || k->e.len == 0 ||
		!(k->e.p[k->e.len - 1] & 1) || (k->e.len == 1 && k->e.p[0] < 3) ||
		!(k->n.p[k->n.len - 1] & 1) || !num_less(&k->e, &k->n))
		return -ENOTSUP;
	return rc;
}
