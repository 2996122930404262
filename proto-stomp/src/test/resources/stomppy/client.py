"""A stomp.py (Debian python3-stomp) client the ITs run as a process.

usage: client.py HOST PORT SCENARIO [ARGS...] [--ssl] [--login L --passcode P] [--version 1.1|1.2]
Prints one line per event ("CONNECTED", "MSG <body>", "REDELIVERED <body>", "RECEIPT <id>", "ERROR <message>",
"DONE"), flushed, so the test reads what the real client saw.
"""
import sys
import threading
import time

import stomp


def out(*parts):
    print(*parts, flush=True)


class Listener(stomp.ConnectionListener):
    def __init__(self):
        self.messages = []
        self.errors = []
        self.cond = threading.Condition()

    def on_message(self, frame):
        with self.cond:
            self.messages.append(frame)
            self.cond.notify_all()

    def on_error(self, frame):
        out("ERROR", frame.headers.get("message"))
        with self.cond:
            self.errors.append(frame)
            self.cond.notify_all()

    def wait_messages(self, n, timeout=20):
        deadline = time.time() + timeout
        with self.cond:
            while len(self.messages) < n and time.time() < deadline and not self.errors:
                self.cond.wait(0.2)
            return list(self.messages)


def main(argv):
    args = [a for a in argv]
    opts = {}
    for flag in ("--login", "--passcode", "--version"):
        if flag in args:
            i = args.index(flag)
            opts[flag] = args[i + 1]
            del args[i:i + 2]
    ssl = "--ssl" in args
    if ssl:
        args.remove("--ssl")
    host, port, scenario, rest = args[0], int(args[1]), args[2], args[3:]
    cls = stomp.Connection11 if opts.get("--version") == "1.1" else stomp.Connection12
    conn = cls([(host, port)], heartbeats=(0, 0), auto_content_length=True)
    if ssl:
        conn.set_ssl(for_hosts=[(host, port)])
    listener = Listener()
    conn.set_listener("l", listener)
    try:
        conn.connect(opts.get("--login"), opts.get("--passcode"), wait=True)
    except Exception as e:  # a refused CONNECT: stomp.py raises after the ERROR frame
        out("REFUSED", type(e).__name__)
        return 0
    out("CONNECTED")
    if scenario == "send":  # DEST COUNT
        dest, count = rest[0], int(rest[1])
        for i in range(count):
            conn.send(destination=dest, body="m%d" % i, headers={"x-seq": str(i)}, content_type="text/plain")
        conn.disconnect(receipt="bye")
    elif scenario == "receive":  # DEST COUNT ACKMODE
        dest, count, ack = rest[0], int(rest[1]), rest[2]
        conn.subscribe(destination=dest, id="1", ack=ack, headers={"receipt": "sub"})
        out("SUBSCRIBED")
        msgs = listener.wait_messages(count)
        for m in msgs:
            out("MSG", m.body, m.headers.get("x-seq", "-"), m.headers.get("content-type", "-"))
            if ack != "auto":
                if "ack" in m.headers:
                    conn.ack(m.headers["ack"])  # 1.2: the ack header
                else:
                    conn.ack(m.headers["message-id"], "1")  # 1.1: message-id and subscription
        conn.disconnect(receipt="bye")
    elif scenario == "nack":  # DEST: NACK the first message, ACK its redelivery
        dest = rest[0]
        conn.subscribe(destination=dest, id="1", ack="client-individual", headers={"receipt": "sub"})
        out("SUBSCRIBED")
        first = listener.wait_messages(1)[0]
        out("MSG", first.body)
        conn.nack(first.headers["ack"])
        msgs = listener.wait_messages(2)
        again = msgs[1]
        out("REDELIVERED" if again.headers.get("redelivered") == "true" else "MSG", again.body)
        conn.ack(again.headers["ack"])
        conn.disconnect(receipt="bye")
    elif scenario == "tx":  # DEST: an aborted and a committed transaction
        dest = rest[0]
        tx = conn.begin()
        conn.send(destination=dest, body="aborted", transaction=tx)
        conn.abort(tx)
        tx = conn.begin()
        conn.send(destination=dest, body="committed-1", transaction=tx)
        conn.send(destination=dest, body="committed-2", transaction=tx)
        conn.commit(tx)
        conn.disconnect(receipt="bye")
    out("DONE")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
