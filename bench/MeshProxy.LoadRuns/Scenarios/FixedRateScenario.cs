using MeshProxy.LoadRuns.Contenders;
using MeshProxy.LoadRuns.Results;
using MeshProxy.LoadRuns.Tools;

namespace MeshProxy.LoadRuns.Scenarios;

/// <summary>
/// Open-loop HTTP/1.1 at a fixed total rate over 4 keep-alive connections (h2load --h1 -c4 --rps rate/4). The number
/// to read is the proxy's vCPU per 1000 rps (Istio's metric) and its latency when it is not saturated.
/// </summary>
internal sealed class FixedRateScenario : Scenario
{
    public const int Clients = 4;

    private readonly int _totalRps;

    public FixedRateScenario(int totalRps) => _totalRps = totalRps;

    public override string Name => $"rate{_totalRps}";

    public override string Title(RunContext context) => $"HTTP/1.1 at {_totalRps} rps: h2load --h1 -c{Clients} --rps {_totalRps / Clients} -D {Seconds(context)}, GET / → 200 \"ok\"";

    public override double Seconds(RunContext context) => context.Options.FixedRateSeconds;

    public override Task<LoadResult> RunAsync(Contender contender, RunContext context, string logName)
        => H2Load.RunAsync(contender.HttpUrl, Clients, _totalRps / Clients, Seconds(context), context, logName);
}
