using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace MeshProxy.LoadRuns.Commands;

/// <summary>
/// The bare YARP floor: the smallest YARP reverse proxy anyone would write, with one catch-all route and every default
/// (Kestrel, YARP's forwarder and HttpClient, server GC set by the parent), logging at Warning so the console is not
/// the bottleneck.
/// </summary>
internal static class BareYarpCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var listen = CommandLine.Value(args, "--listen") ?? throw new ArgumentException("--listen 127.0.0.1:PORT is required");
        var upstream = CommandLine.Value(args, "--upstream") ?? throw new ArgumentException("--upstream URL is required");

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://{listen}");
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "{**catch-all}" } }],
            [new ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig> { ["backend"] = new() { Address = upstream } } }]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.RunAsync();
        return 0;
    }
}
