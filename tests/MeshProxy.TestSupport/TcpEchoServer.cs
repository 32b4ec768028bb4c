using System.Net;
using System.Net.Sockets;

namespace MeshProxy.TestSupport;

/// <summary>
/// A raw TCP server on loopback for L4 tests. In echo mode it echoes everything until the client half-closes, then
/// sends "END" and half-closes itself: seeing "END" proves the client's FIN arrived and the server could still send.
/// In talk-first mode it sends a greeting, half-closes at once, and keeps reading what the client sends.
/// </summary>
public sealed class TcpEchoServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly bool _talkFirst;
    private int _connections;

    private TcpEchoServer(bool talkFirst)
    {
        _talkFirst = talkFirst;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint Address => (IPEndPoint)_listener.LocalEndpoint;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Every accepted connection's peer, for diagnostics.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Peers { get; } = new();

    /// <summary>Bytes the talk-first server read from its first client after it had half-closed.</summary>
    public TaskCompletionSource<byte[]> ReceivedAfterHalfClose { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static TcpEchoServer StartEcho() => new(talkFirst: false);

    public static TcpEchoServer StartTalkFirst() => new(talkFirst: true);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            Peers.Enqueue(socket.RemoteEndPoint?.ToString() ?? "?");
            _ = _talkFirst ? TalkFirstAsync(socket) : EchoAsync(socket);
        }
    }

    private async Task EchoAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int read;
                while ((read = await socket.ReceiveAsync(buffer, _stop.Token)) > 0)
                {
                    await socket.SendAsync(buffer.AsMemory(0, read), _stop.Token);
                }
                await socket.SendAsync("END"u8.ToArray(), _stop.Token);
                socket.Shutdown(SocketShutdown.Send);
                await DrainAsync(socket, buffer);
            }
            catch (Exception)
            {
                // The client went away; nothing to echo.
            }
        }
    }

    private async Task TalkFirstAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                await socket.SendAsync("HELLO"u8.ToArray(), _stop.Token);
                socket.Shutdown(SocketShutdown.Send);
                using var received = new MemoryStream();
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await socket.ReceiveAsync(buffer, _stop.Token)) > 0)
                {
                    received.Write(buffer, 0, read);
                }
                ReceivedAfterHalfClose.TrySetResult(received.ToArray());
            }
            catch (Exception ex)
            {
                ReceivedAfterHalfClose.TrySetException(ex);
            }
        }
    }

    private async Task DrainAsync(Socket socket, byte[] buffer)
    {
        while (await socket.ReceiveAsync(buffer, _stop.Token) > 0)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        _stop.Dispose();
    }
}
