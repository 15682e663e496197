#!/usr/bin/python3
"""Power-loss test: cut the power under concurrent writers, verify every acknowledged write.

A kill -9 (tests/crash/crash_test.py) proves that a crash of the process loses nothing, but
the kernel's page cache survives it, so it cannot tell `--fsync always` from `--fsync no`.
This test runs Cairn on lazyfs (tests/powerloss/lazyfs.py), a FUSE filesystem that keeps
everything written through it in memory until it is fsynced (file data and size by fsync or
fdatasync, directory entries by an fsync of the directory), and cuts the power:

  1. Self-test of the filesystem's semantics (unsynced data, names, renames, unlinks,
     truncates, directories and hard links are lost at a cut; synced ones are not; fcntl
     locks and fallocate work), on its own backing directory.
  2. Mount lazyfs in a temporary directory and start Cairn on a new data directory in it
     with `--fsync MODE`, on free loopback ports. Cairn must make the directory's name
     durable itself (it fsyncs the parent of --data-dir at start-up).
  3. Several writer threads (default 6), each with its own connection and keys: SET of
     values that encode writer, cut and sequence number, INCR of a counter, HSET of a hash,
     LPUSH/RPOP of a short list, and now and then a GET that must agree with the ledger.
     Every acknowledged write leaves its key with a value it never had before (no DEL:
     the crash test covers it), so the value read back after a cut says exactly which
     writes survived. Each writer keeps, per key, the history of its acknowledged writes (value
     after the write, time sent, time acknowledged) and its one in-flight request.
  4. After a random 0.5x-1.5x of --seconds-per-cut, cut the power: SIGKILL Cairn and the
     lazyfs daemon back to back (nothing they had not made durable survives), lazy-unmount,
     and start a new daemon over the same backing directory; it loads only the durable
     state, and the kernel's caches of the old mount are gone with it.
  5. Restart Cairn, read every key. Each key must hold a value the ledger knows: its last
     acknowledged value (or what its in-flight write would make it), or, if writes were
     lost, an earlier acknowledged value; everything acknowledged after that is counted as
     lost, with how long before the cut it was acknowledged. A value the ledger never
     acknowledged (or older than the value verified at the previous cut) is a failure in
     every mode. So is a lost write that was acknowledged before a surviving write was
     sent (the store must come back as a point in time, a prefix of its commit order).
  6. Repeat for --cuts cuts on the same backing store (state carries over); then SIGTERM,
     restart, verify once more, unmount.

Modes (--expect, default from --fsync):
  none    (--fsync always)   any lost acknowledged write fails the test.
  losses  (--fsync no)       the test fails if it found no lost write at all: it proves
                             the test can see a loss.
  window  (--fsync everysec) reports the loss window: for each lost write how long before
                             the cut it had been acknowledged; fails if any was acknowledged
                             more than --window-limit seconds (default 1.5) before the cut,
                             or if no cut lost anything (the window was never seen).

Exit status: 0 passed; 1 failed (details printed); 2 usage; 77 only where FUSE is not
available (no usable /dev/fuse, fusepy/libfuse2 missing, the mount refused).

Usage:
  /usr/bin/python3 tests/powerloss/powerloss_test.py --binary build/cairn \
      --fsync always --cuts 20
  /usr/bin/python3 tests/powerloss/powerloss_test.py --selftest-only

Standard library + fusepy (Debian python3-fusepy) only; loopback only; every process it
starts is signalled by PID; everything it mounts is unmounted, also on failure.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True   # it imports lazyfs and the crash test from the tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "crash"))
from cairn_server import CairnServer, find_free_port  # noqa: E402
from crash_test import (RespConnection, RespError, apply_op, show, read_back,  # noqa: E402
                        start_compaction)

SKIP = 77
LAZYFS = os.path.join(HERE, "lazyfs.py")
PYTHON = sys.executable or "/usr/bin/python3"


class Skip(Exception):
    """FUSE is not available here."""


class Failure(Exception):
    pass


# ----------------------------------------------------------------------------------------
# The filesystem: one lazyfs daemon at a time over one backing directory.
# ----------------------------------------------------------------------------------------

def _pdeath_sigterm():
    # If this test dies, the daemon gets SIGTERM and libfuse unmounts (lazily, as root).
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def mounted(mountpoint):
    """Whether a FUSE filesystem is mounted exactly at mountpoint."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            if len(parts) > 4 and parts[4].replace("\\040", " ") == mountpoint:
                return True
    return False


def unmount(mountpoint, lazy):
    if shutil.which("fusermount"):
        cmd = ["fusermount", "-u"] + (["-z"] if lazy else []) + [mountpoint]
    elif shutil.which("fusermount3"):
        cmd = ["fusermount3", "-u"] + (["-z"] if lazy else []) + [mountpoint]
    else:
        cmd = ["umount"] + (["-l"] if lazy else []) + [mountpoint]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=30).returncode == 0


