using MeshProxy.Configuration;
using Xunit;
using static MeshProxy.Tests.Configuration.LoadBalancerConfigReaderTests;

namespace MeshProxy.Tests.Configuration;

/// <summary>The identity, tls and authorization sections: what is read, and every error with its path.</summary>
public sealed class SecurityConfigTests
{
    private const string Identity = """
        identity:
          files: { certificateChain: /etc/certs/svid.pem, privateKey: /etc/certs/key.pem, bundle: /etc/certs/bundle.pem }
        """;

    [Fact]
    public void Read_TlsModesUpstreamTlsAndPolicies()
    {
        var config = Load(Identity + """

            listeners:
              - name: inbound
                address: 0.0.0.0:15006
                tls: { mode: permissive }
                filterChains:
                  - name: db
                    match: { destinationPort: 5432 }
                    tls: { mode: strict }
                    tcp: { cluster: db }
                tcp: { cluster: db }
            clusters:
              - name: db
                tls:
                  serverIds: ["spiffe://cluster.local/ns/data/sa/postgres"]
                  trustDomains: [other.org]
                  sni: outbound_.5432_._.db.data.svc.cluster.local
            authorization:
              - name: deny-writes
                action: deny
                rules:
                  - from: [ { notNamespaces: [data] } ]
                    to: [ { ports: [5432], methods: [POST] } ]
            """);

        Assert.Equal(DownstreamTlsMode.Permissive, config.Listeners[0].Tls.Mode);
        Assert.Equal(DownstreamTlsMode.Strict, config.Listeners[0].FilterChains[0].Tls!.Mode);
        var tls = config.Clusters[0].Tls!;
        Assert.Equal(UpstreamTlsMode.IstioMutual, tls.Mode);
        Assert.Equal(["spiffe://cluster.local/ns/data/sa/postgres"], tls.ServerIds);
        Assert.Equal(["other.org"], tls.TrustDomains);
        Assert.Equal("outbound_.5432_._.db.data.svc.cluster.local", tls.Sni);
        var policy = config.Authorization.Single();
        Assert.Equal(AuthorizationAction.Deny, policy.Action);
        Assert.Equal(["data"], policy.Rules[0].From[0].NotNamespaces);
        Assert.Equal([5432], policy.Rules[0].To[0].Ports);
        Assert.Equal("/etc/certs/svid.pem", config.Identity.Files!.CertificateChain);
    }

    [Theory]
    [InlineData("listeners: [ { name: in, address: 127.0.0.1:1, tls: { mode: strict }, tcp: { cluster: c } } ]\nclusters: [ { name: c } ]",
        "listeners[0].tls", "mTLS needs this proxy's identity")]
    [InlineData("clusters: [ { name: c, tls: { mode: istioMutual } } ]", "clusters[0].tls", "mTLS needs this proxy's identity")]
    [InlineData(Identity + "\nclusters: [ { name: c, tls: { serverIds: [\"https://x/y\"] } } ]", "clusters[0].tls.serverIds[0]", "is not a SPIFFE ID")]
    [InlineData(Identity + "\nclusters: [ { name: c, tls: { trustDomains: [\"Bad_Domain\"] } } ]", "clusters[0].tls.trustDomains[0]", "is not a trust domain name")]
    [InlineData(Identity + "\nclusters: [ { name: c, tls: { mode: mutual } } ]", "clusters[0].tls.mode", "istioMutual")]
    [InlineData(Identity + "\nlisteners: [ { name: in, address: 127.0.0.1:1, tls: { mode: required }, tcp: { cluster: c } } ]\nclusters: [ { name: c } ]",
        "listeners[0].tls.mode", "permissive")]
    [InlineData("identity: { files: { certificateChain: a, privateKey: b, bundle: c }, workloadApi: {} }\nclusters: []", "identity", "not both")]
    [InlineData("identity: { files: { certificateChain: a, bundle: c } }\nclusters: []", "identity.files.privateKey", "required")]
    [InlineData("authorization: [ { name: a }, { name: a } ]\nclusters: []", "authorization[1].name", "used twice")]
    [InlineData("authorization: [ { name: a, action: audit } ]\nclusters: []", "authorization[0].action", "allow")]
    [InlineData("authorization: [ { name: a, rules: [ { to: [ { ports: [70000] } ] } ] } ]\nclusters: []", "authorization[0].rules[0].to[0].ports[0]", "not a port")]
    [InlineData("authorization: [ { name: a, rules: [ { from: [ { principal: [x] } ] } ] } ]\nclusters: []", "authorization[0].rules[0].from[0].principal", "principals")]
    public void Invalid_ReportsPathAndReason(string yaml, string path, string reason)
    {
        var errors = Errors(yaml);

        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(reason, StringComparison.Ordinal));
    }
}
