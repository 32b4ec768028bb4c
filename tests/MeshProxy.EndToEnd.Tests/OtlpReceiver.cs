using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Opentelemetry.Proto.Collector.Trace.V1;
using Opentelemetry.Proto.Trace.V1;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>
/// A real OTLP trace receiver built from the official protos: the gRPC TraceService on an h2c port, and OTLP/HTTP
/// (protobuf POSTs to /v1/traces) on another. It keeps every span it receives.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _grpc;
    private readonly ListenOptions _http;

    private OtlpReceiver(WebApplication app, ListenOptions grpc, ListenOptions http)
    {
        _app = app;
        _grpc = grpc;
        _http = http;
    }

    public ConcurrentQueue<Span> Spans { get; } = new();

    public Uri GrpcEndpoint => new($"http://{_grpc.IPEndPoint}");

    public Uri HttpEndpoint => new($"http://{_http.IPEndPoint}/v1/traces");

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? grpc = null;
        ListenOptions? http = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => { listen.Protocols = HttpProtocols.Http2; grpc = listen; });
            kestrel.Listen(IPAddress.Loopback, 0, listen => { listen.Protocols = HttpProtocols.Http1; http = listen; });
        });
        builder.Services.AddGrpc();
        OtlpReceiver? receiver = null;
        builder.Services.AddSingleton(_ => receiver!);
        var app = builder.Build();
        app.MapGrpcService<TraceServiceImplementation>();
        app.MapPost("/v1/traces", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            receiver!.Add(ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
            await context.Response.Body.WriteAsync(new ExportTraceServiceResponse().ToByteArray());
        });
        receiver = new OtlpReceiver(app, grpc!, http!);
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits, bounded, for a span matching <paramref name="predicate"/>.</summary>
    public async Task<Span> WaitForSpanAsync(Func<Span, bool> predicate, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (Spans.FirstOrDefault(predicate) is { } span)
            {
                return span;
            }
            try
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching span within {timeout}; received {Spans.Count} spans.");
            }
        }
    }

    private void Add(ExportTraceServiceRequest request)
    {
        foreach (var resource in request.ResourceSpans)
        {
            foreach (var library in resource.InstrumentationLibrarySpans)
            {
                foreach (var span in library.Spans)
                {
                    Spans.Enqueue(span);
                }
            }
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private sealed class TraceServiceImplementation(OtlpReceiver receiver) : TraceService.TraceServiceBase
    {
        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            receiver.Add(request);
            return Task.FromResult(new ExportTraceServiceResponse());
        }
    }
}
