namespace MeshProxy.LoadRuns.Commands;

/// <summary>The few command-line lookups the sub-commands need: "--name value" pairs and flags.</summary>
internal static class CommandLine
{
    public static string? Value(string[] args, string name)
    {
        var index = Array.LastIndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    /// <summary>Every value given for a repeatable option.</summary>
    public static IEnumerable<string> Values(string[] args, string name)
    {
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == name)
            {
                yield return args[i + 1];
            }
        }
    }

    public static bool Flag(string[] args, string name) => args.Contains(name);
}
