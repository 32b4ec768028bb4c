using MeshProxy.Resilience;
using MeshProxy.Upstream;
using MeshProxy.Utilities;

namespace MeshProxy.Http;

/// <summary>
/// An upstream connection's stream that frees its place under the cluster's maxConnections, and counts the connection
/// closed, when the engine closes it (DisposeAsync ends in Dispose(true) too). Everything else passes straight through.
/// </summary>
internal sealed class ConnectionSlotStream(Stream inner, ConnectionSlot slot, ClusterStats stats) : DelegatingStream(inner)
{
    private int _closed;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Release();
        }
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            slot.Dispose();
            stats.ConnectionClosed();
        }
    }
}
