using MeshProxy.LoadRuns.Contenders;
using MeshProxy.LoadRuns.Results;

namespace MeshProxy.LoadRuns.Scenarios;

/// <summary>
/// One kind of load. A new scenario (TLS handshakes, a rate over many connections, an SNI gateway) is a small subclass:
/// say which contenders it applies to and drive the load; the runner measures the contender's CPU and memory around it.
/// </summary>
internal abstract class Scenario
{
    /// <summary>The short name used in the JSON and on the command line (--scenarios).</summary>
    public abstract string Name { get; }

    /// <summary>The heading of its table: the load and the tool command.</summary>
    public abstract string Title(RunContext context);

    /// <summary>Whether the throughput is requests per second or MiB per second (bulk).</summary>
    public virtual bool IsBulk => false;

    /// <summary>By default a scenario drives plaintext HTTP, so it applies to every contender that serves it.</summary>
    public virtual bool AppliesTo(Contender contender) => contender.ServesHttp;

    /// <summary>The measured duration in seconds.</summary>
    public abstract double Seconds(RunContext context);

    public abstract Task<LoadResult> RunAsync(Contender contender, RunContext context, string logName);
}
