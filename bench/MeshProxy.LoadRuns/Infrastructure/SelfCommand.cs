namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>How to start this program again with a sub-command, whether it runs as `dotnet x.dll` or through its apphost.</summary>
internal static class SelfCommand
{
    public static (string File, string[] Arguments) For(params string[] arguments)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? (host, [typeof(SelfCommand).Assembly.Location, .. arguments])
            : (host, arguments);
    }
}
