using MeshProxy.Configuration;

namespace MeshProxy.Cli.Commands;

/// <summary>Prints config errors one per line, as "file:line:column: path: reason", the same format a reload logs.</summary>
internal static class ConfigErrorPrinter
{
    public static void Print(TextWriter writer, IReadOnlyList<ConfigError> errors)
    {
        foreach (var error in errors)
        {
            writer.WriteLine(error.ToString());
        }
        writer.WriteLine($"{errors.Count} error{(errors.Count == 1 ? "" : "s")}; the config was not applied.");
    }
}
