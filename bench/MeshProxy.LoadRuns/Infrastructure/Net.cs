using System.Net;
using System.Net.Sockets;

namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>Loopback ports and readiness checks. Every address of the run is on 127.0.0.1.</summary>
internal static class Net
{
    /// <summary>A port that was free a moment ago (bound to port 0, then released).</summary>
    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Polls an HTTP URL until it answers 200, the process dies, or the bound passes.</summary>
    public static async Task WaitForHttpAsync(string url, ManagedProcess? process, TimeSpan bound)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + bound;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"{process.Name} exited with code {process.ExitCode} before {url} answered.");
            }
            try
            {
                using var response = await client.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
                last = $"status {(int)response.StatusCode}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{url} did not answer 200 within {bound.TotalSeconds:0} s ({last}).");
    }

    /// <summary>Polls a TCP port until it accepts a connection.</summary>
    public static async Task WaitForTcpAsync(IPEndPoint endpoint, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (DateTime.UtcNow < deadline)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(endpoint);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"{endpoint} did not accept a connection within {bound.TotalSeconds:0} s.");
    }
}
