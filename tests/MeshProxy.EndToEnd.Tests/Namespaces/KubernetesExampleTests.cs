using MeshProxy.TestSupport;
using MeshProxy.TestSupport.Namespaces;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// examples/kubernetes/ stays consistent with what the namespace tests prove: the init container's arguments
/// produce the default capture rules, the sidecar runs as the uid/gid they exempt, and the ConfigMap carries the
/// built-in sidecar config. No cluster is needed.
/// </summary>
public sealed class KubernetesExampleTests
{
    private static readonly string ExampleDirectory = RepositoryPaths.Combine("examples", "kubernetes");

    [Fact]
    public async Task InitContainerArguments_ProduceTheDefaultCaptureRules()
    {
        var init = Container(LoadPod(), "initContainers", "meshproxy-init");
        var arguments = ((YamlSequenceNode)init["args"]).Select(a => ((YamlScalarNode)a).Value!).ToList();

        var result = await CaptureScripts.RunHereAsync(CaptureScripts.Install, ["--dry-run", .. arguments]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("# iptables-restore --noflush\n" + IstioGolden.DefaultRules("127.0.0.6/32", "127.0.0.1/32"), result.StandardOutput);
        var added = ((YamlSequenceNode)Node(init, "securityContext", "capabilities", "add")).Select(c => c.ToString()).ToList();
        Assert.Equal(["NET_ADMIN", "NET_RAW"], added);
    }

    [Fact]
    public void Sidecar_RunsAsTheExemptedUidAndGid_WithReadinessOn15021()
    {
        var pod = LoadPod();
        var sidecar = Container(pod, "containers", "meshproxy");

        Assert.Equal("1337", Node(sidecar, "securityContext", "runAsUser").ToString());
        Assert.Equal("1337", Node(sidecar, "securityContext", "runAsGroup").ToString());
        Assert.Equal("/healthz/ready", Node(sidecar, "readinessProbe", "httpGet", "path").ToString());
        Assert.Equal("15021", Node(sidecar, "readinessProbe", "httpGet", "port").ToString());
        Assert.NotEqual("1337", Node(Container(pod, "containers", "app"), "securityContext", "runAsUser").ToString());
    }

    [Fact]
    public void ConfigMap_CarriesTheBuiltInSidecarConfig()
    {
        var config = Node(Load("meshproxy-configmap.yaml"), "data", "sidecar.yaml").ToString();

        Assert.Equal(CapturedPod.BuiltInSidecarConfig(), config);
    }

    private static YamlMappingNode LoadPod() => Load("pod.yaml");

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(ExampleDirectory, file))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Container(YamlMappingNode pod, string list, string name) =>
        ((YamlSequenceNode)Node(pod, "spec", list)).Cast<YamlMappingNode>().Single(c => c["name"].ToString() == name);

    private static YamlNode Node(YamlMappingNode node, params string[] keys)
    {
        YamlNode current = node;
        foreach (var key in keys)
        {
            current = ((YamlMappingNode)current)[key];
        }
        return current;
    }
}
