using MeshProxy.Identity.Spiffe;

namespace MeshProxy.Configuration.Validation;

/// <summary>
/// mTLS needs an identity; identity sources are exclusive; SPIFFE IDs and trust domains in TLS settings are well
/// formed; authorization policies are named uniquely.
/// </summary>
internal sealed class SecurityValidator : IConfigValidator
{
    public void Validate(ProxyConfig config, ConfigDiagnostics diagnostics)
    {
        var identity = config.Identity;
        if (identity.Files is not null && identity.WorkloadApi is not null)
        {
            diagnostics.Error("identity", "set either files or workloadApi, not both");
        }

        for (var i = 0; i < config.Clusters.Count; i++)
        {
            if (config.Clusters[i].Tls is not { } tls)
            {
                continue;
            }
            var path = $"clusters[{i}].tls";
            RequireIdentity(identity, path, diagnostics);
            for (var s = 0; s < tls.ServerIds.Count; s++)
            {
                if (!SpiffeId.TryParse(tls.ServerIds[s], out _, out var error))
                {
                    diagnostics.Error($"{path}.serverIds[{s}]", $"'{tls.ServerIds[s]}' is not a SPIFFE ID: {SpiffeIdErrors.Message(error)}");
                }
            }
            for (var d = 0; d < tls.TrustDomains.Count; d++)
            {
                if (!TrustDomain.TryParse(tls.TrustDomains[d], out _, out var error))
                {
                    diagnostics.Error($"{path}.trustDomains[{d}]", $"'{tls.TrustDomains[d]}' is not a trust domain name: {SpiffeIdErrors.Message(error)}");
                }
            }
        }

        for (var l = 0; l < config.Listeners.Count; l++)
        {
            var listener = config.Listeners[l];
            if (listener.Tls.Mode != DownstreamTlsMode.Disable)
            {
                RequireIdentity(identity, $"listeners[{l}].tls", diagnostics);
            }
            for (var c = 0; c < listener.FilterChains.Count; c++)
            {
                if (listener.FilterChains[c].Tls is { Mode: not DownstreamTlsMode.Disable })
                {
                    RequireIdentity(identity, $"listeners[{l}].filterChains[{c}].tls", diagnostics);
                }
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var p = 0; p < config.Authorization.Count; p++)
        {
            var name = config.Authorization[p].Name;
            if (name.Length > 0 && !names.Add(name))
            {
                diagnostics.Error($"authorization[{p}].name", $"policy name '{name}' is used twice");
            }
        }
    }

    private static void RequireIdentity(IdentityConfig identity, string path, ConfigDiagnostics diagnostics)
    {
        if (!identity.IsConfigured)
        {
            diagnostics.Error(path, "mTLS needs this proxy's identity: add an identity section (files or workloadApi)");
        }
    }
}
