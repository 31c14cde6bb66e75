"""The engine, libckpt, through ctypes: only the functions and structs that the extension
calls (it restarts through the ckpt command, not ckpt_restart).  The structs mirror
native/include/ckpt.h field by field; load() refuses an engine whose sizes differ, and the gdb
tests compare every offset."""

import ctypes
import os

import gdb

from . import CkptError


class Patch(ctypes.Structure):
    _fields_ = [
        ("addr", ctypes.c_uint64),
        ("len", ctypes.c_uint32),
        ("bytes", ctypes.c_uint8 * 16),
    ]


_PROGRESS = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint64)


class CaptureOptions(ctypes.Structure):
    _fields_ = [
        ("release", ctypes.c_int),
        ("first_tid", ctypes.c_int),  # pid_t
        ("stop_function", ctypes.c_char_p),
        ("stop_file", ctypes.c_char_p),
        ("stop_line", ctypes.c_uint),
        ("patches", ctypes.POINTER(Patch)),
        ("npatches", ctypes.c_size_t),
        ("from_debugger", ctypes.c_int),
        ("progress", _PROGRESS),  # not used here: NULL
        ("progress_arg", ctypes.c_void_p),
        ("parent", ctypes.c_char_p),
        ("tracker", ctypes.c_void_p),
        ("allow_unrestorable", ctypes.c_int),
        ("origin", ctypes.c_int),  # enum ckpt_origin
        ("label", ctypes.c_char_p),
        ("note", ctypes.c_char_p),
        ("timeline_parent", ctypes.c_char_p),
        ("sequence", ctypes.c_uint32),
        ("session", ctypes.c_uint64),
    ]


class PathMap(ctypes.Structure):
    _fields_ = [
        ("from", ctypes.c_char_p),  # a Python keyword: set with setattr
        ("to", ctypes.c_char_p),
    ]


class CaptureResult(ctypes.Structure):
    _fields_ = [
        ("processes", ctypes.c_uint32),
        ("threads", ctypes.c_uint32),
        ("mapped_bytes", ctypes.c_uint64),
        ("stored_bytes", ctypes.c_uint64),
        ("file_bytes", ctypes.c_uint64),
        ("freeze_ns", ctypes.c_uint64),
        ("total_ns", ctypes.c_uint64),
        ("parent_bytes", ctypes.c_uint64),
    ]


class PackOptions(ctypes.Structure):
    _fields_ = [
        ("with_files", ctypes.c_int),
        ("max_open_file_size", ctypes.c_uint64),
    ]


class PackResult(ctypes.Structure):
    _fields_ = [
        ("files", ctypes.c_uint32),
        ("debug_files", ctypes.c_uint32),
        ("skipped_open_files", ctypes.c_uint32),
        ("embedded_bytes", ctypes.c_uint64),
        ("statefile_bytes", ctypes.c_uint64),
        ("file_bytes", ctypes.c_uint64),
    ]


class RewindResult(ctypes.Structure):
    _fields_ = [
        ("threads", ctypes.c_uint32),
        ("stop_tid", ctypes.c_uint32),
        ("damaged", ctypes.c_int),
        ("written_bytes", ctypes.c_uint64),
        ("total_ns", ctypes.c_uint64),
    ]


CKPT_LEAVE_RUNNING = 0  # enum ckpt_release

# enum ckpt_origin, by the names that the statefile's annotation and ckpt info use.
ORIGINS = {"manual": 0, "breakpoint": 1, "step": 2, "snappoint": 3, "automatic": 4}

# ckpt.h's name of each struct mirrored above.
MIRRORED_STRUCTS = {
    "ckpt_patch": Patch,
    "ckpt_capture_options": CaptureOptions,
    "ckpt_capture_result": CaptureResult,
    "ckpt_path_map": PathMap,
    "ckpt_pack_options": PackOptions,
    "ckpt_pack_result": PackResult,
    "ckpt_rewind_result": RewindResult,
}

# The directory of ckpt-gdb.py, which sits next to this package.
EXTENSION_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def engine_candidates():
    """Where libckpt.so may be, in the order tried: $CKPT_HOME/lib when CKPT_HOME is set, then
    lib/ of the installed layout, then build/lib/ of the source tree."""
    out = []
    home = os.environ.get("CKPT_HOME")
    if home:
        out.append(os.path.join(home, "lib", "libckpt.so"))
    # Installed layout: <prefix>/share/ckpt/ckpt-gdb.py and <prefix>/lib/libckpt.so.
    out.append(os.path.normpath(os.path.join(EXTENSION_DIR, "..", "..", "lib", "libckpt.so")))
    # Source layout: native/gdb/ckpt-gdb.py next to native/build/lib/libckpt.so.
    out.append(os.path.normpath(os.path.join(EXTENSION_DIR, "..", "build", "lib", "libckpt.so")))
    return out


