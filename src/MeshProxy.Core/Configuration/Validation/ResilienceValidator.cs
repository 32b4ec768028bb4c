namespace MeshProxy.Configuration.Validation;

/// <summary>
/// Retry and hedge policies are usable as written: conditions that name a list have one, back-off bounds are ordered,
/// and hedging has a retry policy to draw its attempts from (and a delay to hedge after).
/// </summary>
internal sealed class ResilienceValidator : IConfigValidator
{
    public void Validate(ProxyConfig config, ConfigDiagnostics diagnostics)
    {
        for (var t = 0; t < config.RouteTables.Count; t++)
        {
            var table = config.RouteTables[t];
            for (var v = 0; v < table.VirtualHosts.Count; v++)
            {
                var virtualHost = table.VirtualHosts[v];
                var hostPath = $"routeTables[{t}].virtualHosts[{v}]";
                ValidateRetry(virtualHost.RetryPolicy, $"{hostPath}.retryPolicy", diagnostics);
                for (var r = 0; r < virtualHost.Routes.Count; r++)
                {
                    var route = virtualHost.Routes[r];
                    var routePath = $"{hostPath}.routes[{r}]";
                    ValidateRetry(route.RetryPolicy, $"{routePath}.retryPolicy", diagnostics);
                    var hedge = route.HedgePolicy ?? virtualHost.HedgePolicy;
                    var retry = route.RetryPolicy ?? virtualHost.RetryPolicy;
                    var hedgePath = route.HedgePolicy is not null ? $"{routePath}.hedgePolicy" : $"{hostPath}.hedgePolicy";
                    ValidateHedge(hedge, retry, hedgePath, diagnostics);
                }
            }
        }
    }

    private static void ValidateRetry(RetryPolicyConfig? retry, string path, ConfigDiagnostics diagnostics)
    {
        if (retry is null)
        {
            return;
        }
        if ((retry.RetryOn & RetryOn.RetriableStatusCodes) != 0 && retry.RetriableStatusCodes.IsEmpty)
        {
            diagnostics.Error($"{path}.retriableStatusCodes", "retryOn has retriable-status-codes, so list the codes here");
        }
        if ((retry.RetryOn & RetryOn.RetriableHeaders) != 0 && retry.RetriableHeaders.IsEmpty)
        {
            diagnostics.Error($"{path}.retriableHeaders", "retryOn has retriable-headers, so list the headers here");
        }
        if (retry.MaxInterval is { } max && max < retry.BaseInterval)
        {
            diagnostics.Error($"{path}.maxInterval", "must not be shorter than baseInterval");
        }
    }

    private static void ValidateHedge(HedgePolicyConfig? hedge, RetryPolicyConfig? retry, string path, ConfigDiagnostics diagnostics)
    {
        if (hedge is null || (!hedge.HedgeOnPerTryTimeout && hedge.Adaptive is null))
        {
            return;
        }
        if (retry is null || retry.NumRetries == 0)
        {
            diagnostics.Error(path, "hedging needs a retry policy with numRetries of at least 1: hedges are retries and count against it");
        }
        else if (hedge.Adaptive is null && retry.PerTryTimeout == TimeSpan.Zero)
        {
            diagnostics.Error(path, "hedgeOnPerTryTimeout needs the retry policy's perTryTimeout (or an adaptive delay)");
        }
    }
}
