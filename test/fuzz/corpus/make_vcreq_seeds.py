#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Seeds for fuzz_vcreq (the input layout is in fuzz_vcreq.c's comment): a valid
# AES-CBC request, a valid chain, the same cut into several segments, and one with
# the digest split across the last two writable segments.
import os
import struct

HDR = 72


def header(chain, src, dst, iv=16, digest=20):
    h = bytearray(HDR)
    struct.pack_into("<I", h, 0, 0)  # VIRTIO_CRYPTO_CIPHER_ENCRYPT
    struct.pack_into("<Q", h, 8, (1 << 32) | 1)
    struct.pack_into("<I", h, 64, 2 if chain else 1)  # op_type
    if chain:
        struct.pack_into("<IIIIIIIII", h, 24, iv, src, dst, 16, src - 16, 0, src, digest, 0)
    else:
        struct.pack_into("<III", h, 24, iv, src, dst)
    return bytes(h)


def seed(f0, f1, lens, payload):
    return bytes([f0, f1]) + b"".join(struct.pack("<H", n) for n in lens) + payload


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vcreq")
    os.makedirs(out, exist_ok=True)
    seeds = {
        "cipher_one_seg": seed(0x00, 0x00, [HDR + 16 + 64, 65], header(False, 64, 64) + bytes(80)),
        "chain_one_seg": seed(0x00, 0x01, [HDR + 16 + 256, 256 + 20 + 1],
                              header(True, 256, 256) + bytes(272)),
        # header | IV | data, destination | status: the Linux driver's layout
        "cipher_linux_layout": seed(0x06, 0x00, [HDR, 16, 64, 64, 1],
                                    header(False, 64, 64) + bytes(80)),
        "chain_digest_split": seed(0x08, 0x01, [HDR + 16 + 64, 64, 10, 11],
                                   header(True, 64, 64) + bytes(80)),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
