using System.Net;
using MeshProxy.Configuration;
using Microsoft.AspNetCore.Http;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// A request's hash key for ringHash and maglev, as Envoy's hash policies compute it: xxHash64 of a header's value,
/// of a cookie's value, or of the client IP's text. Null when the request lacks it (the pick is then random).
/// Allocation-free. Differences from Envoy: a header with several values hashes its first one, and a missing cookie
/// is not generated.
/// </summary>
public static class RequestHash
{
    public static ulong OfText(ReadOnlySpan<char> text) => XxHash64.HashUtf8(text);

    public static ulong? Compute(HashPolicyConfig? policy, IHeaderDictionary headers, IPAddress? sourceAddress)
    {
        if (policy is null)
        {
            return null;
        }
        if (policy.Header is { } header)
        {
            return headers.TryGetValue(header, out var values) && values.Count > 0 && values[0] is { Length: > 0 } value ? OfText(value) : null;
        }
        if (policy.Cookie is { } cookie)
        {
            foreach (var line in headers.Cookie)
            {
                if (FindCookie(line, cookie) is { } found)
                {
                    return found;
                }
            }
            return null;
        }
        return policy.SourceIp ? OfAddress(sourceAddress) : null;
    }

    /// <summary>Hashes the client address as Envoy does, its text without a port ("10.0.0.7", "2001:db8::1").</summary>
    public static ulong? OfAddress(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }
        Span<char> text = stackalloc char[64];
        return address.TryFormat(text, out var written) ? OfText(text[..written]) : null;
    }

    private static ulong? FindCookie(ReadOnlySpan<char> line, string name)
    {
        while (!line.IsEmpty)
        {
            var end = line.IndexOf(';');
            var pair = (end < 0 ? line : line[..end]).Trim();
            line = end < 0 ? [] : line[(end + 1)..];
            var equals = pair.IndexOf('=');
            if (equals > 0 && pair[..equals].TrimEnd().SequenceEqual(name))
            {
                return OfText(pair[(equals + 1)..].Trim().Trim('"'));
            }
        }
        return null;
    }
}
