using MeshProxy.LoadRuns.Infrastructure;
using MeshProxy.LoadRuns.Scenarios;

namespace MeshProxy.LoadRuns.Contenders;

/// <summary>
/// A server sidecar alone, for handshakes per second: meshproxy with the run's server SVID and one listener in
/// STRICT mode (every connection must be mesh mTLS with a client SVID) routing to the backend. It takes no plaintext,
/// so only the handshake scenarios apply to it.
/// </summary>
internal sealed class StrictMeshProxyContender : Contender, ITlsTarget
{
    public override string Name => "meshproxy-strict";

    public override bool ServesHttp => false;

    public int TlsPort => HttpPort;

    public override string Describe(RunContext context) =>
        $"{context.Options.MeshProxyPath} run --log-level Warning; identity {Certificates.ServerId} (ECDSA P-256, from meshproxy ca); listener tls.mode strict → route * → backend";

    public override async Task StartAsync(RunContext context)
    {
        var certificates = await Certificates.ForAsync(context);
        var dir = PrepareProxy(context, withTcp: false);
        var adminPort = Net.FreePort();
        var document = MeshProxyConfig.Document(adminPort);
        document["identity"] = MeshProxyConfig.Identity(certificates.Server);
        var listener = MeshProxyConfig.HttpListener("inbound", $"127.0.0.1:{HttpPort}", "local");
        listener["trafficDirection"] = "inbound";
        listener["tls"] = new Dictionary<string, object?> { ["mode"] = "strict" };
        MeshProxyConfig.Listeners(document).Add(listener);
        MeshProxyConfig.RouteTables(document).Add(MeshProxyConfig.RouteTable("local", "backend"));
        MeshProxyConfig.Clusters(document).Add(MeshProxyConfig.Cluster("backend", $"127.0.0.1:{context.Backend.Port}"));
        var config = await MeshProxyConfig.WriteAsync(Path.Combine(dir, "meshproxy.yaml"), document);
        Process = MeshProxyProcess.Start(Name, context.Options.MeshProxyPath, config, Path.Combine(dir, "meshproxy.log"), context.Cpus.Proxy);
        await MeshProxyProcess.WaitReadyAsync(adminPort, Process);
    }

    public override Task WarmUpAsync(RunContext context, string logName) => HandshakeScenario.WarmUpAsync(this, context, logName);
}
