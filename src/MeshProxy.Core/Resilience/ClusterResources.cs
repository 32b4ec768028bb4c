using MeshProxy.Configuration;

namespace MeshProxy.Resilience;

/// <summary>A cluster's circuit breakers, one set per routing priority (Envoy's per-priority thresholds), and its adaptive hedging state.</summary>
public sealed class ClusterResources
{
    private readonly ResourceLimits _default;
    private readonly ResourceLimits _high;

    public ClusterResources(CircuitBreakersConfig config, ResilienceStats stats)
    {
        _default = new ResourceLimits(config.For(RoutingPriority.Default), stats);
        _high = new ResourceLimits(config.For(RoutingPriority.High), stats);
    }

    public ResourceLimits For(RoutingPriority priority) => priority == RoutingPriority.High ? _high : _default;

    /// <summary>Recent latencies and the hedge budget, for routes with adaptive hedging.</summary>
    public AdaptiveHedgeTracker AdaptiveHedge { get; } = new();
}
