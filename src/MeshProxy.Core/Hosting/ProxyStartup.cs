using MeshProxy.Configuration;
using MeshProxy.Runtime;
using Microsoft.Extensions.Hosting;

namespace MeshProxy.Hosting;

/// <summary>Applies the initial config at start: binds every listener, then makes the config current. Failing here fails the start.</summary>
internal sealed class ProxyStartup : IHostedService
{
    private readonly ConfigReloader _reloader;
    private readonly ProxyConfig _config;

    public ProxyStartup(ConfigReloader reloader, ProxyConfig config)
    {
        _reloader = reloader;
        _config = config;
    }

    public Task StartAsync(CancellationToken cancellationToken) => _reloader.ApplyAsync(_config, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
