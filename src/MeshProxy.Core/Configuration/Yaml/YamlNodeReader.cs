using YamlDotNet.RepresentationModel;

namespace MeshProxy.Configuration.Yaml;

/// <summary>A YAML node with its path, reporting type errors to the shared diagnostics.</summary>
internal readonly struct YamlNodeReader
{
    public YamlNodeReader(YamlNode node, string path, ConfigDiagnostics diagnostics)
    {
        Node = node;
        Path = path;
        Diagnostics = diagnostics;
        diagnostics.RecordLocation(path, (int)node.Start.Line, (int)node.Start.Column);
    }

    public YamlNode Node { get; }

    public string Path { get; }

    public ConfigDiagnostics Diagnostics { get; }

    public void Error(string message) => Diagnostics.Error(Path, (int)Node.Start.Line, (int)Node.Start.Column, message);

    public YamlMappingReader? AsMapping()
    {
        if (Node is YamlMappingNode mapping)
        {
            return new YamlMappingReader(mapping, Path, Diagnostics);
        }
        Error($"expected a mapping (key: value), found {Describe(Node)}");
        return null;
    }

    public string? AsString()
    {
        if (Node is YamlScalarNode { Value: { } value })
        {
            return value;
        }
        Error($"expected a single value, found {Describe(Node)}");
        return null;
    }

    /// <summary>Reads an enum written as camelCase or in Envoy's style: case, '_' and '-' are ignored.</summary>
    public TEnum? AsEnum<TEnum>()
        where TEnum : struct, Enum
    {
        if (AsString() is not { } text)
        {
            return null;
        }
        var wanted = Normalize(text);
        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (Normalize(value.ToString()) == wanted)
            {
                return value;
            }
        }
        var names = string.Join(", ", Enum.GetNames<TEnum>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
        Error($"'{text}' is not one of: {names}");
        return null;

        static string Normalize(string s) => s.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: null or "" or "~" or "null" } => "an empty value",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        _ => "an alias",
    };
}
