#!/usr/bin/env python3
"""Makes a statefile look saved on another kernel build, whose vDSO has its functions elsewhere,
for the vDSO proxy tests (this machine has one kernel).  In the saved vDSO's symbol table,
clock_gettime and gettimeofday trade places (with their __vdso_ names and sizes), and so do
the program's cached pointers to them (glibc's, and the GOT entries its IFUNCs filled), as if
the program had started with that vDSO.  A restart that does not send each saved function to
the same function of this kernel's vDSO calls the wrong one.  Edits FILE in place (a statefile
of one process); prints how many pointers it moved.  With --pc-inside, the first thread's pc
is also put 4 bytes into the saved clock_gettime, whose code is not this kernel's there; with
--pc-in-time, 4 bytes into the saved time, whose code is (it prints that pc's offset).  With
--damage WHAT, the saved vDSO image is made hostile instead (WHAT: magic, section-table,
symbols, symbol-name), for restart's reader of it.

Usage: other_vdso.py FILE [--pc-inside | --pc-in-time | --damage WHAT]"""

import struct
import sys

PT_LOAD, PT_NOTE, NT_PRSTATUS, NT_AUXV, AT_SYSINFO_EHDR, SHT_DYNSYM = 1, 4, 1, 6, 33, 11
PRSTATUS_RIP = 112 + 16 * 8  # pr_reg's offset in prstatus, rip's index in user_regs_struct
GROUPS = ({b"clock_gettime", b"__vdso_clock_gettime"}, {b"gettimeofday", b"__vdso_gettimeofday"},
          {b"time", b"__vdso_time"})


def phdrs(data):
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    for i in range(phnum):
        yield struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)


def core_notes(data):
    """(type, offset of desc, descsz) of each CORE note of the root image."""
    for p_type, _, off, _, _, filesz, _, _ in phdrs(data):
        if p_type != PT_NOTE:
            continue
        pos, end = off, off + filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            desc = pos + 12 + ((namesz + 3) & ~3)
            if data[pos + 12:pos + 12 + namesz].rstrip(b"\0") == b"CORE":
                yield ntype, desc, descsz
            pos = desc + ((descsz + 3) & ~3)


def vdso_base(data):
    for p_type, _, off, _, _, filesz, _, _ in phdrs(data):
        if p_type != PT_NOTE:
            continue
        pos, end = off, off + filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            desc = pos + 12 + ((namesz + 3) & ~3)
            if data[pos + 12:pos + 12 + namesz].rstrip(b"\0") == b"CORE" and ntype == NT_AUXV:
                for k in range(desc, desc + descsz, 16):
                    key, val = struct.unpack_from("<QQ", data, k)
                    if key == AT_SYSINFO_EHDR:
                        return val
            pos = desc + ((descsz + 3) & ~3)
    sys.exit("other_vdso: no AT_SYSINFO_EHDR in the statefile's auxv")


def damage(f, data, v0, what):
    shoff, = struct.unpack_from("<Q", data, v0 + 40)
    shentsize, shnum = struct.unpack_from("<HH", data, v0 + 58)
    dynsym = next(v0 + shoff + i * shentsize for i in range(shnum)
                  if struct.unpack_from("<I", data, v0 + shoff + i * shentsize + 4)[0] == SHT_DYNSYM)
    at, value = {
        "magic": (v0, b"\0\0\0\0"),
        "section-table": (v0 + 40, struct.pack("<Q", 0xfffffffffff0)),
        "symbols": (dynsym + 32, struct.pack("<Q", 1 << 40)),  # sh_size
    }.get(what, (None, None))
    if what == "symbol-name":  # every name offset beyond the string table
        sym_off, sym_size = struct.unpack_from("<QQ", data, dynsym + 24)
        for k in range(1, sym_size // 24):
            f.seek(v0 + sym_off + k * 24)
            f.write(struct.pack("<I", 0x7ffffff0))
        return
    if at is None:
        sys.exit("other_vdso: unknown damage " + what)
    f.seek(at)
    f.write(value)


def main(path, pc_inside=False, damaged=None, pc_in_time=False):
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        base = vdso_base(data)
        loads = [(off, vaddr, filesz) for t, _, off, vaddr, _, filesz, _, _ in phdrs(data) if t == PT_LOAD]
        vdso = next(((off, filesz) for off, vaddr, filesz in loads if vaddr == base and filesz), None)
        if not vdso:
            sys.exit("other_vdso: the vDSO's bytes are not in the statefile")
        v0 = vdso[0]
        if damaged:
            damage(f, data, v0, damaged)
            return
        shoff, = struct.unpack_from("<Q", data, v0 + 40)
        shentsize, shnum = struct.unpack_from("<HH", data, v0 + 58)
        secs = [struct.unpack_from("<IIQQQQIIQQ", data, v0 + shoff + i * shentsize) for i in range(shnum)]
        dynsym = next(s for s in secs if s[1] == SHT_DYNSYM)
        strtab = secs[dynsym[6]]
        syms = {}  # group -> [(entry offset in file, st_value, st_size)]
        for k in range(dynsym[5] // 24):
            at = v0 + dynsym[4] + k * 24
            name_off, = struct.unpack_from("<I", data, at)
            s = v0 + strtab[4] + name_off
            name = bytes(data[s:data.index(b"\0", s)])
            value, size = struct.unpack_from("<QQ", data, at + 8)
            for g, names in enumerate(GROUPS):
                if name in names:
                    syms.setdefault(g, []).append((at, value, size))
        if len(syms) != 3:
            sys.exit("other_vdso: the vDSO has no clock_gettime, gettimeofday or time")
        (a_val, a_size), (b_val, b_size) = ((syms[g][0][1], syms[g][0][2]) for g in (0, 1))
        for g, (val, size) in ((0, (b_val, b_size)), (1, (a_val, a_size))):
            for at, _, _ in syms[g]:
                struct.pack_into("<QQ", data, at + 8, val, size)
        f.seek(v0)
        f.write(data[v0:v0 + vdso[1]])
        # The program's cached pointers, in the memory the statefile holds.
        a, b = struct.pack("<Q", base + a_val), struct.pack("<Q", base + b_val)
        found = []  # (position, replacement): all found first, then swapped
        for off, vaddr, filesz in loads:
            if vaddr == base:
                continue
            for needle, repl in ((a, b), (b, a)):
                pos = data.find(needle, off, off + filesz)
                while pos >= 0:
                    if (pos - off) % 8 == 0:
                        found.append((pos, repl))
                    pos = data.find(needle, pos + 1, off + filesz)
        moved = {a: 0, b: 0}
        for pos, repl in found:
            f.seek(pos)
            f.write(repl)
            moved[a if repl == b else b] += 1
        if pc_inside or pc_in_time:
            desc = next(d for t, d, _ in core_notes(data) if t == NT_PRSTATUS)
            off = b_val + 4 if pc_inside else syms[2][0][1] + 4  # the saved clock_gettime is at b_val now
            f.seek(desc + PRSTATUS_RIP - 8)  # orig_rax -1: not in a system call there
            f.write(struct.pack("<qQ", -1, base + off))
            if pc_in_time:
                print("pc at vDSO offset 0x%x" % off)
                return
        print("moved %d clock_gettime and %d gettimeofday pointers" % (moved[a], moved[b]))
        if not moved[a] or not moved[b]:
            sys.exit("other_vdso: the program holds no pointer to both functions")


if __name__ == "__main__":
    args = sys.argv[2:]
    main(sys.argv[1], "--pc-inside" in args, args[args.index("--damage") + 1] if "--damage" in args else None,
         "--pc-in-time" in args)
