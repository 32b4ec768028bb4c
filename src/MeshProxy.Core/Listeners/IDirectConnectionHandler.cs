using System.Net.Sockets;

namespace MeshProxy.Listeners;

/// <summary>
/// Takes accepted sockets before Kestrel sees them, on the thread that accepted them: the SNI router of a tls listener,
/// whose connections need neither HTTP nor Kestrel's hand-off to the thread pool (see <see cref="ListenerAcceptor"/>).
/// </summary>
internal interface IDirectConnectionHandler
{
    /// <summary>Whether the current config has this handler take the listener's next connection.</summary>
    bool TakesConnections { get; }

    /// <summary>Runs the connection to its end. The caller disposes the socket afterwards.</summary>
    Task HandleAsync(Socket socket);
}
