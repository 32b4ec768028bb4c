using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace MeshProxy.TestSupport.Namespaces;

/// <summary>
/// A network namespace a test created (`ip netns add`), deleted on dispose. Commands run inside it with
/// `ip netns exec`, optionally as another user (setpriv); sockets are created inside it from this process, so
/// in-process servers and clients live in the namespace without a helper process. Needs root.
/// </summary>
public sealed partial class NetworkNamespace : IAsyncDisposable
{
    /// <summary>Bound for every `ip` and `iptables` command a test runs; they finish in milliseconds.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);

    private const int CloneNewNet = 0x40000000;
    private static int s_sweptStale;
    private bool _deleted;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>
    /// Creates a namespace named <c>mp{role}{pid}x{id}</c> with its loopback up. The PID in the name lets a later run
    /// delete what a killed run left behind (<see cref="SweepStale"/>) without touching anyone else's namespaces.
    /// </summary>
    public static async Task<NetworkNamespace> CreateAsync(char role, int id)
    {
        if (Interlocked.Exchange(ref s_sweptStale, 1) == 0)
        {
            await SweepStale();
        }
        var ns = new NetworkNamespace($"mp{role}{Environment.ProcessId}x{id}");
        await Ip(["netns", "add", ns.Name]);
        try
        {
            await ns.RunCheckedAsync(["ip", "link", "set", "lo", "up"]);
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
        return ns;
    }

    /// <summary>Runs <paramref name="command"/> inside the namespace, as <paramref name="uid"/> (same gid, no supplementary groups) when given.</summary>
    public Task<ProcessResult> RunAsync(IEnumerable<string> command, int? uid = null, TimeSpan? timeout = null, string? standardInput = null) =>
        ProcessRunner.RunAsync(Tools.Require("ip"), Wrap(command, uid), timeout ?? CommandTimeout, standardInput);

    /// <summary>Like <see cref="RunAsync"/>, but a non-zero exit fails with the command's output.</summary>
    public async Task<ProcessResult> RunCheckedAsync(IEnumerable<string> command, int? uid = null, string? standardInput = null)
    {
        var list = command.ToList();
        var result = await RunAsync(list, uid, standardInput: standardInput);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"In namespace {Name}: '{string.Join(' ', list)}' failed: {result}");
        }
        return result;
    }

    /// <summary>Starts a long-running process inside the namespace; disposing it kills it.</summary>
    public RunningProcess Start(IEnumerable<string> command, int? uid = null) => ProcessRunner.Start(Tools.Require("ip"), Wrap(command, uid));

    /// <summary>Creates a TCP socket that belongs to this namespace (a socket keeps the namespace it was created in).</summary>
    public Socket CreateTcpSocket(AddressFamily family)
    {
        Socket? socket = null;
        Exception? error = null;
        // setns changes only the calling thread's namespace, so a dedicated thread enters, creates, and ends.
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{Name}");
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), $"setns into {Name} failed");
                }
                socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
            }
            catch (Exception ex)
            {
                error = ex;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"Cannot create a socket in namespace {Name}", error);
    }

    /// <summary>Connects from inside the namespace, bounded by <paramref name="timeout"/>.</summary>
    public async Task<Socket> ConnectAsync(IPEndPoint target, TimeSpan timeout)
    {
        var socket = CreateTcpSocket(target.AddressFamily);
        try
        {
            using var deadline = new CancellationTokenSource(timeout);
            await socket.ConnectAsync(target, deadline.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An HttpClient whose connections are made inside the namespace (for the proxy's admin endpoints).</summary>
    public HttpClient CreateHttpClient(TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var address = IPAddress.Parse(context.DnsEndPoint.Host);
                var socket = CreateTcpSocket(address.AddressFamily);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = timeout };
    }

    public async ValueTask DisposeAsync()
    {
        if (_deleted)
        {
            return;
        }
        _deleted = true;
        // Deleting the namespace also destroys the veth ends inside it (and so their peers).
        await Ip(["netns", "delete", Name]);
    }

    internal static async Task Ip(IEnumerable<string> arguments)
    {
        var list = arguments.ToList();
        var result = await ProcessRunner.RunAsync(Tools.Require("ip"), list, CommandTimeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'ip {string.Join(' ', list)}' failed: {result}");
        }
    }

    private List<string> Wrap(IEnumerable<string> command, int? uid)
    {
        List<string> arguments = ["netns", "exec", Name];
        if (uid is { } id)
        {
            arguments.AddRange([Tools.Require("setpriv"), $"--reuid={id}", $"--regid={id}", "--clear-groups"]);
        }
        arguments.AddRange(command);
        return arguments;
    }

    /// <summary>Deletes namespaces this helper created in earlier runs whose process no longer exists.</summary>
    private static async Task SweepStale()
    {
        if (!Directory.Exists("/run/netns"))
        {
            return;
        }
        foreach (var path in Directory.GetFiles("/run/netns"))
        {
            var match = OurName().Match(Path.GetFileName(path));
            if (match.Success && int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is var pid
                && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                await ProcessRunner.RunAsync(Tools.Require("ip"), ["netns", "delete", Path.GetFileName(path)], CommandTimeout);
            }
        }
    }

    [GeneratedRegex(@"^mp[a-z]([0-9]+)x[0-9]+$")]
    private static partial Regex OurName();

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nsType);
}
