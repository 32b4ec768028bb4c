using System.Text;
using MeshProxy.Tls;

namespace MeshProxy.Gateway;

/// <summary>
/// Server-name patterns as Envoy's filter_chain_match server_names and Istio's Gateway hosts write them: an exact DNS
/// name, or <c>*.suffix</c>, which matches any name ending in <c>.suffix</c> (one label or more in front of it), or, where
/// allowed, <c>*</c> for any name. Comparison ignores case, as DNS does.
/// </summary>
internal static class ServerNamePattern
{
    /// <summary>Why <paramref name="pattern"/> is not a pattern, or null when it is one.</summary>
    public static string? Check(string pattern, bool allowAny)
    {
        if (pattern == "*")
        {
            return allowAny ? null : "'*' is not allowed here; the listener's own tcp takes every name no filter chain matches";
        }
        var name = pattern.StartsWith("*.", StringComparison.Ordinal) ? pattern[2..] : pattern;
        if (name.Contains('*', StringComparison.Ordinal))
        {
            return $"'{pattern}' has a partial wildcard; write an exact name or *.suffix";
        }
        if (!IsDnsName(name))
        {
            return $"'{pattern}' is not a DNS name: dot-separated labels of 1 to 63 ASCII letters, digits, '-' or '_', at most 255 characters, no trailing dot";
        }
        return null;
    }

    /// <summary>Whether <paramref name="name"/> can be a TLS server name: a DNS name the ClientHello parser accepts.</summary>
    public static bool IsDnsName(string name) => Ascii.IsValid(name) && ServerNameValidator.IsValid(Encoding.ASCII.GetBytes(name));

    /// <summary>Whether <paramref name="name"/> is matched by <paramref name="pattern"/>.</summary>
    public static bool Matches(string pattern, string name)
    {
        if (pattern == "*")
        {
            return true;
        }
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            // "*.local" matches "a.local" but not "local": the suffix keeps its dot.
            var suffix = pattern.AsSpan(1);
            return name.Length > suffix.Length && name.AsSpan().EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
        }
        return string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether any of <paramref name="patterns"/> matches <paramref name="name"/>.</summary>
    public static bool MatchesAny(IEnumerable<string> patterns, string name)
    {
        foreach (var pattern in patterns)
        {
            if (Matches(pattern, name))
            {
                return true;
            }
        }
        return false;
    }
}
