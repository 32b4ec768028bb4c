using System.Collections.Frozen;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using MeshProxy.Utilities;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Cli.Demo;

/// <summary>One backend instance of the demo: which service it belongs to, its zone, and how it behaves.</summary>
internal sealed record DemoEndpoint(string Service, string Name, string Zone, TimeSpan Latency, double ErrorRate)
{
    public IPEndPoint Address { get; set; } = new(IPAddress.Loopback, 0);
}

/// <summary>
/// All demo backend instances, served by one small Kestrel app on one loopback port per instance. Each answers
/// with its name in the x-demo-endpoint header, after its latency, failing with 503 at its error rate.
/// </summary>
internal sealed class DemoBackends : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FrozenDictionary<int, DemoEndpoint> _byPort;

    private DemoBackends(WebApplication app, IReadOnlyList<DemoEndpoint> endpoints)
    {
        _app = app;
        Endpoints = endpoints;
        _byPort = endpoints.ToFrozenDictionary(e => e.Address.Port);
    }

    public IReadOnlyList<DemoEndpoint> Endpoints { get; }

    public static async Task<DemoBackends> StartAsync(IReadOnlyList<DemoEndpoint> endpoints, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var listenOptions = new List<(DemoEndpoint Endpoint, ListenOptions Options)>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var endpoint in endpoints)
            {
                kestrel.Listen(IPAddress.Loopback, 0, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listenOptions.Add((endpoint, listen));
                });
            }
        });
        var app = builder.Build();
        DemoBackends? backends = null;
        app.Run(context => backends!.HandleAsync(context));
        await app.StartAsync(cancellationToken);
        foreach (var (endpoint, options) in listenOptions)
        {
            endpoint.Address = options.IPEndPoint!;
        }
        backends = new DemoBackends(app, endpoints);
        return backends;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var endpoint = _byPort[context.Connection.LocalPort];
        // Real latency spread: the configured latency plus up to 50% jitter.
        var latency = endpoint.Latency * (1 + ThreadLocalRandomFactory.Instance.CreateRandomInstance().NextDouble() / 2);
        await Task.Delay(latency, context.RequestAborted);
        context.Response.Headers["x-demo-endpoint"] = endpoint.Name;
        if (ThreadLocalRandomFactory.Instance.CreateRandomInstance().NextDouble() < endpoint.ErrorRate)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"{endpoint.Name} is overloaded\n");
            return;
        }
        await context.Response.WriteAsync($"hello from {endpoint.Name} ({endpoint.Service}, {endpoint.Zone})\n");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
