#!/usr/bin/python3
"""Holds N subscriber connections on one channel and counts the messages they receive.

bench/semantics.sh runs it beside a PUBLISH benchmark:
  pubsub_subscribers.py PORT CHANNEL N READY_FILE
It subscribes N connections, writes READY_FILE once every subscription is
confirmed, then counts messages until SIGTERM, and prints the total received.
"""
import selectors
import signal
import socket
import sys


def main():
    port, channel, n, ready_file = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3]), sys.argv[4]
    sel = selectors.DefaultSelector()
    conns = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(channel), channel))
        conns.append(s)
    confirm = b"$9\r\nsubscribe\r\n"
    marker = b"$7\r\nmessage\r\n"
    # Wait for each confirmation (blocking), then go non-blocking and count markers.
    for s in conns:
        buf = b""
        while confirm not in buf:
            chunk = s.recv(4096)
            if not chunk:
                sys.exit("subscriber connection closed")
            buf += chunk
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, [buf[buf.index(confirm) + len(confirm):]])
    with open(ready_file, "w") as f:
        f.write("ready\n")
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    received = 0
    while not stop:
        for key, _ in sel.select(timeout=0.2):
            try:
                chunk = key.fileobj.recv(1 << 16)
            except BlockingIOError:
                continue
            if not chunk:
                continue
            # Count markers across chunk boundaries: keep a tail as long as the marker.
            data = key.data[0] + chunk
            received += data.count(marker)
            key.data[0] = data[-(len(marker) - 1):]
    print(received)


if __name__ == "__main__":
    main()
