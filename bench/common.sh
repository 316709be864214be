# SPDX-License-Identifier: MIT
# Shared by bench/run_*.sh: wait for a quiet machine, then record what it is.
# Usage: wait_for_quiet_machine; record_machine FILE  (needs $root and a log function)

# PK_BENCH_MAX_LOAD=X waits (up to 15 min) for the 1-minute load average to fall below X.
wait_for_quiet_machine() {
  if [ -n "${PK_BENCH_MAX_LOAD:-}" ]; then
    for _ in $(seq 90); do
      awk -v max="$PK_BENCH_MAX_LOAD" '{ exit !($1 < max) }' /proc/loadavg && break
      log "load average $(cut -d' ' -f1-3 /proc/loadavg) >= $PK_BENCH_MAX_LOAD; waiting 10 s"
      sleep 10
    done
  fi
}

# Writes the machine, load, compiler and git state as JSON to $1; sets load_before.
record_machine() {
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  local cpu_model
  cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
  cat >"$1" <<JSON
{"date": "$(date -u +%Y-%m-%dT%H:%MZ)", "nproc": $(nproc), "cpu": "$cpu_model",
 "mem": "$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)",
 "load_before": "$load_before", "kernel": "$(uname -sr)", "compiler": "$(c++ --version | head -n1)",
 "git": "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$([ -z "$(git -C "$root" status --porcelain 2>/dev/null)" ] || echo ' + uncommitted changes')"}
JSON
  case "$load_before" in
    0.*) ;;
    *) log "WARNING: load average before the run is $load_before on $(nproc) CPUs; other work competes for the CPU" ;;
  esac
}
