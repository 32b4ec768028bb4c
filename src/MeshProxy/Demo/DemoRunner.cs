using MeshProxy.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Cli.Demo;

/// <summary>
/// `meshproxy demo`: starts the backends and a sidecar on loopback, sends bounded real traffic through the
/// sidecar, prints the report, and shuts everything down.
/// </summary>
internal static class DemoRunner
{
    public static async Task<int> RunAsync(TimeSpan duration, TextWriter output, CancellationToken cancellationToken)
    {
        var timeProvider = TimeProvider.System;
        output.WriteLine("meshproxy demo: two services on loopback, a sidecar in front of a client.");
        await using var backends = await DemoBackends.StartAsync(DemoTopology.Endpoints(), cancellationToken);
        foreach (var endpoint in backends.Endpoints)
        {
            output.WriteLine($"  backend {endpoint.Name,-13} ({endpoint.Service}, {endpoint.Zone}) on {endpoint.Address}");
        }

        await using var sidecar = ProxyHost.Create(new ProxyHostOptions
        {
            Config = DemoTopology.SidecarConfig(backends.Endpoints),
            LogLevel = LogLevel.Warning,
            HandleSignals = false,
        });
        await sidecar.StartAsync(cancellationToken);
        var listener = sidecar.GetListenerAddress("app-outbound");
        output.WriteLine($"  sidecar listening on {listener}, admin on http://{sidecar.AdminAddress}/");
        output.WriteLine($"Sending requests to hosts \"catalog\" and \"reviews\" for {duration.TotalSeconds:0} s ...");

        var samples = await DemoLoad.RunAsync(listener, duration, timeProvider, cancellationToken);
        DemoReport.Write(output, samples, backends.Endpoints, duration);
        await sidecar.StopAsync(CancellationToken.None);
        output.WriteLine();
        output.WriteLine("Done. `meshproxy run --config examples/sidecar-explicit.yaml` runs a sidecar like this one.");
        return 0;
    }
}
