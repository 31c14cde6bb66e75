"""What this gdb session keeps when the extension is sourced again (which replaces the modules
of this package): the timeline, and the programs that ckpt restarted.  It lives in a module of
its own in sys.modules, outside the package, which the loader leaves alone.  Only plain data
goes there, so that no code of an earlier copy stays in use."""

import sys
import types

_NAME = "_ckpt_gdb_session"


def state(part, **defaults):
    """The namespace `part` of the session's state, with any missing field set to its default
    (a later copy of the extension may know more fields than the one that made it)."""
    holder = sys.modules.get(_NAME)
    if holder is None:
        holder = types.ModuleType(_NAME, __doc__)
        sys.modules[_NAME] = holder
    ns = getattr(holder, part, None)
    if ns is None:
        ns = types.SimpleNamespace()
        setattr(holder, part, ns)
    for name, value in defaults.items():
        if not hasattr(ns, name):
            setattr(ns, name, value)
    return ns
