namespace MeshProxy.Configuration;

/// <summary>One problem in a config file: where it is (file, line, column, YAML path) and why.</summary>
public sealed record ConfigError(string File, int Line, int Column, string Path, string Message)
{
    public override string ToString()
    {
        var location = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        return string.IsNullOrEmpty(Path) ? $"{location}: {Message}" : $"{location}: {Path}: {Message}";
    }
}
