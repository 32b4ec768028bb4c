using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MeshProxy.LoadRuns.Commands;

/// <summary>
/// The resilience scenario's backends in one process: every <c>--listen</c> port answers <c>GET /</c> with 200 "ok" at
/// once; the <c>--slow</c> port does the same but holds <c>--slow-percent</c>% of its requests for <c>--delay-ms</c>
/// first (a slow instance: GC pauses, a noisy neighbour). Kestrel defaults, logging at Warning.
/// </summary>
internal static class DelayBackendCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var fast = CommandLine.Values(args, "--listen").Select(IPEndPoint.Parse).ToList();
        var slow = IPEndPoint.Parse(CommandLine.Value(args, "--slow") ?? throw new ArgumentException("--slow 127.0.0.1:PORT is required"));
        var slowFraction = double.Parse(CommandLine.Value(args, "--slow-percent") ?? "5", CultureInfo.InvariantCulture) / 100;
        var delay = TimeSpan.FromMilliseconds(double.Parse(CommandLine.Value(args, "--delay-ms") ?? "200", CultureInfo.InvariantCulture));

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var endpoint in fast.Append(slow))
            {
                kestrel.Listen(endpoint);
            }
        });
        var app = builder.Build();
        app.Run(async context =>
        {
            if (context.Connection.LocalPort == slow.Port && Random.Shared.NextDouble() < slowFraction)
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("ok", context.RequestAborted);
        });
        await app.RunAsync();
        return 0;
    }
}
