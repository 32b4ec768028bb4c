namespace MeshProxy.Hosting;

/// <summary>Which thread runs the code that follows a socket event: the one that polled the socket, or a thread-pool worker.</summary>
/// <remarks>See docs/sni-router.md ("Event-loop I/O") for the measurements behind the choice per verb.</remarks>
public enum IoScheduling
{
    /// <summary>
    /// .NET's defaults: a socket completion, and Kestrel's I/O queue after it, hand the work to a thread-pool worker.
    /// The sidecar runs so: its work per event (HTTP parsing, TLS, routing, policy) is long enough that the polling
    /// thread must not wait for it.
    /// </summary>
    ThreadPool,

    /// <summary>
    /// Envoy's and HAProxy's model: the work after a socket event runs on the thread that polled it (one per core),
    /// and idle thread-pool workers sleep instead of spinning for work. The gateway runs so: an L4 relay does a few
    /// microseconds of work per event, less than each hand-off to another thread costs.
    /// </summary>
    EventLoop,
}
