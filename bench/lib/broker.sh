# Sourced by the bench scripts that start a broker on 127.0.0.1 (mqtt-compare.sh, mqtt-overflow.sh,
# stomp-compare.sh): the broker's process is $BROKER_PID; $STOP_WAIT tenths of a second [100] before kill -9.

# stop_broker: TERM, then KILL after $STOP_WAIT tenths of a second; reaps it and clears BROKER_PID
stop_broker() {
  [[ -n "${BROKER_PID:-}" ]] || return 0
  if kill -0 "$BROKER_PID" 2>/dev/null; then
    kill "$BROKER_PID" 2>/dev/null || true
    for _ in $(seq "${STOP_WAIT:-100}"); do kill -0 "$BROKER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$BROKER_PID" 2>/dev/null && kill -9 "$BROKER_PID" 2>/dev/null || true
  fi
  wait "$BROKER_PID" 2>/dev/null || true
  BROKER_PID=
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { # the kernel picks a free loopback port; python3 if present, else a random unused one
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local p
  for _ in $(seq 50); do
    p=$(( 20000 + RANDOM % 30000 ))
    port_open "$p" || { echo "$p"; return; }
  done
  echo "no free port found" >&2; exit 1
}

wait_port() { # port, seconds: until the broker accepts connections, or it died, or time is up
  local port=$1 limit=$2
  for _ in $(seq $(( limit * 10 ))); do
    port_open "$port" && return 0
    kill -0 "$BROKER_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# bench_work NAME: a fresh temp dir $WORK and $OUT (default: $WORK) for raw results and logs; on exit the broker
# is stopped and $WORK removed unless it is $OUT (kept for reading)
bench_work() {
  WORK=$(mktemp -d -t "$1.XXXXXX")
  OUT=${OUT:-$WORK}
  mkdir -p "$OUT"
  BROKER_PID=
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  stop_broker
  [[ "$OUT" == "$WORK" ]] || rm -rf "$WORK"
}
