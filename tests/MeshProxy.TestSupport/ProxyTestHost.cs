using System.Net;
using MeshProxy.Configuration;
using MeshProxy.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshProxy.TestSupport;

/// <summary>
/// A real meshproxy running in the test process on loopback ports chosen by the OS, with its log lines collected.
/// Configs are YAML text, parsed and validated exactly as a file would be.
/// </summary>
public sealed class ProxyTestHost : IAsyncDisposable
{
    private ProxyTestHost(ProxyHost host, LogCollector logs, string? configPath)
    {
        Host = host;
        Logs = logs;
        ConfigPath = configPath;
    }

    public ProxyHost Host { get; }

    public LogCollector Logs { get; }

    /// <summary>The watched config file, when the host was started from a file.</summary>
    public string? ConfigPath { get; }

    /// <summary>Starts a proxy from YAML. Admin, readiness and metrics bind port 0 unless the YAML says otherwise.</summary>
    public static Task<ProxyTestHost> StartAsync(string yaml) => StartCoreAsync(yaml, configPath: null);

    /// <summary>Starts a proxy from a config file that it watches for changes, as `meshproxy run --config` does.</summary>
    public static async Task<ProxyTestHost> StartFromFileAsync(string yaml)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("meshproxy-test-").FullName, "proxy.yaml");
        await File.WriteAllTextAsync(path, WithLoopbackAdmin(yaml));
        return await StartCoreAsync(yaml, path);
    }

    private static async Task<ProxyTestHost> StartCoreAsync(string yaml, string? configPath)
    {
        var config = ConfigLoader.LoadText(WithLoopbackAdmin(yaml), configPath ?? "(test)").GetConfigOrThrow();
        var logs = new LogCollector();
        var host = ProxyHost.Create(new ProxyHostOptions
        {
            Config = config,
            ConfigPath = configPath,
            LogLevel = LogLevel.Debug,
            HandleSignals = false,
            ConfigureLogging = logging =>
            {
                logging.ClearProviders();
                logging.AddProvider(logs);
            },
        });
        await host.StartAsync();
        return new ProxyTestHost(host, logs, configPath);
    }

    /// <summary>Adds an admin section on loopback port 0 when the YAML has none, so parallel tests never collide.</summary>
    public static string WithLoopbackAdmin(string yaml) => yaml.Contains("admin:", StringComparison.Ordinal)
        ? yaml
        : "admin:\n  address: 127.0.0.1:0\n  readinessAddress: 127.0.0.1:0\n  metricsAddress: 127.0.0.1:0\n  drainTimeout: 5s\n" + yaml;

    public IPEndPoint Listener(string name) => Host.GetListenerAddress(name);

    public Uri ListenerUri(string name, string path = "/") => new($"http://{Listener(name)}{path}");

    public Uri AdminUri(string path) => new($"http://{Host.AdminAddress}{path}");

    /// <summary>Rewrites the watched config file (atomically, as editors and ConfigMaps do).</summary>
    public async Task RewriteConfigAsync(string yaml)
    {
        var path = ConfigPath ?? throw new InvalidOperationException("This host was not started from a file.");
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, WithLoopbackAdmin(yaml));
        File.Move(temporary, path, overwrite: true);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.StopAsync(CancellationToken.None);
        }
        finally
        {
            await Host.DisposeAsync();
        }
    }
}
