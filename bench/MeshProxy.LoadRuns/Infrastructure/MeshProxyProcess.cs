namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>How a meshproxy build is started (`dotnet x.dll` or a native executable) and when it is ready.</summary>
internal static class MeshProxyProcess
{
    /// <summary>The command line of <c>meshproxy run --config CONFIG --log-level Warning</c> for a build.</summary>
    public static string[] Command(string binary, string config)
    {
        string[] run = ["run", "--config", config, "--log-level", "Warning"];
        return binary.EndsWith(".dll", StringComparison.Ordinal) ? ["dotnet", binary, .. run] : [binary, .. run];
    }

    /// <summary>Starts one meshproxy, under <paramref name="prefix"/> (e.g. <c>ip netns exec POD setpriv ...</c>) when given.</summary>
    public static ManagedProcess Start(string name, string binary, string config, string logPath, string? cpus,
        IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? prefix = null)
    {
        string[] command = [.. prefix ?? [], .. Command(binary, config)];
        return ManagedProcess.Start(name, command[0], command[1..], logPath, cpus, environment);
    }

    /// <summary>Waits for the admin endpoint's /ready (config loaded, listeners bound) on the host's loopback.</summary>
    public static Task WaitReadyAsync(int adminPort, ManagedProcess process)
        => Net.WaitForHttpAsync($"http://127.0.0.1:{adminPort}/ready", process, TimeSpan.FromSeconds(60));
}
