using System.Net;
using MeshProxy.TestSupport;
using MeshProxy.TestSupport.Namespaces;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// A pod as Kubernetes would run it, in namespaces: the capture rules installed by iptables/meshproxy-iptables.sh,
/// the real meshproxy as uid 1337 in the pod namespace, recording servers for the app (in the pod) and for the
/// services it calls (in the remote namespace). The rules exclude one outbound CIDR (the remote's second address),
/// one outbound port and one inbound port, so bypasses can be tested against the same proxy.
/// </summary>
public sealed class CapturedPod : IAsyncDisposable
{
    /// <summary>The application's uid: anything but the proxy's 1337.</summary>
    public const int AppUid = 1000;

    /// <summary>HTTP on the remote (both addresses); captured.</summary>
    public const int RemoteHttpPort = 8080;

    /// <summary>Echo on the remote; captured.</summary>
    public const int RemoteEchoPort = 9000;

    /// <summary>HTTP on the remote; excluded from capture with -o.</summary>
    public const int ExcludedOutboundPort = 9091;

    /// <summary>The app's HTTP port in the pod; captured inbound.</summary>
    public const int AppPort = 8080;

    /// <summary>A second app HTTP port; excluded from inbound capture with -d.</summary>
    public const int ExcludedInboundPort = 8081;

    /// <summary>Istio's inbound passthrough source addresses: the proxy connects to the app from these.</summary>
    public static readonly IPAddress InboundPassthroughSourceIPv4 = IPAddress.Parse("127.0.0.6");

    public static readonly IPAddress InboundPassthroughSourceIPv6 = IPAddress.Parse("::6");

    private readonly List<IAsyncDisposable> _owned = [];

    private CapturedPod(PodNetwork network) => Network = network;

    public PodNetwork Network { get; }

    public NetworkNamespace PodNs => Network.Pod;

    public NetworkNamespace RemoteNs => Network.Remote;

    public RecordingHttpServer RemoteHttp { get; private set; } = null!;

    public RecordingHttpServer RemoteExcludedPortHttp { get; private set; } = null!;

    public RecordingEchoServer RemoteEcho { get; private set; } = null!;

    public RecordingHttpServer AppHttp { get; private set; } = null!;

    public RecordingHttpServer AppExcludedPortHttp { get; private set; } = null!;

    public NamespacedProxy Proxy { get; private set; } = null!;

    /// <summary>The install script's arguments, for failure messages.</summary>
    public IReadOnlyList<string> InstallArguments { get; private set; } = [];

    /// <summary>The built-in sidecar config (src/MeshProxy.Core/Configuration/Defaults/sidecar.yaml), as shipped.</summary>
    public static string BuiltInSidecarConfig() =>
        File.ReadAllText(RepositoryPaths.Combine("src", "MeshProxy.Core", "Configuration", "Defaults", "sidecar.yaml"));

    /// <summary>
    /// Starts everything; on failure, whatever started is torn down before the exception propagates.
    /// <paramref name="configFor"/> gives the proxy config; <paramref name="extraInstallArguments"/> go after ours.
    /// </summary>
    public static async Task<CapturedPod> StartAsync(Func<PodNetwork, string> configFor, IEnumerable<string>? extraInstallArguments = null)
    {
        var network = await PodNetwork.CreateAsync();
        var pod = new CapturedPod(network);
        try
        {
            await pod.StartPartsAsync(configFor(network), extraInstallArguments ?? []);
            return pod;
        }
        catch
        {
            await pod.DisposeAsync();
            throw;
        }
    }

    /// <summary>The proxy's /stats counter, e.g. "cluster.PassthroughCluster.upstream_rq_total".</summary>
    public async Task<long> StatAsync(string name) => (await Proxy.GetStatsAsync())[name];

    /// <summary>Everything that helps explain a failure: the rules, the proxy's log and what each server saw.</summary>
    public async Task<string> DescribeAsync() =>
        $"install arguments: {string.Join(' ', InstallArguments)}\n{await CaptureScripts.SnapshotAsync(PodNs)}\n"
        + $"remote http: {string.Join("; ", RemoteHttp.Records)}\nremote echo: {string.Join("; ", RemoteEcho.Records)}\n"
        + $"app http: {string.Join("; ", AppHttp.Records)}\nproxy log:\n{Proxy.Log}";

    public async ValueTask DisposeAsync()
    {
        // Processes and sockets first: they keep the namespaces alive.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
        await Network.DisposeAsync();
    }

    private async Task StartPartsAsync(string config, IEnumerable<string> extraInstallArguments)
    {
        var any = Network.AnyAddress;
        RemoteHttp = Own(RecordingHttpServer.Start(RemoteNs, new IPEndPoint(any, RemoteHttpPort), "remote"));
        RemoteExcludedPortHttp = Own(RecordingHttpServer.Start(RemoteNs, new IPEndPoint(any, ExcludedOutboundPort), "remote-excluded-port"));
        RemoteEcho = Own(RecordingEchoServer.Start(RemoteNs, new IPEndPoint(any, RemoteEchoPort)));
        AppHttp = Own(RecordingHttpServer.Start(PodNs, new IPEndPoint(any, AppPort), "app"));
        AppExcludedPortHttp = Own(RecordingHttpServer.Start(PodNs, new IPEndPoint(any, ExcludedInboundPort), "app-excluded-port"));

        var excludedCidrs = Network.Ipv6.Available ? $"{Network.RemoteSecondIPv4}/32,{Network.RemoteSecondIPv6}/128" : $"{Network.RemoteSecondIPv4}/32";
        InstallArguments =
        [
            Network.Ipv6.Available ? "--ipv6" : "--no-ipv6",
            "-x", excludedCidrs,
            "-o", $"{ExcludedOutboundPort}",
            "-d", $"15090,15021,15020,{ExcludedInboundPort}",
            .. extraInstallArguments,
        ];
        var install = await CaptureScripts.InstallAsync(PodNs, InstallArguments);
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"meshproxy-iptables.sh failed in {PodNs.Name}: {install}");
        }
        Proxy = Own(await NamespacedProxy.StartAsync(PodNs, config));
    }

    private T Own<T>(T part) where T : IAsyncDisposable
    {
        _owned.Add(part);
        return part;
    }
}
