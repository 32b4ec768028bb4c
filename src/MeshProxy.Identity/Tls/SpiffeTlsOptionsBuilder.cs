using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MeshProxy.Identity.Sources;
using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Telemetry;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Identity.Tls;

/// <summary>
/// Builds <see cref="SslServerAuthenticationOptions"/> and <see cref="SslClientAuthenticationOptions"/> for SPIFFE
/// mTLS from an <see cref="IIdentitySource"/>. Call it per handshake: each call takes the current SVID's
/// certificate context, so a rotation applies to the next handshake while established connections keep theirs.
/// The peer is validated by <see cref="SvidValidator"/> against the bundles current at validation time (the
/// runtime's own chain verdict is ignored: it knows nothing of trust domains), then authorized by the policy's
/// <see cref="SpiffeIdMatcher"/>. The outcome lands in the caller's <see cref="PeerVerification"/> and in
/// <see cref="PeerValidated"/>.
/// TLS session resumption is off on both sides: a resumed session carries only the peer's leaf, without the
/// intermediates the chain check needs, and it would skip re-checking the peer against rotated bundles.
/// </summary>
public sealed partial class SpiffeTlsOptionsBuilder
{
    private const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private readonly IIdentitySource _source;
    private readonly SvidValidator _validator;
    private readonly ILogger<SpiffeTlsOptionsBuilder> _logger;

    /// <summary>Creates a builder over <paramref name="source"/>; peer validity dates are checked with <paramref name="timeProvider"/>.</summary>
    public SpiffeTlsOptionsBuilder(IIdentitySource source, TimeProvider timeProvider, ILogger<SpiffeTlsOptionsBuilder> logger)
    {
        _source = source;
        _validator = new SvidValidator(timeProvider);
        _logger = logger;
    }

    /// <summary>Raised for every peer decision (valid or not), e.g. to count failures by <see cref="SvidFailures.Label"/>.</summary>
    public event Action<SvidValidationResult>? PeerValidated;

    /// <summary>Options for one inbound handshake. Throws <see cref="InvalidOperationException"/> before the first identity.</summary>
    public SslServerAuthenticationOptions CreateServerOptions(SpiffeTlsServerPolicy policy, PeerVerification verification)
    {
        var identity = CurrentIdentity();
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = identity.Svid.CertificateContext,
            ClientCertificateRequired = policy.ClientCertificateRequired,
            ApplicationProtocols = AlpnProtocols.Checked(policy.ApplicationProtocols),
            EnabledSslProtocols = Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowTlsResume = false,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                Verify(certificate, chain, policy.AuthorizedClients, verification, allowMissing: !policy.ClientCertificateRequired),
        };
    }

    /// <summary>Options for one outbound handshake. Throws <see cref="InvalidOperationException"/> before the first identity.</summary>
    public SslClientAuthenticationOptions CreateClientOptions(SpiffeTlsClientPolicy policy, PeerVerification verification)
    {
        var identity = CurrentIdentity();
        return new SslClientAuthenticationOptions
        {
            TargetHost = policy.ServerName ?? "",
            ClientCertificateContext = identity.Svid.CertificateContext,
            ApplicationProtocols = AlpnProtocols.Checked(policy.ApplicationProtocols),
            EnabledSslProtocols = Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowTlsResume = false,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                Verify(certificate, chain, policy.AuthorizedServers, verification, allowMissing: false),
        };
    }

    private IdentitySnapshot CurrentIdentity() =>
        _source.Current ?? throw new InvalidOperationException("The identity source has no valid SVID yet; await WaitForIdentityAsync first.");

    private bool Verify(X509Certificate? certificate, X509Chain? chain, SpiffeIdMatcher authorized, PeerVerification verification, bool allowMissing)
    {
        SvidValidationResult result;
        if (certificate is null)
        {
            result = SvidValidationResult.Invalid(SvidFailure.NoCertificate, "the peer presented no certificate");
        }
        else
        {
            var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            result = _validator.Validate(leaf, PresentedIntermediates(leaf, chain), CurrentIdentity().Bundles);
            if (result.IsValid && !authorized.Matches(result.Id!))
            {
                result = SvidValidationResult.Invalid(SvidFailure.NotAuthorized, $"{result.Id} is not {authorized}", result.Id);
            }
        }

        verification.Record(result);
        PeerValidated?.Invoke(result);
        if (result.IsValid || (allowMissing && result.Failure == SvidFailure.NoCertificate))
        {
            return true;
        }
        Log.PeerRejected(_logger, SvidFailures.Label(result.Failure), result.Detail, result.Id?.ToString() ?? "unknown");
        return false;
    }

    // The certificates the peer sent after its leaf; SslStream puts them in the chain policy's ExtraStore.
    private static List<X509Certificate2> PresentedIntermediates(X509Certificate2 leaf, X509Chain? chain)
    {
        var intermediates = new List<X509Certificate2>();
        if (chain is null)
        {
            return intermediates;
        }
        foreach (var certificate in chain.ChainPolicy.ExtraStore)
        {
            if (!certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
            {
                intermediates.Add(certificate);
            }
        }
        return intermediates;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = IdentityEventIds.PeerRejected, Level = LogLevel.Information,
            Message = "Rejected TLS peer {PeerId} ({Reason}): {Detail}")]
        public static partial void PeerRejected(ILogger logger, string reason, string detail, string peerId);
    }
}
