using System.Net.Sockets;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests.Security;

/// <summary>
/// Inbound authorization by peer identity, port, method and path: DENY before ALLOW, default deny once an ALLOW
/// policy exists, 403 "RBAC: access denied" for HTTP, a closed connection for TCP, and every decision counted.
/// </summary>
public sealed class AuthorizationTests(MeshCertificates certificates) : IClassFixture<MeshCertificates>
{
    private const string Policies = """
        authorization:
          - name: client-reads
            action: allow
            rules:
              - from:
                  - principals: ["cluster.local/ns/default/sa/client"]
                to:
                  - methods: ["GET"]
                    paths: ["/echo*", "/status/*"]
          - name: no-errors
            action: deny
            rules:
              - to:
                  - paths: ["/status/500"]
        """;

    [Fact]
    public async Task Http_AllowedDeniedByDenyAndDeniedByDefault()
    {
        await using var mesh = await MeshHop.StartAsync(certificates, authorization: Policies);
        var url = mesh.Client.ListenerUri("outbound").ToString().TrimEnd('/');

        var allowed = await Curl.RunAsync("-w", "\n%{http_code}", url + "/echo?x=1");
        var denyPolicy = await Curl.RunAsync("-w", "\n%{http_code}", url + "/status/500");
        var noAllow = await Curl.RunAsync("-w", "\n%{http_code}", "-X", "POST", "-d", "x", url + "/echo");

        Assert.True(allowed.StandardOutput.TrimEnd().EndsWith("\n200", StringComparison.Ordinal), allowed + mesh.Logs);
        Assert.Equal("RBAC: access denied\n403", denyPolicy.StandardOutput.TrimEnd());
        Assert.Equal("RBAC: access denied\n403", noAllow.StandardOutput.TrimEnd());
        Assert.Single(mesh.Backend.Requests);
        Assert.Equal(1, await AdminStats.WaitForAsync(mesh.Server, "listener.inbound.rbac.allowed", expected: 1));
        Assert.Equal(2, await AdminStats.WaitForAsync(mesh.Server, "listener.inbound.rbac.denied", expected: 2));
    }

    [Fact]
    public async Task Http_CallerWithAnotherIdentity_IsDenied()
    {
        await using var mesh = await MeshHop.StartAsync(certificates, authorization: Policies.Replace("sa/client", "sa/frontend", StringComparison.Ordinal));

        var result = await Curl.RunAsync("-w", "\n%{http_code}", mesh.Client.ListenerUri("outbound", "/echo").ToString());

        Assert.Equal("RBAC: access denied\n403", result.StandardOutput.TrimEnd());
        Assert.Empty(mesh.Backend.Requests);
    }

    [Fact]
    public async Task Tcp_AllowRulesWithHttpFieldsNeverMatch_ConnectionIsClosedAndCounted()
    {
        await using var mesh = await MeshHop.StartAsync(certificates, authorization: Policies);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(mesh.Client.Listener("outbound"), TestContext.Current.CancellationToken);

        await tcp.Client.SendAsync(new byte[] { 0x01, 0x02, 0x03 }, TestContext.Current.CancellationToken);
        var buffer = new byte[16];
        var read = await tcp.Client.ReceiveAsync(buffer, TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.Equal(0, read);
        Assert.Equal(0, mesh.Echo.Connections);
        Assert.Equal(1, await AdminStats.WaitForAsync(mesh.Server, "listener.inbound.rbac.denied", expected: 1));
    }

    [Fact]
    public async Task Tcp_AllowedByPortAndPrincipal_Relays()
    {
        var policies = $$"""
            authorization:
              - name: client-tcp
                rules:
                  - from: [ { principals: ["cluster.local/ns/default/*"], notPrincipals: ["*/sa/intruder"] } ]
            """;
        await using var mesh = await MeshHop.StartAsync(certificates, authorization: policies);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(mesh.Client.Listener("outbound"), TestContext.Current.CancellationToken);

        await tcp.Client.SendAsync(new byte[] { 0x01, 0x02, 0x03 }, TestContext.Current.CancellationToken);
        var buffer = new byte[16];
        var read = await tcp.Client.ReceiveAsync(buffer, TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.True(read == 3, mesh.Logs);
        Assert.Equal(1, await AdminStats.WaitForAsync(mesh.Server, "listener.inbound.rbac.allowed", expected: 1));
    }

    [Fact]
    public async Task AccessLog_RecordsWhichPolicyDenied()
    {
        using var directory = new TempDirectory();
        var log = Path.Combine(directory.Path, "access.log");
        var telemetry = $$"""
            telemetry:
              accessLog: { enabled: true, path: {{log}}, format: json }
            """;
        await using var mesh = await MeshHop.StartAsync(certificates, authorization: Policies + "\n" + telemetry);

        await Curl.RunAsync(mesh.Client.ListenerUri("outbound", "/status/500").ToString());

        var line = await WaitForLineAsync(log);
        Assert.Contains("\"response_code\":403", line, StringComparison.Ordinal);
        Assert.Contains("\"response_code_details\":\"rbac_access_denied_matched_policy[no-errors]\"", line, StringComparison.Ordinal);
        Assert.Contains($"\"downstream_peer_principal\":\"{certificates.ClientId}\"", line, StringComparison.Ordinal);
    }

    private static async Task<string> WaitForLineAsync(string path)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (File.Exists(path) && (await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries) is [var first, ..])
            {
                return first;
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"{path} got no line");
    }
}
