# Opens N TCP connections to 127.0.0.1:PORT that never send a byte, then waits until the server closes each one.
# Prints "connected <seconds>" once all are open, then "closed <eof> <reset> <open> <min_age> <max_age>": how many
# saw EOF, a reset, are still open at the deadline, and the shortest/longest time from connect to close (seconds).
import selectors, socket, sys, time

port, n, deadline_s = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
sel = selectors.DefaultSelector()
t0 = time.monotonic()
for _ in range(n):
    # the age counts from before connect(): the server accepts (and starts its timer) after that instant, while a
    # timestamp taken after connect() returns can be late by however long this process was descheduled
    opened = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, opened)
print("connected %.3f" % (time.monotonic() - t0), flush=True)
left, eof, reset, ages = n, 0, 0, []
end = time.monotonic() + deadline_s
while left > 0 and time.monotonic() < end:
    for key, _ in sel.select(timeout=0.5):
        s = key.fileobj
        try:
            data = s.recv(1)
        except (ConnectionResetError, OSError):
            data = None
        if data:
            continue  # the server sent bytes: not expected; the test sees it as a socket still open
        sel.unregister(s)
        s.close()
        ages.append(time.monotonic() - key.data)
        left -= 1
        if data is None:
            reset += 1
        else:
            eof += 1
print("closed %d %d %d %.3f %.3f" % (eof, reset, left, min(ages or [0]), max(ages or [0])), flush=True)
