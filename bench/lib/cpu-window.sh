# Sourced by bench/mqtt-compare.sh and bench/mqtt-before-after.sh: a broker's CPU time over mqtt-load's window.

# utime + stime of process $1 in clock ticks (0 once it is gone)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# window_cpu PID: the load tool's stderr in, the same out; the CPU ticks of PID when mqtt-load opens and closes its
# measurement window are appended to the file named by $WIN ("open N", "close N")
window_cpu() {
  local pid=$1 l
  while IFS= read -r l; do
    printf '%s\n' "$l"
    case "$l" in
      *"mqtt-load: measuring "*) echo "open $(cpu_ticks "$pid")" >> "$WIN" ;;
      *"mqtt-load: window closed"*) echo "close $(cpu_ticks "$pid")" >> "$WIN" ;;
    esac
  done
}
