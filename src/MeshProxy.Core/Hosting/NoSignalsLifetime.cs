using Microsoft.Extensions.Hosting;

namespace MeshProxy.Hosting;

/// <summary>A host lifetime that ignores process signals, for proxies hosted inside another program (tests, the demo).</summary>
internal sealed class NoSignalsLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
