#!/usr/bin/python3
"""A FUSE filesystem that forgets everything not fsynced when the power is cut.

In the manner of LazyFS: file data, file sizes and directory entries written
through the mount live only in this daemon's memory until they are made
durable, and "cutting the power" (SIGKILL of this daemon, then a lazy unmount
and a new daemon over the same backing directory) loses everything that was
not:

  * fsync(fd) / fdatasync(fd) on a file makes that file's data and size
    durable (both calls do the same here: fdatasync must persist the size
    too, since the data cannot be read back without it). Nothing else: not
    the file's name, not its directory.
  * fsync(fd) on a directory (FUSE's fsyncdir) makes that directory's entries
    durable as they are now: the names created, unlinked, renamed into or out
    of it, hard links, subdirectories made or removed. A rename between two
    directories is durable in each one only when that one is fsynced.
  * close(), flush, sync_file_range(), fallocate(KEEP_SIZE) make nothing
    durable. (sync_file_range is done by the kernel alone and never reaches a
    FUSE daemon; the kernel keeps no dirty pages of its own here, since FUSE
    writes go straight through to this daemon.)

A new file whose data was fsynced but whose name never was is gone after a
cut; a name that was made durable for a file whose data never was comes back
as an empty file (as on a real filesystem after a crash).

Durable state lives in the backing directory, which only this daemon writes:

    BACKING/data/<ino>        exactly the durable bytes of file inode <ino>
    BACKING/dirs/<ino>.json   the durable entries of directory <ino>
                              ({"name": [ino, "f" or "d", mode], ...}),
                              replaced atomically (write + rename) on fsyncdir

Directory 1 is the root. At start the daemon reads the durable tree from the
root, and deletes the data and entry files nothing durable refers to (files
that were fsynced but never named durably, directories that were never
linked durably). The backing files are written with ordinary writes and not
fsynced themselves: what must survive is the death of this daemon, not of
the machine, and the host's page cache outlives a SIGKILL.

Volatile state (in memory): per file inode its current size, a dict of dirty
pages (PAGE bytes each) and the "floor", the smallest size the file had since
its last fsync (bytes below it that no dirty page covers come from the backing
file; above it, zeros). fsync writes only the dirty pages. Per directory its
current entries. One lock serialises every operation; the FUSE loop is also
single-threaded (-s), so the lock is only a safeguard.

Locks (fcntl, flock) are left to the kernel: this daemon implements neither,
so the kernel keeps them locally, which is all RocksDB's LOCK file needs.

Mount options: entry, attribute and negative timeouts 0 (every lookup reaches
the daemon), hard_remove (no .fuse_hidden files for unlinked open files),
use_ino, big_writes with max_write 128 KiB. Pass --direct-io to bypass the
kernel's page cache for file data as well (reads then reach the daemon too);
without it the kernel may serve reads from its page cache, which is correct
because every write also goes through to the daemon, and the cache dies with
the mount at every cut.

Usage (foreground; stop with fusermount -u MOUNTPOINT, or cut with SIGKILL):

    /usr/bin/python3 tests/powerloss/lazyfs.py BACKING_DIR MOUNTPOINT [--direct-io]

Needs Debian's python3-fusepy (module `fusepy`, on libfuse2) or fusepy from
PyPI (module `fuse`), and /dev/fuse.
"""

import argparse
import ctypes
import errno
import json
import os
import stat
import threading
import time

try:
    import fusepy as fusemod          # Debian's python3-fusepy
except ImportError:                   # pragma: no cover - PyPI's fusepy
    import fuse as fusemod

FuseOSError = fusemod.FuseOSError

PAGE = 32 * 1024
ROOT = 1


# ----------------------------------------------------------------------------------------
# fusepy 3.0.1 stops its fuse_operations at ioctl; libfuse 2.9 has poll, write_buf,
# read_buf, flock and fallocate after it. Declare the full struct so that fallocate
# reaches us (RocksDB preallocates its files with FALLOC_FL_KEEP_SIZE).
# ----------------------------------------------------------------------------------------

_base_fields = list(fusemod.fuse_operations._fields_)
if not any(f[0] == "fallocate" for f in _base_fields):
    _fi_ptr = ctypes.POINTER(fusemod.fuse_file_info)
    _base_fields += [
        ("poll", ctypes.c_voidp),
        ("write_buf", ctypes.c_voidp),
        ("read_buf", ctypes.c_voidp),
        ("flock", ctypes.c_voidp),
        ("fallocate", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                                       fusemod.c_off_t, fusemod.c_off_t, _fi_ptr)),
    ]

    class _fuse_operations_29(ctypes.Structure):
        _fields_ = _base_fields

    fusemod.fuse_operations = _fuse_operations_29


