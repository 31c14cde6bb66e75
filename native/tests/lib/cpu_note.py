#!/usr/bin/env python3
"""Makes a statefile claim that the CPU it was saved on had instruction-set features no CPU
has together (all bits of cpuid(7).ebx and .ecx), for the portability tests: this machine has
one CPU, so a "teammate's CPU without AVX-512" is made this way.  Edits FILE in place.

Usage: cpu_note.py FILE"""

import struct
import sys

CKPT_NT_CPU = 16


def main(path):
    with open(path, "r+b") as f:
        data = bytearray(f.read(1 << 20))  # the root image's headers and notes
        phoff, = struct.unpack_from("<Q", data, 32)
        phentsize, phnum = struct.unpack_from("<HH", data, 54)
        for i in range(phnum):
            p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
            if p_type == 4:  # PT_NOTE
                break
        else:
            sys.exit("no note segment")
        pos, end = p_offset, p_offset + p_filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name = bytes(data[pos + 12:pos + 12 + namesz]).rstrip(b"\0")
            desc = pos + 12 + ((namesz + 3) & ~3)
            if name == b"CKPT" and ntype == CKPT_NT_CPU:
                rec = desc + 16  # after the table header
                # struct ckpt_rec_cpu: vendor[12], signature, leaf1_ecx, leaf1_edx, leaf7_ebx, leaf7_ecx
                struct.pack_into("<II", data, rec + 24, 0xFFFFFFFF, 0xFFFFFFFF)
                f.seek(rec + 24)
                f.write(data[rec + 24:rec + 32])
                return
            pos = desc + ((descsz + 3) & ~3)
        sys.exit("no CPU note")


if __name__ == "__main__":
    main(sys.argv[1])
