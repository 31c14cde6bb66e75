"""What loading the extension does: the commands, gdb's event handlers and the control
socket (the timeline and the snappoints outlive a reload: see timeline and snappoints).  ckpt-gdb.py calls load() once per source; when the extension was loaded before, it
calls unload() on the earlier copy first, so that a gdb has one of each."""

import gdb

from . import CkptError
from . import autosave, commands, restart, server, timeline, timetravel
from .holdall import QuietSigstops
from .mainthread import note_exit_code, watch_exit
from .save import BackgroundSave
from .sigstop import SigstopGuard, on_any_stop

_connected = []  # (event registry, handler) connected by load()


def _connect(registry, handler):
    registry.connect(handler)
    _connected.append((registry, handler))


def _on_gdb_exiting(event):
    """gdb is quitting: a background save finishes its file, the programs that ckpt restarted
    are killed, and the control socket is removed."""
    note_exit_code(getattr(event, "exit_code", None))
    try:
        BackgroundSave.drain()
    except Exception:
        pass
    restart.kill_restarted()
    server.stop()


def load():
    watch_exit()
    commands.register()
    timetravel.register()
    _connect(gdb.events.stop, on_any_stop)
    _connect(gdb.events.stop, SigstopGuard.on_stop)
    _connect(gdb.events.cont, SigstopGuard.on_cont)
    _connect(gdb.events.exited, SigstopGuard.on_exit)
    _connect(gdb.events.cont, timeline.on_resumed)
    _connect(gdb.events.stop, autosave.on_stop)
    _connect(gdb.events.cont, autosave.on_cont)
    for registry in (gdb.events.stop, gdb.events.cont, gdb.events.exited):
        _connect(registry, QuietSigstops.check)
    if hasattr(gdb.events, "gdb_exiting"):
        _connect(gdb.events.gdb_exiting, _on_gdb_exiting)
    server.start()


def unload():
    """Undoes load(), before another copy of the extension is loaded.  Refused while a save is
    being written: its file and the program's clone belong to this copy."""
    if BackgroundSave.current is not None:
        raise CkptError("a save is still being written (%s); source the extension again once it is complete"
                        % BackgroundSave.current.path)
    while _connected:
        registry, handler = _connected.pop()
        try:
            registry.disconnect(handler)
        except Exception:
            pass
    SigstopGuard.disarm()  # the user's SIGSTOP setting back
    QuietSigstops.pending = {}
    QuietSigstops.check()
    server.stop()
