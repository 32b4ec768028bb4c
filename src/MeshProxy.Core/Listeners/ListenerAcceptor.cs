using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using MeshProxy.Telemetry;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Listeners;

/// <summary>
/// A listener's socket and accept loop. Each accepted connection goes either straight to the listener's
/// <see cref="IDirectConnectionHandler"/> (a tls listener's SNI router), on the accepting thread, or to Kestrel, which
/// sees this class as its transport: Kestrel's own transport would hand every connection to the thread pool and give
/// it pipes and an HTTP-shaped lifetime that an L4 passthrough pays for per connection and never uses.
/// </summary>
/// <remarks>
/// The choice is made per connection from the current config, so a reload can turn a listener into a gateway, or
/// back, at the same socket. Kestrel drains its connections when it stops; <see cref="DrainDirectAsync"/> drains the
/// direct ones the same way (wait until the deadline, then close what is left).
/// </remarks>
internal sealed partial class ListenerAcceptor : IConnectionListenerFactory, IConnectionListener
{
    private readonly IDirectConnectionHandler _direct;
    private readonly SocketTransportOptions _transport;
    private readonly SocketConnectionContextFactory _contexts;
    private readonly ILogger _logger;
    private readonly Channel<ConnectionContext> _toKestrel = Channel.CreateUnbounded<ConnectionContext>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
    private readonly CancellationTokenSource _abortDirect = new();
    private readonly string _listenerName;
    private Socket? _listenSocket;
    private Task _acceptLoop = Task.CompletedTask;
    private int _directOpen;
    private TaskCompletionSource? _directDrained;

    public ListenerAcceptor(string listenerName, IDirectConnectionHandler direct, SocketTransportOptions transport, ILoggerFactory loggerFactory)
    {
        _listenerName = listenerName;
        _direct = direct;
        _transport = transport;
        _contexts = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions
        {
            IOQueueCount = transport.IOQueueCount,
            WaitForDataBeforeAllocatingBuffer = transport.WaitForDataBeforeAllocatingBuffer,
            MaxReadBufferSize = transport.MaxReadBufferSize,
            MaxWriteBufferSize = transport.MaxWriteBufferSize,
            UnsafePreferInlineScheduling = transport.UnsafePreferInlineScheduling,
        }, loggerFactory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        _logger = loggerFactory.CreateLogger("MeshProxy.Listeners." + listenerName);
    }

    public EndPoint EndPoint { get; private set; } = new IPEndPoint(IPAddress.None, 0);

    /// <summary>Kestrel binds its endpoint through here: the socket is bound and the accept loop starts.</summary>
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        Socket socket;
        try
        {
            socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // As Kestrel's own transport reports it.
            throw new AddressInUseException(ex.Message, ex);
        }
        socket.Listen(_transport.Backlog);
        _listenSocket = socket;
        EndPoint = socket.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync(socket);
        return ValueTask.FromResult<IConnectionListener>(this);
    }

    /// <summary>Kestrel's side of the hand-off: the next connection that is not taken directly, or null once unbound.</summary>
    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _toKestrel.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_toKestrel.Reader.TryRead(out var connection))
            {
                return connection;
            }
        }
        return null;
    }

    /// <summary>Stops accepting (Kestrel calls this first when it stops).</summary>
    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _listenSocket?.Dispose();
        await _acceptLoop;
    }

    /// <summary>
    /// Waits for the direct connections to finish after the accept loop has stopped, and closes those still open when
    /// <paramref name="deadline"/> fires.
    /// </summary>
    public async Task DrainDirectAsync(CancellationToken deadline)
    {
        await _acceptLoop;
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _directDrained, drained);
        if (Volatile.Read(ref _directOpen) == 0)
        {
            drained.TrySetResult();
        }
        try
        {
            await drained.Task.WaitAsync(deadline);
        }
        catch (OperationCanceledException)
        {
            await _abortDirect.CancelAsync();
            await drained.Task;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listenSocket?.Dispose();
        await _acceptLoop;
        // Accepted, but never taken by a Kestrel that has stopped.
        while (_toKestrel.Reader.TryRead(out var orphan))
        {
            orphan.Abort();
            await orphan.DisposeAsync();
        }
        _contexts.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listenSocket)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listenSocket.AcceptAsync();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException { SocketErrorCode: SocketError.OperationAborted })
            {
                break;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                // Reset while it waited in the backlog.
                continue;
            }
            catch (SocketException ex)
            {
                // Out of file descriptors, for example: retry after a pause instead of spinning on the error.
                Log.AcceptFailed(_logger, _listenerName, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100));
                continue;
            }

            socket.NoDelay = _transport.NoDelay;
            if (_direct.TakesConnections)
            {
                _ = RunDirectAsync(socket);
            }
            else
            {
                _toKestrel.Writer.TryWrite(_contexts.Create(socket));
            }
        }
        _toKestrel.Writer.TryComplete();
    }

    /// <summary>Runs one direct connection; it starts on the accepting thread and runs until its first wait.</summary>
    private async Task RunDirectAsync(Socket socket)
    {
        Interlocked.Increment(ref _directOpen);
        try
        {
            using var abort = _abortDirect.Token.UnsafeRegister(static state => ((Socket)state!).Dispose(), socket);
            await _direct.HandleAsync(socket);
        }
        catch (Exception ex)
        {
            // Nothing a peer sends may take the proxy down; a closed-by-drain socket ends up here too.
            Log.DirectConnectionFailed(_logger, _listenerName, ex);
        }
        finally
        {
            socket.Dispose();
            if (Interlocked.Decrement(ref _directOpen) == 0)
            {
                Volatile.Read(ref _directDrained)?.TrySetResult();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.AcceptFailed, Level = LogLevel.Warning,
            Message = "Listener {Listener}: accepting a connection failed: {Reason}; retrying in 100 ms")]
        public static partial void AcceptFailed(ILogger logger, string listener, string reason);

        [LoggerMessage(EventId = EventIds.DirectConnectionFailed, Level = LogLevel.Debug,
            Message = "Listener {Listener}: a connection ended with an error")]
        public static partial void DirectConnectionFailed(ILogger logger, string listener, Exception exception);
    }
}
