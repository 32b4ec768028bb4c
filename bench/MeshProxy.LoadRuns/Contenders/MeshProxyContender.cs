using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns.Contenders;

/// <summary>
/// meshproxy as published (Release), with an explicit HTTP listener (protocol auto: sniffed once per connection) routing
/// everything to the backend, and a TCP listener relaying to it. Everything else is meshproxy's default: x-forwarded-*
/// and x-request-id added, a 15 s route timeout. A variant runs the same binary (or another build) with extra
/// environment variables, e.g. DOTNET_gcServer=1, or with listener and route settings changed (<see cref="Settings"/>),
/// so runtime knobs and per-feature costs can be compared in one run.
/// </summary>
internal sealed class MeshProxyContender : Contender
{
    /// <summary>The config settings a variant may change, with meshproxy's defaults.</summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["protocol"] = "auto",
        ["forwardedHeaders"] = "true",
        ["generateRequestId"] = "true",
        ["timeout"] = "15s",
    };

    private readonly string? _binary;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly Dictionary<string, string> _settings;

    public MeshProxyContender(string name = "meshproxy", string? binary = null, IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        Name = name;
        _binary = binary;
        _environment = environment ?? new Dictionary<string, string>();
        _settings = new Dictionary<string, string>(Settings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }
    }

    public override string Name { get; }

    public override string Describe(RunContext context)
    {
        var environment = _environment.Count == 0 ? "" : " with " + string.Join(' ', _environment.Select(e => $"{e.Key}={e.Value}"));
        var settings = string.Join(", ", _settings.Select(s => $"{s.Key}: {s.Value}"));
        return $"{Binary(context)} run --log-level Warning{environment}; HTTP listener ({settings}) → route * → backend; TCP listener → backend";
    }

    private string Binary(RunContext context) => _binary ?? context.Options.MeshProxyPath;

    public override async Task StartAsync(RunContext context)
    {
        var dir = PrepareProxy(context, withTcp: true);
        var adminPort = Net.FreePort();
        var config = Path.Combine(dir, "meshproxy.yaml");
        await File.WriteAllTextAsync(config, $$"""
            node:
              service: bench
            admin:
              address: 127.0.0.1:{{adminPort}}
              readinessAddress:
              metricsAddress:
            listeners:
              - name: http
                address: 127.0.0.1:{{HttpPort}}
                protocol: {{_settings["protocol"]}}
                http:
                  routeTable: local
                  forwardedHeaders: {{_settings["forwardedHeaders"]}}
                  generateRequestId: {{_settings["generateRequestId"]}}
              - name: tcp
                address: 127.0.0.1:{{TcpPort}}
                protocol: tcp
                tcp:
                  cluster: backend
            routeTables:
              - name: local
                virtualHosts:
                  - name: backend
                    domains: ["*"]
                    routes:
                      - match: { prefix: / }
                        cluster: backend
                        timeout: {{_settings["timeout"]}}
            clusters:
              - name: backend
                endpoints:
                  - address: 127.0.0.1:{{context.Backend.Port}}
            """);
        Process = MeshProxyProcess.Start(Name, Binary(context), config, Path.Combine(dir, "meshproxy.log"), context.Cpus.Proxy, _environment);
        await MeshProxyProcess.WaitReadyAsync(adminPort, Process);
        await Net.WaitForHttpAsync(HttpUrl, Process, TimeSpan.FromSeconds(20));
    }
}
