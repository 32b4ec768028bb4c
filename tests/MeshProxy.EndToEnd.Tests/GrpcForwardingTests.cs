using Grpc.Core;
using Grpc.Net.Client;
using MeshProxy.EndToEnd.Tests.Grpc;
using MeshProxy.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>gRPC over h2c through the proxy: every call shape, trailers, and error statuses.</summary>
public sealed class GrpcForwardingTests : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private ProxyTestHost _proxy = null!;
    private GrpcChannel _channel = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await TestBackend.StartAsync("grpc", services => services.AddGrpc(), app => app.MapGrpcService<EchoGrpcService>());
        _proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(_backend.H2cAddress));
        _channel = GrpcChannel.ForAddress(_proxy.ListenerUri("web"));
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Unary_Succeeds_CarriesTrailers()
    {
        var client = new Echo.EchoClient(_channel);
        using var call = client.UnaryAsync(new EchoRequest { Message = "hi" });

        var reply = await call.ResponseAsync;

        Assert.Equal("hi", reply.Message);
        Assert.Equal("done", call.GetTrailers().GetValue("x-echo-trailer"));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Unary_ServerFails_StatusAndTrailersReachClient()
    {
        var client = new Echo.EchoClient(_channel);
        using var call = client.UnaryAsync(new EchoRequest { Message = "boom", FailWith = (int)StatusCode.FailedPrecondition });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("failed on request: boom", error.Status.Detail);
        Assert.Equal("done", error.Trailers.GetValue("x-echo-trailer"));
    }

    [Fact]
    public async Task ServerStream_AllMessagesAndTrailers()
    {
        var client = new Echo.EchoClient(_channel);
        using var call = client.ServerStream(new EchoRequest { Message = "tick", Count = 50 });

        var replies = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Equal(Enumerable.Range(0, 50), replies.Select(r => r.Index));
        Assert.Equal("50", call.GetTrailers().GetValue("x-echo-count"));
    }

    [Fact]
    public async Task ClientStream_ServerSeesEveryMessage()
    {
        var client = new Echo.EchoClient(_channel);
        using var call = client.ClientStream();

        foreach (var part in new[] { "a", "b", "c" })
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Message = part });
        }
        await call.RequestStream.CompleteAsync();

        Assert.Equal("a,b,c", (await call.ResponseAsync).Message);
    }

    [Fact]
    public async Task Bidi_EachMessageEchoedBeforeTheNextIsSent()
    {
        var client = new Echo.EchoClient(_channel);
        using var call = client.Bidi();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Message = $"m{i}" });
            // The echo must arrive while the request stream is still open: true bidirectional streaming, no buffering.
            Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
            Assert.Equal($"m{i}", call.ResponseStream.Current.Message);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }
}
