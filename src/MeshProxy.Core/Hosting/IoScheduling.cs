namespace MeshProxy.Hosting;

/// <summary>Which thread runs the code that follows a socket event: the one that polled the socket, or a thread-pool worker.</summary>
/// <remarks>
/// The command line's <c>--io-scheduling</c>; both proxy verbs default to <see cref="EventLoop"/>. Measurements:
/// docs/sni-router.md (Performance) for the gateway, bench/README.md ("Event-loop I/O by default") for the sidecar.
/// </remarks>
public enum IoScheduling
{
    /// <summary>
    /// .NET's defaults: a socket completion, and Kestrel's I/O queue after it, hand the work to a thread-pool worker.
    /// Long work on one connection (a TLS handshake) then does not hold up the others polled by the same thread: worth
    /// it when new mTLS connections dominate (about 10% more of them per second, measured).
    /// </summary>
    ThreadPool,

    /// <summary>
    /// Envoy's and HAProxy's model: the work after a socket event runs on the thread that polled it (one per core),
    /// and idle thread-pool workers sleep instead of spinning for work. Most work per event takes less time than a
    /// hand-off to another thread costs: measured, 17–37% less CPU per HTTP request and 0.4 instead of 1.7 ms per
    /// relayed gateway connection.
    /// </summary>
    EventLoop,
}
