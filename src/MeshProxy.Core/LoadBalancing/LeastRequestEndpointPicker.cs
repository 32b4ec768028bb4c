using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Envoy's LEAST_REQUEST. With equal weights: the host with the fewest active requests among choiceCount random
/// ones (power of two choices by default), O(1). With unequal weights: an EDF schedule in which a host's weight is
/// weight / (active requests + 1)^bias when it is put back, O(log n) under a short lock.
/// </summary>
internal sealed class LeastRequestEndpointPicker : IEndpointPicker
{
    private readonly EndpointPickerInputs _inputs;
    private readonly int _choiceCount;
    private readonly double _bias;
    private readonly EdfScheduler? _scheduler;
    private readonly Lock _lock = new();

    public LeastRequestEndpointPicker(EndpointPickerInputs inputs)
    {
        _inputs = inputs;
        var config = inputs.Config.LeastRequest ?? LeastRequestConfig.Default;
        _choiceCount = config.ChoiceCount;
        _bias = config.ActiveRequestBias;
        if (inputs.Hosts.Length > 1 && !inputs.WeightsAreEqual())
        {
            var initial = new double[inputs.Hosts.Length];
            for (var i = 0; i < initial.Length; i++)
            {
                initial[i] = CurrentWeight(i);
            }
            _scheduler = new EdfScheduler(initial, CurrentWeight);
        }
    }

    public EndpointState? Pick(in LoadBalancerContext context, ulong hash, int attempt)
    {
        var hosts = _inputs.Hosts;
        if (hosts.Length == 0)
        {
            return null;
        }
        if (_scheduler is not null)
        {
            lock (_lock)
            {
                return hosts[_scheduler.PickAndAdd()];
            }
        }
        EndpointState? candidate = null;
        for (var choice = 0; choice < _choiceCount; choice++)
        {
            var sampled = hosts[context.NextRandom() % (ulong)hosts.Length];
            if (candidate is null || sampled.ActiveRequests < candidate.ActiveRequests)
            {
                candidate = sampled;
            }
        }
        return candidate;
    }

    public void WriteShares(Span<double> shares) => _inputs.WriteWeightShares(shares);

    /// <summary>Envoy's hostWeight: weight / (active + 1)^bias; bias 1 divides, bias 0 ignores load.</summary>
    private double CurrentWeight(int index)
    {
        var host = _inputs.Hosts[index];
        var active = (double)host.ActiveRequests + 1;
        return _bias switch
        {
            0.0 => host.Weight,
            1.0 => host.Weight / active,
            _ => host.Weight / Math.Pow(active, _bias),
        };
    }
}
