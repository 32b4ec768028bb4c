using System.Diagnostics;

namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>What the run ran on and with: machine facts, tool versions, the commit. Recorded with every result.</summary>
internal static class RunEnvironment
{
    public static Dictionary<string, string> Machine() => new()
    {
        ["cores"] = System.Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["cpu"] = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?",
        ["memory"] = File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim(),
        ["kernel"] = File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
        ["os"] = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? "?",
        ["dotnet"] = System.Environment.Version.ToString(),
    };

    public static Dictionary<string, string> Tools() => new()
    {
        ["nginx"] = FirstLine("/usr/sbin/nginx", "-v"),
        ["haproxy"] = FirstLine("/usr/sbin/haproxy", "-v"),
        ["wrk"] = FirstLine("/usr/bin/wrk", "--version"),
        ["h2load"] = FirstLine("/usr/bin/h2load", "--version"),
    };

    /// <summary>The short commit, with "+dirty" when the work tree has uncommitted changes.</summary>
    public static string Commit(string repositoryRoot)
    {
        var commit = FirstLine("git", "-C", repositoryRoot, "rev-parse", "--short", "HEAD");
        var status = Output("git", "-C", repositoryRoot, "status", "--porcelain", "--untracked-files=no");
        return string.IsNullOrWhiteSpace(status) ? commit : commit + "+dirty";
    }

    private static string FirstLine(string file, params string[] arguments)
        => Output(file, arguments).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "?";

    private static string Output(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit(10_000);
            return stdout.Result + stderr.Result;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return "? " + ex.Message;
        }
    }
}
