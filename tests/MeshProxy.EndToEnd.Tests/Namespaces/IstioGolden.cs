namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// Istio's capture rules (istio-iptables REDIRECT mode) with meshproxy's chain names, as iptables-restore input:
/// tools/istio-iptables/pkg/capture/testdata/inbound-ports-wildcard.golden for the chains, and the rules run.go
/// writes for the injected istio-init arguments (-p 15001 -z 15006 -u 1337 -i '*' -b '*' -d 15090,15021,15020).
/// </summary>
internal static class IstioGolden
{
    public const string Chains = """
        *nat
        :MESHPROXY_INBOUND - [0:0]
        :MESHPROXY_REDIRECT - [0:0]
        :MESHPROXY_IN_REDIRECT - [0:0]
        :MESHPROXY_OUTPUT - [0:0]
        -A MESHPROXY_INBOUND -p tcp --dport 15008 -j RETURN
        -A MESHPROXY_REDIRECT -p tcp -j REDIRECT --to-ports 15001
        -A MESHPROXY_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006

        """;

    /// <summary>The default sidecar's rules for one address family (IPv6: ::6/128 and ::1/128, as ipv6-ipnets.golden).</summary>
    public static string DefaultRules(string inboundSource, string loopback) => Chains + $"""
        -A PREROUTING -p tcp -j MESHPROXY_INBOUND
        -A MESHPROXY_INBOUND -p tcp --dport 15090 -j RETURN
        -A MESHPROXY_INBOUND -p tcp --dport 15021 -j RETURN
        -A MESHPROXY_INBOUND -p tcp --dport 15020 -j RETURN
        -A MESHPROXY_INBOUND -p tcp -j MESHPROXY_IN_REDIRECT
        -A OUTPUT -j MESHPROXY_OUTPUT
        -A MESHPROXY_OUTPUT -o lo -s {inboundSource} -j RETURN
        -A MESHPROXY_OUTPUT -o lo ! -d {loopback} -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j MESHPROXY_IN_REDIRECT
        -A MESHPROXY_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN
        -A MESHPROXY_OUTPUT -m owner --uid-owner 1337 -j RETURN
        -A MESHPROXY_OUTPUT -o lo ! -d {loopback} -p tcp ! --dport 15008 -m owner --gid-owner 1337 -j MESHPROXY_IN_REDIRECT
        -A MESHPROXY_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN
        -A MESHPROXY_OUTPUT -m owner --gid-owner 1337 -j RETURN
        -A MESHPROXY_OUTPUT -d {loopback} -j RETURN
        -A MESHPROXY_OUTPUT -j MESHPROXY_REDIRECT
        COMMIT

        """;
}
