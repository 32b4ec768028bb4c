using MeshProxy.Configuration;
using MeshProxy.Listeners;
using MeshProxy.Telemetry;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Runtime;

/// <summary>
/// Applies a new config in the one safe order: load and validate it, bind any new listener addresses, swap the
/// snapshot, then drain listeners that went away. Anything failing before the swap leaves the running config as it was.
/// </summary>
internal sealed partial class ConfigReloader
{
    private readonly ConfigManager _configManager;
    private readonly ListenerManager _listenerManager;
    private readonly ILogger<ConfigReloader> _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);

    public ConfigReloader(ConfigManager configManager, ListenerManager listenerManager, ILogger<ConfigReloader> logger)
    {
        _configManager = configManager;
        _listenerManager = listenerManager;
        _logger = logger;
    }

    /// <summary>Reads, validates and applies a config file. Returns the errors when it was rejected.</summary>
    public async Task<IReadOnlyList<ConfigError>> ReloadFileAsync(string path, CancellationToken cancellationToken)
    {
        var result = ConfigLoader.LoadFile(path);
        if (!result.Succeeded)
        {
            Log.Rejected(_logger, path, result.Errors.Count, string.Join(Environment.NewLine, result.Errors));
            return result.Errors;
        }
        if (_configManager.HasConfig && _configManager.Current.Config == result.Config)
        {
            return [];
        }
        if (_configManager.HasConfig && _configManager.Current.Config.Identity != result.Config!.Identity)
        {
            // The identity source is wired at start; running mTLS on the old one against a config that names another
            // would be a silent lie, so the whole reload is refused and the running config stays.
            var error = new ConfigError(path, 0, 0, "identity", "the identity source changed; that applies at restart only, so this reload was not applied");
            Log.Rejected(_logger, path, 1, error.ToString());
            return [error];
        }
        try
        {
            await ApplyAsync(result.Config!, cancellationToken);
            return [];
        }
        catch (ListenerBindException ex)
        {
            var error = new ConfigError(path, 0, 0, "listeners", ex.Message);
            Log.Rejected(_logger, path, 1, error.ToString());
            return [error];
        }
    }

    /// <summary>Applies a validated config; throws <see cref="ListenerBindException"/> (leaving everything as it was) when a listener cannot bind.</summary>
    public async Task ApplyAsync(ProxyConfig config, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_configManager.HasConfig && _configManager.Current.Config is { } running)
            {
                if (running.Telemetry != config.Telemetry)
                {
                    Log.AppliesAtRestart(_logger, "telemetry");
                }
                if (running.Admin != config.Admin)
                {
                    Log.AppliesAtRestart(_logger, "admin");
                }
            }
            var changes = await _listenerManager.BindAsync(config, cancellationToken);
            _configManager.Apply(config);
            _ = _listenerManager.RetireAsync(changes);
        }
        finally
        {
            _lock.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ConfigRejected, Level = LogLevel.Error,
            Message = "Rejected the new config in {Path} ({Count} errors); the running config stays:\n{Errors}")]
        public static partial void Rejected(ILogger logger, string path, int count, string errors);

        [LoggerMessage(EventId = EventIds.ConfigAppliesAtRestart, Level = LogLevel.Warning,
            Message = "The new config changes the '{Section}' section, which applies at the next restart; the rest is applied now")]
        public static partial void AppliesAtRestart(ILogger logger, string section);
    }
}
