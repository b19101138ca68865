#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
"""Write the seed corpus of test/fuzz: corpus/vring/*, corpus/session_msg/*, corpus/vhost_msg/*.

The input formats are described at the top of fuzz_vring.c, fuzz_session_msg.c and
fuzz_vhost_msg.c.  Every
seed is well-formed enough to reach deep code, and all of them pass on correct code (they
run as the 'fuzz' test suite).  Run from anywhere: python3 test/fuzz/corpus/make_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# fuzz_vring.c header flags
F_HOST_BLOCK, F_HUGE, F_TABLE_REV, F_HOST_REV, F_EVENT_IDX = 0x04, 0x08, 0x10, 0x20, 0x40
NEXT, WRITE, INDIRECT = 1, 2, 4


def desc(addr, length, flags=0, nxt=0):
    return struct.pack('<QIHH', addr, length, flags, nxt)


def vring_seed(descs, base=0x100000, log2=3, nb_regions=1, flags=0, pops=1, last_avail=0,
               sizes=(8192, 0, 0), gaps=(0, 0, 0), heads=(0,), extra=b''):
    """Header, then region 0 from offset 0: the descriptor table, then @extra at 4096."""
    hdr = struct.pack('<BBBHQ', flags | (nb_regions - 1), log2, pops - 1, last_avail, base)
    for s, g in zip(sizes, gaps):
        hdr += struct.pack('<II', s, g)
    hdr += struct.pack('<8H', *(list(heads) + [0] * (8 - len(heads))))
    mem = b''.join(descs)
    if extra:
        mem = mem.ljust(4096, b'\0') + extra
    return hdr + mem


def ring_bytes(log2):
    n = 1 << log2
    used = (16 * n + 4 + 2 * n + 2 + 3) & ~3
    return used + 4 + 8 * n + 2


def vring_seeds():
    b = 0x100000
    data = b + 4096  # region 0 after the ring (rings of up to 64 entries end below it)
    r0 = lambda log2, extra: ring_bytes(log2) + extra  # size of region 0 for a given extra
    seeds = {}
    # A request as Linux's virtio-crypto driver lays it out: header, data, writable dst + status.
    seeds['direct_chain'] = vring_seed([
        desc(data, 72, NEXT, 1), desc(data + 72, 64, NEXT, 2),
        desc(data + 256, 64, WRITE | NEXT, 3), desc(data + 320, 1, WRITE)])
    # Indirect table in region 0 at 4096.
    seeds['indirect'] = vring_seed([desc(data, 64, INDIRECT)], log2=2, extra=b''.join([
        desc(data + 512, 72, NEXT, 1), desc(data + 600, 16, NEXT, 2),
        desc(data + 700, 17, WRITE)]))
    # Three regions contiguous in guest space, one buffer crossing both boundaries; the table
    # lists them in reverse and the host buffers are adjacent (segments merge) in reverse.
    end0 = b + r0(3, 4096)
    seeds['three_regions'] = vring_seed([
        desc(data, 16, NEXT, 1), desc(end0 - 100, 100 + 300 + 50, WRITE)],
        nb_regions=3, flags=F_TABLE_REV | F_HOST_BLOCK | F_HOST_REV,
        sizes=(4096, 299, 1000))
    # Host-adjacent in guest order: the three pieces merge into one segment.
    seeds['three_regions_merged'] = vring_seed([
        desc(data, 16, NEXT, 1), desc(end0 - 100, 100 + 300 + 50, WRITE)],
        nb_regions=3, flags=F_HOST_BLOCK, sizes=(4096, 299, 1000))
    # Same, separate host buffers: one segment per region.
    seeds['three_regions_apart'] = vring_seed([
        desc(end0 - 100, 450, NEXT, 1), desc(end0 + 1000, 8, WRITE)],
        nb_regions=3, sizes=(4096, 299, 1000))
    # The sparse 6 GiB region after region 0: a 1 MiB buffer and an over-long one (refused).
    huge = b + r0(3, 8192)
    seeds['huge_region'] = vring_seed([
        desc(huge + 4096, 1 << 20, NEXT, 1), desc(huge, 1 << 20, WRITE)], nb_regions=2,
        flags=F_HUGE, pops=2, heads=(0, 2))
    # Two readable buffers of 1 MiB and 4 GiB - 64 KiB: their total must not wrap 32 bits
    # back under the 1 GiB cap (it did before the check moved ahead of the addition).
    seeds['len_wrap_4g'] = vring_seed([
        desc(huge + 4096, 1 << 20, NEXT, 1), desc(huge, 0xffff0000)], nb_regions=2,
        flags=F_HUGE)
    seeds['huge_too_long'] = vring_seed([desc(huge, 0x80000000, WRITE)], nb_regions=2,
                                        flags=F_HUGE)
    # Guest memory at the top of the address space.
    seeds['top_of_space'] = vring_seed([
        desc(2**64 - 64, 32, NEXT, 1), desc(2**64 - 16, 32, WRITE)],
        base=2**64 - 1, sizes=(0, 0, 0), pops=2, heads=(0, 1))
    # Malformed: a loop, a bad index, write-then-read, nested indirect, bad head; 8 pops
    # with last_avail wrapping, event idx on.
    seeds['malformed'] = vring_seed([
        desc(data, 8, NEXT, 0), desc(data, 8, NEXT, 200), desc(data, 8, WRITE | NEXT, 3),
        desc(data, 8, 0, 0), desc(data, 32, INDIRECT), desc(data + 64, 8, WRITE)],
        log2=3, pops=8, last_avail=0xfffd, flags=F_EVENT_IDX, heads=(0, 1, 2, 4, 9, 5, 7, 3),
        extra=desc(data, 16, INDIRECT) + desc(data, 8, WRITE))
    # A ring bigger than VCD_CHAIN_MAX_DESC with a long chain of tiny readable buffers.
    seeds['long_chain'] = vring_seed([desc(data + i, 1, NEXT, i + 1) for i in range(300)]
                                     + [desc(data + 4096, 1, WRITE)], log2=13)
    return seeds


def sess_payload(layout, op_code=2, cipher_alg=3, key=b'\x11' * 16, hash_alg=0, digest=0,
                 auth_key=b'', aad=0, op_type=1, direction=1, hash_mode=0, order=0):
    sym = struct.pack('<6I4B', cipher_alg, len(key), hash_alg, digest, len(auth_key), aad,
                      op_type, direction, hash_mode, order)
    keys = key.ljust(64, b'\0') + auth_key.ljust(512, b'\0')
    if layout == 'qemu70':
        return struct.pack('<qI', 0, op_code) + sym + b'\0' * 16 + keys
    if layout == 'qemu72':
        return struct.pack('<q', 0) + sym + b'\0' * 20 + keys
    body = struct.pack('<Q', op_code) + sym + b'\0' * 20 + keys
    return body.ljust(1064, b'\0') + struct.pack('<q', 0)


def sess_seeds():
    auto, q70, q72, q81 = 0, 1, 2, 3
    s632, s1072, s631, srest = 0, 1, 2, 7
    chain = dict(op_type=2, hash_alg=2, digest=20, auth_key=b'\x22' * 20, order=1)
    p = {
        'auto_qemu70_cipher': (auto, s632, sess_payload('qemu70')),
        'auto_qemu72_chain': (auto, s632, sess_payload('qemu72', **chain)),
        'auto_qemu81_chain': (auto, s1072, sess_payload('qemu81', op_code=2, **chain)),
        'qemu70_explicit': (q70, s632, sess_payload('qemu70', key=b'\x33' * 32)),
        'qemu72_explicit': (q72, s632, sess_payload('qemu72', key=b'\x44' * 24)),
        'qemu81_explicit': (q81, s1072, sess_payload('qemu81', op_code=0x202, **chain)),
        'qemu81_akcipher': (auto, s1072, sess_payload('qemu81', op_code=0x404)),
        'auto_dirty_padding': (auto, s632, sess_payload('qemu72')[:36] + b'\1\0\0\0'
                               + sess_payload('qemu72')[40:]),
        'key_too_long': (q70, s632, sess_payload('qemu70', key=b'\x55' * 65)),
        'short': (auto, s631, sess_payload('qemu70')),
        'raw_size': (auto, srest, sess_payload('qemu70')[:100]),
        'bad_layout_name': (0x0c, s632, b'qemu81\0' + sess_payload('qemu70')[7:]),
    }
    return {k: bytes([lb, sb]) + pl for k, (lb, sb, pl) in p.items()}


# fuzz_vhost_msg.c: descriptor kinds, and the index of a memfd size in its sizes[] table
K_MEMFD, K_EVENTFD, K_EVENTFD_BLOCKING, K_PIPE, K_SOCKET, K_DEVZERO, K_MEMFD_RDONLY, K_SAME = \
    range(8)
MIB = 1 << 20
FD_SIZES = {0: 0, 4096: 1, 65536: 4, MIB: 5, 2 * MIB: 6, 4 * MIB: 7, 5000: 8}
VERSION, NEED_REPLY = 0x1, 0x8


def fd(kind, size=0):
    return kind | (FD_SIZES[size] << 3)


def piece(data, fds=()):
    """One sendmsg() of the frontend: @data with the descriptors @fds."""
    return bytes([len(fds)]) + bytes(fds) + struct.pack('<H', len(data)) + data


def vmsg(req, payload=b'', flags=VERSION, size=None):
    return struct.pack('<III', req, flags, len(payload) if size is None else size) + payload


def u64(v):
    return struct.pack('<Q', v)


def state(index, num):
    return struct.pack('<II', index, num)


def vring_addr(desc, used, avail, index=0, flags=0):
    return struct.pack('<IIQQQQ', index, flags, desc, used, avail, 0)


def mem_table(regions, nregions=None):
    """regions: (gpa, size, uaddr, offset)"""
    n = len(regions) if nregions is None else nregions
    return struct.pack('<II', n, 0) + b''.join(struct.pack('<4Q', *r) for r in regions)


def vhost_msg_seeds():
    ua = 0x7f0000000000
    ev = fd(K_EVENTFD)
    start = [  # QEMU 7.2's cryptodev-vhost-user, start to first session
        piece(vmsg(1)), piece(vmsg(15)), piece(vmsg(16, u64(0x88))), piece(vmsg(3)),
        piece(vmsg(13, u64(0)), [ev]), piece(vmsg(2, u64(1 << 30))),
        piece(vmsg(5, mem_table([(0, 2 * MIB, ua, 0)])), [fd(K_MEMFD, 2 * MIB)]),
        piece(vmsg(8, state(0, 256))), piece(vmsg(10, state(0, 0))),
        piece(vmsg(9, vring_addr(ua, ua + 0x2000, ua + 0x1000))),
        piece(vmsg(12, u64(0)), [ev]), piece(vmsg(13, u64(0)), [ev]),
        piece(vmsg(26, b'\0' * 632)), piece(vmsg(27, u64(1), VERSION | NEED_REPLY)),
        piece(vmsg(11, state(0, 0)))]
    seeds = {'qemu72_start': b''.join(start)}
    seeds['two_regions_one_memfd'] = piece(vmsg(5, mem_table(
        [(0, MIB, ua, 0), (4 * MIB, MIB, ua + MIB, MIB)])),
        [fd(K_MEMFD, 2 * MIB), fd(K_SAME)])
    seeds['eight_regions'] = piece(vmsg(5, mem_table(
        [(k * MIB, MIB, ua + k * MIB, 0) for k in range(8)])), [fd(K_MEMFD, MIB)] * 8)
    seeds['past_file'] = piece(vmsg(5, mem_table([(0, 4 * MIB, ua, 0)])),
                               [fd(K_MEMFD, 2 * MIB)])
    seeds['offset_past_file'] = piece(vmsg(5, mem_table([(0, MIB, ua, 2 * MIB)])),
                                      [fd(K_MEMFD, 2 * MIB)])
    seeds['overlap'] = piece(vmsg(5, mem_table(
        [(0, MIB, ua, 0), (MIB - 4096, MIB, ua + MIB, MIB)])),
        [fd(K_MEMFD, 2 * MIB), fd(K_SAME)])
    seeds['wrap'] = piece(vmsg(5, mem_table([(2**64 - 4096, 2 * MIB, ua, 0)])),
                          [fd(K_MEMFD, 2 * MIB)])
    seeds['region_fd_kinds'] = b''.join(
        piece(vmsg(5, mem_table([(0, 4096, ua, 0)])), [k]) for k in
        (fd(K_DEVZERO), fd(K_MEMFD_RDONLY, 4096), fd(K_PIPE), ev, fd(K_MEMFD, 5000)))
    hdr = vmsg(5, mem_table([(0, MIB, ua, 0)]))
    seeds['split_header'] = piece(hdr[:5], [fd(K_MEMFD, MIB)]) + piece(hdr[5:])
    seeds['fds_after_header'] = piece(hdr[:12]) + piece(hdr[12:], [fd(K_MEMFD, MIB)])
    seeds['nine_fds'] = piece(vmsg(1), [ev] * 9) + piece(vmsg(1))
    seeds['oversized'] = piece(vmsg(8, b'\0' * 5000))
    seeds['truncated'] = piece(vmsg(8, b'', size=8))
    seeds['call_fd_kinds'] = b''.join(
        piece(vmsg(r, u64(v)), k) for r, v, k in (
            (13, 0, [fd(K_PIPE)]), (13, 0, [fd(K_EVENTFD_BLOCKING)]), (12, 0, [fd(K_MEMFD)]),
            (14, 0, [fd(K_SOCKET)]), (13, 0x100, []), (13, 0x100, [ev]), (12, 0x10000, [ev]),
            (14, 0, [fd(K_EVENTFD_BLOCKING)])))
    seeds['bad_values'] = b''.join(piece(m) for m in (
        vmsg(8, state(0, 0)), vmsg(8, state(0, 3)), vmsg(8, state(0, 65536)),
        vmsg(8, state(256, 64)), vmsg(10, state(0, 65536)), vmsg(18, state(0, 2)),
        vmsg(9, vring_addr(ua + 8, ua + 0x2000, ua + 0x1000)),
        vmsg(9, vring_addr(ua, ua + 0x2000, ua + 0x1000, flags=1)),
        vmsg(2, b''), vmsg(1, u64(0)), vmsg(0), vmsg(41), vmsg(1, flags=0),
        vmsg(1, flags=VERSION | 0x4)))
    seeds['not_offered'] = b''.join(
        piece(vmsg(r, p, f), k) for r, p, f, k in (
            (6, u64(4096) + u64(0), VERSION, [fd(K_MEMFD, 4096)]),
            (28, b'', VERSION | NEED_REPLY, []), (39, u64(1), VERSION, []),
            (31, b'\0' * 20, VERSION, []), (22, b'\0' * 24, VERSION | NEED_REPLY, [])))
    return seeds


def write(sub, seeds):
    d = os.path.join(HERE, sub)
    os.makedirs(d, exist_ok=True)
    for name, blob in seeds.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(blob)


if __name__ == '__main__':
    write('vring', vring_seeds())
    write('session_msg', sess_seeds())
    write('vhost_msg', vhost_msg_seeds())
