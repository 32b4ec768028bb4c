namespace MeshProxy.TestSupport;

/// <summary>Runs the real curl, the way a user would call through the proxy.</summary>
public static class Curl
{
    /// <summary>Runs curl with -s -S and a 20 s cap; add "-w" and "-o" yourself when you need them.</summary>
    public static Task<ProcessResult> RunAsync(params string[] arguments)
        => ProcessRunner.RunAsync(Tools.Require("curl"), ["-sS", "--max-time", "20", .. arguments], TimeSpan.FromSeconds(30));
}
