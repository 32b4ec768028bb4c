using System.Globalization;
using System.Net;
using MeshProxy.Utilities;
using YamlDotNet.RepresentationModel;

namespace MeshProxy.Configuration.Yaml;

/// <summary>
/// Reads one YAML mapping into typed values. Every key that is read is marked, and <see cref="ReportUnknownKeys"/>
/// turns the rest into errors, so a typo never passes silently. Problems are reported, never thrown:
/// the caller gets a default and reading goes on, so one pass finds every error in the file.
/// </summary>
internal sealed class YamlMappingReader
{
    private readonly YamlMappingNode _node;
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);

    public YamlMappingReader(YamlMappingNode node, string path, ConfigDiagnostics diagnostics)
    {
        _node = node;
        Path = path;
        Diagnostics = diagnostics;
        diagnostics.RecordLocation(path, (int)node.Start.Line, (int)node.Start.Column);
    }

    public string Path { get; }

    public ConfigDiagnostics Diagnostics { get; }

    public void Error(string message) => Diagnostics.Error(Path, (int)_node.Start.Line, (int)_node.Start.Column, message);

    public string ChildPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>The value under a key, or null when absent. Marks the key as known.</summary>
    public YamlNodeReader? Take(string key)
    {
        _consumed.Add(key);
        foreach (var (keyNode, valueNode) in _node.Children)
        {
            if (keyNode is YamlScalarNode { Value: { } name } && name == key)
            {
                if (valueNode is YamlScalarNode { Style: not (YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted), Value: null or "" or "~" or "null" })
                {
                    return null;
                }
                return new YamlNodeReader(valueNode, ChildPath(key), Diagnostics);
            }
        }
        return null;
    }

    /// <summary>Whether the key has a non-empty value.</summary>
    public bool Has(string key) => Take(key) is not null;

    /// <summary>Whether the key is written at all, even as an empty value (which some keys use to mean "off").</summary>
    public bool IsPresent(string key)
    {
        _consumed.Add(key);
        return _node.Children.Any(pair => pair.Key is YamlScalarNode { Value: { } name } && name == key);
    }

    public string? OptionalString(string key) => Take(key)?.AsString();

    public string RequiredString(string key)
    {
        if (Take(key) is not { } reader)
        {
            Diagnostics.Error(ChildPath(key), (int)_node.Start.Line, (int)_node.Start.Column, "is required");
            return "";
        }
        var value = reader.AsString();
        if (value is { Length: 0 })
        {
            reader.Error("must not be empty");
        }
        return value ?? "";
    }

    public int Int(string key, int defaultValue, int min, int max)
    {
        var node = Take(key);
        if (node is not { } reader || reader.AsString() is not { } text)
        {
            return defaultValue;
        }
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            reader.Error($"'{text}' is not a whole number");
            return defaultValue;
        }
        if (value < min || value > max)
        {
            reader.Error($"{value} is out of range ({min} to {max})");
            return defaultValue;
        }
        return value;
    }

    public bool Bool(string key, bool defaultValue) => OptionalBool(key) ?? defaultValue;

    public bool? OptionalBool(string key)
    {
        var node = Take(key);
        if (node is not { } reader || reader.AsString() is not { } text)
        {
            return null;
        }
        switch (text)
        {
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            default:
                reader.Error($"'{text}' is not true or false");
                return null;
        }
    }

    public TimeSpan Duration(string key, TimeSpan defaultValue, TimeSpan? min = null)
    {
        var node = Take(key);
        if (node is not { } reader || reader.AsString() is not { } text)
        {
            return defaultValue;
        }
        if (!Durations.TryParse(text, out var value))
        {
            reader.Error($"'{text}' is not a duration; write for example 250ms, 5s, 1m30s or 1h");
            return defaultValue;
        }
        if (min is { } lowest && value < lowest)
        {
            reader.Error($"{text} is too short; the minimum is {Durations.Format(lowest)}");
            return defaultValue;
        }
        return value;
    }

    /// <summary>An ip:port; null when the key is absent, null (~) or empty ("", which turns an optional server off).</summary>
    public IPEndPoint? SocketAddress(string key)
    {
        var node = Take(key);
        if (node is not { } reader || reader.AsString() is not { Length: > 0 } text)
        {
            return null;
        }
        if (!SocketAddressParser.TryParse(text, out var endpoint, out var error))
        {
            reader.Error(error);
            return null;
        }
        return endpoint;
    }

    /// <summary>One IP address, or a list of them (for example one per address family).</summary>
    public EquatableArray<IPAddress> IPAddresses(string key)
    {
        if (Take(key) is not { } reader)
        {
            return EquatableArray<IPAddress>.Empty;
        }
        if (reader.Node is YamlScalarNode)
        {
            return ParseAddress(reader) is { } single ? new[] { single } : EquatableArray<IPAddress>.Empty;
        }
        return List(key, ParseAddress);

        static IPAddress? ParseAddress(YamlNodeReader item)
        {
            if (item.AsString() is not { } text)
            {
                return null;
            }
            if (!IPAddress.TryParse(text, out var address))
            {
                item.Error($"'{text}' is not an IP address");
                return null;
            }
            return address;
        }
    }

    /// <summary>
    /// Reads an enum written as camelCase ("roundRobin") or in Envoy's style ("ROUND_ROBIN"): case, '_' and '-' are ignored.
    /// </summary>
    public TEnum Enum<TEnum>(string key, TEnum defaultValue)
        where TEnum : struct, Enum
        => Take(key) is { } reader ? reader.AsEnum<TEnum>() ?? defaultValue : defaultValue;

    /// <summary>A number from 0 to 1, such as a sampling ratio.</summary>
    public double Fraction(string key, double defaultValue)
    {
        var node = Take(key);
        if (node is not { } reader || reader.AsString() is not { } text)
        {
            return defaultValue;
        }
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 1)
        {
            reader.Error($"'{text}' is not a number from 0 to 1");
            return defaultValue;
        }
        return value;
    }

    public Uri? AbsoluteUri(string key)
    {
        var node = Take(key);
        if (node is not { } reader || reader.AsString() is not { } text)
        {
            return null;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            reader.Error($"'{text}' is not an http:// or https:// URL");
            return null;
        }
        return uri;
    }

    public YamlMappingReader? Mapping(string key) => Take(key)?.AsMapping();

    /// <summary>Reads a list; items that fail to read are reported by <paramref name="readItem"/> and left out.</summary>
    public EquatableArray<T> List<T>(string key, Func<YamlNodeReader, T?> readItem)
        where T : class
        => ReadList(key, item => readItem(item) is { } value ? (true, value) : (false, default!));

    /// <summary>Reads a list of mappings; an item that is not a mapping is reported (by AsMapping) and left out.</summary>
    public EquatableArray<T> MappingList<T>(string key, Func<YamlMappingReader, T?> readItem)
        where T : class
        => List(key, item => item.AsMapping() is { } mapping ? readItem(mapping) : null);

    /// <summary>Reads a list of value types; items that fail to read are reported by <paramref name="readItem"/> and left out.</summary>
    public EquatableArray<T> ValueList<T>(string key, Func<YamlNodeReader, T?> readItem)
        where T : struct
        => ReadList(key, item => readItem(item) is { } value ? (true, value) : (false, default));

    private EquatableArray<T> ReadList<T>(string key, Func<YamlNodeReader, (bool Ok, T Value)> readItem)
    {
        var node = Take(key);
        if (node is not { } reader)
        {
            return EquatableArray<T>.Empty;
        }
        if (reader.Node is not YamlSequenceNode sequence)
        {
            reader.Error($"expected a list, found {YamlNodeReader.Describe(reader.Node)}");
            return EquatableArray<T>.Empty;
        }
        var items = new List<T>(sequence.Children.Count);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var (ok, value) = readItem(new YamlNodeReader(sequence.Children[i], $"{reader.Path}[{i}]", Diagnostics));
            if (ok)
            {
                items.Add(value);
            }
        }
        return new EquatableArray<T>(items);
    }

    public EquatableArray<string> StringList(string key) => List(key, item => item.AsString());

    public EquatableArray<KeyValuePair<string, string>> StringMap(string key)
    {
        var mapping = Mapping(key);
        if (mapping is null)
        {
            return EquatableArray<KeyValuePair<string, string>>.Empty;
        }
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (keyNode, valueNode) in mapping._node.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            mapping._consumed.Add(name);
            var value = new YamlNodeReader(valueNode, mapping.ChildPath(name), Diagnostics).AsString();
            if (value is not null)
            {
                pairs.Add(new(name, value));
            }
        }
        return new EquatableArray<KeyValuePair<string, string>>(pairs);
    }

    /// <summary>Reports every key in the mapping that no reader asked for.</summary>
    public void ReportUnknownKeys()
    {
        foreach (var (keyNode, _) in _node.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            if (_consumed.Contains(name))
            {
                continue;
            }
            var suggestion = ClosestKnownKey(name);
            var hint = suggestion is null ? $"; known keys here: {string.Join(", ", _consumed.Order(StringComparer.Ordinal))}" : $"; did you mean '{suggestion}'?";
            Diagnostics.Error(ChildPath(name), (int)keyNode.Start.Line, (int)keyNode.Start.Column, $"unknown key '{name}'{hint}");
        }
    }

    private string? ClosestKnownKey(string name)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var known in _consumed)
        {
            var distance = EditDistance(name.ToLowerInvariant(), known.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = known;
            }
        }
        return bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
