# ckpt's gdb extension: `ckpt save`, `ckpt restart`, `ckpt info`, `ckpt list`, `ckpt status`,
# and a control socket for the IDE.
#
# Load it with `source <prefix>/share/ckpt/ckpt-gdb.py`.  This file only loads the Python
# package _ckpt_gdb/ next to it, where the extension lives (its __init__.py lists the
# modules).  Sourcing it again replaces the loaded extension with the files as they are now:
# gdb still has one set of ckpt commands and one control socket.  The engine is
# $CKPT_HOME/lib/libckpt.so when CKPT_HOME is set and the file is there, else
# <prefix>/lib/libckpt.so, else ../build/lib/libckpt.so (this file in native/gdb/).


def _ckpt_gdb_load():
    import importlib
    import importlib.util
    import os
    import sys

    import gdb

    name = "_ckpt_gdb"
    # This file's directory (through symlinks to it).  Not __file__: when a sourced Python
    # script sources this one, gdb leaves __file__ at the outer script's name.
    source = _ckpt_gdb_load.__code__.co_filename
    here = os.path.dirname(os.path.realpath(source)) if os.path.isfile(source) else os.getcwd()
    package_dir = os.path.join(here, name)
    init = os.path.join(package_dir, "__init__.py")
    if not os.path.isfile(init):
        gdb.write("ckpt: the extension's package is missing: %s\n" % package_dir, gdb.STDERR)
        return

    def ours(module_name):
        return module_name == name or module_name.startswith(name + ".")

    def drop_loaded():
        for k in [k for k in sys.modules if ours(k)]:
            del sys.modules[k]

    before = {k: m for k, m in sys.modules.items() if ours(k)}
    drop_loaded()
    # From this directory by its path, not through sys.path, where a module of the same name
    # could come first.  No bytecode: nothing is written into the installed or source tree.
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[package_dir])
    write_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        package = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        spec.loader.exec_module(package)
        lifecycle = importlib.import_module(name + ".lifecycle")
    except BaseException:
        drop_loaded()
        sys.modules.update(before)  # the extension loaded before, if any, stays as it was
        raise
    finally:
        sys.dont_write_bytecode = write_bytecode
    previous = before.get(name + ".lifecycle")
    if previous is not None and hasattr(previous, "unload"):
        try:
            previous.unload()
        except Exception as e:
            drop_loaded()
            sys.modules.update(before)
            gdb.write("ckpt: not loaded again: %s\n" % e, gdb.STDERR)
            return
    lifecycle.load()


try:
    _ckpt_gdb_load()
finally:
    del _ckpt_gdb_load
