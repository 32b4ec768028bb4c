using System.Buffers;
using System.Net.Sockets;
using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.Health;

/// <summary>
/// Envoy's TCP health check: connect (with the cluster's source address), write the send bytes, and wait until every
/// receive block has arrived in order ("fuzzy": other bytes may come between them). Without receive blocks a completed
/// connect is a pass. The connection is closed after each check (Envoy would keep it with reuse_connection).
/// </summary>
internal sealed class TcpHealthProbe : IHealthProbe
{
    private const int MaxResponseBytes = 64 * 1024;

    private readonly TcpHealthCheckConfig _config;
    private readonly ClusterConfig _cluster;

    public TcpHealthProbe(TcpHealthCheckConfig config, ClusterConfig cluster)
    {
        _config = config;
        _cluster = cluster;
    }

    public async ValueTask<HealthProbeResult> CheckAsync(EndpointState endpoint, CancellationToken cancellationToken)
    {
        try
        {
            using var socket = await UpstreamSocketConnector.ConnectAsync(endpoint.Address, _cluster.SourceAddresses, cancellationToken);
            if (!_config.Send.IsEmpty)
            {
                await socket.SendAsync(_config.Send.AsImmutableArray().AsMemory(), cancellationToken);
            }
            return _config.Receive.IsEmpty || await ReceiveExpectedAsync(socket, cancellationToken)
                ? HealthProbeResult.Healthy
                : HealthProbeResult.NetworkFailure;
        }
        catch (SocketException)
        {
            return HealthProbeResult.NetworkFailure;
        }
    }

    private async ValueTask<bool> ReceiveExpectedAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxResponseBytes);
        try
        {
            var length = 0;
            while (length < MaxResponseBytes)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(length, MaxResponseBytes - length), cancellationToken);
                if (read == 0)
                {
                    // Closed before everything expected arrived: Envoy fails the check as a network failure.
                    return false;
                }
                length += read;
                if (Matches(_config.Receive, buffer.AsSpan(0, length)))
                {
                    return true;
                }
            }
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Envoy's TcpHealthCheckMatcher::match: each block is found after the previous one.</summary>
    internal static bool Matches(IReadOnlyList<Utilities.EquatableArray<byte>> blocks, ReadOnlySpan<byte> received)
    {
        foreach (var block in blocks)
        {
            var index = received.IndexOf(block.AsImmutableArray().AsSpan());
            if (index < 0)
            {
                return false;
            }
            received = received[(index + block.Count)..];
        }
        return true;
    }

    public void Dispose()
    {
    }
}
