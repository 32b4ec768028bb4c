using System.Text.RegularExpressions;

namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>
/// A pod and a remote host as two network namespaces joined by a veth pair (eth0 in each, made directly inside them,
/// so nothing appears on the host): the pod is 10.232.N.1, the remote 10.232.N.2. Commands run in them with
/// <c>ip netns exec</c>; disposing deletes both (and with them the veth pair and any iptables rules). Names carry
/// this process's id (<c>mplrPIDxN[pr]</c>) so that a later run deletes what a killed run left behind. Needs root.
/// </summary>
internal sealed partial class PodNetwork : IDisposable
{
    /// <summary>The proxy's uid: iptables/meshproxy-iptables.sh does not capture its traffic.</summary>
    public const int ProxyUid = 1337;

    private static readonly TimeSpan CommandBound = TimeSpan.FromSeconds(20);
    private static int s_next;
    private bool _deleted;

    private PodNetwork(int id)
    {
        Pod = $"mplr{Environment.ProcessId}x{id}p";
        Remote = $"mplr{Environment.ProcessId}x{id}r";
        PodIp = $"10.232.{id}.1";
        RemoteIp = $"10.232.{id}.2";
    }

    public string Pod { get; }

    public string Remote { get; }

    public string PodIp { get; }

    public string RemoteIp { get; }

    public static async Task<PodNetwork> CreateAsync()
    {
        await SweepStaleAsync();
        var network = new PodNetwork(Interlocked.Increment(ref s_next) % 250 + 1);
        try
        {
            await RunAsync(["ip", "netns", "add", network.Pod]);
            await RunAsync(["ip", "netns", "add", network.Remote]);
            await RunAsync(["ip", "link", "add", "name", "eth0", "netns", network.Pod, "type", "veth", "peer", "name", "eth0", "netns", network.Remote]);
            foreach (var (ns, address) in new[] { (network.Pod, network.PodIp), (network.Remote, network.RemoteIp) })
            {
                await RunAsync([.. In(ns), "ip", "addr", "add", $"{address}/24", "dev", "eth0"]);
                await RunAsync([.. In(ns), "ip", "link", "set", "eth0", "up"]);
                await RunAsync([.. In(ns), "ip", "link", "set", "lo", "up"]);
            }
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The prefix that runs a command inside <paramref name="ns"/>, as the proxy's uid when asked.</summary>
    public static string[] In(string ns, bool asProxyUser = false) => asProxyUser
        ? ["ip", "netns", "exec", ns, "setpriv", $"--reuid={ProxyUid}", $"--regid={ProxyUid}", "--clear-groups"]
        : ["ip", "netns", "exec", ns];

    /// <summary>Runs a short command to completion (bounded); a non-zero exit throws with its output.</summary>
    public static async Task RunAsync(string[] command)
    {
        using var process = ManagedProcess.Start(command[0], command[0], command[1..], capture: true);
        if (!await process.WaitForExitAsync(CommandBound) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', command)}' failed: {process.Output}");
        }
    }

    /// <summary>Polls a URL with curl from inside a namespace until it answers 2xx, the process dies, or the bound passes.</summary>
    public static async Task WaitForHttpAsync(IReadOnlyList<string> prefix, string url, ManagedProcess? process, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"{process.Name} exited with code {process.ExitCode} before {url} answered.");
            }
            using var curl = ManagedProcess.Start("curl", prefix[0], [.. prefix.Skip(1), "curl", "-sf", "-o", "/dev/null", "--max-time", "2", url], capture: true);
            if (await curl.WaitForExitAsync(TimeSpan.FromSeconds(10)) && curl.ExitCode == 0)
            {
                return;
            }
            last = curl.Output;
            await Task.Delay(200);
        }
        throw new TimeoutException($"{url} did not answer within {bound.TotalSeconds:0} s from inside the namespace ({last.Trim()}).");
    }

    public void Dispose()
    {
        if (_deleted)
        {
            return;
        }
        _deleted = true;
        foreach (var ns in new[] { Pod, Remote })
        {
            if (File.Exists($"/run/netns/{ns}"))
            {
                using var process = ManagedProcess.Start("ip", "ip", ["netns", "delete", ns], capture: true);
                process.WaitForExitAsync(CommandBound).GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>Deletes namespaces of earlier runs whose process is gone.</summary>
    private static async Task SweepStaleAsync()
    {
        if (!Directory.Exists("/run/netns"))
        {
            return;
        }
        foreach (var path in Directory.GetFiles("/run/netns"))
        {
            var match = OurName().Match(Path.GetFileName(path));
            if (match.Success && int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is var pid
                && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                await RunAsync(["ip", "netns", "delete", Path.GetFileName(path)]);
            }
        }
    }

    [GeneratedRegex(@"^mplr([0-9]+)x[0-9]+[pr]$")]
    private static partial Regex OurName();
}
