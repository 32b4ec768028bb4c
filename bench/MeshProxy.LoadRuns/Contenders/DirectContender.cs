namespace MeshProxy.LoadRuns.Contenders;

/// <summary>No proxy: clients talk to the backend itself. Every ratio is measured against this.</summary>
internal sealed class DirectContender : Contender
{
    public override string Name => "direct";

    public override string Describe(RunContext context) => "no proxy: the load generator talks to the backend";

    public override Task StartAsync(RunContext context)
    {
        HttpPort = context.Backend.Port;
        TcpPort = context.Backend.Port;
        return Task.CompletedTask;
    }
}
