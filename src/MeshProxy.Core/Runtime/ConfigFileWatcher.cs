using System.Security.Cryptography;
using MeshProxy.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Runtime;

/// <summary>
/// Watches the config file and reloads it when its content changes. A file-system watcher reacts at once; a
/// periodic content check catches what watchers miss (Kubernetes ConfigMaps are swapped through symlinks).
/// </summary>
internal sealed partial class ConfigFileWatcher : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(100);

    private readonly string _path;
    private readonly ConfigReloader _reloader;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ConfigFileWatcher> _logger;
    private readonly SemaphoreSlim _changed = new(0);
    private byte[] _lastHash;

    public ConfigFileWatcher(string path, ConfigReloader reloader, TimeProvider timeProvider, ILogger<ConfigFileWatcher> logger)
    {
        _path = Path.GetFullPath(path);
        _reloader = reloader;
        _timeProvider = timeProvider;
        _logger = logger;
        _lastHash = HashFile();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!)
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        watcher.Changed += OnFileEvent;
        watcher.Created += OnFileEvent;
        watcher.Renamed += OnFileEvent;
        watcher.EnableRaisingEvents = true;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _changed.WaitAsync(PollInterval, stoppingToken);
                await Task.Delay(Debounce, _timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            while (_changed.CurrentCount > 0)
            {
                _changed.Wait(0, CancellationToken.None);
            }

            var hash = HashFile();
            if (hash.AsSpan().SequenceEqual(_lastHash))
            {
                continue;
            }
            _lastHash = hash;
            Log.Changed(_logger, _path);
            await _reloader.ReloadFileAsync(_path, stoppingToken);
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => _changed.Release();

    private byte[] HashFile()
    {
        try
        {
            return SHA256.HashData(File.ReadAllBytes(_path));
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ConfigFileChanged, Level = LogLevel.Information, Message = "Config file {Path} changed; reloading")]
        public static partial void Changed(ILogger logger, string path);
    }
}
