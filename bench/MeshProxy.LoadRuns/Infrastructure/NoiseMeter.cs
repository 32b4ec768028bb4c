using System.Diagnostics;
using System.Globalization;

namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>
/// How much CPU processes outside this run used during a cell (other builds, tests or benchmarks on the same cores):
/// the machine's busy time from /proc/stat minus the CPU of this run's own process tree, over the wall time, in cores.
/// A cell with noise well above zero shared the machine and its numbers are suspect.
/// </summary>
internal sealed class NoiseMeter
{
    private readonly double _machineBefore;
    private readonly double _oursBefore;
    private readonly long _started;

    private NoiseMeter()
    {
        _machineBefore = MachineBusySeconds();
        _oursBefore = OurCpuSeconds();
        _started = Stopwatch.GetTimestamp();
    }

    public static NoiseMeter Start() => new();

    /// <summary>
    /// Waits, up to <paramref name="bound"/>, for a one-second window in which processes outside the run use less than
    /// <paramref name="threshold"/> cores, so that a cell starts on a quiet machine when it can. Returns the last window's noise.
    /// </summary>
    public static async Task<double> WaitForQuietAsync(double threshold, TimeSpan bound)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var window = Start();
            await Task.Delay(TimeSpan.FromSeconds(1));
            var noise = window.ForeignCores();
            if (noise < threshold || Stopwatch.GetTimestamp() > deadline)
            {
                return noise;
            }
        }
    }

    /// <summary>The average number of cores busy with work that is not this run's.</summary>
    public double ForeignCores()
    {
        var wall = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var foreign = MachineBusySeconds() - _machineBefore - (OurCpuSeconds() - _oursBefore);
        return Math.Max(0, foreign / wall);
    }

    private static double OurCpuSeconds() => ProcStat.CpuSeconds(ProcStat.Tree(System.Environment.ProcessId));

    /// <summary>user + nice + system + irq + softirq + steal over all CPUs, from the first line of /proc/stat.</summary>
    private static double MachineBusySeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long busy = 0;
        foreach (var index in new[] { 1, 2, 3, 6, 7, 8 })
        {
            busy += long.Parse(fields[index], CultureInfo.InvariantCulture);
        }
        return busy / ProcStat.TicksPerSecond;
    }
}
