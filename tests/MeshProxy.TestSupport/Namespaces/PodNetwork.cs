using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MeshProxy.TestSupport.Namespaces;

/// <summary>
/// A "pod" namespace and a "remote" namespace joined by a veth pair (eth0 in each; the pair is created directly
/// inside the namespaces, so it never appears on the host). IPv4 10.231.{id}.1/24 is the pod, .2 the remote,
/// .3 a second remote address; IPv6 fd00:231:{id}::1/2/3 likewise when the kernel allows it (see <see cref="Ipv6"/>).
/// Disposing deletes both namespaces.
/// </summary>
public sealed class PodNetwork : IAsyncDisposable
{
    private static int s_nextId;

    private PodNetwork(int id, NetworkNamespace pod, NetworkNamespace remote)
    {
        Id = id;
        Pod = pod;
        Remote = remote;
        PodIPv4 = IPAddress.Parse($"10.231.{id}.1");
        RemoteIPv4 = IPAddress.Parse($"10.231.{id}.2");
        RemoteSecondIPv4 = IPAddress.Parse($"10.231.{id}.3");
        PodIPv6 = IPAddress.Parse($"fd00:231:{id}::1");
        RemoteIPv6 = IPAddress.Parse($"fd00:231:{id}::2");
        RemoteSecondIPv6 = IPAddress.Parse($"fd00:231:{id}::3");
    }

    public int Id { get; }

    public NetworkNamespace Pod { get; }

    public NetworkNamespace Remote { get; }

    public IPAddress PodIPv4 { get; }

    public IPAddress RemoteIPv4 { get; }

    public IPAddress RemoteSecondIPv4 { get; }

    public IPAddress PodIPv6 { get; }

    public IPAddress RemoteIPv6 { get; }

    public IPAddress RemoteSecondIPv6 { get; }

    public Ipv6Support Ipv6 { get; private set; } = Ipv6Support.No("not probed");

    /// <summary>Where servers bind: [::] (dual-stack) when IPv6 works, else 0.0.0.0.</summary>
    public IPAddress AnyAddress => Ipv6.Available ? IPAddress.IPv6Any : IPAddress.Any;

    public static async Task<PodNetwork> CreateAsync()
    {
        // 1..250 keeps the id a valid octet; the namespaces are private, so reuse across runs is harmless.
        var id = (Interlocked.Increment(ref s_nextId) - 1) % 250 + 1;
        var pod = await NetworkNamespace.CreateAsync('p', id);
        NetworkNamespace? remote = null;
        try
        {
            remote = await NetworkNamespace.CreateAsync('r', id);
            var network = new PodNetwork(id, pod, remote);
            await network.ConnectAsync();
            return network;
        }
        catch
        {
            if (remote is not null)
            {
                await remote.DisposeAsync();
            }
            await pod.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Pod.DisposeAsync();
        await Remote.DisposeAsync();
    }

    private async Task ConnectAsync()
    {
        await NetworkNamespace.Ip(["link", "add", "name", "eth0", "netns", Pod.Name, "type", "veth", "peer", "name", "eth0", "netns", Remote.Name]);
        await Pod.RunCheckedAsync(["ip", "addr", "add", $"{PodIPv4}/24", "dev", "eth0"]);
        await Remote.RunCheckedAsync(["ip", "addr", "add", $"{RemoteIPv4}/24", "dev", "eth0"]);
        await Remote.RunCheckedAsync(["ip", "addr", "add", $"{RemoteSecondIPv4}/24", "dev", "eth0"]);
        await Pod.RunCheckedAsync(["ip", "link", "set", "eth0", "up"]);
        await Remote.RunCheckedAsync(["ip", "link", "set", "eth0", "up"]);
        Ipv6 = await ProbeIpv6Async();
    }

    /// <summary>Each step that IPv6 capture needs, in order; the first that fails is the reason.</summary>
    private async Task<Ipv6Support> ProbeIpv6Async()
    {
        var disabled = await Pod.RunAsync(["cat", "/proc/sys/net/ipv6/conf/all/disable_ipv6"]);
        if (disabled.ExitCode != 0)
        {
            return Ipv6Support.No($"the kernel has no IPv6 in the namespace: reading net.ipv6.conf.all.disable_ipv6 failed: {disabled}");
        }
        if (disabled.StandardOutput.Trim() != "0")
        {
            return Ipv6Support.No($"IPv6 is disabled in the namespace (net.ipv6.conf.all.disable_ipv6 = {disabled.StandardOutput.Trim()})");
        }
        // nodad: duplicate address detection would leave the addresses tentative (unusable) for about a second.
        foreach (var (ns, address) in new[] { (Pod, PodIPv6), (Remote, RemoteIPv6), (Remote, RemoteSecondIPv6) })
        {
            var added = await ns.RunAsync(["ip", "-6", "addr", "add", $"{address}/64", "dev", "eth0", "nodad"]);
            if (added.ExitCode != 0)
            {
                return Ipv6Support.No($"'ip -6 addr add {address}/64 dev eth0 nodad' failed: {added}");
            }
        }
        var nat = await Pod.RunAsync(["ip6tables", "-t", "nat", "-S"]);
        if (nat.ExitCode != 0)
        {
            return Ipv6Support.No($"the ip6tables nat table is unavailable in the namespace: {nat}");
        }
        return await ProbeIpv6TcpAsync();
    }

    private async Task<Ipv6Support> ProbeIpv6TcpAsync()
    {
        using var listener = Remote.CreateTcpSocket(AddressFamily.InterNetworkV6);
        try
        {
            listener.Bind(new IPEndPoint(RemoteIPv6, 0));
            listener.Listen();
            var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            var accept = listener.AcceptAsync();
            using var client = await Pod.ConnectAsync(new IPEndPoint(RemoteIPv6, port), TimeSpan.FromSeconds(5));
            using var accepted = await accept.WaitAsync(TimeSpan.FromSeconds(5));
            return Ipv6Support.Yes;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException or OperationCanceledException)
        {
            return Ipv6Support.No(string.Create(CultureInfo.InvariantCulture, $"IPv6 TCP from the pod to [{RemoteIPv6}] failed: {ex.Message}"));
        }
    }
}
