using MeshProxy.LoadRuns.Infrastructure;
using MeshProxy.LoadRuns.Scenarios;

namespace MeshProxy.LoadRuns.Contenders;

/// <summary>
/// HAProxy terminating mTLS, the reference for handshakes per second: the server SVID as its certificate, a client
/// certificate required and verified against the bundle (<c>verify required ca-file</c>; HAProxy checks the chain,
/// not the SPIFFE ID), mode http to the backend. Session resumption is at HAProxy's default (on: a session cache and
/// TLS 1.3 tickets), so <c>handshake-reuse</c> shows what resumption saves.
/// </summary>
internal sealed class HaproxyTlsContender : Contender, ITlsTarget
{
    public override string Name => "haproxy-tls";

    public override bool ServesHttp => false;

    public int TlsPort => HttpPort;

    public override string Describe(RunContext context) =>
        "haproxy nbthread 2, bind ssl crt <server SVID + key> verify required ca-file <bundle>, mode http → backend, session resumption at its default (on), no log";

    public override async Task StartAsync(RunContext context)
    {
        var certificates = await Certificates.ForAsync(context);
        var dir = PrepareProxy(context, withTcp: false);
        var config = Path.Combine(dir, "haproxy.cfg");
        await File.WriteAllTextAsync(config, HaproxyContender.Common(dir) + $$"""
            frontend tls_in
                bind 127.0.0.1:{{HttpPort}} ssl crt {{certificates.ServerPemWithKey}} verify required ca-file {{Path.Combine(certificates.Server, "bundle.pem")}}
                option forwardfor
                http-request set-header X-Forwarded-Proto https
                default_backend backend_http

            backend backend_http
                server backend 127.0.0.1:{{context.Backend.Port}}

            """);
        Process = ManagedProcess.Start(Name, HaproxyContender.Executable, ["-f", config, "-db"], Path.Combine(dir, "haproxy.log"), context.Cpus.Proxy);
        await Net.WaitForTcpAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, HttpPort), TimeSpan.FromSeconds(20));
    }

    public override Task WarmUpAsync(RunContext context, string logName) => HandshakeScenario.WarmUpAsync(this, context, logName);
}