class LazyFUSE(fusemod.FUSE):
    """fusepy's FUSE plus the fallocate callback."""

    def fallocate(self, path, mode, offset, length, fip):
        return self.operations("fallocate", self._decode_optional_path(path), mode, offset,
                               length, fip.contents.fh)

    def ioctl(self, path, cmd, arg, fip, flags, data):
        # fusepy's own ioctl decodes the path, which is NULL here (flag_nopath); isatty()
        # on every Python open() asks TCGETS. No ioctl is supported.
        return -errno.ENOTTY


# ----------------------------------------------------------------------------------------

def now_ns():
    return time.time_ns()


class Inode:
    __slots__ = ("ino", "is_dir", "mode", "nlink", "opens", "atime", "mtime", "ctime",
                 # files
                 "size", "durable_size", "floor", "pages", "backing_fd",
                 # directories
                 "entries")

    def __init__(self, ino, is_dir, mode):
        self.ino = ino
        self.is_dir = is_dir
        self.mode = mode & 0o7777
        self.nlink = 0
        self.opens = 0
        t = now_ns()
        self.atime = self.mtime = self.ctime = t
        self.size = 0
        self.durable_size = 0
        self.floor = 0
        self.pages = {}
        self.backing_fd = None
        self.entries = {} if is_dir else None


