using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Cli.Commands;

/// <summary>Options shared by several verbs.</summary>
internal static class CommonOptions
{
    public static Option<FileInfo> ConfigFile(bool required) => new("--config", "-c")
    {
        Description = required ? "The config file (YAML)." : "The config file (YAML). Without it the built-in sidecar default runs.",
        Required = required,
    };

    public static Option<LogLevel> LogLevelOption() => new("--log-level")
    {
        Description = "The lowest level to log: Trace, Debug, Information, Warning, Error.",
        DefaultValueFactory = _ => LogLevel.Information,
    };
}
