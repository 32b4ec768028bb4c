using System.Globalization;
using MeshProxy.LoadRuns.Contenders;
using MeshProxy.LoadRuns.Infrastructure;
using MeshProxy.LoadRuns.Results;
using MeshProxy.LoadRuns.Scenarios;

namespace MeshProxy.LoadRuns;

/// <summary>
/// The run: for each round, each contender is started fresh, its idle RSS read, warmed up, then driven through every
/// scenario that applies to it while its CPU and memory (and the backend's CPU) are measured; then it is stopped.
/// Only one contender runs at a time.
/// </summary>
internal sealed class LoadRun
{
    private const double MiB = 1024 * 1024;

    private readonly RunContext _context;
    private readonly IReadOnlyList<Func<Contender>> _contenders;
    private readonly IReadOnlyList<Scenario> _scenarios;
    private readonly List<CellResult> _cells = [];

    public LoadRun(RunContext context, IReadOnlyList<Func<Contender>> contenders, IReadOnlyList<Scenario> scenarios)
    {
        _context = context;
        _contenders = contenders;
        _scenarios = scenarios;
    }

    public IReadOnlyList<CellResult> Cells => _cells;

    public async Task RunAsync()
    {
        for (var round = 1; round <= _context.Options.Rounds; round++)
        {
            foreach (var create in _contenders)
            {
                using var contender = create();
                await RunContenderAsync(contender, round);
            }
        }
    }

    private async Task RunContenderAsync(Contender contender, int round)
    {
        double? idleRss;
        try
        {
            await contender.StartAsync(_context);
            await Task.Delay(TimeSpan.FromSeconds(1));
            idleRss = contender.Process is { } process ? ProcStat.RssBytes(ProcStat.Tree(process.Pid)) / MiB : null;
            if (_context.Options.WarmupSeconds > 0)
            {
                await contender.WarmUpAsync(_context, $"r{round}-{contender.Name}-warmup.log");
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"[round {round}] {contender.Name}: could not start: {ex.Message}");
            foreach (var scenario in _scenarios.Where(s => s.AppliesTo(contender)))
            {
                _cells.Add(Failed(round, scenario, contender, "start: " + ex.Message));
            }
            return;
        }

        foreach (var scenario in _scenarios.Where(s => s.AppliesTo(contender)))
        {
            var cell = await MeasureAsync(contender, scenario, round, idleRss);
            _cells.Add(cell);
            Console.Error.WriteLine(Progress(cell));
        }
        try
        {
            if (await contender.ReportAsync(_context) is { } report)
            {
                Console.Error.WriteLine($"[round {round}] {contender.Name}: {report}");
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"[round {round}] {contender.Name}: no report ({ex.Message})");
        }
    }

    private async Task<CellResult> MeasureAsync(Contender contender, Scenario scenario, int round, double? idleRss)
    {
        if (contender.Process is { HasExited: true } dead)
        {
            return Failed(round, scenario, contender, $"{dead.Name} exited with code {dead.ExitCode}");
        }
        var noiseBefore = await NoiseMeter.WaitForQuietAsync(_context.Options.QuietThresholdCores, TimeSpan.FromSeconds(_context.Options.QuietWaitSeconds));
        if (noiseBefore >= _context.Options.QuietThresholdCores)
        {
            Console.Error.WriteLine($"[round {round}] {contender.Name} {scenario.Name}: the machine is busy with other work ({noiseBefore:0.00} cores); measuring anyway");
        }
        await using var proxyMeter = contender.Process is { } process ? ResourceMeter.Start(process.Pid) : null;
        await using var backendMeter = ResourceMeter.Start(_context.Backend.Process.Pid);
        var noise = NoiseMeter.Start();
        LoadResult load;
        try
        {
            load = await scenario.RunAsync(contender, _context, $"r{round}-{contender.Name}-{scenario.Name}.log");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Failed(round, scenario, contender, ex.Message);
        }
        var proxyCpu = proxyMeter is null ? (double?)null : await proxyMeter.StopAsync();
        var backendCpu = await backendMeter.StopAsync();

        // Per request, or per MiB for bulk: the proxy's CPU over what went through it in the same window.
        var units = scenario.IsBulk ? load.Bytes / MiB : load.Requests;
        return new CellResult
        {
            Round = round,
            Scenario = scenario.Name,
            Contender = contender.Name,
            Load = load,
            ProxyCpuSeconds = proxyCpu,
            BackendCpuSeconds = backendCpu,
            PeakRssMiB = proxyMeter is null ? null : proxyMeter.PeakRssBytes / MiB,
            IdleRssMiB = idleRss,
            CpuMicrosPerUnit = proxyCpu is { } cpu && units > 0 ? cpu * 1e6 / units : null,
            VcpuPer1000Rps = proxyCpu is { } c && !scenario.IsBulk && load.Throughput > 0 ? c / load.Seconds / (load.Throughput / 1000) : null,
            ForeignCores = noise.ForeignCores(),
        };
    }

    private static CellResult Failed(int round, Scenario scenario, Contender contender, string reason) => new()
    {
        Round = round,
        Scenario = scenario.Name,
        Contender = contender.Name,
        Load = new LoadResult(double.NaN, 0, 0, 0, double.NaN, double.NaN, 0),
        Failure = reason,
    };

    private static string Progress(CellResult cell)
    {
        if (cell.Failure is not null)
        {
            return $"[round {cell.Round}] {cell.Contender,-12} {cell.Scenario,-10} FAILED: {cell.Failure.Split('\n')[0]}";
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"[round {cell.Round}] {cell.Contender,-12} {cell.Scenario,-10} {cell.Load.Throughput,10:0.0}/s  p50 {ResultTable.Number(cell.Load.P50Ms, "0.000")} ms  p99 {ResultTable.Number(cell.Load.P99Ms, "0.000")} ms  cpu {cell.ProxyCpuSeconds:0.00} s  rss {cell.PeakRssMiB:0.0} MiB  errors {cell.Load.Errors}  noise {cell.ForeignCores:0.00} cores");
    }
}
