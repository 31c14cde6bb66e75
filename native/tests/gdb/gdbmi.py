"""A small GDB/MI driver for the tests: it talks to `gdb --interpreter=mi2 --nx` the way
Eclipse CDT does (tokens, -interpreter-exec console for CLI commands, async records).

Lines that are not MI records are the inferior's own output (no inferior tty is set), and are
kept in `target_output`."""

import errno
import os
import pty
import re
import select
import subprocess
import time
import tty

_RESULT = re.compile(r"^(\d*)\^(done|running|connected|error|exit)(,.*)?$")


def c_string(s):
    """An MI c-string for s."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unescape(body):
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            i += 2
            if n == "n":
                out.append("\n")
            elif n == "t":
                out.append("\t")
            elif n == "\\":
                out.append("\\")
            elif n == '"':
                out.append('"')
            elif n in "01234567":
                j = i - 1
                k = j
                while k < len(body) and k < j + 3 and body[k] in "01234567":
                    k += 1
                out.append(chr(int(body[j:k], 8)))
                i = k
            else:
                out.append(n)
            continue
        out.append(c)
        i += 1
    return "".join(out)


def stream_text(line):
    """The text of a ~"..." / @"..." / &"..." stream record."""
    body = line[1:].strip()
    if body.startswith('"') and body.endswith('"'):
        body = body[1:-1]
    return _unescape(body)


class MIError(Exception):
    pass


class GdbMI:
    def __init__(self, gdb="gdb", args=(), env=None, cwd=None, user=None, nx=True, console_log=None):
        """nx=False: gdb reads the user's init files, as a front end started without --nx has it.
        console_log: gdb is started as CDT's full gdb console starts it (GDBBackend_7_12 appends
        these to GDBBackend's `gdb --interpreter mi2 --nx`): the CLI on gdb's stdin and stdout
        (a pipe and the file console_log; the program's output goes there too) and MI on a pty
        of its own, opened by `new-ui mi PTY`."""
        self._slave = None
        if console_log is None:
            cmd = [gdb, "--interpreter=mi2"] + (["--nx"] if nx else []) + ["-q"] + list(args)
            stdout = subprocess.PIPE
        else:
            master, self._slave = pty.openpty()
            tty.setraw(self._slave)  # no echo of our commands, no \r\n
            cmd = [gdb, "--interpreter", "mi2"] + (["--nx"] if nx else []) + [
                "-q", "--interpreter", "console", "-ex", "new-ui mi " + os.ttyname(self._slave),
                "-ex", "set pagination off", "-ex", "show version"] + list(args)
            stdout = open(console_log, "wb")
        if user:
            cmd = ["runuser", "-u", user, "--"] + cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=stdout, stderr=subprocess.STDOUT,
                                     env=env, cwd=cwd, bufsize=0)
        if console_log is None:
            self._mi_fd = self.proc.stdout.fileno()
        else:
            stdout.close()
            self._mi_fd = master
        self.token = 100
        self.buf = b""
        self.async_records = []   # *stopped, *running, =thread-... lines
        self.console = []         # ~ stream text, in order
        self.target_output = []   # lines that are not MI at all
        self.log = []             # everything, for failure reports
        self.wait_prompt(30)

    # -- reading --

    def _readline(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise MIError("timed out waiting for gdb; last output:\n" + "\n".join(self.log[-30:]))
            r, _, _ = select.select([self._mi_fd], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(self._mi_fd, 65536)
            except OSError as e:  # a pty whose other side is closed
                if e.errno != errno.EIO:
                    raise
                chunk = b""
            if not chunk:
                raise MIError("gdb exited; last output:\n" + "\n".join(self.log[-30:]))
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.decode("utf-8", "replace").rstrip("\r")
        self.log.append(line)
        return line

    def _classify(self, line):
        if line.startswith("~"):
            self.console.append(stream_text(line))
        elif line.startswith(("@", "&")):
            pass
        elif line.startswith(("*", "=")) or re.match(r"^\d+[*=]", line):
            self.async_records.append(line)
        elif line == "(gdb) " or line == "(gdb)":
            pass
        elif _RESULT.match(line):
            pass
        else:
            self.target_output.append(line)

    def wait_prompt(self, timeout):
        deadline = time.time() + timeout
        while True:
            line = self._readline(deadline)
            self._classify(line)
            if line.startswith("(gdb)"):
                return

    def pump(self, timeout=0.0):
        """Reads whatever arrives within timeout seconds."""
        deadline = time.time() + timeout
        while True:
            if b"\n" not in self.buf:
                r, _, _ = select.select([self._mi_fd], [], [], max(0.0, deadline - time.time()))
                if not r:
                    return
            try:
                line = self._readline(time.time() + 5)
            except MIError:
                return
            self._classify(line)

    def wait_for(self, pred, timeout=30, what="a condition"):
        """Reads until pred() is true."""
        deadline = time.time() + timeout
        while not pred():
            if time.time() > deadline:
                raise MIError("timed out waiting for %s; last output:\n%s" % (what, "\n".join(self.log[-30:])))
            self.pump(min(0.2, max(0.0, deadline - time.time())))
        return True

    # -- commands --

    def mi(self, command, timeout=60, allow_error=False):
        """Runs an MI command; returns (class, results text, console text)."""
        self.token += 1
        tok = str(self.token)
        first_console = len(self.console)
        self._send((tok + command + "\n").encode())
        deadline = time.time() + timeout
        while True:
            line = self._readline(deadline)
            m = _RESULT.match(line)
            if m and m.group(1) == tok:
                cls, rest = m.group(2), (m.group(3) or "")[1:]
                self._wait_prompt_after(deadline)
                text = "".join(self.console[first_console:])
                if cls == "error" and not allow_error:
                    raise MIError("%s failed: %s\n%s" % (command, rest, text))
                return cls, rest, text
            self._classify(line)

    def _wait_prompt_after(self, deadline):
        while True:
            line = self._readline(deadline)
            self._classify(line)
            if line.startswith("(gdb)"):
                return

    def console_cmd(self, command, timeout=60, allow_error=False):
        """Runs a CLI command through -interpreter-exec console, as CDT does; returns its text."""
        cls, rest, text = self.mi("-interpreter-exec console " + c_string(command), timeout, allow_error)
        if allow_error:
            return cls, rest, text
        return text

    def wait_stopped(self, timeout=30, since=None):
        """Waits for a *stopped record after index `since` of async_records; returns it."""
        start = len(self.async_records) if since is None else since
        found = []

        def pred():
            for r in self.async_records[start:]:
                if r.startswith("*stopped"):
                    found.append(r)
                    return True
            return False

        self.wait_for(pred, timeout, "*stopped")
        return found[0]

    def close(self):
        if self.proc.poll() is None:
            try:
                self._send(b"-gdb-exit\n")
            except OSError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                if f is not None:
                    f.close()
            except OSError:
                pass
        if self._slave is not None:
            for fd in (self._mi_fd, self._slave):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._slave = None

    def _send(self, data):
        if self._slave is None:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        else:
            os.write(self._mi_fd, data)
