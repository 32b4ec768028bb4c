#!/usr/bin/env bash
# Installs meshproxy's transparent-capture rules in the current network namespace (the pod's).
#
# The design is Istio's istio-iptables in REDIRECT mode (tools/istio-iptables/pkg/capture/run.go, golden file
# testdata/inbound-ports-wildcard.golden) with meshproxy's chain names. iptables/README.md explains every rule.
# Needs iptables (and ip6tables and iproute2 for IPv6) and CAP_NET_ADMIN in the namespace.
set -euo pipefail

readonly PROG=meshproxy-iptables
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly CLEANUP="$SCRIPT_DIR/meshproxy-iptables-cleanup.sh"
# The iptables front end; the matching -save/-restore tools are "$IPTABLES-save" and "$IPTABLES-restore".
# Set IPTABLES=iptables-legacy (and IP6TABLES=ip6tables-legacy) on hosts that still use the legacy backend.
IPTABLES=${IPTABLES:-iptables}
IP6TABLES=${IP6TABLES:-ip6tables}
# Empty chain whose presence in the ip6tables nat table records that this script added ::6/128 to lo,
# so the cleanup removes the address only when it is ours.
readonly LO6_MARKER=MESHPROXY_LO6_ADDED

usage() {
    cat <<'EOF'
Usage: meshproxy-iptables.sh [OPTIONS]

Installs the nat rules that send the pod's TCP to meshproxy: outbound to the outbound capture port,
inbound to the inbound capture port. Running it again replaces the rules (idempotent);
meshproxy-iptables-cleanup.sh removes them. Every option also reads the environment variable shown.

  -p, --proxy-port PORT              outbound capture port (MESHPROXY_PROXY_PORT)                 [15001]
  -z, --inbound-port PORT            inbound capture port (MESHPROXY_INBOUND_PORT)                [15006]
  -e, --inbound-tunnel-port PORT     port never captured inbound nor re-captured on lo
                                     (Istio's HBONE port) (MESHPROXY_INBOUND_TUNNEL_PORT)         [15008]
  -u, --proxy-uid UIDS               comma list of uids whose traffic is not captured
                                     (the proxy's) (MESHPROXY_PROXY_UID)                          [1337]
  -g, --proxy-gid GIDS               comma list of gids likewise (MESHPROXY_PROXY_GID)            [1337]
  -i, --include-outbound-cidrs CIDRS outbound destinations to capture: '*' for all, '' for none
                                     (MESHPROXY_INCLUDE_OUTBOUND_CIDRS)                           [*]
  -x, --exclude-outbound-cidrs CIDRS outbound destinations never captured
                                     (MESHPROXY_EXCLUDE_OUTBOUND_CIDRS)                           []
  -o, --exclude-outbound-ports PORTS outbound destination ports never captured
                                     (MESHPROXY_EXCLUDE_OUTBOUND_PORTS)                           []
  -b, --include-inbound-ports PORTS  inbound ports to capture: '*' for all, '' for none
                                     (MESHPROXY_INCLUDE_INBOUND_PORTS)                            [*]
  -d, --exclude-inbound-ports PORTS  inbound ports never captured, used with -b '*'
                                     (MESHPROXY_EXCLUDE_INBOUND_PORTS)                 [15090,15021,15020]
      --ipv6, --no-ipv6              also (or never) install the rules with ip6tables and add ::6/128 to lo
                                     (MESHPROXY_IPV6=auto|true|false); auto: when the namespace has IPv6
                                     and an ip6tables nat table                                   [auto]
  -n, --dry-run                      print the rules in iptables-restore format and change nothing
                                     (MESHPROXY_DRY_RUN=true)
  -h, --help                         show this help

CIDRS and PORTS are comma-separated. CIDRs may be IPv4 or IPv6; each family's go to its own table.
Exit status: 0 done, 1 the rules could not be applied, 2 bad arguments.
EOF
}

die_usage() {
    echo "$PROG: $*" >&2
    echo "Try '$0 --help'." >&2
    exit 2
}

die() {
    echo "$PROG: $*" >&2
    exit 1
}

# --- arguments ----------------------------------------------------------------------------------------

proxy_port=${MESHPROXY_PROXY_PORT:-15001}
inbound_port=${MESHPROXY_INBOUND_PORT:-15006}
tunnel_port=${MESHPROXY_INBOUND_TUNNEL_PORT:-15008}
proxy_uids=${MESHPROXY_PROXY_UID:-1337}
proxy_gids=${MESHPROXY_PROXY_GID:-1337}
include_cidrs=${MESHPROXY_INCLUDE_OUTBOUND_CIDRS-*}
exclude_cidrs=${MESHPROXY_EXCLUDE_OUTBOUND_CIDRS-}
exclude_outbound_ports=${MESHPROXY_EXCLUDE_OUTBOUND_PORTS-}
include_inbound_ports=${MESHPROXY_INCLUDE_INBOUND_PORTS-*}
exclude_inbound_ports=${MESHPROXY_EXCLUDE_INBOUND_PORTS-15090,15021,15020}
ipv6=${MESHPROXY_IPV6:-auto}
dry_run=${MESHPROXY_DRY_RUN:-false}

while [ $# -gt 0 ]; do
    option=$1
    value=
    has_inline_value=false
    case $option in
        --*=*) value=${option#*=}; option=${option%%=*}; has_inline_value=true ;;
    esac
    case $option in
        -h|--help) usage; exit 0 ;;
        -n|--dry-run) dry_run=true; shift; continue ;;
        --ipv6) ipv6=true; shift; continue ;;
        --no-ipv6) ipv6=false; shift; continue ;;
        -p|--proxy-port|-z|--inbound-port|-e|--inbound-tunnel-port|-u|--proxy-uid|-g|--proxy-gid|\
        -i|--include-outbound-cidrs|-x|--exclude-outbound-cidrs|-o|--exclude-outbound-ports|\
        -b|--include-inbound-ports|-d|--exclude-inbound-ports)
            if [ "$has_inline_value" = false ]; then
                [ $# -ge 2 ] || die_usage "option $option needs a value"
                value=$2
                shift
            fi
            shift
            ;;
        *) die_usage "unknown option '$option'" ;;
    esac
    case $option in
        -p|--proxy-port) proxy_port=$value ;;
        -z|--inbound-port) inbound_port=$value ;;
        -e|--inbound-tunnel-port) tunnel_port=$value ;;
        -u|--proxy-uid) proxy_uids=$value ;;
        -g|--proxy-gid) proxy_gids=$value ;;
        -i|--include-outbound-cidrs) include_cidrs=$value ;;
        -x|--exclude-outbound-cidrs) exclude_cidrs=$value ;;
        -o|--exclude-outbound-ports) exclude_outbound_ports=$value ;;
        -b|--include-inbound-ports) include_inbound_ports=$value ;;
        -d|--exclude-inbound-ports) exclude_inbound_ports=$value ;;
    esac
