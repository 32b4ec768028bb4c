using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns.Contenders;

/// <summary>
/// Two meshproxies in a row, as a call between two meshed pods: the client sidecar (an explicit HTTP listener →
/// cluster "server-sidecar") and the server sidecar (an inbound listener → the backend). Plaintext
/// (<c>meshproxy-2hop</c>) or mesh mTLS (<c>meshproxy-2hop-mtls</c>: the cluster has <c>tls: istioMutual</c> with the
/// server's SPIFFE ID, the listener <c>tls.mode: strict</c>, each proxy its SVID). Both processes run under one bash
/// parent (<see cref="ProcessGroup"/>), so CPU and RSS are the two sidecars together; each has its own log.
/// </summary>
internal sealed class TwoHopContender : Contender
{
    private readonly bool _mtls;

    public TwoHopContender(bool mtls) => _mtls = mtls;

    public override string Name => _mtls ? "meshproxy-2hop-mtls" : "meshproxy-2hop";

    public override string Describe(RunContext context) => _mtls
        ? $"client sidecar (cluster tls: istioMutual, serverIds [{Certificates.ServerId}]) → server sidecar (listener tls.mode: strict) → backend; SVIDs from meshproxy ca (ECDSA P-256); CPU and RSS are both processes"
        : "client sidecar → server sidecar → backend, plaintext between them; CPU and RSS are both processes";

    public override async Task StartAsync(RunContext context)
    {
        var certificates = _mtls ? await Certificates.ForAsync(context) : null;
        var dir = PrepareProxy(context, withTcp: false);
        var serverPort = Net.FreePort();
        var (clientAdmin, serverAdmin) = (Net.FreePort(), Net.FreePort());

        var server = MeshProxyConfig.Document(serverAdmin);
        var inbound = MeshProxyConfig.HttpListener("inbound", $"127.0.0.1:{serverPort}", "local");
        inbound["trafficDirection"] = "inbound";
        MeshProxyConfig.Listeners(server).Add(inbound);
        MeshProxyConfig.RouteTables(server).Add(MeshProxyConfig.RouteTable("local", "backend"));
        MeshProxyConfig.Clusters(server).Add(MeshProxyConfig.Cluster("backend", $"127.0.0.1:{context.Backend.Port}"));

        var client = MeshProxyConfig.Document(clientAdmin);
        MeshProxyConfig.Listeners(client).Add(MeshProxyConfig.HttpListener("outbound", $"127.0.0.1:{HttpPort}", "outbound"));
        MeshProxyConfig.RouteTables(client).Add(MeshProxyConfig.RouteTable("outbound", "server-sidecar"));
        var upstream = MeshProxyConfig.Cluster("server-sidecar", $"127.0.0.1:{serverPort}");
        MeshProxyConfig.Clusters(client).Add(upstream);

        if (certificates is not null)
        {
            server["identity"] = MeshProxyConfig.Identity(certificates.Server);
            inbound["tls"] = new Dictionary<string, object?> { ["mode"] = "strict" };
            client["identity"] = MeshProxyConfig.Identity(certificates.Client);
            upstream["tls"] = new Dictionary<string, object?> { ["mode"] = "istioMutual", ["serverIds"] = new[] { Certificates.ServerId } };
        }

        var binary = context.Options.MeshProxyPath;
        var serverConfig = await MeshProxyConfig.WriteAsync(Path.Combine(dir, "server-sidecar.yaml"), server);
        var clientConfig = await MeshProxyConfig.WriteAsync(Path.Combine(dir, "client-sidecar.yaml"), client);
        Process = ProcessGroup.Start(Name, dir,
        [
            (MeshProxyProcess.Command(binary, serverConfig), Path.Combine(dir, "server-sidecar.log")),
            (MeshProxyProcess.Command(binary, clientConfig), Path.Combine(dir, "client-sidecar.log")),
        ], context.Cpus.Proxy);
        await MeshProxyProcess.WaitReadyAsync(serverAdmin, Process);
        await MeshProxyProcess.WaitReadyAsync(clientAdmin, Process);
        await Net.WaitForHttpAsync(HttpUrl, Process, TimeSpan.FromSeconds(20));
    }
}
