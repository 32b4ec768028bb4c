using MeshProxy.LoadRuns.Commands;
using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns.Contenders;

/// <summary>
/// The floor: a bare YARP app (<see cref="BareYarpCommand"/>) with one catch-all route, YARP's defaults and server GC,
/// run as its own process. It has no L4 mode.
/// </summary>
internal sealed class BareYarpContender : Contender
{
    public override string Name => "yarp";

    public override string Describe(RunContext context) => "bare YARP app: WebApplication + AddReverseProxy().LoadFromMemory(one route) + MapReverseProxy(), server GC, log level Warning; no L4";

    public override async Task StartAsync(RunContext context)
    {
        var dir = PrepareProxy(context, withTcp: false);
        var (file, arguments) = SelfCommand.For("yarp", "--listen", $"127.0.0.1:{HttpPort}", "--upstream", context.Backend.Url);
        Process = ManagedProcess.Start(Name, file, arguments, Path.Combine(dir, "yarp.log"), context.Cpus.Proxy,
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" });
        await Net.WaitForHttpAsync(HttpUrl, Process, TimeSpan.FromSeconds(60));
    }
}
