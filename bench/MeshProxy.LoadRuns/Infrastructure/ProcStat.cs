using System.Globalization;

namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>
/// CPU time and memory of a process tree from /proc: utime+stime of every live process in the tree (plus the
/// cutime+cstime of children the root has already reaped), and the sum of their VmRSS.
/// </summary>
internal static class ProcStat
{
    /// <summary>USER_HZ, the unit of the times in /proc/PID/stat (100 on Linux for x86-64 and arm64).</summary>
    public static readonly double TicksPerSecond = ReadClockTicks();

    /// <summary>The pid and its descendants that are alive now.</summary>
    public static int[] Tree(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || ReadStatFields(pid) is not { } fields)
            {
                continue;
            }
            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }
            list.Add(pid);
        }
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            if (children.TryGetValue(tree[i], out var list))
            {
                tree.AddRange(list);
            }
        }
        return [.. tree];
    }

    /// <summary>CPU seconds (user + system) used so far by the given processes, including the root's reaped children.</summary>
    public static double CpuSeconds(IReadOnlyList<int> pids)
    {
        long ticks = 0;
        for (var i = 0; i < pids.Count; i++)
        {
            if (ReadStatFields(pids[i]) is not { } fields)
            {
                continue;
            }
            // After the ")" that ends the command name: [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime.
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            if (i == 0)
            {
                ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            }
        }
        return ticks / TicksPerSecond;
    }

    /// <summary>The sum of VmRSS over the processes, in bytes (shared pages count once per process).</summary>
    public static long RssBytes(IReadOnlyList<int> pids) => SumStatusField(pids, "VmRSS:", "status");

    /// <summary>The sum of proportional set sizes (shared pages divided among their users), in bytes.</summary>
    public static long PssBytes(IReadOnlyList<int> pids) => SumStatusField(pids, "Pss:", "smaps_rollup");

    private static long SumStatusField(IReadOnlyList<int> pids, string field, string file)
    {
        long total = 0;
        foreach (var pid in pids)
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/{file}"))
                {
                    if (line.StartsWith(field, StringComparison.Ordinal))
                    {
                        var kib = line.AsSpan(field.Length).Trim();
                        total += long.Parse(kib[..kib.IndexOf(' ')], CultureInfo.InvariantCulture) * 1024;
                        break;
                    }
                }
            }
            catch (IOException)
            {
                // The process ended.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return total;
    }

    private static string[]? ReadStatFields(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        var end = stat.LastIndexOf(')');
        return end < 0 ? null : stat[(end + 2)..].Split(' ');
    }

    private static double ReadClockTicks()
    {
        try
        {
            using var getconf = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true });
            var text = getconf!.StandardOutput.ReadToEnd().Trim();
            getconf.WaitForExit(5000);
            return double.Parse(text, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or FormatException)
        {
            return 100;
        }
    }
}
