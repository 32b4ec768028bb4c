using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using MeshProxy.Identity.Workload.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshProxy.TestSupport;

/// <summary>
/// A real SPIFFE Workload API server (the checked-in workload.proto, Grpc.AspNetCore, Kestrel on a Unix socket).
/// It refuses calls without <c>workload.spiffe.io: true</c> with InvalidArgument, as the spec requires, and streams
/// whatever the test pushes.
/// </summary>
/// <remarks>
/// Its proto types are internal: MeshProxy.Identity's own (internal) copies are visible to the test projects too, and
/// two visible copies would make every use ambiguous. Tests describe a response with <see cref="WorkloadApiUpdate"/>.
/// </remarks>
public sealed class WorkloadApiTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WorkloadApiTestServer(WebApplication app, WorkloadApiState state, string socketPath)
    {
        _app = app;
        State = state;
        SocketPath = socketPath;
    }

    public WorkloadApiState State { get; }

    public string SocketPath { get; }

    /// <summary>The address a client is configured with, as SPIFFE_ENDPOINT_SOCKET would hold it.</summary>
    public string EndpointAddress => "unix://" + SocketPath;

    public static async Task<WorkloadApiTestServer> StartAsync(string socketPath, WorkloadApiState? state = null)
    {
        File.Delete(socketPath);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        state ??= new WorkloadApiState();
        builder.Services.AddSingleton(state);
        var app = builder.Build();
        app.MapGrpcService<WorkloadApiTestService>();
        await app.StartAsync();
        return new WorkloadApiTestServer(app, state, socketPath);
    }

    public async ValueTask DisposeAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(deadline.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>What the test server streams, shared across restarts: the latest response and a signal for new ones.</summary>
public sealed class WorkloadApiState
{
    private readonly Lock _lock = new();
    private readonly List<Channel<X509SVIDResponse>> _streams = [];
    private X509SVIDResponse? _latest;
    private int _calls;

    /// <summary>Calls refused with this status before any is served (e.g. PermissionDenied: no identity yet).</summary>
    public int RefuseFirstCalls { get; set; }

    public StatusCode RefusalStatus { get; set; } = StatusCode.PermissionDenied;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Sends <paramref name="update"/> to every open stream, and to streams opened later.</summary>
    public void Push(WorkloadApiUpdate update)
    {
        var response = ToResponse(update);
        lock (_lock)
        {
            _latest = response;
            foreach (var stream in _streams)
            {
                stream.Writer.TryWrite(response);
            }
        }
    }

    private static X509SVIDResponse ToResponse(WorkloadApiUpdate update)
    {
        var response = new X509SVIDResponse();
        response.Svids.AddRange(update.Svids.Select(svid => new X509SVID
        {
            SpiffeId = svid.SpiffeId,
            X509Svid = ByteString.CopyFrom(svid.Chain),
            X509SvidKey = ByteString.CopyFrom(svid.Key),
            Bundle = ByteString.CopyFrom(svid.Bundle),
        }));
        foreach (var (trustDomain, bundle) in update.FederatedBundles)
        {
            response.FederatedBundles.Add(trustDomain, ByteString.CopyFrom(bundle));
        }
        return response;
    }

    internal int CountCall() => Interlocked.Increment(ref _calls);

    internal Channel<X509SVIDResponse> Subscribe()
    {
        var channel = Channel.CreateUnbounded<X509SVIDResponse>();
        lock (_lock)
        {
            if (_latest is not null)
            {
                channel.Writer.TryWrite(_latest);
            }
            _streams.Add(channel);
        }
        return channel;
    }

    internal void Unsubscribe(Channel<X509SVIDResponse> channel)
    {
        lock (_lock)
        {
            _streams.Remove(channel);
        }
    }
}

internal sealed class WorkloadApiTestService(WorkloadApiState state, IHostApplicationLifetime lifetime) : SpiffeWorkloadAPI.SpiffeWorkloadAPIBase
{
    public override async Task FetchX509SVID(X509SVIDRequest request, IServerStreamWriter<X509SVIDResponse> responseStream, ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue("workload.spiffe.io") != "true")
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "security header missing from request"));
        }
        if (state.CountCall() <= state.RefuseFirstCalls)
        {
            throw new RpcException(new Status(state.RefusalStatus, "refused by the test"));
        }
        var channel = state.Subscribe();
        // Stopping the server ends open streams at once, as a killed agent would, instead of draining them.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var response in channel.Reader.ReadAllAsync(ended.Token))
            {
                await responseStream.WriteAsync(response, ended.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away or the server is stopping.
        }
        finally
        {
            state.Unsubscribe(channel);
        }
    }
}
