using System.Net.Http;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>What the health tests share: a client, killable backends and proxies that are disposed with the test.</summary>
internal sealed class HealthRig : IAsyncDisposable
{
    /// <summary>How long a test waits for the health layer to notice a change.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly List<IAsyncDisposable> _owned = [];

    public HttpClient Client { get; } = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public async Task<KillableBackend> BackendAsync(string name)
    {
        var backend = await KillableBackend.StartAsync(name);
        _owned.Add(backend);
        return backend;
    }

    /// <summary><paramref name="count"/> backends named prefix-1, prefix-2, ...</summary>
    public async Task<KillableBackend[]> BackendsAsync(string prefix, int count)
    {
        var backends = new KillableBackend[count];
        for (var i = 0; i < count; i++)
        {
            backends[i] = await BackendAsync($"{prefix}-{i + 1}");
        }
        return backends;
    }

    public async Task<ProxyTestHost> ProxyAsync(string yaml)
    {
        var proxy = await ProxyTestHost.StartAsync(yaml);
        _owned.Insert(0, proxy);
        return proxy;
    }

    public Task<TrafficSample> SendAsync(ProxyTestHost proxy, int requests, int concurrency = 4) =>
        TrafficSample.SendAsync(Client, proxy.ListenerUri("web", "/work"), requests, concurrency);

    public Task<IReadOnlyDictionary<string, long>> StatsAsync(ProxyTestHost proxy) => AdminStats.GetAsync(Client, proxy);

    public Task<string> HealthFlagsAsync(ProxyTestHost proxy, KillableBackend backend) => AdminStats.HealthFlagsAsync(Client, proxy, "backend", backend.Address);

    /// <summary>
    /// Waits (bounded) until every backend shows these health flags in /clusters, and the load balancer routes by them:
    /// a checker sets a flag and then refreshes the balancer, and on a loaded machine the admin answer can come in
    /// between (seen once: 3 of 300 requests went by the old state). The refresh here closes that window.
    /// </summary>
    public async Task<bool> FlagsAsync(ProxyTestHost proxy, string flags, params KillableBackend[] backends)
    {
        var shown = await Eventually.TrueAsync(async () =>
        {
            foreach (var backend in backends)
            {
                if (await HealthFlagsAsync(proxy, backend) != flags)
                {
                    return false;
                }
            }
            return true;
        }, Bound);
        if (shown)
        {
            proxy.Host.ConfigManager.Current.Clusters["backend"].OnHealthChanged();
        }
        return shown;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
        Client.Dispose();
    }
}
