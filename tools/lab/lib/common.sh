# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Common helpers for the rdpscope capture lab: logging, the per-scenario
# command record, and process bookkeeping.
#
# Every process the lab starts is started with `setsid` so that it leads its
# own process group; cleanup then kills the whole group.  This matters for
# xrdp, whose per-connection children ignore SIGTERM while they sit in a TLS
# handshake, and for FreeRDP, which waits forever on a silent server.

LAB_DIR=${LAB_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
REPO_DIR=${REPO_DIR:-$(cd "$LAB_DIR/../.." && pwd)}
# Debian's interpreter, never a pyenv/venv one: impacket lives in dist-packages.
PY=/usr/bin/python3

log()  { printf '[lab %s] %s\n' "$(date +%T)" "$*" >&2; }
warn() { printf '[lab %s] WARNING: %s\n' "$(date +%T)" "$*" >&2; }
die()  { printf '[lab %s] ERROR: %s\n' "$(date +%T)" "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Command record.  Each scenario keeps, in order, the exact commands that
# built it; they end up in NAME.expect.json.  The scenario's scratch
# directory is written as $WORK so that the record does not change from one
# run to the next.
# ---------------------------------------------------------------------------
record() {
    [[ -n ${SCN_WORK:-} ]] || return 0
    local line="$*"
    line=${line//"$SCN_WORK"/'$WORK'}
    [[ -n ${LAB_BUILD:-} ]] && line=${line//"$LAB_BUILD"/'$LAB_BUILD'}
    printf '%s\n' "$line" >>"$SCN_WORK/commands.txt"
}

# q ARGS...: the arguments single-quoted where needed, for the record.
q() {
    local out="" a
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then out+="$a "
        else out+="'${a//\'/\'\\\'\'}' "
        fi
    done
    printf '%s' "${out% }"
}

# x CMD...: record a command and run it in the foreground.
x() {
    record "$(q "$@")"
    "$@"
}

# ---------------------------------------------------------------------------
# Background processes.
#   bg_start NAME CMD...   start CMD in a new session (its own process group),
#                    stdout/stderr to $SCN_WORK/NAME.log; sets BG_PID.
#   bg_stop NAME     TERM then KILL the process group of NAME.
#   bg_stop_all      stop every process started by this scenario.
# ---------------------------------------------------------------------------
declare -gA BG_PIDS=()
BG_PID=

bg_start() {
    local name=$1; shift
    record "$(q "$@") &"
    setsid "$@" >"$SCN_WORK/$name.log" 2>&1 </dev/null &
    BG_PID=$!
    BG_PIDS[$name]=$BG_PID
}

# The pid we hold is the session/group leader (setsid execs in place when
# the caller is not a group leader, which a background job never is).
_kill_group() {
    local pid=$1 sig=$2
    kill "-$sig" -- "-$pid" 2>/dev/null || kill "-$sig" "$pid" 2>/dev/null || true
}

_group_alive() {
    # Any process left in the group?  (pgrep -g matches the process group id.)
    pgrep -g "$1" >/dev/null 2>&1
}

bg_stop() {
    local name=$1 pid=${BG_PIDS[$1]:-} i
    [[ -n $pid ]] || return 0
    _kill_group "$pid" CONT   # a SIGSTOPped server would not act on TERM
    _kill_group "$pid" TERM
    for i in $(seq 30); do
        _group_alive "$pid" || break
        sleep 0.1
    done
    if _group_alive "$pid"; then _kill_group "$pid" KILL; fi
    wait "$pid" 2>/dev/null || true
    unset "BG_PIDS[$name]"
}

bg_stop_all() {
    local name
    for name in "${!BG_PIDS[@]}"; do bg_stop "$name"; done
}

# wait_port NS ADDR PORT [TRIES]: wait until something listens (ss in NS).
wait_listen() {
    local ns=$1 port=$2 tries=${3:-50} i
    for ((i = 0; i < tries; i++)); do
        if ip netns exec "$ns" ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}
