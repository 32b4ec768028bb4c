using MeshProxy.Configuration;

namespace MeshProxy.Security.Authorization;

/// <summary>
/// The inbound authorization policies of one config, compiled. Istio's evaluation order: any matching DENY policy
/// denies; with no ALLOW policy everything else is allowed; otherwise a matching ALLOW policy is needed. Immutable
/// and allocation-free per decision; part of a snapshot.
/// </summary>
public sealed class Authorizer
{
    private readonly CompiledPolicy[] _deny;
    private readonly CompiledPolicy[] _allow;

    public Authorizer(IReadOnlyList<AuthorizationPolicyConfig> policies)
    {
        _deny = policies.Where(p => p.Action == AuthorizationAction.Deny).Select(p => new CompiledPolicy(p)).ToArray();
        _allow = policies.Where(p => p.Action == AuthorizationAction.Allow).Select(p => new CompiledPolicy(p)).ToArray();
    }

    /// <summary>Whether there is no policy, so every request is allowed without counting a decision.</summary>
    public bool IsEmpty => _deny.Length == 0 && _allow.Length == 0;

    public AuthorizationDecision Authorize(in AuthorizationRequest request)
    {
        foreach (var policy in _deny)
        {
            if (policy.Matches(request, isDeny: true))
            {
                return new AuthorizationDecision(IsAllowed: false, policy.Name);
            }
        }
        if (_allow.Length == 0)
        {
            return new AuthorizationDecision(IsAllowed: true, Policy: null);
        }
        foreach (var policy in _allow)
        {
            if (policy.Matches(request, isDeny: false))
            {
                return new AuthorizationDecision(IsAllowed: true, policy.Name);
            }
        }
        return new AuthorizationDecision(IsAllowed: false, Policy: null);
    }

    private sealed class CompiledPolicy(AuthorizationPolicyConfig config)
    {
        private readonly CompiledRule[] _rules = config.Rules.Select(r => new CompiledRule(r)).ToArray();

        public string Name { get; } = config.Name;

        // A policy without rules matches nothing (Istio: an ALLOW policy with no rules allows nothing).
        public bool Matches(in AuthorizationRequest request, bool isDeny)
        {
            foreach (var rule in _rules)
            {
                if (rule.Matches(request, isDeny))
                {
                    return true;
                }
            }
            return false;
        }
    }

    private sealed class CompiledRule(AuthorizationRuleConfig config)
    {
        private readonly SourceMatcher[] _from = config.From.Select(s => new SourceMatcher(s)).ToArray();
        private readonly OperationMatcher[] _to = config.To.Select(o => new OperationMatcher(o)).ToArray();

        public bool Matches(in AuthorizationRequest request, bool isDeny)
            => AnySource(request) && AnyOperation(request, isDeny);

        private bool AnySource(in AuthorizationRequest request)
        {
            if (_from.Length == 0)
            {
                return true;
            }
            foreach (var source in _from)
            {
                if (source.Matches(request.PeerId))
                {
                    return true;
                }
            }
            return false;
        }

        private bool AnyOperation(in AuthorizationRequest request, bool isDeny)
        {
            if (_to.Length == 0)
            {
                return true;
            }
            foreach (var operation in _to)
            {
                if (operation.Matches(request, isDeny))
                {
                    return true;
                }
            }
            return false;
        }
    }
}
