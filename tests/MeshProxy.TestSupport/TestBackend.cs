using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshProxy.TestSupport;

/// <summary>
/// A real HTTP backend on loopback for end-to-end tests: one HTTP/1.1 port and one h2c (HTTP/2 prior knowledge) port.
/// Endpoints: /echo (reports protocol, method, path, headers), /status/{code}, /delay/{ms} (counts cancellations),
/// /abort (drops the connection before any response), /bytes/{n} (streams n bytes),
/// /upload (returns the body's length and SHA-256), /ws (WebSocket echo), /reset (aborts mid-response), /gated
/// (sends a first chunk, then waits for the test to open the gate). More endpoints (gRPC) can be mapped by the caller.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _http1;
    private readonly ListenOptions _h2c;
    private readonly ConcurrentQueue<ObservedRequest> _requests = new();
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _cancelledDelays;

    private TestBackend(string name, WebApplication app, ListenOptions http1, ListenOptions h2c)
    {
        Name = name;
        _app = app;
        _http1 = http1;
        _h2c = h2c;
    }

    public string Name { get; }

    public IPEndPoint Http1Address => _http1.IPEndPoint!;

    public IPEndPoint H2cAddress => _h2c.IPEndPoint!;

    public IReadOnlyCollection<ObservedRequest> Requests => _requests;

    /// <summary>/delay requests whose client (the proxy) cancelled them before the delay was over.</summary>
    public int CancelledDelays => Volatile.Read(ref _cancelledDelays);

    /// <summary>Completes when /gated has sent its first chunk.</summary>
    public TaskCompletionSource GatedFirstChunkSent { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets /gated send the rest of its response.</summary>
    public void OpenGate() => _gate.TrySetResult();

    public static async Task<TestBackend> StartAsync(string name = "backend", Action<IServiceCollection>? configureServices = null, Action<WebApplication>? mapEndpoints = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MaxRequestHeadersTotalSize = 128 * 1024;
        });
        ListenOptions? http1 = null;
        ListenOptions? h2c = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => { listen.Protocols = HttpProtocols.Http1; http1 = listen; });
            kestrel.Listen(IPAddress.Loopback, 0, listen => { listen.Protocols = HttpProtocols.Http2; h2c = listen; });
        });
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        var backend = new TestBackend(name, app, http1!, h2c!);
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            backend._requests.Enqueue(new ObservedRequest(context.Request.Protocol, context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), context.Connection.RemoteIpAddress));
            context.Response.Headers["x-backend"] = backend.Name;
            await next(context);
        });
        backend.MapEndpoints(app);
        mapEndpoints?.Invoke(app);
        await app.StartAsync();
        return backend;
    }

    private void MapEndpoints(WebApplication app)
    {
        app.Map("/echo", (HttpContext context) =>
        {
            var text = new StringBuilder();
            text.Append("backend: ").Append(Name).Append('\n');
            text.Append("protocol: ").Append(context.Request.Protocol).Append('\n');
            text.Append("method: ").Append(context.Request.Method).Append('\n');
            text.Append("path: ").Append(context.Request.Path).Append(context.Request.QueryString).Append('\n');
            foreach (var header in context.Request.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
            {
                text.Append(header.Key.ToLowerInvariant()).Append(": ").Append(header.Value.ToString()).Append('\n');
            }
            return Results.Text(text.ToString());
        });
        app.Map("/status/{code:int}", (int code) => Results.Text($"status {code}\n", statusCode: code));
        app.Map("/delay/{milliseconds:int}", async (int milliseconds, HttpContext context) =>
        {
            try
            {
                await Task.Delay(milliseconds, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelledDelays);
                throw;
            }
            return Results.Text("delayed\n");
        });
        app.Map("/abort", (HttpContext context) => context.Abort());
        app.MapGet("/bytes/{count:long}", async (long count, HttpContext context) =>
        {
            context.Response.ContentType = "application/octet-stream";
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < chunk.Length; i++)
            {
                chunk[i] = (byte)(i % 251);
            }
            for (long sent = 0; sent < count;)
            {
                var size = (int)Math.Min(chunk.Length, count - sent);
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, size), context.RequestAborted);
                sent += size;
            }
        });
        app.MapPost("/upload", async (HttpContext context) =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long length = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
            return Results.Text($"{length} {Convert.ToHexStringLower(hash.GetHashAndReset())}\n");
        });
        app.Map("/ws", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                    return;
                }
                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
            }
        });
        app.MapGet("/reset", async (HttpContext context) =>
        {
            context.Response.ContentLength = 1024 * 1024;
            await context.Response.Body.WriteAsync(new byte[1024], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(50);
            context.Abort();
        });
        app.MapGet("/gated", async (HttpContext context) =>
        {
            await context.Response.WriteAsync("first chunk\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            GatedFirstChunkSent.TrySetResult();
            await _gate.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("second chunk\n", context.RequestAborted);
        });
    }

    /// <summary>Re-arms /gated for another run.</summary>
    public void ResetGate()
    {
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        GatedFirstChunkSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A request as the backend saw it.</summary>
public sealed record ObservedRequest(string Protocol, string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, IPAddress? RemoteAddress);
