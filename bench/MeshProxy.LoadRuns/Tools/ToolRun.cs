using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns.Tools;

/// <summary>Runs a load generator to completion (bounded: killed past its duration plus a grace period) and returns its output.</summary>
internal static class ToolRun
{
    public static async Task<string> RunAsync(string name, string file, IEnumerable<string> arguments, double seconds, RunContext context, string logName)
    {
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
