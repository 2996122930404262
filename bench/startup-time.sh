#!/usr/bin/env bash
# Start-up time: from exec of the gateway to the moment EVERY listener answers on its port: MQTT tcp, ssl
# (generated self-signed certificate), ws, wss and the management API accept a TCP connection; CoAP and
# LwM2M answer a CoAP ping (CON empty -> RST); MQTT-SN answers SEARCHGW with GWINFO. Each round starts a
# fresh JVM in a fresh ESTUARY_HOME (persistence on, empty store). In the same run, a bare `java -version`
# gives the JVM's own floor on this machine, so the gateway's share can be read as a difference.
#   bench/startup-time.sh                     # ROUNDS=5, JAR=gateway-app/target/estuary.jar
#   JAR=/opt/estuary/lib/estuary.jar ROUNDS=10 bench/startup-time.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="${JAR:-$ROOT/gateway-app/target/estuary.jar}"
ROUNDS="${ROUNDS:-5}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
[ -f "$JAR" ] || { echo "no $JAR: mvn -B -q -DskipTests package first" >&2; exit 1; }
exec python3 - "$JAVA" "$JAR" "$ROUNDS" <<'PY'
import os, shutil, socket, statistics, subprocess, sys, tempfile, time
java, jar, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])

def free_port(kind):
    s = socket.socket(socket.AF_INET, kind); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def tcp_ok(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.05): return True
    except OSError: return False

def udp_ok(port, request, answered):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.05)
    try:
        s.sendto(request, ("127.0.0.1", port)); data = s.recv(2048); return answered(data)
    except OSError: return False
    finally: s.close()

COAP_PING = bytes([0x40, 0x00, 0x12, 0x34])                     # CON, empty, mid 0x1234
coap_rst = lambda d: len(d) >= 4 and (d[0] >> 4) & 0x3 == 3       # RST
SEARCHGW = bytes([0x03, 0x01, 0x00])                               # MQTT-SN SEARCHGW radius 0
gwinfo = lambda d: len(d) >= 2 and d[1] == 0x02

def one_round():
    home = tempfile.mkdtemp(prefix="estuary-start-")
    p = {k: free_port(socket.SOCK_STREAM) for k in ("tcp", "ssl", "ws", "wss", "api")}
    u = {k: free_port(socket.SOCK_DGRAM) for k in ("coap", "mqttsn", "lwm2m")}
    conf = os.path.join(home, "estuary.conf")
    with open(conf, "w") as f:
        f.write(f'''
listeners.tcp.default.bind = "127.0.0.1:{p['tcp']}"
listeners.ssl.default.bind = "127.0.0.1:{p['ssl']}"
listeners.ws.default.bind = "127.0.0.1:{p['ws']}"
listeners.wss.default.bind = "127.0.0.1:{p['wss']}"
api.bind = "127.0.0.1:{p['api']}"
gateway.coap.listeners.udp.default.bind = "127.0.0.1:{u['coap']}"
gateway.mqttsn.listeners.udp.default.bind = "127.0.0.1:{u['mqttsn']}"
gateway.lwm2m.listeners.udp.default.bind = "127.0.0.1:{u['lwm2m']}"
''')
    env = dict(os.environ, ESTUARY_HOME=home)
    t0 = time.monotonic()
    proc = subprocess.Popen([java, "-Xms256m", "-Xmx1g", "-jar", jar, "-c", conf], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pending = {**{k: (lambda port=v: tcp_ok(port)) for k, v in p.items()},
               "coap": lambda: udp_ok(u["coap"], COAP_PING, coap_rst),
               "lwm2m": lambda: udp_ok(u["lwm2m"], COAP_PING, coap_rst),
               "mqttsn": lambda: udp_ok(u["mqttsn"], SEARCHGW, gwinfo)}
    ready = {}
    try:
        while pending and time.monotonic() - t0 < 30:
            if proc.poll() is not None: raise SystemExit(f"gateway exited with {proc.returncode}")
            for k in list(pending):
                if pending[k](): ready[k] = time.monotonic() - t0; del pending[k]
            time.sleep(0.005)
        if pending: raise SystemExit(f"not answering after 30 s: {sorted(pending)}")
        return max(ready.values()), ready
    finally:
        proc.terminate(); proc.wait(15); shutil.rmtree(home, ignore_errors=True)

def jvm_floor():
    t0 = time.monotonic(); subprocess.run([java, "-version"], capture_output=True, check=True); return time.monotonic() - t0

print(f"load average before: {os.getloadavg()[0]:.2f}")
floors, totals = [], []
for i in range(rounds):
    floors.append(jvm_floor())
    total, ready = one_round()
    totals.append(total)
    order = " ".join(f"{k}={v:.2f}" for k, v in sorted(ready.items(), key=lambda kv: kv[1]))
    print(f"round {i + 1}: all listeners answering after {total:.2f} s ({order}); java -version {floors[-1]:.2f} s")
print(f"median all-listeners {statistics.median(totals):.2f} s (min {min(totals):.2f}, max {max(totals):.2f}); "
      f"median java -version {statistics.median(floors):.2f} s; load average after: {os.getloadavg()[0]:.2f}")
PY
