using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Envoy's RANDOM: hosts[random % n] with the same random value that chose the priority. Like Envoy it ignores
/// endpoint weights.
/// </summary>
internal sealed class RandomEndpointPicker(EndpointPickerInputs inputs) : IEndpointPicker
{
    public EndpointState? Pick(in LoadBalancerContext context, ulong hash, int attempt) =>
        inputs.Hosts.Length == 0 ? null : inputs.Hosts[hash % (ulong)inputs.Hosts.Length];

    public void WriteShares(Span<double> shares) => shares.Fill(1.0 / shares.Length);
}
