namespace MeshProxy.Tcp;

/// <summary>
/// Where the relay writes one direction's bytes, with a half-close that ends only that direction (a TCP FIN)
/// while the other keeps flowing. A send completes once the bytes are handed to the kernel, so after the last
/// send and <see cref="ShutdownSendAsync"/> nothing is left in a user-space buffer when the relay ends.
/// </summary>
internal interface IRelaySink
{
    ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Signals end of stream to the peer while still reading from it. Never throws: a peer that is gone needs no signal.</summary>
    ValueTask ShutdownSendAsync();
}
