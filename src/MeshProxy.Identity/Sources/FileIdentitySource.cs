using System.Security.Cryptography;
using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Telemetry;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Identity.Sources;

/// <summary>
/// Reads the SVID, its key and the trust bundles from files and reloads them when their content changes, without a
/// restart. A file-system watcher reacts at once; a periodic content hash catches what watchers miss. A changed set
/// of files is loaded as a whole and validated; an invalid one (expired, wrong key, not an SVID, bad bundle) is
/// rejected with an error log and the previous identity stays.
/// </summary>
public sealed partial class FileIdentitySource : RotatingIdentitySource
{
    private readonly FileIdentitySourceOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<FileIdentitySource> _logger;
    private readonly SemaphoreSlim _fileEvent = new(0);
    private byte[] _loadedHash = [];

    /// <summary>Creates the source; it loads when started (<see cref="Microsoft.Extensions.Hosting.BackgroundService.StartAsync"/>).</summary>
    public FileIdentitySource(FileIdentitySourceOptions options, TimeProvider timeProvider, ILogger<FileIdentitySource> logger)
        : base(timeProvider, logger)
    {
        _options = options with
        {
            CertificateChainPath = Path.GetFullPath(options.CertificateChainPath),
            PrivateKeyPath = Path.GetFullPath(options.PrivateKeyPath),
            BundlePath = Path.GetFullPath(options.BundlePath),
            FederatedBundlesDirectory = options.FederatedBundlesDirectory is null ? null : Path.GetFullPath(options.FederatedBundlesDirectory),
        };
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <inheritdoc/>
    protected override string Origin => _options.CertificateChainPath;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ReloadIfChanged();
        using var watchers = new CompositeWatcher(WatchedDirectories(), OnFileEvent);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var signalled = _fileEvent.WaitAsync(stoppingToken);
                var polled = Task.Delay(_options.PollInterval, _timeProvider, stoppingToken);
                if (await Task.WhenAny(signalled, polled) == signalled)
                {
                    await Task.Delay(_options.Debounce, _timeProvider, stoppingToken);
                }
                DrainFileEvents();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            ReloadIfChanged();
        }
    }

    public override void Dispose()
    {
        _fileEvent.Dispose();
        base.Dispose();
    }

    private void ReloadIfChanged()
    {
        var hash = HashInputs();
        if (hash.AsSpan().SequenceEqual(_loadedHash))
        {
            return;
        }
        // Remember the content even when it is rejected, so a bad file is reported once, not every poll.
        _loadedHash = hash;
        Log.FilesChanged(_logger, _options.CertificateChainPath);
        try
        {
            var svid = X509Svid.FromPem(File.ReadAllText(_options.CertificateChainPath), File.ReadAllText(_options.PrivateKeyPath));
            var bundles = new List<TrustBundle> { TrustBundle.FromText(svid.Id.TrustDomain, File.ReadAllText(_options.BundlePath)) };
            bundles.AddRange(ReadFederatedBundles(svid.Id.TrustDomain));
            TryPublish(new IdentitySnapshot(svid, TrustBundleSet.Create(bundles)));
        }
        catch (SvidFormatException e)
        {
            Reject(SvidFailures.Label(e.Failure), e.Message);
        }
        catch (Exception e) when (e is TrustBundleFormatException or SpiffeIdFormatException or ArgumentException)
        {
            Reject("invalid_bundle", e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Reject("unreadable", e.Message);
        }
    }

    private IEnumerable<TrustBundle> ReadFederatedBundles(TrustDomain own)
    {
        foreach (var path in FederatedBundleFiles())
        {
            var trustDomain = TrustDomain.Parse(Path.GetFileNameWithoutExtension(path));
            if (trustDomain == own)
            {
                throw new ArgumentException($"The federated bundle {path} is for this workload's own trust domain; put it in {_options.BundlePath}.");
            }
            yield return TrustBundle.FromText(trustDomain, File.ReadAllText(path));
        }
    }

    private string[] FederatedBundleFiles()
    {
        var directory = _options.FederatedBundlesDirectory;
        if (directory is null || !Directory.Exists(directory))
        {
            return [];
        }
        var files = Directory.GetFiles(directory, "*.*")
            .Where(path => path.EndsWith(".pem", StringComparison.Ordinal) || path.EndsWith(".json", StringComparison.Ordinal))
            .ToArray();
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    private byte[] HashInputs()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in (string[])[_options.CertificateChainPath, _options.PrivateKeyPath, _options.BundlePath, .. FederatedBundleFiles()])
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(path));
            try
            {
                hash.AppendData(File.ReadAllBytes(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A missing file hashes as absent; the load that follows reports it.
                hash.AppendData([0]);
            }
        }
        return hash.GetHashAndReset();
    }

    private IEnumerable<string> WatchedDirectories()
    {
        var directories = new HashSet<string>(StringComparer.Ordinal)
        {
            Path.GetDirectoryName(_options.CertificateChainPath)!,
            Path.GetDirectoryName(_options.PrivateKeyPath)!,
            Path.GetDirectoryName(_options.BundlePath)!,
        };
        if (_options.FederatedBundlesDirectory is { } federated && Directory.Exists(federated))
        {
            directories.Add(federated);
        }
        return directories.Where(Directory.Exists);
    }

    private void OnFileEvent() => _fileEvent.Release();

    private void DrainFileEvents()
    {
        while (_fileEvent.Wait(0))
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = IdentityEventIds.IdentityFilesChanged, Level = LogLevel.Information, Message = "Identity files changed ({Path}); reloading")]
        public static partial void FilesChanged(ILogger logger, string path);
    }
}
