using Grpc.Core;
using MeshProxy.EndToEnd.Tests.Grpc;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>The gRPC backend: echoes, streams, and fails on request; every reply carries a trailer.</summary>
internal sealed class EchoGrpcService : Echo.EchoBase
{
    public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context)
    {
        context.ResponseTrailers.Add("x-echo-trailer", "done");
        if (request.FailWith != 0)
        {
            throw new RpcException(new Status((StatusCode)request.FailWith, "failed on request: " + request.Message));
        }
        return Task.FromResult(new EchoReply { Message = request.Message });
    }

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(new EchoReply { Message = request.Message, Index = i });
        }
        context.ResponseTrailers.Add("x-echo-count", request.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public override async Task<EchoReply> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var parts = new List<string>();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            parts.Add(request.Message);
        }
        return new EchoReply { Message = string.Join(",", parts), Index = parts.Count };
    }

    public override async Task Bidi(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        var index = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new EchoReply { Message = request.Message, Index = index++ });
        }
    }
}
