using System.Globalization;
using System.Net;

namespace MeshProxy.TestSupport.Namespaces;

/// <summary>
/// The real meshproxy binary (`dotnet meshproxy.dll run --config FILE --log-level Debug`, or another verb) running inside a
/// namespace as the proxy user (uid and gid 1337, no supplementary groups), as the sidecar container runs.
/// Its admin API is reached from inside the namespace; disposing kills it and deletes its config file.
/// </summary>
public sealed class NamespacedProxy : IAsyncDisposable
{
    /// <summary>The sidecar's uid and gid (Istio's 1337), which the capture rules exempt.</summary>
    public const int ProxyUid = 1337;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly RunningProcess _process;
    private readonly string? _configPath;
    private readonly HttpClient _admin;

    private NamespacedProxy(NetworkNamespace ns, RunningProcess process, string? configPath)
    {
        _process = process;
        _configPath = configPath;
        _admin = ns.CreateHttpClient(TimeSpan.FromSeconds(10));
    }

    /// <summary>Everything the proxy logged so far.</summary>
    public string Log => _process.Output;

    /// <param name="configYaml">The config; null runs the verb's built-in default.</param>
    /// <param name="verb">run (the sidecar) or gateway.</param>
    public static async Task<NamespacedProxy> StartAsync(NetworkNamespace ns, string? configYaml, string verb = "run")
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Network namespaces are Linux only.");
        }
        string? configPath = null;
        List<string> command = [Tools.Require("dotnet"), RepositoryPaths.MeshProxyDll, verb, "--log-level", "Debug"];
        if (configYaml is not null)
        {
            configPath = Path.Combine(Path.GetTempPath(), $"meshproxy-{ns.Name}-{Guid.NewGuid():N}.yaml");
            await File.WriteAllTextAsync(configPath, configYaml);
            // The proxy user must be able to read it (temporary files are otherwise private to root).
            File.SetUnixFileMode(configPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            command.AddRange(["--config", configPath]);
        }
        var process = ns.Start(command, ProxyUid);
        var proxy = new NamespacedProxy(ns, process, configPath);
        try
        {
            await proxy.WaitUntilReadyAsync();
            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
    }

    /// <summary>GET on the admin API (127.0.0.1:15000 in the namespace).</summary>
    public Task<string> GetAdminAsync(string path) => _admin.GetStringAsync(new Uri($"http://127.0.0.1:15000{path}"));

    /// <summary>/stats as "cluster.NAME.STAT" to value.</summary>
    public async Task<IReadOnlyDictionary<string, long>> GetStatsAsync()
    {
        var stats = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in (await GetAdminAsync("/stats")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.LastIndexOf(':');
            stats[line[..colon]] = long.Parse(line[(colon + 1)..], CultureInfo.InvariantCulture);
        }
        return stats;
    }

    /// <summary>Waits, bounded, until the proxy's log contains <paramref name="text"/>.</summary>
    public Task WaitForLogAsync(string text, TimeSpan timeout) => _process.WaitForOutputAsync(text, timeout);

    private async Task WaitUntilReadyAsync()
    {
        using var deadline = new CancellationTokenSource(StartTimeout);
        while (!await IsReadyAsync(deadline.Token))
        {
            if (_process.Process.HasExited)
            {
                throw new InvalidOperationException($"meshproxy exited ({_process.Process.ExitCode}) before it was ready. Output:\n{Log}");
            }
            try
            {
                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"meshproxy was not ready within {StartTimeout}. Output:\n{Log}");
            }
        }
    }

    private async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _admin.GetAsync(new Uri("http://127.0.0.1:15000/ready"), cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            // Not listening yet, or out of time (the caller reports that).
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _process.DisposeAsync();
        if (_configPath is not null)
        {
            File.Delete(_configPath);
        }
    }
}
