using MeshProxy.LoadRuns.Contenders;
using MeshProxy.LoadRuns.Infrastructure;
using MeshProxy.LoadRuns.Results;
using MeshProxy.LoadRuns.Tools;

namespace MeshProxy.LoadRuns.Scenarios;

/// <summary>
/// New mTLS connections per second against a contender that terminates mesh TLS (<see cref="ITlsTarget"/>):
/// <see cref="Clients"/> openssl s_time loops with the client SVID, each connection one full handshake
/// (<c>handshake-new</c>) or one that offers the previous session (<c>handshake-reuse</c>), plus one proxied
/// <c>GET /</c>. The rps column is connections per second; CPU µs/req is CPU per connection.
/// </summary>
internal sealed class HandshakeScenario : Scenario
{
    public const int Clients = 2;

    private readonly bool _reuse;

    public HandshakeScenario(bool reuse) => _reuse = reuse;

    public override string Name => _reuse ? "handshake-reuse" : "handshake-new";

    public override string Title(RunContext context) =>
        $"mTLS connections per second (rps = connections/s, CPU µs/req = per connection): {Clients} × openssl s_time {(_reuse ? "-reuse" : "-new")} -www / -time {Math.Ceiling(Seconds(context))} with a client SVID; each connection a {(_reuse ? "handshake offering the first connection's session" : "full handshake")} and one GET / (HTTP/1.0) to the backend";

    public override bool AppliesTo(Contender contender) => contender is ITlsTarget;

    public override double Seconds(RunContext context) => context.Options.KeepAliveSeconds;

    /// <summary>The warm-up of a TLS-only contender: full handshakes for the warm-up time (JIT, pools), not recorded.</summary>
    public static async Task WarmUpAsync(Contender contender, RunContext context, string logName)
    {
        if (context.Options.WarmupSeconds > 0)
        {
            await STime.RunAsync(((ITlsTarget)contender).TlsPort, reuse: false, Clients, context.Options.WarmupSeconds, await Certificates.ForAsync(context), context, logName);
        }
    }

    public override async Task<LoadResult> RunAsync(Contender contender, RunContext context, string logName)
    {
        var result = await STime.RunAsync(((ITlsTarget)contender).TlsPort, _reuse, Clients, Seconds(context), await Certificates.ForAsync(context), context, logName);
        Console.Error.WriteLine($"    {contender.Name} {Name}: {result.Load.Requests} connections, {result.Resumed} resumed a session");
        return result.Load;
    }
}