class LazyFS(fusemod.Operations):
    use_ns = True
    flag_nullpath_ok = True   # operations on an unlinked open file get no path
    flag_nopath = True        # ... and none on any file handle: we use the handle

    def __init__(self, backing, trace=None):
        self.trace_file = open(trace, "a", buffering=1) if trace else None
        self.backing = os.path.abspath(backing)
        self.data_dir = os.path.join(self.backing, "data")
        self.dirs_dir = os.path.join(self.backing, "dirs")
        os.makedirs(self.data_dir, exist_ok=True)
        os.makedirs(self.dirs_dir, exist_ok=True)
        self.mutex = threading.Lock()
        self.inodes = {}          # ino -> Inode, for everything reachable or open
        self.durable = {}         # dir ino -> its durable entries {name: [ino, kind, mode]}
        self.durable_refs = {}    # file ino -> how many durable entries name it
        self.handles = {}         # fh -> Inode
        self.next_fh = 1
        self.stats = {"fsync": 0, "fsyncdir": 0, "pages_synced": 0}
        self.load()

    # -- durable state -----------------------------------------------------------------

    def _read_table(self, ino):
        try:
            with open(os.path.join(self.dirs_dir, "%d.json" % ino)) as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def load(self):
        """Build the in-memory tree from the durable one; drop what it does not reach."""
        max_ino = ROOT
        for name in os.listdir(self.data_dir):
            if name.isdigit():
                max_ino = max(max_ino, int(name))
        for name in os.listdir(self.dirs_dir):
            stem = name.split(".")[0]
            if stem.isdigit():
                max_ino = max(max_ino, int(stem))
        root = Inode(ROOT, True, 0o755)
        root.nlink = 2
        self.inodes[ROOT] = root
        todo = [root]
        while todo:
            d = todo.pop()
            table = self._read_table(d.ino)
            self.durable[d.ino] = {n: list(e) for n, e in table.items()}
            for name, (ino, kind, mode) in table.items():
                max_ino = max(max_ino, ino)
                node = self.inodes.get(ino)
                if node is None:
                    node = Inode(ino, kind == "d", mode)
                    self.inodes[ino] = node
                    if node.is_dir:
                        node.nlink = 1
                        todo.append(node)
                    else:
                        try:
                            node.size = os.stat(os.path.join(self.data_dir, str(ino))).st_size
                        except FileNotFoundError:
                            node.size = 0
                        node.durable_size = node.floor = node.size
                elif node.is_dir:
                    continue  # a directory named twice: keep the first (cannot happen here)
                d.entries[name] = ino
                node.nlink += 1
                if node.is_dir:
                    d.nlink += 1
                else:
                    self.durable_refs[ino] = self.durable_refs.get(ino, 0) + 1
        # Garbage: backing files of inodes no durable entry reaches.
        for name in os.listdir(self.data_dir):
            if not (name.isdigit() and int(name) in self.inodes
                    and not self.inodes[int(name)].is_dir):
                os.unlink(os.path.join(self.data_dir, name))
        for name in os.listdir(self.dirs_dir):
            stem = name.split(".")[0]
            if not (name.endswith(".json") and stem.isdigit() and int(stem) in self.inodes
                    and self.inodes[int(stem)].is_dir):
                os.unlink(os.path.join(self.dirs_dir, name))
        self.next_ino = max_ino + 1

    def _backing_fd(self, node):
        if node.backing_fd is None:
            node.backing_fd = os.open(os.path.join(self.data_dir, str(node.ino)),
                                      os.O_RDWR | os.O_CREAT, 0o600)
        return node.backing_fd

    def trace(self, *words):
        if self.trace_file is not None:
            self.trace_file.write("%.6f %s\n" % (time.time(), " ".join(str(w) for w in words)))

    def _sync_file(self, node):
        self.stats["fsync"] += 1
        self.trace("fsync", node.ino, "size", node.size, "durable", node.durable_size,
                   "floor", node.floor, "dirty", len(node.pages))
        if node.is_dir:
            return self._sync_dir(node)
        if (not node.pages and node.size == node.durable_size
                and node.floor == node.durable_size and node.backing_fd is not None):
            return
        fd = self._backing_fd(node)
        if node.floor < node.durable_size:
            os.ftruncate(fd, node.floor)
        size = node.size
        for idx in sorted(node.pages):
            start = idx * PAGE
            if start >= size:
                continue
            page = node.pages[idx]
            n = min(PAGE, size - start)
            os.pwrite(fd, page if n == PAGE else memoryview(page)[:n], start)
            self.stats["pages_synced"] += 1
        os.ftruncate(fd, size)
        node.pages = {}
        node.durable_size = node.floor = size

    def _sync_dir(self, d):
        self.stats["fsyncdir"] += 1
        self.trace("fsyncdir", d.ino, json.dumps(d.entries))
        table = {}
        for name, ino in d.entries.items():
            node = self.inodes[ino]
            table[name] = [ino, "d" if node.is_dir else "f", node.mode]
        old = self.durable.get(d.ino, {})
        if table == old:
            return
        path = os.path.join(self.dirs_dir, "%d.json" % d.ino)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(table, f)
        os.replace(tmp, path)
        self.durable[d.ino] = table
        # Durable references to file inodes; a file no longer named anywhere durably
        # and gone from memory loses its backing data now.
        for name, (ino, kind, _) in old.items():
            if kind == "f":
                self.durable_refs[ino] -= 1
        for name, (ino, kind, _) in table.items():
            if kind == "f":
                self.durable_refs[ino] = self.durable_refs.get(ino, 0) + 1
        for name, (ino, kind, _) in old.items():
            if kind == "f" and self.durable_refs.get(ino) == 0:
                del self.durable_refs[ino]
                if ino not in self.inodes:
                    self._drop_backing(ino)

    def _drop_backing(self, ino):
        try:
            os.unlink(os.path.join(self.data_dir, str(ino)))
        except FileNotFoundError:
            pass

    def _forget_if_unused(self, node):
        if node.nlink > 0 or node.opens > 0:
            return
        self.inodes.pop(node.ino, None)
        if node.backing_fd is not None:
            os.close(node.backing_fd)
            node.backing_fd = None
        node.pages = {}
        if not node.is_dir and node.ino not in self.durable_refs:
            self._drop_backing(node.ino)

    # -- paths -----------------------------------------------------------------------

    def _lookup(self, path):
        node = self.inodes[ROOT]
        if path == "/":
            return node
        for part in path.strip("/").split("/"):
            if not node.is_dir:
                raise FuseOSError(errno.ENOTDIR)
            ino = node.entries.get(part)
            if ino is None:
                raise FuseOSError(errno.ENOENT)
            node = self.inodes[ino]
        return node

    def _parent(self, path):
        head, _, name = path.rstrip("/").rpartition("/")
        parent = self._lookup(head or "/")
        if not parent.is_dir:
            raise FuseOSError(errno.ENOTDIR)
        if not name or len(name.encode()) > 255:
            raise FuseOSError(errno.ENAMETOOLONG if name else errno.EINVAL)
        return parent, name

    def _node(self, path, fh):
        if fh is not None and fh in self.handles:
            return self.handles[fh]
        if path is None:
            raise FuseOSError(errno.EBADF)
        return self._lookup(path)

    def _new_fh(self, node):
        fh = self.next_fh
        self.next_fh += 1
        self.handles[fh] = node
        node.opens += 1
        return fh

    def _new_inode(self, is_dir, mode):
        node = Inode(self.next_ino, is_dir, mode)
        self.next_ino += 1
        self.inodes[node.ino] = node
        return node

    # -- file data -------------------------------------------------------------------

    def _clean_bytes(self, node, start, n):
        """n bytes at start as they are outside the dirty pages: backing file below the
        floor, zeros above."""
        out = b""
        if start < node.floor:
            m = min(n, node.floor - start)
            out = os.pread(self._backing_fd(node), m, start)
            if len(out) < m:
                out += bytes(m - len(out))
        if len(out) < n:
            out += bytes(n - len(out))
        return out

    def _page_for_write(self, node, idx):
        page = node.pages.get(idx)
        if page is None:
            start = idx * PAGE
            if start < node.floor:
                page = bytearray(self._clean_bytes(node, start, PAGE))
            else:
                page = bytearray(PAGE)
            node.pages[idx] = page
        return page

    def _write(self, node, data, offset):
        end = offset + len(data)
        pos = offset
        view = memoryview(data)
        while pos < end:
            idx, off = divmod(pos, PAGE)
            n = min(PAGE - off, end - pos)
            chunk = view[pos - offset:pos - offset + n]
            if n == PAGE:
                node.pages[idx] = bytearray(chunk)
            else:
                self._page_for_write(node, idx)[off:off + n] = chunk
            pos += n
        if end > node.size:
            node.size = end
        node.mtime = node.ctime = now_ns()
        return len(data)

    def _read(self, node, size, offset):
        end = min(offset + size, node.size)
        if offset >= end:
            return b""
        parts = []
        pos = offset
        while pos < end:
            idx, off = divmod(pos, PAGE)
            n = min(PAGE - off, end - pos)
            page = node.pages.get(idx)
            if page is not None:
                parts.append(bytes(page[off:off + n]))
                pos += n
                continue
            # Coalesce a run of clean pages into one read of the backing file.
            run_end = pos + n
            while run_end < end and (run_end // PAGE) not in node.pages:
                run_end = min(run_end + PAGE, end)
            parts.append(self._clean_bytes(node, pos, run_end - pos))
            pos = run_end
        return b"".join(parts)

    def _truncate(self, node, length):
        if node.is_dir:
            raise FuseOSError(errno.EISDIR)
        self.trace("truncate", node.ino, node.size, "->", length)
        if length < node.size:
            for idx in [i for i in node.pages if i * PAGE >= length]:
                del node.pages[idx]
            idx, off = divmod(length, PAGE)
            page = node.pages.get(idx)
            if page is not None and off:
                page[off:] = bytes(PAGE - off)
            node.floor = min(node.floor, length)
        node.size = length
        node.mtime = node.ctime = now_ns()

    # -- FUSE operations ---------------------------------------------------------------

    def getattr(self, path, fh=None):
        with self.mutex:
            node = self._node(path, fh)
            if node.is_dir:
                mode = stat.S_IFDIR | node.mode
                size = 4096
            else:
                mode = stat.S_IFREG | node.mode
                size = node.size
            return {"st_mode": mode, "st_ino": node.ino, "st_nlink": max(node.nlink, 0),
                    "st_size": size, "st_blocks": (size + 511) // 512, "st_blksize": 4096,
                    "st_uid": os.getuid(), "st_gid": os.getgid(),
                    "st_atime": node.atime, "st_mtime": node.mtime, "st_ctime": node.ctime}

    def access(self, path, amode):
        with self.mutex:
            self._lookup(path)
        return 0

    def statfs(self, path):
        st = os.statvfs(self.backing)
        return {"f_bsize": st.f_bsize, "f_frsize": st.f_frsize, "f_blocks": st.f_blocks,
                "f_bfree": st.f_bfree, "f_bavail": st.f_bavail, "f_files": st.f_files,
                "f_ffree": st.f_ffree, "f_favail": st.f_favail, "f_namemax": 255}

    def chmod(self, path, mode):
        with self.mutex:
            node = self._lookup(path)
            node.mode = mode & 0o7777
            node.ctime = now_ns()
        return 0

    def chown(self, path, uid, gid):
        return 0

    def utimens(self, path, times=None):
        with self.mutex:
            node = self._lookup(path)
            t = now_ns()
            node.atime, node.mtime = times if times else (t, t)
        return 0

    def readlink(self, path):
        raise FuseOSError(errno.EINVAL)

    def symlink(self, target, source):
        raise FuseOSError(errno.EPERM)

    def mknod(self, path, mode, dev):
        raise FuseOSError(errno.EPERM)

    def create(self, path, mode, fi=None):
        with self.mutex:
            parent, name = self._parent(path)
            if name in parent.entries:
                node = self.inodes[parent.entries[name]]
                if node.is_dir:
                    raise FuseOSError(errno.EISDIR)
                return self._new_fh(node)
            node = self._new_inode(False, mode)
            self.trace("create", path, node.ino)
            parent.entries[name] = node.ino
            node.nlink = 1
            parent.mtime = parent.ctime = now_ns()
            return self._new_fh(node)

    def open(self, path, flags):
        with self.mutex:
            node = self._lookup(path)
            if node.is_dir and (flags & os.O_ACCMODE) != os.O_RDONLY:
                raise FuseOSError(errno.EISDIR)
            if flags & os.O_TRUNC and not node.is_dir:
                self._truncate(node, 0)
            return self._new_fh(node)

    def read(self, path, size, offset, fh):
        with self.mutex:
            node = self._node(path, fh)
            node.atime = now_ns()
            return self._read(node, size, offset)

    def write(self, path, data, offset, fh):
        with self.mutex:
            return self._write(self._node(path, fh), data, offset)

    def truncate(self, path, length, fh=None):
        with self.mutex:
            self._truncate(self._node(path, fh), length)
        return 0

    def fallocate(self, path, mode, offset, length, fh):
        FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE = 1, 2
        with self.mutex:
            node = self._node(path, fh)
            if mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE):
                raise FuseOSError(errno.EOPNOTSUPP)
            if mode & FALLOC_FL_PUNCH_HOLE:
                if not mode & FALLOC_FL_KEEP_SIZE:
                    raise FuseOSError(errno.EINVAL)
                end = min(offset + length, node.size)
                if offset < end:
                    self._write(node, bytes(end - offset), offset)
            elif not mode & FALLOC_FL_KEEP_SIZE and offset + length > node.size:
                node.size = offset + length   # the new bytes read as zeros
                node.mtime = node.ctime = now_ns()
        return 0

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        with self.mutex:
            node = self.handles.pop(fh, None)
            if node is not None:
                node.opens -= 1
                self._forget_if_unused(node)
        return 0

    def fsync(self, path, datasync, fh):
        with self.mutex:
            self._sync_file(self._node(path, fh))
        return 0

    def opendir(self, path):
        with self.mutex:
            node = self._lookup(path)
            if not node.is_dir:
                raise FuseOSError(errno.ENOTDIR)
            return self._new_fh(node)

    def readdir(self, path, fh):
        with self.mutex:
            node = self._node(path, fh)
            out = [(".", {"st_ino": node.ino, "st_mode": stat.S_IFDIR}, 0),
                   ("..", None, 0)]
            for name, ino in node.entries.items():
                child = self.inodes[ino]
                out.append((name, {"st_ino": ino, "st_mode": stat.S_IFDIR if child.is_dir
                                   else stat.S_IFREG}, 0))
            return out

    def releasedir(self, path, fh):
        return self.release(path, fh)

    def fsyncdir(self, path, datasync, fh):
        with self.mutex:
            node = self._node(path, fh)
            if not node.is_dir:
                raise FuseOSError(errno.ENOTDIR)
            self._sync_dir(node)
        return 0

    def mkdir(self, path, mode):
        with self.mutex:
            parent, name = self._parent(path)
            if name in parent.entries:
                raise FuseOSError(errno.EEXIST)
            node = self._new_inode(True, mode)
            node.nlink = 2
            parent.entries[name] = node.ino
            parent.nlink += 1
            parent.mtime = parent.ctime = now_ns()
        return 0

    def rmdir(self, path):
        with self.mutex:
            parent, name = self._parent(path)
            ino = parent.entries.get(name)
            if ino is None:
                raise FuseOSError(errno.ENOENT)
            node = self.inodes[ino]
            if not node.is_dir:
                raise FuseOSError(errno.ENOTDIR)
            if node.entries:
                raise FuseOSError(errno.ENOTEMPTY)
            del parent.entries[name]
            parent.nlink -= 1
            parent.mtime = parent.ctime = now_ns()
            node.nlink = 0
            self._forget_if_unused(node)
        return 0

    def unlink(self, path):
        with self.mutex:
            parent, name = self._parent(path)
            ino = parent.entries.get(name)
            if ino is None:
                raise FuseOSError(errno.ENOENT)
            node = self.inodes[ino]
            if node.is_dir:
                raise FuseOSError(errno.EISDIR)
            self.trace("unlink", path, ino)
            del parent.entries[name]
            node.nlink -= 1
            node.ctime = parent.mtime = parent.ctime = now_ns()
            self._forget_if_unused(node)
        return 0

    def rename(self, old, new):
        with self.mutex:
            src_parent, src_name = self._parent(old)
            dst_parent, dst_name = self._parent(new)
            ino = src_parent.entries.get(src_name)
            if ino is None:
                raise FuseOSError(errno.ENOENT)
            node = self.inodes[ino]
            if node.is_dir:
                # No moving a directory into itself or below it.
                p = dst_parent
                seen = set()
                while p is not None and p.ino not in seen:
                    if p.ino == node.ino:
                        raise FuseOSError(errno.EINVAL)
                    seen.add(p.ino)
                    p = self._parent_of(p)
            victim_ino = dst_parent.entries.get(dst_name)
            if victim_ino == ino:
                return 0
            if victim_ino is not None:
                victim = self.inodes[victim_ino]
                if victim.is_dir and not node.is_dir:
                    raise FuseOSError(errno.EISDIR)
                if node.is_dir and not victim.is_dir:
                    raise FuseOSError(errno.ENOTDIR)
                if victim.is_dir and victim.entries:
                    raise FuseOSError(errno.ENOTEMPTY)
            self.trace("rename", old, new, ino, "over", victim_ino)
            del src_parent.entries[src_name]
            dst_parent.entries[dst_name] = ino
            if node.is_dir:
                src_parent.nlink -= 1
                dst_parent.nlink += 1
            t = now_ns()
            src_parent.mtime = src_parent.ctime = dst_parent.mtime = dst_parent.ctime = t
            node.ctime = t
            if victim_ino is not None:
                victim.nlink = 0 if victim.is_dir else victim.nlink - 1
                if victim.is_dir:
                    dst_parent.nlink -= 1
                self._forget_if_unused(victim)
        return 0

    def _parent_of(self, d):
        if d.ino == ROOT:
            return None
        for node in self.inodes.values():
            if node.is_dir and d.ino in node.entries.values():
                return node
        return None

    def link(self, target, source):
        # fusepy's order: link(new_name, existing_name)
        with self.mutex:
            node = self._lookup(source)
            if node.is_dir:
                raise FuseOSError(errno.EPERM)
            parent, name = self._parent(target)
            if name in parent.entries:
                raise FuseOSError(errno.EEXIST)
            parent.entries[name] = node.ino
            node.nlink += 1
            node.ctime = parent.mtime = parent.ctime = now_ns()
        return 0

    def getxattr(self, path, name, position=0):
        raise FuseOSError(errno.ENODATA)

    def listxattr(self, path):
        return []

    def setxattr(self, path, name, value, options, position=0):
        raise FuseOSError(errno.ENOTSUP)

    def removexattr(self, path, name):
        raise FuseOSError(errno.ENODATA)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("backing", help="directory holding the durable state")
    ap.add_argument("mountpoint")
    ap.add_argument("--direct-io", action="store_true",
                    help="bypass the kernel page cache for file data too")
    ap.add_argument("--debug", action="store_true", help="libfuse debug output")
    ap.add_argument("--trace", metavar="FILE",
                    help="append a line per create, rename, unlink, truncate, fsync and "
                         "fsyncdir to FILE")
    args = ap.parse_args()
    ops = LazyFS(args.backing, args.trace)
    opts = dict(foreground=True, nothreads=True, fsname="lazyfs", subtype="lazyfs",
                use_ino=True, hard_remove=True, big_writes=True, max_write=131072,
                max_read=131072, attr_timeout=0, entry_timeout=0, negative_timeout=0,
                ac_attr_timeout=0, debug=args.debug)
    if args.direct_io:
        opts["direct_io"] = True
    LazyFUSE(ops, args.mountpoint, **opts)


if __name__ == "__main__":
    main()
