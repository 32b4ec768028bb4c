namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>
/// Which CPUs each role runs on (taskset -c), or null for "wherever the scheduler puts it". The load generator, the
/// backend and the proxy all share the machine's cores, so the plan is part of every result.
/// </summary>
internal sealed record CpuPlan(string Name, string? LoadGenerator, string? Backend, string? Proxy)
{
    /// <summary>No pinning: every process may run on every core (the default; see bench/README.md for why).</summary>
    public static readonly CpuPlan None = new("none", null, null, null);

    /// <summary>The load generator on CPU 0; backend and proxy share CPU 1.</summary>
    public static readonly CpuPlan Split = new("split", "0", "1", "1");

    /// <summary>The proxy alone on CPU 1; load generator and backend share CPU 0.</summary>
    public static readonly CpuPlan ProxyAlone = new("proxy-alone", "0", "0", "1");

    public static CpuPlan Parse(string name) => name switch
    {
        "none" => None,
        "split" => Split,
        "proxy-alone" => ProxyAlone,
        _ => throw new ArgumentException($"--pin: unknown plan '{name}' (none, split, proxy-alone)"),
    };

    public string Describe() => this == None
        ? "none (load generator, backend and proxy float over all cores)"
        : $"{Name} (load generator on CPU {LoadGenerator}, backend on CPU {Backend}, proxy on CPU {Proxy})";
}
