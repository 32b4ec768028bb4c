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
/// All demo backend instances, each its own small Kestrel server on a loopback port, so one can be stopped (its port
/// then refuses connections, as a crashed instance would) and started again on the same port. Each answers with its
/// name in the x-demo-endpoint header, after its latency, failing with 503 at its error rate; GET /healthz is the
/// health check and always answers 200 at once.
/// </summary>
internal sealed class DemoBackends : IAsyncDisposable
{
    private readonly Dictionary<DemoEndpoint, WebApplication> _running = [];

    private DemoBackends(IReadOnlyList<DemoEndpoint> endpoints) => Endpoints = endpoints;

    public IReadOnlyList<DemoEndpoint> Endpoints { get; }

    public static async Task<DemoBackends> StartAsync(IReadOnlyList<DemoEndpoint> endpoints, CancellationToken cancellationToken)
    {
        var backends = new DemoBackends(endpoints);
        await backends.StartAsync(endpoints, cancellationToken);
        return backends;
    }

    /// <summary>Starts the given instances: on a free port the first time, on their own port again after a stop.</summary>
    public async Task StartAsync(IEnumerable<DemoEndpoint> endpoints, CancellationToken cancellationToken)
    {
        foreach (var endpoint in endpoints)
        {
            ListenOptions? bound = null;
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint.Address, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                bound = listen;
            }));
            var app = builder.Build();
            app.Run(context => HandleAsync(endpoint, context));
            await app.StartAsync(cancellationToken);
            endpoint.Address = bound!.IPEndPoint!;
            _running[endpoint] = app;
        }
    }

    /// <summary>Stops the given instances: their open connections close and new ones are refused.</summary>
    public async Task StopAsync(IEnumerable<DemoEndpoint> endpoints)
    {
        foreach (var endpoint in endpoints)
        {
            if (_running.Remove(endpoint, out var app))
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
            }
        }
    }

    private static async Task HandleAsync(DemoEndpoint endpoint, HttpContext context)
    {
        context.Response.Headers["x-demo-endpoint"] = endpoint.Name;
        // Behind an mTLS sidecar: tell the caller who the sidecar says it is (the URI of x-forwarded-client-cert).
        if (context.Request.Headers["x-forwarded-client-cert"].ToString() is { Length: > 0 } xfcc)
        {
            context.Response.Headers["x-demo-caller"] = xfcc[(xfcc.LastIndexOf("URI=", StringComparison.Ordinal) + 4)..];
        }
        if (context.Request.Path == DemoTopology.HealthCheckPath)
        {
            await context.Response.WriteAsync("ok\n");
            return;
        }
        var random = ThreadLocalRandomFactory.Instance.CreateRandomInstance();
        // Real latency spread: the configured latency plus up to 50% jitter.
        await Task.Delay(endpoint.Latency * (1 + random.NextDouble() / 2), context.RequestAborted);
        if (random.NextDouble() < endpoint.ErrorRate)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"{endpoint.Name} is overloaded\n");
            return;
        }
        await context.Response.WriteAsync($"hello from {endpoint.Name} ({endpoint.Service}, {endpoint.Zone})\n");
    }

    public async ValueTask DisposeAsync() => await StopAsync(_running.Keys.ToArray());
}
