using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns.Contenders;

/// <summary>
/// One thing the load goes through on its way to the backend: nothing (direct), or a proxy started for this round.
/// A new contender is a small subclass: write its config, start its process, say where HTTP and TCP clients connect.
/// </summary>
internal abstract class Contender : IDisposable
{
    /// <summary>The name in the table and the JSON.</summary>
    public abstract string Name { get; }

    /// <summary>One line on how it is set up, for the printed header and the JSON.</summary>
    public abstract string Describe(RunContext context);

    /// <summary>The port HTTP clients connect to.</summary>
    public int HttpPort { get; protected set; }

    /// <summary>The port of its L4 (TCP) mode, or null when it has none.</summary>
    public int? TcpPort { get; protected set; }

    /// <summary>The process whose CPU and memory are this contender's; null when there is none (direct).</summary>
    public ManagedProcess? Process { get; protected set; }

    /// <summary>The URL HTTP load generators request.</summary>
    public virtual string HttpUrl => $"http://127.0.0.1:{HttpPort}/";

    /// <summary>Whether plaintext HTTP clients (wrk, h2load) can use it; false for a contender that only takes mTLS.</summary>
    public virtual bool ServesHttp => true;

    /// <summary>
    /// The command the load generators run under, e.g. <c>ip netns exec POD</c> for a contender inside a network
    /// namespace; empty for the host.
    /// </summary>
    public virtual IReadOnlyList<string> ClientPrefix => [];

    /// <summary>Starts the contender and returns once it answers through to the backend.</summary>
    public abstract Task StartAsync(RunContext context);

    /// <summary>Closed-loop load before the measured cells (JIT tiering, pools, upstream connections), not recorded.</summary>
    public virtual async Task WarmUpAsync(RunContext context, string logName)
    {
        if (ServesHttp)
        {
            await Tools.Wrk.RunAsync(HttpUrl, Scenarios.KeepAliveScenario.Threads, Scenarios.KeepAliveScenario.Connections,
                context.Options.WarmupSeconds, context, logName, ClientPrefix);
        }
    }

    /// <summary>After its cells: a line of the contender's own counters (retries, spans exported...) for the log, or null.</summary>
    public virtual Task<string?> ReportAsync(RunContext context) => Task.FromResult<string?>(null);

    /// <summary>Creates the contender's folder and picks its free ports; returns the folder.</summary>
    protected string PrepareProxy(RunContext context, bool withTcp)
    {
        HttpPort = Net.FreePort();
        TcpPort = withTcp ? Net.FreePort() : null;
        return context.DirectoryFor(Name);
    }

    public virtual void Dispose()
    {
        Process?.Dispose();
        Process = null;
    }
}
