using System.Security.Cryptography.X509Certificates;
using MeshProxy.Identity.Spiffe;

namespace MeshProxy.Identity.Svids;

/// <summary>The per-certificate SVID rules (X509-SVID.md §2, §3, §4), each failing with its own reason.</summary>
internal static class SvidRules
{
    /// <summary>Reads the SPIFFE ID: exactly one URI SAN, a valid SPIFFE ID with a non-root path.</summary>
    public static SvidValidationResult ReadSpiffeId(X509Certificate2 leaf)
    {
        if (!CertificateDecoder.TryGetUriSans(leaf, out var uris))
        {
            return SvidValidationResult.Invalid(SvidFailure.MalformedCertificate, "the subject alternative name extension cannot be decoded");
        }
        switch (uris.Count)
        {
            case 0:
                return SvidValidationResult.Invalid(SvidFailure.NoUriSan, "certificate contains no URI SAN");
            case > 1:
                return SvidValidationResult.Invalid(SvidFailure.MultipleUriSans, $"certificate contains more than one URI SAN ({string.Join(", ", uris)})");
        }
        if (!SpiffeId.TryParse(uris[0], out var id, out var error))
        {
            return error == SpiffeIdError.WrongScheme
                ? SvidValidationResult.Invalid(SvidFailure.NotSpiffeUri, $"URI SAN '{uris[0]}' is not a spiffe:// URI")
                : SvidValidationResult.Invalid(SvidFailure.MalformedSpiffeId, $"URI SAN '{uris[0]}' is not a valid SPIFFE ID: {SpiffeIdErrors.Message(error)}");
        }
        if (id.Path.Length == 0)
        {
            return SvidValidationResult.Invalid(SvidFailure.MissingPath, "leaf certificate SPIFFE ID must have a non-root path", id);
        }
        return SvidValidationResult.Valid(id);
    }

    /// <summary>Leaf constraints: not a CA; digitalSignature set; neither keyCertSign nor cRLSign.</summary>
    public static SvidValidationResult CheckLeaf(X509Certificate2 leaf, SpiffeId id)
    {
        if (leaf.Extensions[Oids.BasicConstraints] is X509BasicConstraintsExtension { CertificateAuthority: true })
        {
            return SvidValidationResult.Invalid(SvidFailure.LeafIsCa, "leaf certificate must not have CA flag set to true", id);
        }
        var usages = leaf.Extensions[Oids.KeyUsage] is X509KeyUsageExtension keyUsage ? keyUsage.KeyUsages : X509KeyUsageFlags.None;
        if ((usages & X509KeyUsageFlags.KeyCertSign) != 0)
        {
            return SvidValidationResult.Invalid(SvidFailure.LeafHasKeyCertSign, "leaf certificate must not have 'keyCertSign' set as key usage", id);
        }
        if ((usages & X509KeyUsageFlags.CrlSign) != 0)
        {
            return SvidValidationResult.Invalid(SvidFailure.LeafHasCrlSign, "leaf certificate must not have 'cRLSign' set as key usage", id);
        }
        if ((usages & X509KeyUsageFlags.DigitalSignature) == 0)
        {
            return SvidValidationResult.Invalid(SvidFailure.LeafMissingDigitalSignature, "leaf certificate must have 'digitalSignature' set as key usage", id);
        }
        return SvidValidationResult.Valid(id);
    }

    /// <summary>The leaf's validity period against <paramref name="now"/>.</summary>
    public static SvidValidationResult CheckValidity(X509Certificate2 leaf, SpiffeId id, DateTimeOffset now)
    {
        var notBefore = new DateTimeOffset(leaf.NotBefore);
        var notAfter = new DateTimeOffset(leaf.NotAfter);
        if (now < notBefore)
        {
            return SvidValidationResult.Invalid(SvidFailure.NotYetValid, $"leaf certificate is not valid before {notBefore:u} (now {now:u})", id);
        }
        if (now > notAfter)
        {
            return SvidValidationResult.Invalid(SvidFailure.Expired, $"leaf certificate expired at {notAfter:u} (now {now:u})", id);
        }
        return SvidValidationResult.Valid(id);
    }

    /// <summary>Own SVID only: every certificate after the leaf is a CA with keyCertSign (go-spiffe validateSigningCertificates).</summary>
    public static SvidValidationResult CheckSigningCertificates(IReadOnlyList<X509Certificate2> intermediates, SpiffeId id)
    {
        foreach (var certificate in intermediates)
        {
            var isCa = certificate.Extensions[Oids.BasicConstraints] is X509BasicConstraintsExtension { CertificateAuthority: true };
            var canSign = certificate.Extensions[Oids.KeyUsage] is X509KeyUsageExtension usage && (usage.KeyUsages & X509KeyUsageFlags.KeyCertSign) != 0;
            if (!isCa || !canSign)
            {
                return SvidValidationResult.Invalid(SvidFailure.SigningCertificateNotCa,
                    $"signing certificate '{certificate.Subject}' must have CA flag set to true and 'keyCertSign' set as key usage", id);
            }
        }
        return SvidValidationResult.Valid(id);
    }

    private static class Oids
    {
        public const string BasicConstraints = "2.5.29.19";
        public const string KeyUsage = "2.5.29.15";
    }
}
