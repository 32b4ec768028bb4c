namespace MeshProxy.Tcp;

/// <summary>
/// Where the relay writes bytes going back to the client, with a half-close that keeps the client's
/// sending side open (TCP FIN only in the client's receive direction).
/// </summary>
internal interface IDownstreamSink
{
    ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Signals end of stream to the client while still reading from it.</summary>
    void ShutdownSend();
}
