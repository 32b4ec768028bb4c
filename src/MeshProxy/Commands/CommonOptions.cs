using System.CommandLine;
using MeshProxy.Hosting;
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

    public static Option<IoScheduling> IoSchedulingOption() => new("--io-scheduling")
    {
        Description = "Where the work after a socket event runs: event-loop (on the thread that polled the socket, one per core, as "
            + "Envoy and HAProxy do; the default) or thread-pool (.NET's defaults: handed to thread-pool workers).",
        DefaultValueFactory = _ => IoScheduling.EventLoop,
        CustomParser = result => result.Tokens.Single().Value switch
        {
            "event-loop" => IoScheduling.EventLoop,
            "thread-pool" => IoScheduling.ThreadPool,
            var other => Invalid(result, other),
        },
    };

    private static IoScheduling Invalid(System.CommandLine.Parsing.ArgumentResult result, string value)
    {
        result.AddError($"--io-scheduling: '{value}' is neither event-loop nor thread-pool");
        return IoScheduling.EventLoop;
    }
}
