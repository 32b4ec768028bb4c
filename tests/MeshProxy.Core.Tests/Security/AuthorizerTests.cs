using MeshProxy.Security.Authorization;
using MeshProxy.Tests.Configuration;
using Xunit;

namespace MeshProxy.Tests.Security;

/// <summary>Istio's AuthorizationPolicy semantics, decision by decision, from YAML policies.</summary>
public sealed class AuthorizerTests
{
    private const string Web = "spiffe://cluster.local/ns/default/sa/web";
    private const string Billing = "spiffe://cluster.local/ns/billing/sa/api";
    private const string Federated = "spiffe://other.org/ns/default/sa/web";

    private static Authorizer Compile(string policies)
        => new(LoadBalancerConfigReaderTests.Load("clusters: []\nauthorization:\n" + policies).Authorization);

    private static AuthorizationDecision Http(Authorizer authorizer, string? peer, string method = "GET", string path = "/", int port = 8080)
        => authorizer.Authorize(new AuthorizationRequest(peer, port, method, path));

    private static AuthorizationDecision Tcp(Authorizer authorizer, string? peer, int port = 8080)
        => authorizer.Authorize(new AuthorizationRequest(peer, port, Method: null, Path: null));

    [Fact]
    public void NoPolicies_AllowsEverything()
    {
        var authorizer = Compile("  []\n");

        Assert.True(authorizer.IsEmpty);
        Assert.True(Http(authorizer, peer: null).IsAllowed);
    }

    [Theory]
    [InlineData("cluster.local/ns/default/sa/web", Web, true)]
    [InlineData("cluster.local/ns/default/sa/web", Billing, false)]
    [InlineData("cluster.local/ns/default/*", Web, true)]
    [InlineData("cluster.local/ns/default/*", Billing, false)]
    [InlineData("*/sa/web", Web, true)]
    [InlineData("*/sa/web", Federated, true)]
    [InlineData("*/sa/web", Billing, false)]
    [InlineData("cluster.local/*", Billing, true)]
    [InlineData("cluster.local/*", Federated, false)]
    [InlineData("*", Web, true)]
    [InlineData("*", null, false)]
    [InlineData("cluster.local/ns/default/sa/web", null, false)]
    public void AllowByPrincipal_ExactPrefixSuffixTrustDomainAndPresence(string pattern, string? peer, bool allowed)
    {
        var authorizer = Compile($$"""
              - name: p
                rules:
                  - from: [ { principals: ["{{pattern}}"] } ]
            """);

        var decision = Http(authorizer, peer);

        Assert.Equal(allowed, decision.IsAllowed);
        Assert.Equal(allowed ? "p" : null, decision.Policy);
    }

    [Theory]
    [InlineData(Web, true)]
    [InlineData(Billing, false)]
    [InlineData(null, false)]
    public void AllowByNamespace_UsesTheNsSegmentOfTheIdentity(string? peer, bool allowed)
    {
        var authorizer = Compile("""
              - name: same-namespace
                rules:
                  - from: [ { namespaces: ["default"] } ]
            """);

        Assert.Equal(allowed, Http(authorizer, peer).IsAllowed);
    }

    [Fact]
    public void NotPrincipals_ExcludeAndAPeerWithoutIdentityPassesThem()
    {
        var authorizer = Compile("""
              - name: all-but-billing
                rules:
                  - from: [ { notPrincipals: ["cluster.local/ns/billing/*"] } ]
            """);

        Assert.True(Http(authorizer, Web).IsAllowed);
        Assert.False(Http(authorizer, Billing).IsAllowed);
        Assert.True(Http(authorizer, peer: null).IsAllowed);
    }

