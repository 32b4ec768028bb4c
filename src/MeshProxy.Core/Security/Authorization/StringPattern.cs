namespace MeshProxy.Security.Authorization;

/// <summary>
/// Istio's string match for AuthorizationPolicy fields: exact "abc", prefix "abc*", suffix "*abc", or "*" for any
/// non-empty value.
/// </summary>
internal readonly struct StringPattern
{
    private readonly string _value;
    private readonly Kind _kind;

    private StringPattern(string value, Kind kind)
    {
        _value = value;
        _kind = kind;
    }

    public static StringPattern Parse(string pattern) => pattern switch
    {
        "*" => new StringPattern("", Kind.Presence),
        _ when pattern.EndsWith('*') => new StringPattern(pattern[..^1], Kind.Prefix),
        _ when pattern.StartsWith('*') => new StringPattern(pattern[1..], Kind.Suffix),
        _ => new StringPattern(pattern, Kind.Exact),
    };

    public bool Matches(ReadOnlySpan<char> value) => _kind switch
    {
        Kind.Presence => !value.IsEmpty,
        Kind.Prefix => value.StartsWith(_value, StringComparison.Ordinal),
        Kind.Suffix => value.EndsWith(_value, StringComparison.Ordinal),
        _ => value.SequenceEqual(_value),
    };

    public static bool AnyMatches(StringPattern[] patterns, ReadOnlySpan<char> value)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.Matches(value))
            {
                return true;
            }
        }
        return false;
    }

    private enum Kind
    {
        Exact,
        Prefix,
        Suffix,
        Presence,
    }
}
