using MeshProxy.Hosting;
using MeshProxy.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Cli.Demo;

/// <summary>
/// `meshproxy demo`: starts the backends and a sidecar on loopback, sends bounded real traffic through the sidecar,
/// stops the client's own zone's catalog instances a third of the way in and starts them again two thirds in, prints
/// the report (with the traffic of each phase), then runs two short acts (hedging against a slow instance, and an mTLS
/// hop with authorization), and shuts everything down.
/// </summary>
internal static class DemoRunner
{
    private const double StopAt = 0.3;
    private const double StartAgainAt = 0.65;

    public static async Task<int> RunAsync(TimeSpan duration, TextWriter output, CancellationToken cancellationToken)
    {
        var timeProvider = TimeProvider.System;
        output.WriteLine($"meshproxy demo: two services on loopback, a sidecar in front of a client in {DemoTopology.LocalZone}.");
        await using var backends = await DemoBackends.StartAsync(DemoTopology.Endpoints(), cancellationToken);
        await using var actBackends = await DemoBackends.StartAsync([.. DemoHedging.Endpoints(), .. DemoMutualTls.Endpoints()], cancellationToken);
        foreach (var endpoint in backends.Endpoints.Concat(actBackends.Endpoints))
        {
            output.WriteLine($"  backend {endpoint.Name,-13} ({endpoint.Service}, {endpoint.Zone}) on {endpoint.Address}");
        }
        await using var mutualTls = await DemoMutualTls.StartAsync(actBackends.Endpoints.Single(e => e.Service == DemoMutualTls.Service), cancellationToken);
        output.WriteLine($"  sidecar for {DemoMutualTls.Service} (STRICT mTLS, {DemoMutualTls.ServerId}) on {mutualTls.ServerSidecar}");

        await using var sidecar = ProxyHost.Create(new ProxyHostOptions
        {
            Config = DemoTopology.SidecarConfig(backends.Endpoints.Concat(actBackends.Endpoints.Where(e => e.Service == DemoHedging.Service)),
                DemoHedging.VirtualHostsYaml + DemoMutualTls.VirtualHostYaml, mutualTls.ClusterYaml, mutualTls.ClientIdentityYaml),
            LogLevel = LogLevel.Warning,
            HandleSignals = false,
            // The sidecar's health transitions and ejections are part of the show; the forwarder's per-request stack
            // traces for the stopped instances are not.
            ConfigureLogging = logging => logging.AddFilter("MeshProxy.Health", LogLevel.Information).AddFilter("Yarp", LogLevel.Error),
        });
        await sidecar.StartAsync(cancellationToken);
        await WaitUntilHealthyAsync(sidecar, timeProvider, cancellationToken);
        var listener = sidecar.GetListenerAddress("app-outbound");
        var local = backends.Endpoints.Where(e => e.Service == DemoTopology.FailoverService && e.Zone == DemoTopology.LocalZone).ToArray();
        var names = string.Join(" and ", local.Select(e => e.Name));
        output.WriteLine($"  sidecar listening on {listener}, admin on http://{sidecar.AdminAddress}/");
        output.WriteLine($"Sending requests to hosts \"catalog\" and \"reviews\" for {duration.TotalSeconds:0} s; {names} ({DemoTopology.LocalZone}) "
            + $"stop at {duration.TotalSeconds * StopAt:0.0} s and start again at {duration.TotalSeconds * StartAgainAt:0.0} s ...");

        var runStart = timeProvider.GetTimestamp();
        var load = DemoLoad.RunAsync(listener, duration, timeProvider, runStart, cancellationToken);
        await DelayUntilAsync(duration * StopAt);
        var stoppedAt = Elapsed();
        await backends.StopAsync(local);
        output.WriteLine($"  {stoppedAt:0.0} s: stopped {names}");
        await DelayUntilAsync(duration * StartAgainAt);
        var startedAt = (double?)Elapsed();
        try
        {
            await backends.StartAsync(local, cancellationToken);
            output.WriteLine($"  {startedAt:0.0} s: started {names} again");
        }
        catch (IOException ex)
        {
            // Their ports were taken meanwhile (rare): the run goes on with zone-b only.
            output.WriteLine($"  {startedAt:0.0} s: could not start {names} again: {ex.Message}");
            startedAt = null;
        }
        var samples = await load;

        var registry = sidecar.Services.GetRequiredService<StatsRegistry>();
        DemoReport.Write(output, samples, backends.Endpoints, duration, new DemoFailover(local, stoppedAt, startedAt, registry.Cluster(DemoTopology.FailoverService)));
        await DemoHedging.RunAsync(listener, registry, output, cancellationToken);
        await mutualTls.RunAsync(listener, registry, output, cancellationToken);
        await sidecar.StopAsync(CancellationToken.None);
        output.WriteLine();
        output.WriteLine("Done. `meshproxy run --config examples/sidecar-explicit.yaml` runs a sidecar like this one.");
        return 0;

        double Elapsed() => timeProvider.GetElapsedTime(runStart).TotalSeconds;


        Task DelayUntilAsync(TimeSpan offset)
        {
            var wait = offset - timeProvider.GetElapsedTime(runStart);
            return wait > TimeSpan.Zero ? Task.Delay(wait, timeProvider, cancellationToken) : Task.CompletedTask;
        }
    }

    /// <summary>
    /// Waits (at most 5 s) until the sidecar's health checks have passed every catalog instance, so the run starts from
    /// a settled mesh: on a busy machine a first check can time out and keep an instance out for a moment.
    /// </summary>
    private static async Task WaitUntilHealthyAsync(ProxyHost sidecar, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var configManager = sidecar.ConfigManager;
        var start = timeProvider.GetTimestamp();
        while (timeProvider.GetElapsedTime(start) < TimeSpan.FromSeconds(5)
            && configManager.Current.Clusters[DemoTopology.FailoverService].Endpoints.Any(e => e.CoarseHealth != LoadBalancing.EndpointHealth.Healthy))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), timeProvider, cancellationToken);
        }
    }
}
