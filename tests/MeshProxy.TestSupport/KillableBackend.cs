using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace MeshProxy.TestSupport;

/// <summary>
/// A real HTTP/1.1 backend on one loopback port that a test can kill and revive, for health-checking tests. Killed, its
/// server is gone and the port is held by a socket that is bound but never listens, so connections are refused (as
/// with a crashed process); revived, a new server listens on the same port. The port is never free in between: both
/// sockets use SO_REUSEPORT, so the holder binds before the server stops and the server binds before the holder goes,
/// and no other test's port-0 bind can be handed the port meanwhile.
/// Every answer carries x-backend: name. GET /healthz answers 200 (with x-envoy-degraded when <see cref="Degraded"/>);
/// other paths answer 200, or <see cref="FailureStatus"/> when set.
/// </summary>
public sealed class KillableBackend : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private WebApplication? _app;
    private Socket? _placeholder;
    private int _requests;

    private KillableBackend(string name, IPEndPoint address)
    {
        Name = name;
        Address = address;
    }

    public string Name { get; }

    public IPEndPoint Address { get; }

    public bool IsAlive => _app is not null;

    /// <summary>When not 0, every request except /healthz is answered with this status. Default 0 (200).</summary>
    public int FailureStatus { get; set; }

    /// <summary>Whether /healthz answers with x-envoy-degraded (Envoy's degraded signal).</summary>
    public bool Degraded { get; set; }

    /// <summary>Requests served other than /healthz.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<KillableBackend> StartAsync(string name)
    {
        var holder = HoldPort(new IPEndPoint(IPAddress.Loopback, 0));
        var backend = new KillableBackend(name, (IPEndPoint)holder.LocalEndPoint!) { _placeholder = holder };
        await backend.ReviveAsync();
        return backend;
    }

    /// <summary>Stops the server: open connections close and new ones are refused.</summary>
    public async Task KillAsync()
    {
        var app = _app ?? throw new InvalidOperationException($"{Name} is already dead.");
        _placeholder = HoldPort(Address);
        _app = null;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>Starts a new server on the same port.</summary>
    public async Task ReviveAsync()
    {
        if (_app is not null)
        {
            throw new InvalidOperationException($"{Name} is already alive.");
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = endpoint => HoldPort((IPEndPoint)endpoint));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(Address, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        _app = app;
        _placeholder?.Dispose();
        _placeholder = null;
    }

    private Task HandleAsync(HttpContext context)
    {
        context.Response.Headers["x-backend"] = Name;
        if (context.Request.Path == "/healthz")
        {
            if (Degraded)
            {
                context.Response.Headers["x-envoy-degraded"] = "";
            }
            return context.Response.WriteAsync("ok\n");
        }
        Interlocked.Increment(ref _requests);
        if (FailureStatus != 0)
        {
            context.Response.StatusCode = FailureStatus;
        }
        return context.Response.WriteAsync($"hello from {Name}\n");
    }

    /// <summary>A socket bound (not listening) to the address with SO_REUSEPORT, the holder's and the server's alike.</summary>
    private static Socket HoldPort(IPEndPoint address)
    {
        const int SolSocket = 1, SoReusePort = 15; // Linux
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
        socket.Bind(address);
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync();
        }
        _placeholder?.Dispose();
    }
}