class Engine:
    def __init__(self):
        self.lib = None
        self.path = None

    def load(self):
        """The loaded engine, or a GdbError that names every place tried."""
        if self.lib is not None:
            return self.lib
        tried = []
        for cand in engine_candidates():
            if not os.path.exists(cand):
                tried.append(cand)
                continue
            try:
                lib = ctypes.CDLL(cand)
            except OSError as e:
                raise gdb.GdbError("ckpt: cannot load the engine %s: %s" % (cand, e))
            self._declare(lib)
            self.lib, self.path = lib, cand
            return lib
        raise gdb.GdbError("ckpt: the engine libckpt.so is missing (tried %s; set CKPT_HOME)" % ", ".join(tried))

    @staticmethod
    def _declare(lib):
        lib.ckpt_version.restype = ctypes.c_char_p
        lib.ckpt_version.argtypes = []
        lib.ckpt_last_error.restype = ctypes.c_char_p
        lib.ckpt_last_error.argtypes = []
        lib.ckpt_capture.restype = ctypes.c_int
        lib.ckpt_capture.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.c_size_t, ctypes.c_char_p,
                                     ctypes.POINTER(CaptureOptions), ctypes.POINTER(CaptureResult)]
        lib.ckpt_capture_start.restype = ctypes.c_void_p
        lib.ckpt_capture_start.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.c_size_t, ctypes.c_char_p,
                                           ctypes.POINTER(CaptureOptions)]
        lib.ckpt_capture_pause_ns.restype = ctypes.c_uint64
        lib.ckpt_capture_pause_ns.argtypes = [ctypes.c_void_p]
        lib.ckpt_capture_finish.restype = ctypes.c_int
        lib.ckpt_capture_finish.argtypes = [ctypes.c_void_p, ctypes.POINTER(CaptureResult)]
        lib.ckpt_capture_cleanup.restype = None
        lib.ckpt_capture_cleanup.argtypes = [ctypes.c_void_p]
        lib.ckpt_tracker_new.restype = ctypes.c_void_p
        lib.ckpt_tracker_new.argtypes = []
        lib.ckpt_command_path.restype = ctypes.c_char_p
        lib.ckpt_command_path.argtypes = []
        lib.ckpt_discard_pending_sigstop.restype = ctypes.c_int
        lib.ckpt_discard_pending_sigstop.argtypes = [ctypes.POINTER(ctypes.c_int), ctypes.c_size_t]
        lib.ckpt_info.restype = ctypes.c_void_p
        lib.ckpt_info.argtypes = [ctypes.c_char_p, ctypes.c_int]
        lib.ckpt_check_mapped.restype = ctypes.c_void_p
        lib.ckpt_check_mapped.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(PathMap), ctypes.c_size_t,
                                          ctypes.POINTER(ctypes.c_uint)]
        lib.ckpt_pack.restype = ctypes.c_int
        lib.ckpt_pack.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(PackOptions),
                                  ctypes.POINTER(PackResult)]
        lib.ckpt_unpack_debug.restype = ctypes.c_int
        lib.ckpt_unpack_debug.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lib.ckpt_rewind.restype = ctypes.c_int
        lib.ckpt_rewind.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(RewindResult)]
        lib.ckpt_free.restype = None
        lib.ckpt_free.argtypes = [ctypes.c_void_p]
        # The structs above mirror ckpt.h: refuse an engine whose layouts differ.
        lib.ckpt_struct_size.restype = ctypes.c_size_t
        lib.ckpt_struct_size.argtypes = [ctypes.c_char_p]
        for name, cls in MIRRORED_STRUCTS.items():
            size = lib.ckpt_struct_size(name.encode())
            if size != ctypes.sizeof(cls):
                raise gdb.GdbError("ckpt: this extension does not match the engine (struct %s is %d bytes there, %d here)"
                                   % (name, size, ctypes.sizeof(cls)))

    def error(self):
        msg = self.lib.ckpt_last_error() if self.lib else None
        return msg.decode("utf-8", "replace") if msg else "unknown engine error"

    def version(self):
        return self.load().ckpt_version().decode()

    def info(self, path, as_json):
        lib = self.load()
        p = lib.ckpt_info(os.fsencode(path), 1 if as_json else 0)
        if not p:
            raise CkptError(self.error())
        try:
            return ctypes.string_at(p).decode("utf-8", "replace")
        finally:
            lib.ckpt_free(p)

    def check(self, path, as_json, map_paths=()):
        """ckpt_check_mapped: (report text, number of problems).  map_paths: OLD=NEW strings."""
        lib = self.load()
        maps = (PathMap * max(1, len(map_paths)))()
        for i, m in enumerate(map_paths):
            old, _, new = m.partition("=")
            setattr(maps[i], "from", os.fsencode(old))
            maps[i].to = os.fsencode(new)
        problems = ctypes.c_uint(0)
        p = lib.ckpt_check_mapped(os.fsencode(path), 1 if as_json else 0, maps, len(map_paths), ctypes.byref(problems))
        if not p:
            raise CkptError(self.error())
        try:
            return ctypes.string_at(p).decode("utf-8", "replace"), problems.value
        finally:
            lib.ckpt_free(p)

    def pack(self, path, out, with_files):
        lib = self.load()
        opts, res = PackOptions(with_files=1 if with_files else 0), PackResult()
        if lib.ckpt_pack(os.fsencode(path), os.fsencode(out), ctypes.byref(opts), ctypes.byref(res)) < 0:
            raise CkptError(self.error())
        return res

    def unpack_debug(self, path, directory):
        n = self.load().ckpt_unpack_debug(os.fsencode(path), os.fsencode(directory))
        if n < 0:
            raise CkptError(self.error())
        return n


ENGINE = Engine()
