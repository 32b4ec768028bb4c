using System.CommandLine;

namespace MeshProxy.Cli.Commands;

/// <summary>`meshproxy demo`: a self-contained tour on loopback (see Demo/).</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var duration = new Option<TimeSpan>("--duration")
        {
            Description = "How long to send traffic.",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
        };
        var command = new Command("demo", "Start small backend services and sidecars on loopback, send real HTTP through them for about 10 seconds (zone failover, a canary split), then show hedging against a slow instance and an mTLS hop with authorization; print what happened, and exit.")
        {
            duration,
        };
        command.SetAction((parse, cancellationToken) => Demo.DemoRunner.RunAsync(parse.GetValue(duration), Console.Out, cancellationToken));
        return command;
    }
}
