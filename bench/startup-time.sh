#!/usr/bin/env bash
# Start-up time: from exec of the gateway to the moment EVERY listener answers on its port: MQTT tcp, ssl
# (generated self-signed certificate), ws, wss, STOMP tcp/ssl/ws, the raw TCP gateway's tcp/ssl and the management
# API accept a TCP connection; CoAP and
# LwM2M answer a CoAP ping (CON empty -> RST); MQTT-SN answers SEARCHGW with GWINFO. Each round starts a
# fresh JVM in a fresh ESTUARY_HOME (persistence on, empty store). In the same run, a bare `java -version`
# gives the JVM's own floor on this machine, so the gateway's share can be read as a difference.
#   bench/startup-time.sh                     # ROUNDS=5, JAR=gateway-app/target/estuary.jar
#   JAR=/opt/estuary/lib/estuary.jar ROUNDS=10 bench/startup-time.sh
#   MODES="plain cds" bench/startup-time.sh   # each round once without and once with the class-data archive that
#                                             # `bin/estuary cds` records next to the jar (${JAR%.jar}.jsa), as
#                                             # bin/estuary starts it; the order alternates per round
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="${JAR:-$ROOT/gateway-app/target/estuary.jar}"
ROUNDS="${ROUNDS:-5}"
MODES="${MODES:-plain}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
[ -f "$JAR" ] || { echo "no $JAR: mvn -B -q -DskipTests package first" >&2; exit 1; }
case " $MODES " in *" cds "*) [ -s "${JAR%.jar}.jsa" ] || { echo "no ${JAR%.jar}.jsa: bin/estuary cds first" >&2; exit 1; };; esac
exec python3 - "$JAVA" "$JAR" "$ROUNDS" "$MODES" <<'PY'
import os, shutil, socket, statistics, subprocess, sys, tempfile, time
java, jar, rounds, modes = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split()
CDS = ["-XX:SharedArchiveFile=" + jar[:-4] + ".jsa", "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]

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

def one_round(mode):
    home = tempfile.mkdtemp(prefix="estuary-start-")
    p = {k: free_port(socket.SOCK_STREAM)
         for k in ("tcp", "ssl", "ws", "wss", "api", "stomp", "stomp_ssl", "stomp_ws", "rawtcp", "rawtcp_ssl")}
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
gateway.stomp.listeners.tcp.default.bind = "127.0.0.1:{p['stomp']}"
gateway.stomp.listeners.ssl.default.bind = "127.0.0.1:{p['stomp_ssl']}"
gateway.stomp.listeners.ws.default.bind = "127.0.0.1:{p['stomp_ws']}"
gateway.tcp.listeners.tcp.default.bind = "127.0.0.1:{p['rawtcp']}"
gateway.tcp.listeners.ssl.default.bind = "127.0.0.1:{p['rawtcp_ssl']}"
''')
    env = dict(os.environ, ESTUARY_HOME=home)
    t0 = time.monotonic()
    extra = CDS if mode == "cds" else []
    if os.environ.get("RECORD_CLASSES"):  # bench/start-classes.sh: the class-load log of a start without preloading
        extra = extra + ["-Destuary.preload=false", "-Xlog:class+load=info:file=" + os.environ["RECORD_CLASSES"]]
    proc = subprocess.Popen([java, *extra, "-Xms256m", "-Xmx1g", "-XX:MetaspaceSize=128m", "-jar", jar, "-c", conf], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pending = {**{k: (lambda port=v: tcp_ok(port)) for k, v in p.items()},
               "coap": lambda: udp_ok(u["coap"], COAP_PING, coap_rst),
               "lwm2m": lambda: udp_ok(u["lwm2m"], COAP_PING, coap_rst),
               "mqttsn": lambda: udp_ok(u["mqttsn"], SEARCHGW, gwinfo)}
    ready = {}
    try:
        while pending and time.monotonic() - t0 < 60:
            if proc.poll() is not None: raise SystemExit(f"gateway exited with {proc.returncode}")
            for k in list(pending):
                if pending[k](): ready[k] = time.monotonic() - t0; del pending[k]
            time.sleep(0.005)
        if pending: raise SystemExit(f"not answering after 60 s: {sorted(pending)}")
        return max(ready.values()), ready
    finally:
        proc.terminate(); proc.wait(15); shutil.rmtree(home, ignore_errors=True)

def jvm_floor():
    t0 = time.monotonic(); subprocess.run([java, "-version"], capture_output=True, check=True); return time.monotonic() - t0

print(f"load average before: {os.getloadavg()[0]:.2f}")
floors, totals = [], {m: [] for m in modes}
for i in range(rounds):
    floors.append(jvm_floor())
    for mode in (modes if i % 2 == 0 else list(reversed(modes))):
        total, ready = one_round(mode)
        totals[mode].append(total)
        order = " ".join(f"{k}={v:.2f}" for k, v in sorted(ready.items(), key=lambda kv: kv[1]))
        print(f"round {i + 1} {mode}: all listeners answering after {total:.2f} s ({order}); java -version {floors[-1]:.2f} s")
for mode in modes:
    t = totals[mode]
    print(f"{mode}: median all-listeners {statistics.median(t):.2f} s (min {min(t):.2f}, max {max(t):.2f})")
if len(modes) == 2:
    print(f"ratio {modes[1]}/{modes[0]}: {statistics.median(totals[modes[1]]) / statistics.median(totals[modes[0]]):.2f}")
print(f"median java -version {statistics.median(floors):.2f} s; load average after: {os.getloadavg()[0]:.2f}")
PY
