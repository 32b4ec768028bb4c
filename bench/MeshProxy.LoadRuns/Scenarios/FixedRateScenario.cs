using MeshProxy.LoadRuns.Contenders;
using MeshProxy.LoadRuns.Results;
using MeshProxy.LoadRuns.Tools;

namespace MeshProxy.LoadRuns.Scenarios;

/// <summary>
/// Open-loop load at a fixed total rate over 4 keep-alive connections (h2load -c4 --rps rate/4). The number to read
/// is the proxy's vCPU per 1000 rps (Istio's metric) and its latency when it is not saturated. HTTP/1.1 by default
/// (rate1000, rate5000). Against a backend that is sometimes slow, HTTP/1.1's one request per connection would hold
/// the requests queued behind a slow one (and more connections at a low rate each fire in step, in bursts), so
/// rate1000h2 sends h2c with up to <see cref="Streams"/> concurrent streams per connection: a slow response delays
/// only itself, and the percentiles are the proxy's.
/// </summary>
internal sealed class FixedRateScenario : Scenario
{
    public const int Clients = 4;
    public const int Streams = 64;

    private readonly int _totalRps;
    private readonly bool _http2;

    public FixedRateScenario(int totalRps, bool http2 = false)
    {
        _totalRps = totalRps;
        _http2 = http2;
    }

    public override string Name => _http2 ? $"rate{_totalRps}h2" : $"rate{_totalRps}";

    public override string Title(RunContext context) => _http2
        ? $"h2c at {_totalRps} rps: h2load -c{Clients} -m{Streams} --rps {_totalRps / Clients} -D {Seconds(context)}, GET / → 200 \"ok\""
        : $"HTTP/1.1 at {_totalRps} rps: h2load --h1 -c{Clients} --rps {_totalRps / Clients} -D {Seconds(context)}, GET / → 200 \"ok\"";

    public override double Seconds(RunContext context) => context.Options.FixedRateSeconds;

    public override Task<LoadResult> RunAsync(Contender contender, RunContext context, string logName)
        => H2Load.RunAsync(contender.HttpUrl, Clients, _totalRps / Clients, Seconds(context), context, logName, contender.ClientPrefix, _http2 ? Streams : 0);
}
