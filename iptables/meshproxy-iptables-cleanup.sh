#!/usr/bin/env bash
# Removes what meshproxy-iptables.sh installed in the current network namespace, and nothing else:
# the jumps from PREROUTING and OUTPUT, the MESHPROXY_* chains, and ::6/128 on lo when the install added it.
# Safe to run any number of times; a namespace without our rules is left untouched.
set -euo pipefail

readonly PROG=meshproxy-iptables-cleanup
IPTABLES=${IPTABLES:-iptables}
IP6TABLES=${IP6TABLES:-ip6tables}
readonly LO6_MARKER=MESHPROXY_LO6_ADDED
# Deleted in this order after all are flushed: none is referenced once the built-in jumps are gone.
readonly CHAINS="MESHPROXY_OUTPUT MESHPROXY_INBOUND MESHPROXY_IN_REDIRECT MESHPROXY_REDIRECT $LO6_MARKER"

usage() {
    cat <<'EOF'
Usage: meshproxy-iptables-cleanup.sh [-n|--dry-run] [-h|--help]

Removes meshproxy's capture rules from this network namespace (IPv4 and IPv6): exactly the jumps
"-A PREROUTING -p tcp -j MESHPROXY_INBOUND" and "-A OUTPUT -j MESHPROXY_OUTPUT", the MESHPROXY_* nat
chains, and ::6/128 on lo if meshproxy-iptables.sh added it. Other rules and chains are left alone.
  -n, --dry-run   print the commands instead of running them
Honours IPTABLES and IP6TABLES (e.g. iptables-legacy). Exit status: 0 done, 1 failed, 2 bad arguments.
EOF
}

dry_run=false
for argument in "$@"; do
    case $argument in
        -h|--help) usage; exit 0 ;;
        -n|--dry-run) dry_run=true ;;
        *) echo "$PROG: unknown option '$argument'" >&2; echo "Try '$0 --help'." >&2; exit 2 ;;
    esac
done

run() {
    if [ "$dry_run" = true ]; then
        echo "$*"
    else
        "$@"
    fi
}

# Called in an || list, where set -e is off: every step checks its own status.
cleanup_family() { # iptables-command
    local cmd=$1 chain marker_present=false
    # No tool or no nat table: nothing of ours can be there.
    command -v "$cmd" >/dev/null 2>&1 || return 0
    "$cmd" -t nat -S >/dev/null 2>&1 || return 0

    while "$cmd" -t nat -C PREROUTING -p tcp -j MESHPROXY_INBOUND >/dev/null 2>&1; do
        run "$cmd" -t nat -D PREROUTING -p tcp -j MESHPROXY_INBOUND || return 1
        [ "$dry_run" = false ] || break
    done
    while "$cmd" -t nat -C OUTPUT -j MESHPROXY_OUTPUT >/dev/null 2>&1; do
        run "$cmd" -t nat -D OUTPUT -j MESHPROXY_OUTPUT || return 1
        [ "$dry_run" = false ] || break
    done
    for chain in $CHAINS; do
        if "$cmd" -t nat -S "$chain" >/dev/null 2>&1; then
            run "$cmd" -t nat -F "$chain" || return 1
        fi
    done
    for chain in $CHAINS; do
        if "$cmd" -t nat -S "$chain" >/dev/null 2>&1; then
            [ "$chain" != "$LO6_MARKER" ] || marker_present=true
            # Fails when a rule we did not write still jumps here; that rule is not ours to remove.
            run "$cmd" -t nat -X "$chain" || return 1
        fi
    done
    if [ "$marker_present" = true ] && [ -n "$(ip -6 -o addr show dev lo to ::6/128 2>/dev/null)" ]; then
        run ip -6 addr del ::6/128 dev lo || return 1
    fi
}

cleanup_family "$IPTABLES" || { echo "$PROG: removing the IPv4 rules failed" >&2; exit 1; }
cleanup_family "$IP6TABLES" || { echo "$PROG: removing the IPv6 rules failed" >&2; exit 1; }
