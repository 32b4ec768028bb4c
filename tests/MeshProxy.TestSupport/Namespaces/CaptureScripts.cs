using System.Text;
using System.Text.RegularExpressions;

namespace MeshProxy.TestSupport.Namespaces;

/// <summary>The capture scripts of iptables/ and the namespace state they change.</summary>
public static partial class CaptureScripts
{
    public static string Install => RepositoryPaths.Combine("iptables", "meshproxy-iptables.sh");

    public static string Cleanup => RepositoryPaths.Combine("iptables", "meshproxy-iptables-cleanup.sh");

    /// <summary>Runs the install script inside the namespace.</summary>
    public static Task<ProcessResult> InstallAsync(NetworkNamespace ns, IEnumerable<string> arguments) => ns.RunAsync([Install, .. arguments]);

    /// <summary>Runs the cleanup script inside the namespace.</summary>
    public static Task<ProcessResult> CleanupAsync(NetworkNamespace ns) => ns.RunAsync([Cleanup]);

    /// <summary>Runs a script here, outside any namespace: for --dry-run, --help and argument errors, which change nothing.</summary>
    public static Task<ProcessResult> RunHereAsync(string script, IEnumerable<string> arguments, IDictionary<string, string>? environment = null) =>
        ProcessRunner.RunAsync(script, arguments, NetworkNamespace.CommandTimeout, environment: environment);

    /// <summary>
    /// Everything the scripts may change in a namespace: the IPv4 and IPv6 nat tables (iptables-save, without
    /// comments and counters) and lo's addresses. Two snapshots are equal when the scripts left no trace.
    /// </summary>
    public static async Task<string> SnapshotAsync(NetworkNamespace ns)
    {
        var text = new StringBuilder();
        foreach (var command in new[] { "iptables-save", "ip6tables-save" })
        {
            var save = await ns.RunAsync([command, "-t", "nat"]);
            text.Append("### ").Append(command).Append(" -t nat: exit ").Append(save.ExitCode).Append('\n');
            text.Append(NormalizeSave(save.StandardOutput)).Append(save.StandardError);
        }
        var lo = await ns.RunCheckedAsync(["ip", "addr", "show", "dev", "lo"]);
        text.Append("### ip addr show dev lo\n").Append(lo.StandardOutput);
        return text.ToString();
    }

    /// <summary>The rule and chain lines of an iptables-save output, without its timestamps and packet counters.</summary>
    public static string NormalizeSave(string save)
    {
        var lines = save.Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#')).Select(line => Counters().Replace(line, "[0:0]"));
        return string.Join('\n', lines) + "\n";
    }

    [GeneratedRegex(@"\[[0-9]+:[0-9]+\]")]
    private static partial Regex Counters();
}
