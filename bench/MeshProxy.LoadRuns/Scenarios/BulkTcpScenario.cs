using MeshProxy.LoadRuns.Contenders;
using MeshProxy.LoadRuns.Results;
using MeshProxy.LoadRuns.Tools;

namespace MeshProxy.LoadRuns.Scenarios;

/// <summary>
/// L4 bulk transfer through each proxy's TCP mode: 4 keep-alive connections downloading the backend's large file over
/// and over for a fixed time (the bulk client). Measures MiB/s and proxy CPU per MiB.
/// </summary>
internal sealed class BulkTcpScenario : Scenario
{
    public const int Connections = 4;

    public override string Name => "bulk-tcp";

    public override bool IsBulk => true;

    public override string Title(RunContext context) => $"L4 TCP bulk: {Connections} connections downloading a {context.Backend.BulkBytes / (1024 * 1024)} MiB file for {Seconds(context)} s through each TCP mode (MiB/s; CPU per MiB)";

    public override bool AppliesTo(Contender contender) => contender.TcpPort is not null;

    public override double Seconds(RunContext context) => context.Options.BulkSeconds;

    public override Task<LoadResult> RunAsync(Contender contender, RunContext context, string logName)
        => BulkClient.RunAsync(contender.TcpPort!.Value, Backend.BulkPath, Connections, Seconds(context), context, logName);
}
