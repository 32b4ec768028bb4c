using MeshProxy.LoadRuns.Contenders;
using MeshProxy.LoadRuns.Results;
using MeshProxy.LoadRuns.Tools;

namespace MeshProxy.LoadRuns.Scenarios;

/// <summary>Closed-loop HTTP/1.1 keep-alive at full speed: wrk -t2 -c32 --latency, the 2-byte "ok" response. Measures peak rps.</summary>
internal sealed class KeepAliveScenario : Scenario
{
    public const int Threads = 2;
    public const int Connections = 32;

    public override string Name => "keepalive";

    public override string Title(RunContext context) => $"HTTP/1.1 keep-alive, max rate: wrk -t{Threads} -c{Connections} -d{Seconds(context)}s --latency, GET / → 200 \"ok\"";

    public override double Seconds(RunContext context) => context.Options.KeepAliveSeconds;

    public override Task<LoadResult> RunAsync(Contender contender, RunContext context, string logName)
        => Wrk.RunAsync(contender.HttpUrl, Threads, Connections, Seconds(context), context, logName, contender.ClientPrefix);
}
