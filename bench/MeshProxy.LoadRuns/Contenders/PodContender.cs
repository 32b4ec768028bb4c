using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns.Contenders;

/// <summary>
/// The captured path, in a pod made of network namespaces (<see cref="PodNetwork"/>): the backend is nginx on the
/// remote side (10.232.N.2:8080, over the veth pair), the capture rules of iptables/meshproxy-iptables.sh are
/// installed in the pod (outbound only: <c>-b ''</c>; uid 1337 excluded), meshproxy runs in the pod as uid 1337, and
/// the load generators run in the pod as root, as the app would. One config for both meshproxy contenders: an
/// explicit listener on 127.0.0.1 (loopback is never captured) and the outbound capture listener on 15001 with a
/// filter chain for the backend's address and port, both → route * → cluster backend.
/// <list type="bullet">
/// <item><c>meshproxy-pod-captured</c>: the client calls 10.232.N.2:8080; iptables REDIRECTs it to 15001
/// (SO_ORIGINAL_DST, filter-chain match).</item>
/// <item><c>meshproxy-pod-explicit</c>: the client calls the explicit listener; the same process and rules, no redirect.</item>
/// <item><c>pod-direct</c>: no proxy: the client runs as uid 1337 (not captured) and calls the backend over the veth.</item>
/// </list>
/// </summary>
internal sealed class PodContender : Contender
{
    public const int BackendPort = 8080;
    public const int CapturePort = 15001;

    private readonly string _kind;
    private PodNetwork? _network;
    private ManagedProcess? _backend;
    private int _adminPort;

    /// <param name="kind">captured, explicit or direct.</param>
    public PodContender(string kind) => _kind = kind;

    public override string Name => _kind == "direct" ? "pod-direct" : $"meshproxy-pod-{_kind}";

    public override string HttpUrl => _kind == "explicit" ? base.HttpUrl : $"http://{_network!.RemoteIp}:{BackendPort}/";

    public override IReadOnlyList<string> ClientPrefix => PodNetwork.In(_network!.Pod, asProxyUser: _kind == "direct");

    public override string Describe(RunContext context) => _kind switch
    {
        "captured" => $"pod namespace with meshproxy-iptables.sh (outbound capture → {CapturePort}); client → 10.232.N.2:{BackendPort}, REDIRECTed to the capture listener (filter chain on the destination) → route * → nginx in the remote namespace",
        "explicit" => "the same pod, rules and config; client → the explicit listener on 127.0.0.1 → route * → nginx in the remote namespace",
        _ => $"the same pod and rules, no proxy: client as uid {PodNetwork.ProxyUid} (not captured) → nginx in the remote namespace",
    };

    public override async Task StartAsync(RunContext context)
    {
        var dir = PrepareProxy(context, withTcp: false);
        // pod-direct's load generators run as uid 1337 and h2load writes its request log there.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(context.DirectoryFor("tools"), (UnixFileMode)Convert.ToInt32("1777", 8));
        }
        _network = await PodNetwork.CreateAsync();
        var backendAddress = $"{_network.RemoteIp}:{BackendPort}";
        var nginxConfig = Path.Combine(dir, "backend-nginx.conf");
        await File.WriteAllTextAsync(nginxConfig, Nginx.Config(dir, $$"""
            http {
            {{Nginx.HttpCommon(dir)}}
                server {
                    listen {{backendAddress}} backlog=4096;
                    location = / {
                        default_type text/plain;
                        return 200 "ok";
                    }
                }
            }
            """));
        _backend = Nginx.Start(Name + "-backend", dir, nginxConfig, context.Cpus.Backend, PodNetwork.In(_network.Remote));
        await PodNetwork.WaitForHttpAsync(PodNetwork.In(_network.Pod), $"http://{backendAddress}/", _backend, TimeSpan.FromSeconds(20));

        await PodNetwork.RunAsync([.. PodNetwork.In(_network.Pod), Path.Combine(context.RepositoryRoot, "iptables", "meshproxy-iptables.sh"),
            "-p", $"{CapturePort}", "-u", $"{PodNetwork.ProxyUid}", "-g", $"{PodNetwork.ProxyUid}", "-b", "", "--no-ipv6"]);
        if (_kind != "direct")
        {
            var adminPort = _adminPort = Net.FreePort();
            var document = MeshProxyConfig.Document(adminPort);
            MeshProxyConfig.Listeners(document).Add(MeshProxyConfig.HttpListener("explicit", $"127.0.0.1:{HttpPort}", "local"));
            MeshProxyConfig.Listeners(document).Add(new Dictionary<string, object?>
            {
                ["name"] = "outbound",
                ["address"] = $"0.0.0.0:{CapturePort}",
                ["capture"] = "outbound",
                ["filterChains"] = new List<object?>
                {
                    new Dictionary<string, object?>
                    {
                        ["name"] = "backend",
                        ["match"] = new Dictionary<string, object?> { ["destinationPort"] = BackendPort, ["destinationAddresses"] = new[] { $"{_network.RemoteIp}/32" } },
                        ["http"] = new Dictionary<string, object?> { ["routeTable"] = "local" },
                    },
                },
            });
            MeshProxyConfig.RouteTables(document).Add(MeshProxyConfig.RouteTable("local", "backend"));
            MeshProxyConfig.Clusters(document).Add(MeshProxyConfig.Cluster("backend", backendAddress));
            var config = await MeshProxyConfig.WriteAsync(Path.Combine(dir, "meshproxy.yaml"), document);
            Process = MeshProxyProcess.Start(Name, context.Options.MeshProxyPath, config, Path.Combine(dir, "meshproxy.log"), context.Cpus.Proxy,
                prefix: PodNetwork.In(_network.Pod, asProxyUser: true));
            await PodNetwork.WaitForHttpAsync(PodNetwork.In(_network.Pod), $"http://127.0.0.1:{adminPort}/ready", Process, TimeSpan.FromSeconds(60));
        }
        await PodNetwork.WaitForHttpAsync(ClientPrefix, HttpUrl, Process, TimeSpan.FromSeconds(20));
    }

    /// <summary>Which listener took the connections (evidence that the captured client really went through the capture listener).</summary>
    public override async Task<string?> ReportAsync(RunContext context)
    {
        if (Process is null || _network is null)
        {
            return null;
        }
        using var curl = ManagedProcess.Start("curl", "ip", [.. PodNetwork.In(_network.Pod).Skip(1), "curl", "-s", "--max-time", "5", $"http://127.0.0.1:{_adminPort}/stats"], capture: true);
        await curl.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var lines = curl.Output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("listener.", StringComparison.Ordinal) && l.Contains(".downstream_cx_total:", StringComparison.Ordinal));
        return string.Join(", ", lines);
    }

    public override void Dispose()
    {
        base.Dispose();
        _backend?.Dispose();
        _backend = null;
        _network?.Dispose();
        _network = null;
    }
}
