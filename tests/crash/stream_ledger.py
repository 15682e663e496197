"""The crash test's stream writers: a job queue on one stream with one consumer group.

Each writer thread, one request at a time, does XADD (a producer), XREADGROUP ... > (a
consumer taking new entries) and XACK of entries it was given. The ledger, shared by the
writers and kept across rounds, records what was acknowledged:

  - every XADD that answered an ID: that entry must exist after any crash;
  - every entry an XREADGROUP delivered as new: no XREADGROUP may ever deliver it as new
    again (checked as replies arrive, across crashes), and until acknowledged it must be in
    the group's pending entries list;
  - every entry an XACK acknowledged: it must never be pending again;
  - the group's last-delivered-id is at least the largest ID delivered.

A request in flight at the kill may or may not have happened; verify() accepts both and
adopts what the restarted server shows (an entry nobody was told about, pending entries of
an XREADGROUP whose reply was lost, an XACK that took effect). Standard library only.
"""

import random
import threading

KEY = "crash:stream"
GROUP = "cg"


def _id_key(entry_id):
    ms, seq = entry_id.split(b"-")
    return int(ms), int(seq)


class StreamLedger:
    def __init__(self):
        self.lock = threading.Lock()
        self.added = {}        # id -> the producer's tag
        self.delivered = set()  # delivered as new to the group
        self.acked = set()
        self.created = False
        self.problems = []     # found by writers as replies arrive

    def key_count(self):
        """Keys the stream writers hold in the store (for the DBSIZE check)."""
        return 1 if self.created else 0

    def verify(self, conn, in_flight):
        """Reads the stream back on `conn` and returns a list of problems; adopts what an
        in-flight request visibly did. `in_flight` lists (op, detail) of writers that were
        waiting for a reply at the kill."""
        if not self.created:
            return []
        problems = []
        entries = conn.call("XRANGE", KEY, "-", "+")
        pel = conn.call("XPENDING", KEY, GROUP, "-", "+", 1 << 30)
        groups = conn.call("XINFO", "GROUPS", KEY)
        if not isinstance(entries, list) or not isinstance(pel, list) or not isinstance(groups, list):
            return ["stream %s: XRANGE/XPENDING/XINFO answered %r / %r / %r"
                    % (KEY, entries, pel, groups)]
        held = {e[0]: e[1][1] for e in entries}
        for entry_id, tag in self.added.items():
            if held.get(entry_id) != tag:
                problems.append("LOST stream entry %s (%s): server has %r"
                                % (entry_id.decode(), tag.decode(), held.get(entry_id)))
        flying_adds = [d for op, d in in_flight if op == "XADD"]
        for entry_id, tag in held.items():
            if entry_id not in self.added:
                if tag in flying_adds:
                    self.added[entry_id] = tag  # the XADD in flight happened
                else:
                    problems.append("WRONG stream entry %s (%s): never added" % (entry_id.decode(), tag))
        pending = {p[0] for p in pel}
        for entry_id in self.acked & pending:
            problems.append("LOST acknowledgement: %s is pending again" % entry_id.decode())
        flying_acks = set()
        for op, d in in_flight:
            if op == "XACK":
                flying_acks.update(d)
        for entry_id in self.delivered - self.acked:
            if entry_id not in pending:
                if entry_id in flying_acks:
                    self.acked.add(entry_id)  # the XACK in flight happened
                else:
                    problems.append("LOST pending entry %s: delivered, not acknowledged, not "
                                    "pending" % entry_id.decode())
        unknown = pending - self.delivered
        if unknown and not any(op == "XREADGROUP" for op, _ in in_flight):
            problems.append("WRONG pending entries %s: never delivered"
                            % sorted(i.decode() for i in unknown))
        self.delivered |= unknown  # an XREADGROUP in flight delivered them
        info = dict(zip(groups[0][0::2], groups[0][1::2])) if groups else {}
        last = info.get(b"last-delivered-id")
        if self.delivered and (last is None or _id_key(last) < max(_id_key(i) for i in self.delivered)):
            problems.append("group %s last-delivered-id %r is below the largest ID delivered" % (GROUP, last))
        return problems

    def summary(self):
        return "%d entries added, %d delivered, %d acknowledged" % (
            len(self.added), len(self.delivered), len(self.acked))


class StreamWriter(threading.Thread):
    """XADD, XREADGROUP > and XACK on the ledger's stream until stopped or the server dies.
    `connect()` returns a connection whose call(*args) answers one request; error replies
    have a `message`; `errors` are the exceptions a dead server raises."""

    def __init__(self, index, connect, errors, ledger, rng_seed, round_no):
        super().__init__(name="stream-writer-%d" % index, daemon=True)
        self.index = index
        self.connect = connect
        self.errors = errors
        self.ledger = ledger
        self.rng = random.Random(rng_seed)
        self.round_no = round_no
        self.seq = 0
        self.acked = 0
        self.reads = 0
        self.in_flight = None  # (op, detail)
        self.connection_error = None
        self.problems = []
        self.stop_flag = threading.Event()
        self.mine = []  # delivered to this consumer, not yet acknowledged

    def run(self):
        ledger = self.ledger
        conn = None
        try:
            conn = self.connect()
            with ledger.lock:
                if not ledger.created:
                    reply = conn.call("XGROUP", "CREATE", KEY, GROUP, "$", "MKSTREAM")
                    if reply != "OK" and not getattr(reply, "message", "").startswith("BUSYGROUP"):
                        self.problems.append("XGROUP CREATE answered %r" % (reply,))
                        return
                    ledger.created = True
            consumer = "c%d" % self.index
            while not self.stop_flag.is_set():
                self.seq += 1
                r = self.rng.random()
                if r < 0.45:
                    tag = b"s%d:r%d:s%d" % (self.index, self.round_no, self.seq)
                    self.in_flight = ("XADD", tag)
                    reply = conn.call("XADD", KEY, "*", "job", tag)
                    self.in_flight = None
                    if not isinstance(reply, bytes):
                        self.problems.append("XADD answered %r" % (reply,))
                        return
                    with ledger.lock:
                        ledger.added[reply] = tag
                    self.acked += 1
                elif r < 0.75 or not self.mine:
                    self.in_flight = ("XREADGROUP", None)
                    reply = conn.call("XREADGROUP", "GROUP", GROUP, consumer, "COUNT", 5, "STREAMS", KEY, ">")
                    self.in_flight = None
                    self.reads += 1
                    if reply is None:
                        continue
                    if not isinstance(reply, list):
                        self.problems.append("XREADGROUP answered %r" % (reply,))
                        return
                    with ledger.lock:
                        for entry_id, _fields in reply[0][1]:
                            if entry_id in ledger.delivered:
                                ledger.problems.append("DELIVERED TWICE as new: %s" % entry_id.decode())
                            ledger.delivered.add(entry_id)
                            self.mine.append(entry_id)
                    self.acked += 1
                else:
                    ids = self.mine[:self.rng.randint(1, 5)]
                    self.in_flight = ("XACK", ids)
                    reply = conn.call("XACK", KEY, GROUP, *ids)
                    self.in_flight = None
                    if reply != len(ids):
                        self.problems.append("XACK of %d pending entries answered %r" % (len(ids), reply))
                        return
                    with ledger.lock:
                        ledger.acked.update(ids)
                    del self.mine[:len(ids)]
                    self.acked += 1
        except self.errors as e:
            self.connection_error = str(e)
        finally:
            if conn is not None:
                conn.close()