class LazyFSMount:
    def __init__(self, backing, mountpoint, log_dir, direct_io=False, trace=False):
        self.trace = trace
        self.backing = backing
        self.mountpoint = os.path.realpath(mountpoint)
        self.log_dir = log_dir
        self.direct_io = direct_io
        self.proc = None
        self.starts = 0
        self.log_path = None
        os.makedirs(backing, exist_ok=True)
        os.makedirs(mountpoint, exist_ok=True)

    def start(self, timeout=15.0, first=False):
        if mounted(self.mountpoint):
            raise Failure("%s is still mounted before a new lazyfs starts" % self.mountpoint)
        self.starts += 1
        self.log_path = os.path.join(self.log_dir, "lazyfs-%s-%03d.log"
                                     % (os.path.basename(self.backing), self.starts))
        argv = [PYTHON, LAZYFS, self.backing, self.mountpoint]
        if self.direct_io:
            argv.append("--direct-io")
        if self.trace:
            argv += ["--trace", os.path.join(self.log_dir, "lazyfs-trace.log")]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, preexec_fn=_pdeath_sigterm)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if mounted(self.mountpoint):
                try:
                    os.stat(os.path.join(self.mountpoint, "."))
                    return
                except OSError:
                    pass
            time.sleep(0.01)
        text = self.log_text()
        self.kill()
        if mounted(self.mountpoint):
            unmount(self.mountpoint, lazy=True)
        if first and "Traceback" not in text and ("fuse" in text.lower() or not text.strip()):
            raise Skip("lazyfs could not mount (%s)" % (text.strip() or "no message"))
        raise Failure("lazyfs (start #%d) did not mount %s within %.0f s; its output:\n%s"
                      % (self.starts, self.mountpoint, timeout, text))

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-8000:].decode(errors="replace")
        except (OSError, TypeError):
            return ""

    def kill(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.proc = None

    def cut(self):
        """The power cut, on the filesystem's side: the daemon dies with its memory."""
        self.kill()
        self.force_unmount()

    def force_unmount(self):
        deadline = time.monotonic() + 15
        while mounted(self.mountpoint):
            if time.monotonic() > deadline:
                raise Failure("could not unmount %s" % self.mountpoint)
            unmount(self.mountpoint, lazy=True)
            if mounted(self.mountpoint):
                time.sleep(0.05)

    def stop(self):
        """A clean unmount (the daemon exits by itself); lazy and SIGKILL if that fails."""
        if self.proc is None:
            if mounted(self.mountpoint):
                self.force_unmount()
            return
        ok = unmount(self.mountpoint, lazy=False)
        try:
            self.proc.wait(timeout=15)
            code = self.proc.returncode
            self.proc = None
        except subprocess.TimeoutExpired:
            ok = False
            code = None
        if not ok or code != 0:
            text = self.log_text()
            self.kill()
            self.force_unmount()
            if code not in (0, None) or not ok:
                raise Failure("lazyfs did not unmount cleanly (exit %s); its output:\n%s"
                              % (code, text))
        if "Traceback" in self.log_text() or "Uncaught" in self.log_text():
            raise Failure("lazyfs logged an exception:\n%s" % self.log_text())

    def check_log(self):
        text = self.log_text()
        if "Traceback" in text or "Uncaught" in text:
            raise Failure("lazyfs (start #%d) logged an exception:\n%s" % (self.starts, text))

    def cleanup(self):
        try:
            self.kill()
        finally:
            if mounted(self.mountpoint):
                unmount(self.mountpoint, lazy=True)


def check_fuse_available():
    if not os.path.exists("/dev/fuse"):
        raise Skip("/dev/fuse does not exist")
    try:
        os.close(os.open("/dev/fuse", os.O_RDWR))
    except OSError as e:
        raise Skip("cannot open /dev/fuse: %s" % e)
    try:
        sys.path.insert(0, HERE)
        import lazyfs  # noqa: F401  (imports fusepy, which loads libfuse.so.2)
        del lazyfs
    except (ImportError, OSError) as e:
        raise Skip("fusepy (Debian python3-fusepy, with libfuse2) is not usable: %s" % e)
    finally:
        sys.path.remove(HERE)
    if os.geteuid() != 0 and not (shutil.which("fusermount") or shutil.which("fusermount3")):
        raise Skip("not root and no fusermount to mount with")


# ----------------------------------------------------------------------------------------
# Self-test of the filesystem's semantics.
# ----------------------------------------------------------------------------------------

def _write_file(path, data, sync_file=False, flags=os.O_CREAT | os.O_WRONLY | os.O_TRUNC):
    fd = os.open(path, flags, 0o644)
    try:
        os.write(fd, data)
        if sync_file:
            os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def _fallocate_keep_size(fd, length):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
    if libc.fallocate(fd, 1, 0, length) != 0:     # FALLOC_FL_KEEP_SIZE, as RocksDB does
        e = ctypes.get_errno()
        raise OSError(e, "fallocate(FALLOC_FL_KEEP_SIZE): " + os.strerror(e))


def selftest(workdir, direct_io, rng):
    """Checks lazyfs's crash semantics; returns (checks, problems)."""
    import fcntl
    fs = LazyFSMount(os.path.join(workdir, "selftest-backing"),
                     os.path.join(workdir, "selftest-mnt"), workdir, direct_io)
    problems = []
    checks = 0

    def expect(name, got, want):
        nonlocal checks
        checks += 1
        if got != want:
            problems.append("selftest %s: got %s, want %s" % (name, show(got), show(want)))

    m = fs.mountpoint
    a = os.path.join(m, "a")    # the scenarios live here; it is fsynced only when said
    p = lambda *parts: os.path.join(a, *parts)  # noqa: E731
    try:
        fs.start(first=True)
        # Durable starting points: a/ and its files, data and entries synced.
        os.mkdir(a)
        _write_file(os.path.join(m, "unlinked2"), b"U2", sync_file=True)
        _fsync_dir(m)
        _write_file(p("durable"), b"D" * 100000, sync_file=True)
        _write_file(p("trunc"), b"T" * 70000, sync_file=True)
        _write_file(p("renamed"), b"R", sync_file=True)
        _write_file(p("CURRENT"), b"MANIFEST-1\n", sync_file=True)
        _write_file(p("unlinked"), b"U", sync_file=True)
        _write_file(p("linksrc"), b"L", sync_file=True)
        _write_file(p("renamed2"), b"R2", sync_file=True)
        _fsync_dir(a)
        # 1: written, never fsynced: gone.
        _write_file(p("nosync"), b"x" * 5000)
        # 2: file fsynced, directory not: gone.
        _write_file(p("filesync"), b"y" * 5000, sync_file=True)
        # 3: durable file overwritten in part and extended, no fsync: old bytes and size.
        fd = os.open(p("durable"), os.O_WRONLY)
        os.pwrite(fd, b"N" * 40000, 30000)
        os.pwrite(fd, b"E" * 1000, 200000)
        os.close(fd)
        # 4: durable file truncated, no fsync: original.
        os.truncate(p("trunc"), 10)
        # 5: rename without a directory fsync: the old name.
        os.rename(p("renamed"), p("renamed-new"))
        # 6: CURRENT replaced by rename of a synced temp file, no directory fsync: old one.
        _write_file(p("000002.dbtmp"), b"MANIFEST-2\n", sync_file=True)
        os.rename(p("000002.dbtmp"), p("CURRENT"))
        # 7: unlink without a directory fsync: still there.
        os.unlink(p("unlinked"))
        # 8: a subdirectory with a synced file, its parent not synced: gone.
        os.mkdir(p("sub"))
        _write_file(p("sub", "f"), b"S", sync_file=True)
        _fsync_dir(p("sub"))
        # 9: fcntl lock (kept by the kernel), fallocate, statfs.
        fd = os.open(p("durable"), os.O_RDWR)
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        other = subprocess.run([PYTHON, "-c", "import fcntl,os,sys\n"
                                "fd=os.open(sys.argv[1],os.O_RDWR)\n"
                                "try:\n fcntl.lockf(fd,fcntl.LOCK_EX|fcntl.LOCK_NB)\n"
                                "except OSError:\n sys.exit(3)\n", p("durable")], timeout=30)
        expect("9: an fcntl lock held refuses a second process", other.returncode, 3)
        size = os.fstat(fd).st_size
        try:
            _fallocate_keep_size(fd, 1 << 20)
            expect("9: fallocate(KEEP_SIZE) keeps the size", os.fstat(fd).st_size, size)
            os.posix_fallocate(fd, 0, 1 << 20)     # glibc: fallocate mode 0, extends
            expect("9: fallocate extends the size", os.fstat(fd).st_size, 1 << 20)
            expect("9: fallocated bytes read as zeros", os.pread(fd, 16, size), bytes(16))
            os.ftruncate(fd, size)
        except OSError as e:
            problems.append("selftest 9: %s" % e)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        os.close(fd)
        st = os.statvfs(m)
        expect("9: statfs reports a size and free space", st.f_blocks > 0 and st.f_bavail > 0,
               True)
        # 10: unlinked while open, then written and fsynced; the unlink made durable.
        fd = os.open(os.path.join(m, "unlinked2"), os.O_RDWR)
        os.unlink(os.path.join(m, "unlinked2"))
        os.pwrite(fd, b"Z" * 10, 0)
        os.fsync(fd)
        expect("10: an unlinked open file reads back", os.pread(fd, 2, 0), b"ZZ")
        os.close(fd)
        # 11: random writes, truncates and reads against a model: the last fsync survives.
        model_durable, _ = random_ops(os.path.join(m, "random"), rng)
        _fsync_dir(m)    # names "random" durably, and the unlink of 10 (not a/'s entries)
        fs.check_log()
        fs.cut()
        fs.start()
        expect("1: never fsynced", _read(p("nosync")), None)
        expect("2: file fsynced, directory not", _read(p("filesync")), None)
        expect("3: unsynced overwrite and append", _read(p("durable")), b"D" * 100000)
        expect("4: unsynced truncate", _read(p("trunc")), b"T" * 70000)
        expect("5: unsynced rename (old name)", _read(p("renamed")), b"R")
        expect("5: unsynced rename (new name)", _read(p("renamed-new")), None)
        expect("6: rename over CURRENT, directory not fsynced", _read(p("CURRENT")),
               b"MANIFEST-1\n")
        expect("6: its temp file", _read(p("000002.dbtmp")), None)
        expect("7: unsynced unlink", _read(p("unlinked")), b"U")
        expect("8: subdirectory whose parent was not fsynced", os.path.exists(p("sub")), False)
        expect("10: unlink made durable", _read(os.path.join(m, "unlinked2")), None)
        expect("11: random writes: the last fsync's content", _read(os.path.join(m, "random")),
               bytes(model_durable))

        # Second round: the same, made durable.
        _write_file(p("filesync"), b"y" * 5000, sync_file=True)
        fd = os.open(p("durable"), os.O_WRONLY)
        os.pwrite(fd, b"N" * 40000, 30000)
        os.pwrite(fd, b"E" * 1000, 200000)
        os.fsync(fd)
        os.close(fd)
        fd = os.open(p("trunc"), os.O_WRONLY)
        os.ftruncate(fd, 10)
        os.pwrite(fd, b"G", 50000)      # a gap after a shrink reads as zeros
        os.fdatasync(fd)
        os.close(fd)
        os.rename(p("renamed"), p("renamed-new"))
        _write_file(p("000002.dbtmp"), b"MANIFEST-2\n", sync_file=True)
        os.rename(p("000002.dbtmp"), p("CURRENT"))
        os.unlink(p("unlinked"))
        os.mkdir(p("sub"))
        _write_file(p("sub", "f"), b"S", sync_file=True)
        _fsync_dir(p("sub"))
        os.link(p("linksrc"), p("linkdst"))
        os.rename(p("renamed2"), p("sub", "moved"))
        _fsync_dir(p("sub"))
        _fsync_dir(a)
        os.rename(p("sub", "moved"), p("back"))    # then only the source directory synced
        _fsync_dir(p("sub"))
        fs.check_log()
        fs.cut()
        fs.start()
        expect("2b: file and directory fsynced", _read(p("filesync")), b"y" * 5000)
        want = bytearray(b"D" * 100000)
        want[30000:70000] = b"N" * 40000
        want += bytes(100000) + b"E" * 1000
        expect("3b: fsynced overwrite, gap and append", _read(p("durable")), bytes(want))
        expect("4b: fdatasynced truncate, then a write past a gap",
               _read(p("trunc")), b"T" * 10 + bytes(50000 - 10) + b"G")
        expect("5b: rename, directory fsynced (old name)", _read(p("renamed")), None)
        expect("5b: rename, directory fsynced (new name)", _read(p("renamed-new")), b"R")
        expect("6b: rename over CURRENT, directory fsynced", _read(p("CURRENT")),
               b"MANIFEST-2\n")
        expect("7b: unlink, directory fsynced", _read(p("unlinked")), None)
        expect("8b: subdirectory and parent fsynced", _read(p("sub", "f")), b"S")
        expect("hard link, directory fsynced", (_read(p("linksrc")), _read(p("linkdst"))),
               (b"L", b"L"))
        expect("hard link count", os.stat(p("linksrc")).st_nlink, 2)
        expect("renamed into a directory, then out of it into an unsynced one: gone",
               (_read(p("sub", "moved")), _read(p("back")), _read(p("renamed2"))),
               (None, None, None))
        expect("readdir", (sorted(os.listdir(m)), sorted(os.listdir(a))),
               (["a", "random"], sorted(["CURRENT", "durable", "filesync", "linkdst",
                                         "linksrc", "renamed-new", "sub", "trunc"])))
        expect("backing data files: one per durable file inode",
               len(os.listdir(os.path.join(fs.backing, "data"))), 8)
        fs.check_log()
        fs.stop()
    except (OSError, subprocess.SubprocessError) as e:
        problems.append("selftest: %s: %s" % (type(e).__name__, e))
    finally:
        fs.cleanup()
    return checks, problems


def random_ops(path, rng):
    """Random pwrite/truncate/fsync on one file, mirrored in a model; returns (durable, now)."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    model = bytearray()
    durable = bytearray()
    try:
        for _ in range(300):
            r = rng.random()
            if r < 0.6:
                off = rng.randrange(0, 300000)
                n = rng.choice([1, 7, 100, 4096, 32768, 40000, 70000])
                data = bytes([rng.randrange(256)]) * n
                os.pwrite(fd, data, off)
                if len(model) < off:
                    model += bytes(off - len(model))
                model[off:off + n] = data
            elif r < 0.75:
                length = rng.randrange(0, 300000)
                os.ftruncate(fd, length)
                if length < len(model):
                    del model[length:]
                else:
                    model += bytes(length - len(model))
            elif r < 0.85:
                os.fsync(fd)
                durable = bytearray(model)
            else:
                off = rng.randrange(0, 310000)
                n = rng.randrange(1, 100000)
                got = os.pread(fd, n, off)
                if got != bytes(model[off:off + n]):
                    raise OSError("random ops: pread(%d, %d) differs from the model" % (n, off))
        os.fsync(fd)
        durable = bytearray(model)
        # Unsynced tail after the last fsync: must vanish at the cut.
        os.pwrite(fd, b"LOST", len(model) // 2)
    finally:
        os.close(fd)
    return durable, model


# ----------------------------------------------------------------------------------------
# Writers and the ledger.
# ----------------------------------------------------------------------------------------

def expected_reply(op, before):
    kind = op[0]
    after = apply_op(op, before)
    if kind == "SET":
        return "OK"
    if kind == "DEL":
        return 0 if before is None else 1
    if kind == "INCR":
        return int(after)
    if kind == "HSET":
        return 0 if op[1] in dict(before or ()) else 1
    if kind == "LPUSH":
        return len(after)
    if kind == "RPOP":
        return before[-1] if before else None
    raise ValueError(kind)


def key_names(writer, keys_per_writer):
    strings = ["crash:w%d:k%02d" % (writer, i) for i in range(keys_per_writer)]
    return strings, "crash:counter:w%d" % writer, "crash:hash:w%d" % writer, \
        "crash:list:w%d" % writer


class Writer(threading.Thread):
    """One connection, its own keys, one request at a time, a ledger with timestamps."""

    def __init__(self, index, port, keys_per_writer, state, seed, cut_no, timeout):
        super().__init__(name="writer-%d" % index, daemon=True)
        self.index = index
        self.port = port
        self.string_keys, self.counter_key, self.hash_key, self.list_key = \
            key_names(index, keys_per_writer)
        self.state = state       # key -> last acknowledged value; shared, own keys only
        self.rng = random.Random(seed)
        self.cut_no = cut_no
        self.timeout = timeout
        self.seq = 0
        self.acked = 0
        self.reads = 0
        self.history = {}        # key -> [(value after, t_sent, t_acked)] this cut
        self.in_flight = None    # (key, op, t_sent)
        self.problems = []
        self.connection_error = None

    def next_op(self):
        self.seq += 1
        tag = b"w%d:c%d:s%d" % (self.index, self.cut_no, self.seq)
        r = self.rng.random()
        if r < 0.20:
            return self.counter_key, ("INCR",)
        if r < 0.32:
            return self.hash_key, ("HSET", b"f%d" % self.rng.randrange(10), tag)
        if r < 0.45:
            current = self.state[self.list_key]
            if current is not None and len(current) >= 8:
                return self.list_key, ("RPOP",)
            return self.list_key, ("LPUSH", tag)
        key = self.rng.choice(self.string_keys)
        if r < 0.50:
            return key, ("GET",)
        roll = self.rng.random()
        pad = b"x" * (self.rng.randint(1000, 6000) if roll < 0.03 else self.rng.randint(0, 120))
        return key, ("SET", tag + b":" + pad)

    def run(self):
        conn = None
        try:
            conn = RespConnection(self.port, timeout=self.timeout)
            while True:
                key, op = self.next_op()
                before = self.state[key]
                if op[0] == "GET":
                    reply = conn.call("GET", key)
                    self.reads += 1
                    if reply != before:
                        self.problems.append("GET %s returned %s, the last acknowledged value "
                                             "is %s" % (key, show(reply), show(before)))
                        return
                    continue
                t_sent = time.monotonic()
                self.in_flight = (key, op, t_sent)
                reply = conn.call(op[0], key, *op[1:])
                t_acked = time.monotonic()
                self.in_flight = None
                want = expected_reply(op, before)
                if reply != want:
                    self.problems.append("%s %s answered %r, expected %r (value before: %s)"
                                         % (op[0], key, reply, want, show(before)))
                    return
                after = apply_op(op, before)
                self.state[key] = after
                self.history.setdefault(key, []).append((after, t_sent, t_acked))
                self.acked += 1
        except (OSError, RespError) as e:
            self.connection_error = str(e)   # expected at the cut
        finally:
            if conn is not None:
                conn.close()


def analyse(start_state, writers, observed, t_cut):
    """Per key: where in its history the server's value lies. Returns a dict of figures
    and a list of problems (values the ledger never acknowledged)."""
    problems = []
    lost = []          # (key, t_sent, t_acked) of each lost acknowledged write
    survivors_last_sent = []   # (t_sent, key) of the last surviving write of each key
    lost_keys = 0
    in_flight_applied = 0
    for w in writers:
        in_flight = w.in_flight
        for key in w.string_keys + [w.counter_key, w.hash_key, w.list_key]:
            hist = w.history.get(key, [])
            start = start_state[key]
            last = hist[-1][0] if hist else start
            got = observed[key]
            if in_flight and in_flight[0] == key:
                if got == apply_op(in_flight[1], last) and got != last:
                    in_flight_applied += 1
                    if hist:
                        survivors_last_sent.append((hist[-1][1], key))
                    continue
            if got == last:
                if hist:
                    survivors_last_sent.append((hist[-1][1], key))
                continue
            # The acknowledged points the value matches (-1: the value at the start of the
            # cut). Values are unique (tags), so there is one; were there several, the
            # latest counts for the losses and the earliest as evidence of what survived.
            points = [i for i in range(len(hist)) if hist[i][0] == got]
            if got == start:
                points.insert(0, -1)
            if not points:
                detail = ("%s %s: server has %s, which was not acknowledged in this cut "
                          "(%d acknowledged writes to it; last acknowledged %s, value verified "
                          "at the start of the cut %s)"
                          % ("LOST" if got is None else "WRONG", key, show(got), len(hist),
                             show(last), show(start)))
                if in_flight and in_flight[0] == key:
                    detail += "; in-flight %s would give %s" % (
                        in_flight[1][0], show(apply_op(in_flight[1], last)))
                problems.append(detail)
                continue
            point = points[-1]
            lost_keys += 1
            if points[0] >= 0:
                survivors_last_sent.append((hist[points[0]][1], key))
            for value, t_sent, t_acked in hist[point + 1:]:
                lost.append((key, t_sent, t_acked))
    figures = {"lost_writes": len(lost), "lost_keys": lost_keys,
               "in_flight_applied": in_flight_applied, "order_violations": 0,
               "oldest_lost_age": None, "newest_lost_age": None}
    if lost:
        ages = [t_cut - t_acked for _, _, t_acked in lost]
        figures["oldest_lost_age"] = max(ages)
        figures["newest_lost_age"] = min(ages)
        first_lost_ack = min(t_acked for _, _, t_acked in lost)
        first_lost_key = min(lost, key=lambda e: e[2])[0]
        # A write sent after a lost write was acknowledged must not have survived.
        bad = [(t_sent, key) for t_sent, key in survivors_last_sent if t_sent > first_lost_ack]
        figures["order_violations"] = len(bad)
        if bad:
            t_sent, key = max(bad)
            figures["order_detail"] = (
                "a write to %s acknowledged %.3f s before the cut was lost, but a write to %s "
                "sent %.3f s after that acknowledgement survived"
                % (first_lost_key, t_cut - first_lost_ack, key, t_sent - first_lost_ack))
    return figures, problems


# ----------------------------------------------------------------------------------------

def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", help="path to the cairn binary (e.g. build/cairn)")
    p.add_argument("--fsync", choices=["always", "everysec", "no"], default="always")
    p.add_argument("--expect", choices=["none", "losses", "window"],
                   help="what to require (default: none for always, losses for no, window "
                        "for everysec)")
    p.add_argument("--cuts", type=int, default=10, help="power cuts (default 10)")
    p.add_argument("--seconds-per-cut", type=float, default=1.0,
                   help="mean write time before each cut; each waits a random 0.5x-1.5x "
                        "(default 1.0)")
    p.add_argument("--writers", type=int, default=6, help="writer threads (default 6)")
    p.add_argument("--keys-per-writer", type=int, default=20,
                   help="string keys per writer (default 20)")
    p.add_argument("--window-limit", type=float, default=1.5,
                   help="--expect window: the oldest lost write may have been acknowledged "
                        "at most this many seconds before the cut (default 1.5)")
    p.add_argument("--threads", type=int, help="pass --threads N to cairn")
    p.add_argument("--cache-bytes",
                   help="cairn's --cache-bytes (default: cairn's own). 16mb gives 4 MiB "
                        "memtables and a 3 MiB memtable budget: memtables flush many times "
                        "a second, so cuts land in flushes and compactions (RocksDB then also "
                        "syncs the WAL at each memtable switch, which hides the everysec "
                        "window)")
    p.add_argument("--compact-every", type=int, default=4,
                   help="every Nth cut starts a compaction (POST /v1/admin/compact) halfway "
                        "through, so the cut lands in or after it (default 4; 0: never)")
    p.add_argument("--startup-cut-every", type=int, default=3,
                   help="every Nth cut the power is cut again 0-300 ms into Cairn's start-up "
                        "(recovery), before the real restart (default 3; 0: never)")
    p.add_argument("--direct-io", action="store_true",
                   help="mount lazyfs with direct_io (no kernel page cache for file data)")
    p.add_argument("--test-makes-data-dir-durable", action="store_true",
                   help="make the data directory durable before Cairn starts (mkdir + fsync "
                        "of the mount's root); by default Cairn must do it itself (Engine::open "
                        "fsyncs the parent of --data-dir; before that fix the first cut lost "
                        "the whole store, see docs/robustness.md)")
    p.add_argument("--trace", action="store_true",
                   help="lazyfs logs its creates, renames, unlinks, truncates and syncs to "
                        "lazyfs-trace.log in the temporary directory (with --keep)")
    p.add_argument("--selftest-only", action="store_true",
                   help="only run the filesystem self-test")
    p.add_argument("--no-selftest", action="store_true", help="skip the filesystem self-test")
    p.add_argument("--seed", type=int, help="random seed (printed; timing still varies)")
    p.add_argument("--reply-timeout", type=float, default=30.0,
                   help="seconds a live server may take to answer one request (default 30)")
    p.add_argument("--keep", action="store_true",
                   help="keep the temporary directory (backing store, logs, trace)")
    args = p.parse_args()
    if not args.selftest_only:
        if not args.binary:
            p.error("give --binary (or --selftest-only)")
        if not os.access(args.binary, os.X_OK):
            p.error("%s is not an executable file" % args.binary)
    if args.cuts < 1 or args.writers < 1 or args.keys_per_writer < 1:
        p.error("--cuts, --writers and --keys-per-writer must be at least 1")
    if args.seconds_per_cut <= 0:
        p.error("--seconds-per-cut must be positive")
    if args.expect is None:
        args.expect = {"always": "none", "no": "losses", "everysec": "window"}[args.fsync]
    return args


def fmt_age(age):
    # An acknowledgement read just after the cut was taken (sent just before it) counts as 0.
    return "-" if age is None else "%.0f ms" % (max(age, 0.0) * 1000)


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    seed = args.seed if args.seed is not None else random.randrange(1 << 31)
    rng = random.Random(seed)
    try:
        check_fuse_available()
    except Skip as e:
        print("SKIPPED: FUSE is not available: %s" % e)
        return SKIP

    workdir = tempfile.mkdtemp(prefix="cairn-powerloss-")
    failures = []
    ok = False
    try:
        t0 = time.monotonic()
        if not args.no_selftest:
            checks, problems = selftest(workdir, args.direct_io, random.Random(seed))
            print("lazyfs self-test: %d checks, %s (%.1f s)"
                  % (checks, "OK" if not problems else "%d PROBLEMS" % len(problems),
                     time.monotonic() - t0))
            failures += problems
            sys.stdout.flush()
        if args.selftest_only or failures:
            ok = not failures
            return report(args, seed, failures, workdir, ok)
        run(args, rng, seed, workdir, failures)
        ok = not failures
    except Skip as e:
        print("SKIPPED: FUSE is not available: %s" % e)
        shutil.rmtree(workdir, ignore_errors=True)
        return SKIP
    except Failure as e:
        failures.append(str(e))
    except BaseException:
        # SIGTERM (a CI timeout) or Ctrl-C: run() has stopped its processes and unmounted.
        if not args.keep and not any(mounted(os.path.realpath(os.path.join(workdir, m)))
                                     for m in ("mnt", "selftest-mnt")):
            shutil.rmtree(workdir, ignore_errors=True)
        raise
    return report(args, seed, failures, workdir, ok)


def report(args, seed, failures, workdir, ok):
    if failures:
        print("\nFAILED (seed %d):" % seed)
        for f in failures[:50]:
            print("  " + f)
        if len(failures) > 50:
            print("  ... and %d more" % (len(failures) - 50))
    still_mounted = [m for m in (os.path.join(workdir, "mnt"), os.path.join(workdir, "selftest-mnt"))
                     if mounted(os.path.realpath(m))]
    if still_mounted:
        print("could not unmount %s; leaving %s" % (", ".join(still_mounted), workdir))
    elif not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
        if failures:
            print("rerun with --keep (and --seed %d; add --trace for lazyfs's log of syncs) to "
                  "keep the backing store and the logs" % seed)
    else:
        print("kept %s (backing store, lazyfs and server logs)" % workdir)
    if failures:
        return 1
    print("PASSED")
    return 0


def run(args, rng, seed, workdir, failures):
    fs = LazyFSMount(os.path.join(workdir, "backing"), os.path.join(workdir, "mnt"), workdir,
                     args.direct_io, args.trace)
    server = None
    port = find_free_port()
    http_port = find_free_port()
    extra = ["--fsync", args.fsync, "--http-port", str(http_port)]
    if args.cache_bytes:
        extra += ["--cache-bytes", args.cache_bytes]
    if args.threads:
        extra += ["--threads", str(args.threads)]
    state = {}
    for w in range(args.writers):
        strings, counter, hkey, lkey = key_names(w, args.keys_per_writer)
        for key in strings + [counter, hkey, lkey]:
            state[key] = None
    totals = {"acked": 0, "lost": 0, "lost_keys": 0, "cuts_with_loss": 0, "in_flight": 0,
              "in_flight_applied": 0, "reads": 0, "order_violations": 0, "compactions": 0,
              "startup_cuts": 0}
    oldest_lost = None
    max_lost_seconds = 0.0
    lost_per_cut = []
    timings = {"cut": [], "mount": [], "start": [], "verify": [], "cycle": []}
    cuts_done = 0
    t_begin = time.monotonic()
    try:
        fs.start(first=True)
        data_dir = os.path.join(fs.mountpoint, "data")
        if args.test_makes_data_dir_durable:
            os.mkdir(data_dir)
            _fsync_dir(fs.mountpoint)   # the data directory itself is durable from here on
        server = CairnServer(args.binary, data_dir=data_dir, port=port, extra_args=extra)
        server.start()
        print("power-loss test: seed %d, --fsync %s, expect %s, %d cuts, %d writers x %d keys, "
              "port %d, lazyfs at %s%s"
              % (seed, args.fsync, args.expect, args.cuts, args.writers,
                 args.keys_per_writer, port, fs.mountpoint,
                 " (direct_io)" if args.direct_io else ""))
        sys.stdout.flush()
        for cut_no in range(1, args.cuts + 1):
            t_cycle = time.monotonic()
            start_state = dict(state)
            writers = [Writer(w, port, args.keys_per_writer, state, rng.randrange(1 << 31),
                              cut_no, args.reply_timeout) for w in range(args.writers)]
            for t in writers:
                t.start()
            delay = rng.uniform(0.5, 1.5) * args.seconds_per_cut
            if args.compact_every and cut_no % args.compact_every == 0:
                time.sleep(delay / 2)
                totals["compactions"] += start_compaction(http_port, args.reply_timeout)
                time.sleep(delay / 2)
            else:
                time.sleep(delay)
            crashed_by_itself = not server.running()
            t_cut = time.monotonic()
            power_cut(server.proc, fs)
            server.kill9()
            t_mount = time.monotonic()
            timings["cut"].append(t_mount - t_cut)
            for t in writers:
                t.join(timeout=args.reply_timeout + 5)
            stuck = [t.name for t in writers if t.is_alive()]
            if stuck:
                failures.append("cut %d: writers %s did not stop after the cut"
                                % (cut_no, ", ".join(stuck)))
                return
            if crashed_by_itself:
                failures.append("cut %d: the server exited on its own before the cut; its "
                                "log:\n%s" % (cut_no, server.log_tail()))
            for t in writers:
                failures.extend("cut %d: %s: %s" % (cut_no, t.name, p) for p in t.problems)
            if failures:
                return
            acked = sum(t.acked for t in writers)
            if acked == 0:
                failures.append("cut %d: no write was acknowledged in %.2f s; last connection "
                                "errors: %s" % (cut_no, delay, "; ".join(
                                    sorted({str(t.connection_error) for t in writers}))))
                return
            fs.start()
            if args.startup_cut_every and cut_no % args.startup_cut_every == 0:
                # Cut again while the store recovers (replays its WAL, flushes, writes a
                # new MANIFEST and CURRENT).
                proc = spawn_server(server)
                time.sleep(rng.uniform(0.0, 0.3))
                power_cut(proc, fs)
                proc.wait()
                fs.start()
                totals["startup_cuts"] += 1
            t_start = time.monotonic()
            timings["mount"].append(t_start - t_mount)
            try:
                server.start()
            except RuntimeError as e:
                failures.append("cut %d: the server did not come back after the cut: %s"
                                % (cut_no, e))
                return
            t_verify = time.monotonic()
            timings["start"].append(t_verify - t_start)
            observed, dbsize = read_back(server.port, list(state), args.reply_timeout)
            timings["verify"].append(time.monotonic() - t_verify)
            figures, problems = analyse(start_state, writers, observed, t_cut)
            present = sum(1 for v in observed.values() if v is not None)
            if dbsize is not None and dbsize != present:
                problems.append("DBSIZE is %d but %d of the test's keys are present (the test "
                                "writes no other keys)" % (dbsize, present))
            if figures["order_violations"]:
                problems.append("NOT A POINT IN TIME: %s (%d keys)"
                                % (figures["order_detail"], figures["order_violations"]))
            in_flight = sum(1 for t in writers if t.in_flight)
            reads = sum(t.reads for t in writers)
            totals["acked"] += acked
            totals["lost"] += figures["lost_writes"]
            totals["lost_keys"] += figures["lost_keys"]
            totals["cuts_with_loss"] += 1 if figures["lost_writes"] else 0
            totals["in_flight"] += in_flight
            totals["in_flight_applied"] += figures["in_flight_applied"]
            totals["reads"] += reads
            totals["order_violations"] += figures["order_violations"]
            lost_per_cut.append(figures["lost_writes"])
            # The loss expressed as time: lost writes over the cut's acknowledgement rate.
            lost_seconds = figures["lost_writes"] / (acked / delay)
            max_lost_seconds = max(max_lost_seconds, lost_seconds)
            if figures["oldest_lost_age"] is not None:
                oldest_lost = max(oldest_lost or 0.0, figures["oldest_lost_age"])
            timings["cycle"].append(time.monotonic() - t_cycle)
            print("cut %3d: after %.2f s, %5d writes acknowledged, %d in flight (%d applied), "
                  "lost %d writes (%.2f s of writes) in %d keys (oldest acknowledged %s before "
                  "the cut, newest %s); cut+remount %.2f s, cairn start %.2f s, %s"
                  % (cut_no, delay, acked, in_flight, figures["in_flight_applied"],
                     figures["lost_writes"], lost_seconds, figures["lost_keys"],
                     fmt_age(figures["oldest_lost_age"]), fmt_age(figures["newest_lost_age"]),
                     t_start - t_cut, t_verify - t_start,
                     "%d PROBLEMS" % len(problems) if problems else
                     "LOST ACKNOWLEDGED WRITES" if args.expect == "none" and figures["lost_writes"]
                     else "OK"))
            sys.stdout.flush()
            failures.extend("cut %d: %s" % (cut_no, p) for p in problems)
            if args.expect == "none" and figures["lost_writes"]:
                failures.append(lost_detail(cut_no, start_state, writers, observed, t_cut))
            if failures:
                return
            cuts_done = cut_no
            state.update(observed)
        # A clean shutdown and restart keeps everything.
        if server.stop() != 0:
            failures.append("the server did not exit 0 on SIGTERM")
        server.start()
        observed, dbsize = read_back(server.port, list(state), args.reply_timeout)
        wrong = ["after a clean restart: %s holds %s, verified before: %s"
                 % (k, show(observed[k]), show(v)) for k, v in state.items() if observed[k] != v]
        print("final: SIGTERM, restart, %s" % ("OK" if not wrong else "%d PROBLEMS" % len(wrong)))
        failures.extend(wrong)
        if server.stop() != 0:
            failures.append("the server did not exit 0 on SIGTERM")
        fs.stop()
    except (OSError, RespError) as e:
        failures.append("talking to the server failed: %s\nserver log:\n%s"
                        % (e, server.log_tail() if server else "(none)"))
    except RuntimeError as e:     # CairnServer: the server did not start
        failures.append("the server did not start: %s" % e)
    finally:
        if server is not None:
            server.kill9()
            if failures and os.path.exists(server.log_path):
                shutil.copy(server.log_path, os.path.join(workdir, "server.log"))
            shutil.rmtree(server.tmp_dir, ignore_errors=True)
        fs.cleanup()
        summary(args, totals, oldest_lost, max_lost_seconds, lost_per_cut, timings, cuts_done,
                time.monotonic() - t_begin)
        expectation(args, totals, oldest_lost, cuts_done, failures)


def power_cut(server_proc, fs):
    """Cairn and lazyfs die at once (SIGKILL to both, back to back): nothing either had
    not made durable survives. Then the dead mount is unmounted (lazily)."""
    if server_proc is not None and server_proc.poll() is None:
        server_proc.kill()
    if fs.proc is not None and fs.proc.poll() is None:
        fs.proc.kill()
    if server_proc is not None:
        server_proc.wait()
    fs.check_log()
    fs.cut()


def spawn_server(server):
    """Start the server as CairnServer.start() would, without waiting for it to be ready."""
    cmd = [server.binary, "serve", "--data-dir", server.data_dir, "--port", str(server.port),
           "--bind", "127.0.0.1"] + server.extra_args
    with open(server.log_path, "ab") as log:
        log.write(("\n=== (cut during start-up) %s\n" % " ".join(cmd)).encode())
        log.flush()
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, preexec_fn=server._preexec)


def lost_detail(cut_no, start_state, writers, observed, t_cut):
    lines = []
    for w in writers:
        for key, hist in w.history.items():
            last = hist[-1][0]
            got = observed[key]
            if got == last or (w.in_flight and w.in_flight[0] == key
                               and got == apply_op(w.in_flight[1], last)):
                continue
            lines.append("LOST %s: server has %s, last acknowledged %s (acknowledged %.0f ms "
                         "before the cut, %d acknowledged writes to it this cut)"
                         % (key, show(got), show(last), (t_cut - hist[-1][2]) * 1000, len(hist)))
    return ("cut %d: --fsync always lost acknowledged writes:\n    " % cut_no) + \
        "\n    ".join(lines[:30])


def summary(args, totals, oldest_lost, max_lost_seconds, lost_per_cut, timings, cuts_done,
            elapsed):
    def mean(xs):
        return sum(xs) / len(xs) if xs else 0.0
    print("summary (--fsync %s): %d cuts passed, %d acknowledged writes, %d lost (%d key "
          "rollbacks) in %d of %d cuts, %d in flight at a cut (%d applied), %d reads checked, "
          "%d order violations, %d compactions started before a cut, %d cuts during start-up"
          % (args.fsync, cuts_done, totals["acked"], totals["lost"], totals["lost_keys"],
             totals["cuts_with_loss"], len(lost_per_cut), totals["in_flight"],
             totals["in_flight_applied"], totals["reads"], totals["order_violations"],
             totals["compactions"], totals["startup_cuts"]))
    if lost_per_cut:
        nonzero = sorted(x for x in lost_per_cut if x)
        print("lost writes per cut: max %d, median of the cuts with a loss %s, at most %.2f s "
              "of writes; the oldest lost write was acknowledged %s before its cut"
              % (max(lost_per_cut), nonzero[len(nonzero) // 2] if nonzero else "-",
                 max_lost_seconds, fmt_age(oldest_lost)))
    print("timings: %.1f s in all; per cut: cycle %.2f s, cut+unmount %.2f s, lazyfs mount "
          "%.2f s, cairn start %.2f s, read-back %.2f s (means)"
          % (elapsed, mean(timings["cycle"]), mean(timings["cut"]), mean(timings["mount"]),
             mean(timings["start"]), mean(timings["verify"])))


def expectation(args, totals, oldest_lost, cuts_done, failures):
    if failures or cuts_done < args.cuts:
        return
    if args.expect == "losses" and totals["lost"] == 0:
        failures.append("--expect losses: %d cuts lost no acknowledged write; the test cannot "
                        "see a power loss (is lazyfs keeping unsynced data?)" % cuts_done)
    if args.expect == "window":
        if totals["lost"] == 0:
            failures.append("--expect window: no cut lost an acknowledged write, so no window "
                            "was measured (is lazyfs keeping unsynced data?)")
        elif oldest_lost > args.window_limit:
            failures.append("--expect window: a lost write had been acknowledged %.0f ms before "
                            "its cut, more than --window-limit %.0f ms"
                            % (oldest_lost * 1000, args.window_limit * 1000))


if __name__ == "__main__":
    sys.exit(main())
