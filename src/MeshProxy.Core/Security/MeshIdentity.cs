using System.Collections.Concurrent;
using System.Net.Security;
using MeshProxy.Configuration;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Sources;
using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Tls;
using MeshProxy.Identity.Workload;
using MeshProxy.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Security;

/// <summary>
/// This proxy's SPIFFE identity at run time: the configured identity source (files or the Workload API, both rotating)
/// and the TLS options built from it for each handshake, so a rotated SVID is used from the next handshake on while
/// established connections keep theirs. Without an identity section nothing here runs.
/// </summary>
public sealed partial class MeshIdentity : IHostedService, IDisposable
{
    private readonly IIdentitySource? _source;
    private static readonly SpiffeTlsServerPolicy ServerPolicy = new() { ApplicationProtocols = MeshAlpn.Server };

    private static readonly TimeSpan StartupWait = TimeSpan.FromSeconds(5);

    private readonly SpiffeTlsOptionsBuilder? _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<MeshIdentity> _logger;
    private readonly ConcurrentDictionary<UpstreamTlsConfig, SpiffeIdMatcher> _authorizedServers = new();

    public MeshIdentity(ProxyConfig config, TimeProvider timeProvider, ILoggerFactory loggerFactory)
        : this(CreateSource(config.Identity, timeProvider, loggerFactory), timeProvider, loggerFactory)
    {
    }

    /// <summary>Uses a given source (tests and the demo hand in a ready identity).</summary>
    public MeshIdentity(IIdentitySource? source, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _source = source;
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger<MeshIdentity>();
        if (source is not null)
        {
            _options = new SpiffeTlsOptionsBuilder(source, timeProvider, loggerFactory.CreateLogger<SpiffeTlsOptionsBuilder>());
        }
    }

    public bool IsConfigured => _source is not null;

    /// <summary>This proxy's SPIFFE ID, once an SVID is loaded.</summary>
    public SpiffeId? Id => _source?.Current?.Svid.Id;

    /// <summary>The current SVID's serial number (hex), for logs and tests.</summary>
    public string? SerialNumber => _source?.Current?.Svid.SerialNumber;

    /// <summary>Options for one inbound mesh mTLS handshake: a client SVID from any trusted domain is required.</summary>
    public SslServerAuthenticationOptions CreateServerOptions(PeerVerification verification)
        => Options.CreateServerOptions(ServerPolicy, verification);

    /// <summary>Options for one outbound handshake to a cluster's endpoint, sending <paramref name="serverName"/> as SNI (none when null).</summary>
    public SslClientAuthenticationOptions CreateClientOptions(UpstreamTlsConfig tls, string? serverName, IReadOnlyList<SslApplicationProtocol> protocols, PeerVerification verification)
        => Options.CreateClientOptions(new SpiffeTlsClientPolicy
        {
            AuthorizedServers = AuthorizedServers(tls),
            ServerName = serverName,
            ApplicationProtocols = protocols,
        }, verification);

    /// <summary>Waits for the first SVID (readiness waits on this); at once when there is no identity or one is loaded.</summary>
    public Task WaitForIdentityAsync(CancellationToken cancellationToken)
        => _source is null ? Task.CompletedTask : _source.WaitForIdentityAsync(cancellationToken);

    public bool HasIdentity => _source is null || _source.Current is not null;

    /// <summary>
    /// Starts the source and gives it a moment to load the first SVID, so listeners start with an identity when one is
    /// at hand (Envoy's listener warming). A source that stays empty does not block the start: readiness stays 503
    /// and mTLS connections are refused until the SVID arrives.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_source is null)
        {
            return;
        }
        if (_source is IHostedService hosted)
        {
            await hosted.StartAsync(cancellationToken);
        }
        try
        {
            await _source.WaitForIdentityAsync(cancellationToken).WaitAsync(StartupWait, _timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            Log.StartedWithoutIdentity(_logger, StartupWait);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => _source is IHostedService hosted ? hosted.StopAsync(cancellationToken) : Task.CompletedTask;

    public void Dispose() => (_source as IDisposable)?.Dispose();

    private SpiffeTlsOptionsBuilder Options => _options ?? throw new InvalidOperationException("mTLS is configured but this proxy has no identity.");

    // Per cluster TLS setting, so a handshake does not rebuild its matcher.
    private SpiffeIdMatcher AuthorizedServers(UpstreamTlsConfig tls) => _authorizedServers.GetOrAdd(tls, CreateAuthorizedServers);

    private SpiffeIdMatcher CreateAuthorizedServers(UpstreamTlsConfig tls)
    {
        if (tls.ServerIds.IsEmpty && tls.TrustDomains.IsEmpty)
        {
            // Default: any workload of our own trust domain, the mesh's usual trust boundary.
            return SpiffeIdMatcher.Where(id => Id is { } own && id.TrustDomain == own.TrustDomain, "any ID of this proxy's trust domain");
        }
        var ids = tls.ServerIds.Select(SpiffeId.Parse).ToHashSet();
        var domains = tls.TrustDomains.Select(TrustDomain.Parse).ToHashSet();
        return SpiffeIdMatcher.Where(id => ids.Contains(id) || domains.Contains(id.TrustDomain),
            string.Join(", ", tls.ServerIds.Concat(tls.TrustDomains.Select(d => $"any ID in {d}"))));
    }

    private static IIdentitySource? CreateSource(IdentityConfig identity, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        if (identity.Files is { } files)
        {
            return new FileIdentitySource(new FileIdentitySourceOptions
            {
                CertificateChainPath = files.CertificateChain,
                PrivateKeyPath = files.PrivateKey,
                BundlePath = files.Bundle,
                FederatedBundlesDirectory = files.FederatedBundles,
            }, timeProvider, loggerFactory.CreateLogger<FileIdentitySource>());
        }
        if (identity.WorkloadApi is { } api)
        {
            return new WorkloadApiIdentitySource(new WorkloadApiOptions { EndpointAddress = api.Socket }, timeProvider,
                loggerFactory.CreateLogger<WorkloadApiIdentitySource>());
        }
        return null;
    }

    /// <summary>A short label for why a handshake's peer check failed.</summary>
    public static string FailureReason(PeerVerification verification)
        => verification.Result is { IsValid: false } result ? SvidFailures.Label(result.Failure) : "handshake_error";

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.StartedWithoutIdentity, Level = LogLevel.Warning,
            Message = "No valid SVID within {Wait} of start; starting anyway: not ready, and mTLS connections are refused until one loads")]
        public static partial void StartedWithoutIdentity(ILogger logger, TimeSpan wait);
    }
}
