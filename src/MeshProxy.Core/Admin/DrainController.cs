using MeshProxy.Listeners;
using MeshProxy.Runtime;
using MeshProxy.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Admin;

/// <summary>
/// Graceful shutdown, for POST /quitquitquit and SIGTERM alike: readiness turns 503, listeners stop accepting,
/// in-flight requests and connections get the drain timeout to finish, then the process exits with code 0.
/// It runs in the host's "stopping" phase, before the admin server itself stops, so /ready reports the drain.
/// </summary>
internal sealed partial class DrainController : IHostedLifecycleService
{
    private readonly ListenerManager _listeners;
    private readonly ConfigManager _configManager;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<DrainController> _logger;
    private volatile bool _draining;

    public DrainController(ListenerManager listeners, ConfigManager configManager, IHostApplicationLifetime lifetime, ILogger<DrainController> logger)
    {
        _listeners = listeners;
        _configManager = configManager;
        _lifetime = lifetime;
        _logger = logger;
    }

    public bool IsDraining => _draining;

    /// <summary>Starts a graceful shutdown (POST /quitquitquit); readiness fails from this moment on.</summary>
    public void RequestShutdown()
    {
        _draining = true;
        _lifetime.StopApplication();
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var drainTimeout = _configManager.HasConfig ? _configManager.Current.Config.Admin.DrainTimeout : TimeSpan.FromSeconds(15);
        Log.DrainStarted(_logger, drainTimeout);
        await _listeners.DrainAllAsync(drainTimeout);
        Log.DrainFinished(_logger);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.DrainStarted, Level = LogLevel.Information,
            Message = "Draining: not accepting new connections; in-flight work has {Timeout} to finish")]
        public static partial void DrainStarted(ILogger logger, TimeSpan timeout);

        [LoggerMessage(EventId = EventIds.DrainFinished, Level = LogLevel.Information, Message = "Drain finished")]
        public static partial void DrainFinished(ILogger logger);
    }
}
