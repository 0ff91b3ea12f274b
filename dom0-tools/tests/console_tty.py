"""xm console on a terminal, against a stand-in for xend on a unix socket:
the terminal is raw while it runs and restored when it ends, by Ctrl-] or
by a signal; typed bytes (control characters too) reach xend's
console-input request, the escape does not.

Usage: python3 console_tty.py XM     exit status 0 when all is well
"""
import os
import pty
import select
import signal
import socket
import sys
import tempfile
import termios
import threading
import time

xm = sys.argv[1]
tmp = tempfile.mkdtemp()
path = os.path.join(tmp, "xend-socket")
inputs = []
held = []
problems = []


def fake_xend(server):
    """console: an OK and a line of output, the connection kept open;
    console-input: records the bytes and says all were taken."""
    while True:
        conn, _ = server.accept()
        data = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, payload = data.partition(b"\n")
        fields = head.split(b"\t")
        if fields[0] == b"console":
            conn.sendall(b"OK\nguest output\r\n")
            held.append(conn)
        elif fields[0] == b"console-input":
            inputs.append((fields[1], payload))
            conn.sendall(b"OK\n%d\n" % len(payload))
            conn.close()
        else:
            conn.sendall(b"ERROR unexpected request\n")
            conn.close()


def session(name, typed, end):
    """Runs xm console web1 on a new terminal; types, then ends it."""
    del inputs[:]
    pid, master = pty.fork()
    if pid == 0:
        os.execv(xm, [xm, "console", "web1"])
    before = termios.tcgetattr(master)
    seen = b""
    deadline = time.time() + 5
    while b"guest output" not in seen and time.time() < deadline:
        if select.select([master], [], [], 0.2)[0]:
            seen += os.read(master, 1024)
    if b"guest output" not in seen:
        problems.append(name + ": no console output shown")
    if termios.tcgetattr(master)[3] & termios.ICANON:
        problems.append(name + ": the terminal is not raw")
    os.write(master, typed)
    deadline = time.time() + 5
    while sum(len(p) for _, p in inputs) < len(typed) and time.time() < deadline:
        time.sleep(0.05)
    end(pid, master)
    deadline = time.time() + 5
    status = None
    while status is None and time.time() < deadline:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
        else:
            time.sleep(0.05)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        problems.append(name + ": xm console did not end")
    after = termios.tcgetattr(master)
    if after != before:
        problems.append(name + ": the terminal was not restored")
    got = b"".join(p for _, p in inputs)
    if got != typed or any(d != b"web1" for d, _ in inputs):
        problems.append("%s: xend got %r, typed %r" % (name, inputs, typed))
    os.close(master)
    return status


server = socket.socket(socket.AF_UNIX)
server.bind(path)
server.listen(8)
threading.Thread(target=fake_xend, args=(server,), daemon=True).start()
os.environ["XEND_UNIX_PATH"] = path

st = session("Ctrl-]", b"ls -l\r\x03\x00",
             lambda pid, fd: os.write(fd, b"\x1d"))
if st is not None and st != 0:
    problems.append("Ctrl-]: exit status %d" % st)
st = session("SIGTERM", b"q", lambda pid, fd: os.kill(pid, signal.SIGTERM))
if st is not None and not (os.WIFSIGNALED(st) and
                           os.WTERMSIG(st) == signal.SIGTERM):
    problems.append("SIGTERM: status %r" % st)
for p in problems:
    print(p, file=sys.stderr)
os.unlink(path)
os.rmdir(tmp)
sys.exit(1 if problems else 0)
