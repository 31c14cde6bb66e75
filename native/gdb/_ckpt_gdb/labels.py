"""A statefile's label and note (its annotation, native/STATEFILE.md): set by the ckpt command
(`ckpt label`), which checks them and rewrites them in place, and kept in the timeline too."""

import os
import subprocess

from . import CkptError
from . import timeline
from .engine import ENGINE


def set_label(path, label=None, note=None):
    """Sets the label and/or the note (None: kept) of the statefile at path."""
    cmd = ENGINE.load().ckpt_command_path().decode()
    if not os.access(cmd, os.X_OK):
        raise CkptError("ckpt label: the ckpt command is missing (%s)" % cmd)
    argv = [cmd, "label"] + (["--note", note] if note is not None else []) + ["--", path]
    if label is not None:
        argv.append(label)
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise CkptError("ckpt label: %s" % e)
    if r.returncode != 0:
        reason = (r.stderr.strip().splitlines() or ["the ckpt command failed"])[-1]
        raise CkptError("ckpt label: " + (reason[len("ckpt: "):] if reason.startswith("ckpt: ") else reason))
    return timeline.set_label(path, label, note)