    [Fact]
    public void DenyIsEvaluatedFirstAndWinsOverAllow()
    {
        var authorizer = Compile("""
              - name: allow-all-web
                rules:
                  - from: [ { principals: ["cluster.local/ns/default/sa/web"] } ]
              - name: no-admin
                action: deny
                rules:
                  - to: [ { paths: ["/admin/*"] } ]
            """);

        Assert.True(Http(authorizer, Web, path: "/api").IsAllowed);
        var denied = Http(authorizer, Web, path: "/admin/users");
        Assert.False(denied.IsAllowed);
        Assert.Equal("no-admin", denied.Policy);
        Assert.Equal("rbac_access_denied_matched_policy[no-admin]", denied.DeniedDetails);
    }

    [Fact]
    public void OnlyDenyPolicies_EverythingElseIsAllowed()
    {
        var authorizer = Compile("""
              - name: no-deletes
                action: deny
                rules:
                  - to: [ { methods: ["DELETE"] } ]
            """);

        Assert.True(Http(authorizer, peer: null, method: "GET").IsAllowed);
        Assert.False(Http(authorizer, peer: null, method: "DELETE").IsAllowed);
    }

    [Fact]
    public void AllowPolicyWithoutRules_MatchesNothing_SoEverythingIsDenied()
    {
        var authorizer = Compile("""
              - name: allow-nothing
            """);

        var decision = Http(authorizer, Web);

        Assert.False(decision.IsAllowed);
        Assert.Equal("rbac_access_denied_matched_policy[none]", decision.DeniedDetails);
    }

    [Theory]
    [InlineData("GET", "/api/users?id=1", 8080, true)]
    [InlineData("GET", "/api", 8080, false)]
    [InlineData("POST", "/api/users", 8080, false)]
    [InlineData("GET", "/api/users", 9090, false)]
    [InlineData("GET", "/api/internal/x", 8080, false)]
    [InlineData("GET", "/logo.png", 8080, true)]
    public void Operations_PortsMethodsPathsAndTheirNegations(string method, string path, int port, bool allowed)
    {
        var authorizer = Compile("""
              - name: reads
                rules:
                  - to:
                      - ports: [8080]
                        methods: ["GET", "HEAD"]
                        paths: ["/api/*", "*.png"]
                        notPaths: ["/api/internal/*"]
            """);

        Assert.Equal(allowed, Http(authorizer, Web, method, path, port).IsAllowed);
    }

    [Fact]
    public void Tcp_AllowRuleWithHttpFieldsNeverMatches_PortOnlyRuleDoes()
    {
        var authorizer = Compile("""
              - name: http-only
                rules:
                  - to: [ { methods: ["GET"] } ]
              - name: tcp-port
                rules:
                  - to: [ { ports: [5432] } ]
            """);

        Assert.False(Tcp(authorizer, Web, port: 8080).IsAllowed);
        Assert.True(Tcp(authorizer, Web, port: 5432).IsAllowed);
    }

    [Fact]
    public void Tcp_DenyRuleIgnoresItsHttpFields_SoItDeniesMore()
    {
        var authorizer = Compile("""
              - name: no-billing-writes
                action: deny
                rules:
                  - from: [ { namespaces: ["billing"] } ]
                    to: [ { methods: ["POST"] } ]
            """);

        Assert.False(Tcp(authorizer, Billing).IsAllowed);
        Assert.True(Tcp(authorizer, Web).IsAllowed);
        Assert.True(Http(authorizer, Billing, method: "GET").IsAllowed);
    }

    [Fact]
    public void RuleNeedsAMatchingSourceAndAMatchingOperation()
    {
        var authorizer = Compile("""
              - name: web-reads
                rules:
                  - from: [ { principals: ["cluster.local/ns/default/sa/web"] }, { namespaces: ["billing"] } ]
                    to: [ { methods: ["GET"] } ]
            """);

        Assert.True(Http(authorizer, Web, method: "GET").IsAllowed);
        Assert.True(Http(authorizer, Billing, method: "GET").IsAllowed);
        Assert.False(Http(authorizer, Web, method: "PUT").IsAllowed);
        Assert.False(Http(authorizer, Federated, method: "GET").IsAllowed);
    }
}
