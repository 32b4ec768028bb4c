using System.Text;

namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>
/// Several processes measured as one contender (two sidecars in a row): a bash script starts them as its children
/// and waits; when any of them exits it kills the others and exits itself, so the run sees one dead contender. Its
/// process tree is what the CPU and RSS meters read, and killing the tree (as every ManagedProcess is killed) ends all.
/// </summary>
internal static class ProcessGroup
{
    public static ManagedProcess Start(string name, string directory, IReadOnlyList<(string[] Command, string LogPath)> members, string? cpus,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var script = new StringBuilder("#!/usr/bin/env bash\n");
        foreach (var (command, log) in members)
        {
            script.Append(string.Join(' ', command.Select(Quote))).Append(" >>").Append(Quote(log)).Append(" 2>&1 &\n");
        }
        script.Append("wait -n\nstatus=$?\nkill $(jobs -p) 2>/dev/null\nwait\nexit $(( status == 0 ? 1 : status ))\n");
        var path = Path.Combine(directory, name + ".sh");
        File.WriteAllText(path, script.ToString());
        return ManagedProcess.Start(name, "/bin/bash", [path], Path.Combine(directory, name + ".log"), cpus, environment);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
