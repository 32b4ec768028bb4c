namespace MeshProxy.Configuration.Validation;

/// <summary>Route tables are well formed: unique names and domains, one action per route, known clusters.</summary>
internal sealed class RouteTableValidator : IConfigValidator
{
    public void Validate(ProxyConfig config, ConfigDiagnostics diagnostics)
    {
        var clusters = config.Clusters.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var tableNames = new HashSet<string>(StringComparer.Ordinal);
        for (var t = 0; t < config.RouteTables.Count; t++)
        {
            var table = config.RouteTables[t];
            var tablePath = $"routeTables[{t}]";
            if (table.Name.Length > 0 && !tableNames.Add(table.Name))
            {
                diagnostics.Error($"{tablePath}.name", $"route table name '{table.Name}' is used twice");
            }

            var virtualHostNames = new HashSet<string>(StringComparer.Ordinal);
            var domains = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var v = 0; v < table.VirtualHosts.Count; v++)
            {
                var virtualHost = table.VirtualHosts[v];
                var hostPath = $"{tablePath}.virtualHosts[{v}]";
                if (virtualHost.Name.Length > 0 && !virtualHostNames.Add(virtualHost.Name))
                {
                    diagnostics.Error($"{hostPath}.name", $"virtual host name '{virtualHost.Name}' is used twice in this table");
                }
                if (virtualHost.Domains.IsEmpty)
                {
                    diagnostics.Error($"{hostPath}.domains", "must list at least one domain (\"*\" matches any)");
                }
                for (var d = 0; d < virtualHost.Domains.Count; d++)
                {
                    var domain = virtualHost.Domains[d];
                    if (DomainError(domain) is { } error)
                    {
                        diagnostics.Error($"{hostPath}.domains[{d}]", error);
                    }
                    else if (!domains.TryAdd(domain, virtualHost.Name))
                    {
                        diagnostics.Error($"{hostPath}.domains[{d}]", $"domain '{domain}' is already served by virtual host '{domains[domain]}'");
                    }
                }
                for (var r = 0; r < virtualHost.Routes.Count; r++)
                {
                    ValidateRoute(virtualHost.Routes[r], $"{hostPath}.routes[{r}]", clusters, diagnostics);
                }
            }
        }
    }

    private static void ValidateRoute(RouteConfig route, string path, HashSet<string> clusters, ConfigDiagnostics diagnostics)
    {
        var match = route.Match;
        if (match.Prefix is not null && match.Path is not null)
        {
            diagnostics.Error($"{path}.match", "set either prefix or path, not both");
        }
        if (match.Prefix is { } prefix && !prefix.StartsWith('/'))
        {
            diagnostics.Error($"{path}.match.prefix", $"'{prefix}' must start with '/'");
        }
        if (match.Path is { } exact && !exact.StartsWith('/'))
        {
            diagnostics.Error($"{path}.match.path", $"'{exact}' must start with '/'");
        }
        for (var h = 0; h < match.Headers.Count; h++)
        {
            var header = match.Headers[h];
            var conditions = (header.Exact is null ? 0 : 1) + (header.Prefix is null ? 0 : 1) + (header.Present is null ? 0 : 1);
            if (conditions != 1)
            {
                diagnostics.Error($"{path}.match.headers[{h}]", "set exactly one of exact, prefix or present");
            }
        }

        var hasCluster = route.Cluster is not null;
        var hasSplit = !route.WeightedClusters.IsEmpty;
        var actions = (hasCluster ? 1 : 0) + (hasSplit ? 1 : 0) + (route.DirectResponse is null ? 0 : 1);
        if (actions != 1)
        {
            diagnostics.Error(path, "set exactly one of cluster, weightedClusters or directResponse");
        }
        if (route.Cluster is { Length: > 0 } cluster && !clusters.Contains(cluster))
        {
            diagnostics.Error($"{path}.cluster", $"no cluster is named '{cluster}'");
        }
        for (var w = 0; w < route.WeightedClusters.Count; w++)
        {
            var arm = route.WeightedClusters[w];
            if (arm.Cluster.Length > 0 && !clusters.Contains(arm.Cluster))
            {
                diagnostics.Error($"{path}.weightedClusters[{w}].cluster", $"no cluster is named '{arm.Cluster}'");
            }
        }
        if (hasSplit && route.WeightedClusters.Sum(a => (long)a.Weight) == 0)
        {
            diagnostics.Error($"{path}.weightedClusters", "the weights add up to 0, so no request could be routed");
        }
    }

    /// <summary>Envoy's domain forms: "*", a leading wildcard ("*.example.com"), or a trailing one ("api.*").</summary>
    private static string? DomainError(string domain)
    {
        if (domain.Length == 0)
        {
            return "must not be empty";
        }
        var stars = domain.Count(c => c == '*');
        if (stars == 0 || domain == "*")
        {
            return null;
        }
        if (stars == 1 && (domain.StartsWith('*') || domain.EndsWith('*')))
        {
            return null;
        }
        return $"'{domain}': a wildcard may only be the whole domain, its first character or its last";
    }
}
