using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MeshProxy.Identity.Spiffe;

namespace MeshProxy.Identity.Bundles;

/// <summary>
/// The SPIFFE bundle format: an RFC 7517 JWK Set whose <c>use: "x509-svid"</c> keys carry one base64 DER
/// certificate in <c>x5c</c> (SPIFFE_Trust_Domain_and_Bundle.md §4, X509-SVID.md §6). Parsed with
/// <see cref="JsonDocument"/> (no reflection). Consumer rules: keys of unknown or missing <c>use</c> are ignored;
/// an <c>x509-svid</c> key without <c>x5c</c> is ignored; only the first <c>x5c</c> value counts.
/// </summary>
internal static class SpiffeBundleJson
{
    private const string X509SvidUse = "x509-svid";

    public static TrustBundle Parse(TrustDomain trustDomain, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error(trustDomain, "the document is not a JSON object");
            }
            if (!root.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                throw Error(trustDomain, "'keys' is missing or not an array");
            }

            var authorities = new List<X509Certificate2>();
            var index = 0;
            foreach (var key in keys.EnumerateArray())
            {
                if (key.ValueKind == JsonValueKind.Object
                    && key.TryGetProperty("use", out var use) && use.ValueKind == JsonValueKind.String && use.ValueEquals(X509SvidUse)
                    && key.TryGetProperty("x5c", out var x5c) && x5c.ValueKind == JsonValueKind.Array && x5c.GetArrayLength() > 0)
                {
                    authorities.Add(ReadCertificate(trustDomain, x5c[0], index));
                }
                index++;
            }

            return new TrustBundle(trustDomain, authorities, ReadSequence(trustDomain, root), ReadRefreshHint(trustDomain, root));
        }
        catch (JsonException e)
        {
            throw new TrustBundleFormatException($"The SPIFFE bundle for {trustDomain} is not valid JSON: {e.Message}", e);
        }
    }

    public static string Write(TrustBundle bundle)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            if (bundle.SequenceNumber is { } sequence)
            {
                writer.WriteNumber("spiffe_sequence", sequence);
            }
            if (bundle.RefreshHint is { } hint)
            {
                writer.WriteNumber("spiffe_refresh_hint", (long)hint.TotalSeconds);
            }
            writer.WriteStartArray("keys");
            foreach (var authority in bundle.X509Authorities)
            {
                writer.WriteStartObject();
                writer.WriteString("use", X509SvidUse);
                writer.WriteString("kty", KeyType(authority));
                writer.WriteStartArray("x5c");
                writer.WriteBase64StringValue(authority.RawData);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static X509Certificate2 ReadCertificate(TrustDomain trustDomain, JsonElement value, int index)
    {
        if (value.ValueKind != JsonValueKind.String || !value.TryGetBytesFromBase64(out var der))
        {
            throw Error(trustDomain, $"keys[{index}].x5c[0] is not a base64 string");
        }
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw Error(trustDomain, $"keys[{index}].x5c[0] is not a DER certificate: {e.Message}");
        }
    }

    private static ulong? ReadSequence(TrustDomain trustDomain, JsonElement root)
    {
        if (!root.TryGetProperty("spiffe_sequence", out var value))
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var sequence)
            ? sequence
            : throw Error(trustDomain, "'spiffe_sequence' is not a non-negative integer");
    }

    private static TimeSpan? ReadRefreshHint(TrustDomain trustDomain, JsonElement root)
    {
        if (!root.TryGetProperty("spiffe_refresh_hint", out var value))
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds) && seconds >= 0 && seconds <= (long)TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw Error(trustDomain, "'spiffe_refresh_hint' is not a non-negative integer number of seconds");
    }

    private static string KeyType(X509Certificate2 certificate) => certificate.GetKeyAlgorithm() switch
    {
        "1.2.840.10045.2.1" => "EC",
        "1.2.840.113549.1.1.1" => "RSA",
        _ => "OKP",
    };

    private static TrustBundleFormatException Error(TrustDomain trustDomain, string reason) => new($"The SPIFFE bundle for {trustDomain} is invalid: {reason}");
}
