using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace MeshProxy.LoadRuns.Commands;

/// <summary>
/// A collector that accepts OTLP trace exports and discards them, so a proxy with tracing on pays for exporting
/// (serialising, sending, awaiting the answer) as it would against a real collector: OTLP/gRPC on an h2c port
/// (an empty ExportTraceServiceResponse and grpc-status 0) and OTLP/HTTP protobuf on an HTTP/1.1 port (200, empty
/// body). <c>GET /stats</c> on the HTTP port answers "exports N bytes M".
/// </summary>
internal static class OtlpSinkCommand
{
    private static long s_exports;
    private static long s_bytes;

    public static async Task<int> RunAsync(string[] args)
    {
        var grpc = IPEndPoint.Parse(CommandLine.Value(args, "--grpc") ?? throw new ArgumentException("--grpc 127.0.0.1:PORT is required"));
        var http = IPEndPoint.Parse(CommandLine.Value(args, "--http") ?? throw new ArgumentException("--http 127.0.0.1:PORT is required"));

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(grpc, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(http, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.RunAsync();
        return 0;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await context.Response.WriteAsync(FormattableString.Invariant($"exports {Interlocked.Read(ref s_exports)} bytes {Interlocked.Read(ref s_bytes)}\n"));
            return;
        }
        var buffer = new byte[16 * 1024];
        long received = 0;
        int n;
        while ((n = await context.Request.Body.ReadAsync(buffer)) > 0)
        {
            received += n;
        }
        Interlocked.Increment(ref s_exports);
        Interlocked.Add(ref s_bytes, received);
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            context.Response.ContentType = "application/grpc";
            // One length-prefixed message: not compressed, 0 bytes (an empty ExportTraceServiceResponse).
            await context.Response.Body.WriteAsync(new byte[5]);
            context.Response.AppendTrailer("grpc-status", "0");
            return;
        }
        context.Response.ContentType = "application/x-protobuf";
    }
}
