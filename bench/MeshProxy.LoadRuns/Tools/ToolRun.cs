using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns.Tools;

/// <summary>Runs a load generator to completion (bounded: killed past its duration plus a grace period) and returns its output.</summary>
internal static class ToolRun
{
    /// <param name="prefix">A command to run the tool under (e.g. <c>ip netns exec POD</c>); empty or null for none.</param>
    public static async Task<string> RunAsync(string name, string file, IEnumerable<string> arguments, double seconds, RunContext context, string logName,
        IReadOnlyList<string>? prefix = null)
    {
        if (prefix is { Count: > 0 })
        {
            arguments = [.. prefix.Skip(1), file, .. arguments];
            file = prefix[0];
        }
        using var process = ManagedProcess.Start(name, file, arguments, Path.Combine(context.DirectoryFor("tools"), logName), context.Cpus.LoadGenerator, capture: true);
        var exited = await process.WaitForExitAsync(TimeSpan.FromSeconds(seconds + 30));
        var output = process.Output;
        if (!exited)
        {
            throw new TimeoutException($"{name} ran past {seconds + 30:0} s and was killed. Output:\n{output}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{name} exited with code {process.ExitCode}. Output:\n{output}");
        }
        return output;
    }
}
