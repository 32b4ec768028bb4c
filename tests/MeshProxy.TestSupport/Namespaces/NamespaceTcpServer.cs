using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MeshProxy.TestSupport.Namespaces;

/// <summary>
/// A TCP server listening inside a <see cref="NetworkNamespace"/> that records, per connection, who connected
/// (the peer address is what proves whether traffic went through the proxy). Each connection is handled with
/// a time limit; disposing stops the server and waits for its handlers.
/// </summary>
public abstract class NamespaceTcpServer<TRecord> : IAsyncDisposable
{
    /// <summary>How long one connection may take before the server gives up on it.</summary>
    protected static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(20);

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<TRecord> _records = new();
    private readonly ConcurrentDictionary<Task, bool> _handlers = new();
    private Task _acceptLoop = Task.CompletedTask;

    protected NamespaceTcpServer(NetworkNamespace ns, IPEndPoint bindTo)
        : this(ns.CreateTcpSocket(bindTo.AddressFamily), bindTo)
    {
    }

    /// <summary>Listens on <paramref name="listener"/>, a socket of whichever namespace (the host's own for loopback servers).</summary>
    protected NamespaceTcpServer(Socket listener, IPEndPoint bindTo)
    {
        _listener = listener;
        try
        {
            if (bindTo.Address.Equals(IPAddress.IPv6Any))
            {
                _listener.DualMode = true;
            }
            _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Bind(bindTo);
            _listener.Listen();
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public int Port => LocalEndPoint.Port;

    /// <summary>Everything recorded so far, in arrival order.</summary>
    public IReadOnlyList<TRecord> Records => [.. _records];

    /// <summary>An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d; tests compare plain addresses.</summary>
    public static IPEndPoint Normalize(EndPoint? endPoint)
    {
        var ip = (IPEndPoint)endPoint!;
        return ip.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ip.Address.MapToIPv4(), ip.Port) : ip;
    }

    protected void StartAccepting() => _acceptLoop = AcceptLoopAsync();

    protected void Record(TRecord record) => _records.Enqueue(record);

    /// <summary>Serves one accepted connection; the token fires after <see cref="ConnectionTimeout"/> or on dispose.</summary>
    protected abstract Task HandleAsync(Socket connection, CancellationToken cancellationToken);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var handler = HandleOneAsync(connection);
            _handlers[handler] = true;
            _ = handler.ContinueWith(done => _handlers.TryRemove(done, out _), TaskScheduler.Default);
        }
    }

    private async Task HandleOneAsync(Socket connection)
    {
        using var _ = connection;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        deadline.CancelAfter(ConnectionTimeout);
        try
        {
            await HandleAsync(connection, deadline.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException)
        {
            // The test that made this connection sees the failure from its side; the record is simply missing.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        await Task.WhenAll(_handlers.Keys);
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
