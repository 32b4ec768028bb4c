using Xunit;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// The one place that decides what a namespace test does without root: skip with the reason on a developer
/// machine, fail in CI (CI=true), where the suite runs as root and a silent skip would hide a broken setup.
/// </summary>
internal static class RootOnly
{
    private const string Reason =
        "Network-namespace tests need root: they create namespaces, veth pairs and iptables rules. Run them as root (CI does).";

    public static bool IsRoot => Environment.IsPrivilegedProcess;

    public static void Require()
    {
        if (IsRoot)
        {
            return;
        }
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(Reason + " CI=true, so this is a failure, not a skip.");
        }
        Assert.Skip(Reason);
    }
}
