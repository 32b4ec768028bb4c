namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>
/// Measures one process tree over one cell of the run: CPU seconds before and after, and the peak of the summed VmRSS
/// sampled every <see cref="SampleInterval"/> on a background task.
/// </summary>
internal sealed class ResourceMeter : IAsyncDisposable
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(100);

    private readonly int[] _pids;
    private readonly double _cpuBefore;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peakRss;
    private double? _cpuSeconds;

    private ResourceMeter(int root)
    {
        _pids = ProcStat.Tree(root);
        _peakRss = ProcStat.RssBytes(_pids);
        _cpuBefore = ProcStat.CpuSeconds(_pids);
        _sampling = SampleAsync();
    }

    public static ResourceMeter Start(int root) => new(root);

    public long PeakRssBytes => Interlocked.Read(ref _peakRss);

    /// <summary>Stops sampling; returns the CPU seconds used since the start.</summary>
    public async Task<double> StopAsync()
    {
        if (_cpuSeconds is { } done)
        {
            return done;
        }
        var cpu = ProcStat.CpuSeconds(_pids) - _cpuBefore;
        await _stop.CancelAsync();
        await _sampling;
        Sample();
        _cpuSeconds = cpu;
        return cpu;
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(SampleInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Sample()
    {
        var rss = ProcStat.RssBytes(_pids);
        if (rss > Interlocked.Read(ref _peakRss))
        {
            Interlocked.Exchange(ref _peakRss, rss);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
