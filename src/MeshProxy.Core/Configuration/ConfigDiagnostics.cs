namespace MeshProxy.Configuration;

/// <summary>
/// Collects errors while a config is read and validated, and remembers where each YAML path sits in the file
/// so that validators working on records can still report a line and column.
/// </summary>
public sealed class ConfigDiagnostics
{
    private readonly List<ConfigError> _errors = [];
    private readonly HashSet<string> _unreadablePaths = new(StringComparer.Ordinal);
    private bool _validating;
    private readonly Dictionary<string, (int Line, int Column)> _locations = new(StringComparer.Ordinal);

    public ConfigDiagnostics(string file) => File = file;

    public string File { get; }

    public IReadOnlyList<ConfigError> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    public void RecordLocation(string path, int line, int column) => _locations.TryAdd(path, (line, column));

    public void Error(string path, int line, int column, string message)
    {
        if (!_validating)
        {
            _unreadablePaths.Add(path);
        }
        else if (_unreadablePaths.Contains(path))
        {
            // The reader could not read this value; a validator looking at its placeholder would only add noise.
            return;
        }
        _errors.Add(new ConfigError(File, line, column, path, message));
    }

    /// <summary>Marks the end of reading: errors from here on come from validators.</summary>
    public void BeginValidation() => _validating = true;

    /// <summary>Reports an error at a path, using the location of the path or of its nearest recorded parent.</summary>
    public void Error(string path, string message)
    {
        var (line, column) = FindLocation(path);
        Error(path, line, column, message);
    }

    private (int Line, int Column) FindLocation(string path)
    {
        var candidate = path;
        while (candidate.Length > 0)
        {
            if (_locations.TryGetValue(candidate, out var location))
            {
                return location;
            }
            var cut = Math.Max(candidate.LastIndexOf('.'), candidate.LastIndexOf('['));
            candidate = cut > 0 ? candidate[..cut] : "";
        }
        return (0, 0);
    }
}
