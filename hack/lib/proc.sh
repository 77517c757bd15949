# shellcheck shell=bash
# Background processes for the scripts of hack/ that run the operator and
# its neighbours beside a cluster (demo.sh, gitops.sh, upgrade-check.sh).
# Source it after setting PROC_DIR, where NAME.pid goes, and optionally
# PROC_LOG_DIR (default PROC_DIR), where NAME.log goes; REPO and a log
# function must exist.
#
#   proc_start NAME CMD...  run CMD detached and record it; returns once the
#                           recorded PID runs CMD
#   proc_stop NAME          stop it: SIGTERM, SIGKILL after
#                           $PROC_STOP_TIMEOUT s (default 15)
#   proc_pid NAME           print its PID, if it still runs what was started
#
# A PID file holds the PID and the program it runs: a PID the kernel gave
# to another process since is never signalled.

# proc_pid NAME: the recorded PID, if that process still runs the recorded
# program (its argv[0]).
proc_pid() {
  local pid argv0 cmdline
  read -r pid argv0 2>/dev/null <"$PROC_DIR/$1.pid" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  if [ -z "$argv0" ]; then
    # A PID file of the scripts before this library: the PID alone.
    kill -0 "$pid" 2>/dev/null && echo "$pid"
    return
  fi
  cmdline="$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline")" || return 1
  [ "${cmdline%%$'\n'*}" = "$argv0" ] || return 1
  echo "$pid"
}

# proc_start NAME CMD...: run CMD in a session of its own, stdin closed,
# output to PROC_LOG_DIR/NAME.log, after stopping what NAME ran before.
proc_start() {
  local name="$1" logdir="${PROC_LOG_DIR:-$PROC_DIR}" i
  shift
  proc_stop "$name"
  mkdir -p "$PROC_DIR" "$logdir"
  # setsid -f forks into a new session whatever the caller's job control:
  # no controlling terminal, outside the caller's process group, so Ctrl-C
  # in the terminal or make ending does not reach it (nohup covers a stray
  # SIGHUP). The inner shell records its own PID and then execs, so the
  # PID file names CMD itself, not a short-lived wrapper.
  # shellcheck disable=SC2016 # $$, $0 and $1 belong to the inner shell
  setsid -f bash -c 'echo "$$ $1" >"$0.tmp" && mv "$0.tmp" "$0" && exec nohup "$@"' \
    "$PROC_DIR/$name.pid" "$@" </dev/null >"$logdir/$name.log" 2>&1
  # Until the exec the PID runs bash, which proc_pid rightly refuses.
  for ((i = 0; i < 300; i++)); do
    proc_pid "$name" >/dev/null && break
    sleep 0.1
  done
  if ! proc_pid "$name" >/dev/null; then
    log "$name did not start; its log, ${logdir#"$REPO"/}/$name.log:"
    cat "$logdir/$name.log" >&2 || true
    return 1
  fi
  log "started $name (pid $(proc_pid "$name")), log in ${logdir#"$REPO"/}/$name.log"
}

# proc_stop NAME: stop the process recorded for NAME, if it still runs.
proc_stop() {
  local name="$1" pid i
  if pid="$(proc_pid "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < ${PROC_STOP_TIMEOUT:-15} * 10; i++)); do
      proc_pid "$name" >/dev/null || break
      sleep 0.1
    done
    if proc_pid "$name" >/dev/null; then
      log "$name (pid $pid) ignored SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$PROC_DIR/$name.pid"
}