done

# Splits a comma list into the global array `items`, dropping blanks around the commas.
split_list() {
    local IFS=,
    local raw
    read -r -a raw <<<"$1" || true
    items=()
    local item
    for item in "${raw[@]+"${raw[@]}"}"; do
        item=${item//[[:space:]]/}
        [ -n "$item" ] && items+=("$item")
    done
    return 0
}

check_port() { # name value
    case $2 in
        ''|*[!0-9]*) die_usage "$1: '$2' is not a port number (1-65535)" ;;
    esac
    [ ${#2} -le 5 ] && [ $((10#$2)) -ge 1 ] && [ $((10#$2)) -le 65535 ] || die_usage "$1: '$2' is not a port number (1-65535)"
}

check_id_list() { # name value
    split_list "$2"
    [ ${#items[@]} -gt 0 ] || die_usage "$1: needs at least one id"
    local id
    for id in "${items[@]}"; do
        case $id in
            *[!0-9]*) die_usage "$1: '$id' is not a numeric id" ;;
        esac
        [ ${#id} -le 10 ] && [ $((10#$id)) -le 4294967294 ] || die_usage "$1: '$id' is out of range"
    done
}

check_port_list() { # name value wildcard-allowed
    [ "$2" = '*' ] && { [ "$3" = true ] || die_usage "$1: '*' is not allowed here"; return 0; }
    split_list "$2"
    local port
    for port in "${items[@]+"${items[@]}"}"; do
        check_port "$1" "$port"
    done
}

is_ipv4_cidr() {
    local address=${1%/*} prefix=32 octet
    [ "$address" != "$1" ] && prefix=${1#*/}
    case $prefix in ''|*[!0-9]*) return 1 ;; esac
    [ ${#prefix} -le 2 ] && [ $((10#$prefix)) -le 32 ] || return 1
    local IFS=.
    local -a octets
    read -r -a octets <<<"$address"
    [ ${#octets[@]} -eq 4 ] && [ "${address%.}" = "$address" ] || return 1
    for octet in "${octets[@]}"; do
        case $octet in ''|*[!0-9]*) return 1 ;; esac
        [ ${#octet} -le 3 ] && [ $((10#$octet)) -le 255 ] || return 1
    done
}

# A syntactic check; ip6tables-restore does the final one when the rules are applied.
is_ipv6_cidr() {
    local address=${1%/*} prefix=128
    [ "$address" != "$1" ] && prefix=${1#*/}
    case $prefix in ''|*[!0-9]*) return 1 ;; esac
    [ ${#prefix} -le 3 ] && [ $((10#$prefix)) -le 128 ] || return 1
    case $address in *:*) ;; *) return 1 ;; esac
    case $address in *[!0-9a-fA-F:.]*|*:::*|*::*::*) return 1 ;; esac
    return 0
}

# Sorts a CIDR list into cidrs4 and cidrs6, adding /32 or /128 to bare addresses.
split_cidrs() { # name value
    cidrs4=()
    cidrs6=()
    split_list "$2"
    local cidr
    for cidr in "${items[@]+"${items[@]}"}"; do
        if is_ipv4_cidr "$cidr"; then
            case $cidr in */*) ;; *) cidr=$cidr/32 ;; esac
            cidrs4+=("$cidr")
        elif is_ipv6_cidr "$cidr"; then
            case $cidr in */*) ;; *) cidr=$cidr/128 ;; esac
            cidrs6+=("$cidr")
        else
            die_usage "$1: '$cidr' is not an IPv4 or IPv6 CIDR"
        fi
    done
}

check_port --proxy-port "$proxy_port"
check_port --inbound-port "$inbound_port"
check_port --inbound-tunnel-port "$tunnel_port"
[ "$proxy_port" != "$inbound_port" ] || die_usage "--proxy-port and --inbound-port must differ (both $proxy_port)"
check_id_list --proxy-uid "$proxy_uids"
check_id_list --proxy-gid "$proxy_gids"
check_port_list --include-inbound-ports "$include_inbound_ports" true
check_port_list --exclude-inbound-ports "$exclude_inbound_ports" false
check_port_list --exclude-outbound-ports "$exclude_outbound_ports" false
case $ipv6 in
    auto|true|false) ;;
    *) die_usage "MESHPROXY_IPV6 must be auto, true or false, not '$ipv6'" ;;
esac
case $dry_run in
    true|false) ;;
    *) die_usage "MESHPROXY_DRY_RUN must be true or false, not '$dry_run'" ;;
esac

include_all_cidrs=false
include4=()
include6=()
if [ "$include_cidrs" = '*' ]; then
    include_all_cidrs=true
else
    split_cidrs --include-outbound-cidrs "$include_cidrs"
    include4=("${cidrs4[@]+"${cidrs4[@]}"}")
    include6=("${cidrs6[@]+"${cidrs6[@]}"}")
fi
split_cidrs --exclude-outbound-cidrs "$exclude_cidrs"
exclude4=("${cidrs4[@]+"${cidrs4[@]}"}")
exclude6=("${cidrs6[@]+"${cidrs6[@]}"}")

# --- IPv6 probe ---------------------------------------------------------------------------------------

# Why IPv6 capture is unavailable here, or nothing when it is available.
ipv6_unavailable_reason() {
    if [ ! -e /proc/net/if_inet6 ]; then
        echo "the kernel has no IPv6 (/proc/net/if_inet6 is missing)"
    elif [ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null || echo 1)" != 0 ]; then
        echo "IPv6 is disabled in this namespace (net.ipv6.conf.all.disable_ipv6 is not 0)"
    elif ! command -v "$IP6TABLES" >/dev/null 2>&1; then
        echo "$IP6TABLES is not installed"
    elif ! command -v ip >/dev/null 2>&1; then
        echo "ip (iproute2) is not installed"
    elif ! "$IP6TABLES" -t nat -S >/dev/null 2>&1; then
        echo "the ip6tables nat table is unavailable ($("$IP6TABLES" -t nat -S 2>&1 | head -n 1))"
    fi
}

if [ "$ipv6" = auto ]; then
    if [ -z "$(ipv6_unavailable_reason)" ]; then ipv6=true; else ipv6=false; fi
fi
if [ "$ipv6" = false ]; then
    for cidr in "${include6[@]+"${include6[@]}"}" "${exclude6[@]+"${exclude6[@]}"}"; do
        echo "$PROG: warning: ignoring IPv6 CIDR $cidr: IPv6 capture is off" >&2
    done
fi

# --- rules --------------------------------------------------------------------------------------------

# Prints the nat-table ruleset of one family in iptables-restore format; see README.md for each rule's reason.
emit_rules() { # family(4|6) add-lo6-marker(true|false)
    local family=$1 inbound_source loopback
    local -a include exclude
    if [ "$family" = 4 ]; then
        inbound_source=127.0.0.6/32
        loopback=127.0.0.1/32
        include=("${include4[@]+"${include4[@]}"}")
        exclude=("${exclude4[@]+"${exclude4[@]}"}")
    else
        inbound_source=::6/128
        loopback=::1/128
        include=("${include6[@]+"${include6[@]}"}")
        exclude=("${exclude6[@]+"${exclude6[@]}"}")
    fi
    # Istio keeps app-to-app loopback traffic through the proxy when an include range is a loopback address.
    local include_loopback=false cidr
    for cidr in "${include4[@]+"${include4[@]}"}"; do
        case $cidr in 127.*) include_loopback=true ;; esac
    done
    for cidr in "${include6[@]+"${include6[@]}"}"; do
        case $cidr in ::1/*) include_loopback=true ;; esac
    done

    echo "*nat"
    echo ":MESHPROXY_INBOUND - [0:0]"
    echo ":MESHPROXY_REDIRECT - [0:0]"
    echo ":MESHPROXY_IN_REDIRECT - [0:0]"
    echo ":MESHPROXY_OUTPUT - [0:0]"
    [ "$2" = true ] && echo ":$LO6_MARKER - [0:0]"
    echo "-A MESHPROXY_INBOUND -p tcp --dport $tunnel_port -j RETURN"
    echo "-A MESHPROXY_REDIRECT -p tcp -j REDIRECT --to-ports $proxy_port"
    echo "-A MESHPROXY_IN_REDIRECT -p tcp -j REDIRECT --to-ports $inbound_port"

    local port
    if [ "$include_inbound_ports" = '*' ]; then
        echo "-A PREROUTING -p tcp -j MESHPROXY_INBOUND"
        split_list "$exclude_inbound_ports"
        for port in "${items[@]+"${items[@]}"}"; do
            echo "-A MESHPROXY_INBOUND -p tcp --dport $port -j RETURN"
        done
        echo "-A MESHPROXY_INBOUND -p tcp -j MESHPROXY_IN_REDIRECT"
    else
        split_list "$include_inbound_ports"
        if [ ${#items[@]} -gt 0 ]; then
            echo "-A PREROUTING -p tcp -j MESHPROXY_INBOUND"
        fi
        for port in "${items[@]+"${items[@]}"}"; do
            echo "-A MESHPROXY_INBOUND -p tcp --dport $port -j MESHPROXY_IN_REDIRECT"
        done
    fi

    echo "-A OUTPUT -j MESHPROXY_OUTPUT"
    split_list "$exclude_outbound_ports"
    for port in "${items[@]+"${items[@]}"}"; do
        echo "-A MESHPROXY_OUTPUT -p tcp --dport $port -j RETURN"
        echo "-A MESHPROXY_OUTPUT -p udp --dport $port -j RETURN"
    done
    echo "-A MESHPROXY_OUTPUT -o lo -s $inbound_source -j RETURN"
    local owner id
    for owner in uid gid; do
        if [ $owner = uid ]; then split_list "$proxy_uids"; else split_list "$proxy_gids"; fi
        for id in "${items[@]}"; do
            echo "-A MESHPROXY_OUTPUT -o lo ! -d $loopback -p tcp ! --dport $tunnel_port -m owner --$owner-owner $id -j MESHPROXY_IN_REDIRECT"
            [ "$include_loopback" = true ] || echo "-A MESHPROXY_OUTPUT -o lo -m owner ! --$owner-owner $id -j RETURN"
            echo "-A MESHPROXY_OUTPUT -m owner --$owner-owner $id -j RETURN"
        done
    done
    echo "-A MESHPROXY_OUTPUT -d $loopback -j RETURN"
    for cidr in "${exclude[@]+"${exclude[@]}"}"; do
        echo "-A MESHPROXY_OUTPUT -d $cidr -j RETURN"
    done
    if [ "$include_all_cidrs" = true ]; then
        echo "-A MESHPROXY_OUTPUT -j MESHPROXY_REDIRECT"
    else
        for cidr in "${include[@]+"${include[@]}"}"; do
            echo "-A MESHPROXY_OUTPUT -d $cidr -j MESHPROXY_REDIRECT"
        done
    fi
    echo "COMMIT"
}

if [ "$dry_run" = true ]; then
    echo "# $IPTABLES-restore --noflush"
    emit_rules 4 false
    if [ "$ipv6" = true ]; then
        echo "# ip -6 addr add ::6/128 dev lo (when absent; then also :$LO6_MARKER, which records that)"
        echo "# $IP6TABLES-restore --noflush"
        emit_rules 6 false
    fi
    exit 0
fi

# --- apply --------------------------------------------------------------------------------------------

for tool in "$IPTABLES" "$IPTABLES-restore" "$IPTABLES-save"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
if [ "$ipv6" = true ]; then
    reason=$(ipv6_unavailable_reason)
    [ -z "$reason" ] || die "--ipv6: cannot capture IPv6 here: $reason"
    for tool in "$IP6TABLES-restore" "$IP6TABLES-save"; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
    done
fi
[ -x "$CLEANUP" ] || die "$CLEANUP is missing; it must sit next to this script"

# Start from a namespace without our rules, so that running twice gives the same rules.
IPTABLES=$IPTABLES IP6TABLES=$IP6TABLES "$CLEANUP" || die "removing the previous rules failed"

emit_rules 4 false | "$IPTABLES-restore" --noflush || die "$IPTABLES-restore rejected the IPv4 rules"
if [ "$ipv6" = true ]; then
    # Envoy-style proxies bind inbound passthrough connections to ::6 (Istio's InboundPassthroughBindIpv6).
    added_lo6=false
    if [ -z "$(ip -6 -o addr show dev lo to ::6/128)" ]; then
        ip -6 addr add ::6/128 dev lo || die "adding ::6/128 to lo failed"
        added_lo6=true
    fi
    if ! emit_rules 6 "$added_lo6" | "$IP6TABLES-restore" --noflush; then
        [ "$added_lo6" = false ] || ip -6 addr del ::6/128 dev lo || true
        IPTABLES=$IPTABLES IP6TABLES=$IP6TABLES "$CLEANUP" || true
        die "$IP6TABLES-restore rejected the IPv6 rules"
    fi
fi
echo "$PROG: capture installed: outbound -> $proxy_port, inbound -> $inbound_port, proxy uid $proxy_uids gid $proxy_gids, IPv6 $ipv6"
