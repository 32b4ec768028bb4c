using System.Collections.Concurrent;
using System.Net;
using MeshProxy.Configuration;

namespace MeshProxy.Resilience;

/// <summary>
/// One routing priority's circuit breakers for one cluster (Envoy's ResourceManager): requests, retries (or the retry
/// budget), connections, and requests waiting for a connection. Lock-free except where a connection must wait.
/// </summary>
public sealed class ResourceLimits
{
    private readonly CircuitBreakerThresholdsConfig _thresholds;
    private readonly ResilienceStats _stats;
    private readonly ConcurrentDictionary<IPEndPoint, StrongBox> _connectionsPerEndpoint = new();
    private readonly Queue<TaskCompletionSource<bool>> _waiters = new();
    private int _requests;
    private int _retries;
    private int _connections;
    private int _pending;

    public ResourceLimits(CircuitBreakerThresholdsConfig thresholds, ResilienceStats stats)
    {
        _thresholds = thresholds;
        _stats = stats;
    }

    public int ActiveRequests => Volatile.Read(ref _requests);

    public int ActiveRetries => Volatile.Read(ref _retries);

    public int ActiveConnections => Volatile.Read(ref _connections);

    public int PendingRequests => Volatile.Read(ref _pending);

    /// <summary>Admits a request under maxRequests; false (counted as upstream_rq_pending_overflow) when full.</summary>
    public bool TryStartRequest()
    {
        if (TryIncrement(ref _requests, _thresholds.MaxRequests))
        {
            return true;
        }
        _stats.RequestOverflowed();
        return false;
    }

    public void EndRequest() => Interlocked.Decrement(ref _requests);

    /// <summary>
    /// Admits a retry or hedge under maxRetries or, when configured, the retry budget: budgetPercent of active and
    /// pending requests, but at least minRetryConcurrency. False (counted as upstream_rq_retry_overflow) when full.
    /// </summary>
    public bool TryStartRetry()
    {
        var limit = _thresholds.RetryBudget is { } budget
            ? Math.Max((int)(budget.BudgetPercent / 100 * (ActiveRequests + PendingRequests)), budget.MinRetryConcurrency)
            : _thresholds.MaxRetries;
        if (TryIncrement(ref _retries, limit))
        {
            return true;
        }
        _stats.RetryOverflowed();
        return false;
    }

    public void EndRetry() => Interlocked.Decrement(ref _retries);

    /// <summary>
    /// A slot for a new connection to <paramref name="endpoint"/>. Under maxConnections it is granted at once; at the
    /// limit the caller waits for a connection to close, as a pending request (up to maxPendingRequests, beyond which
    /// it gets <see cref="UpstreamOverflowException"/>). As in Envoy, an endpoint without any connection may always
    /// open one, so one busy endpoint cannot starve the others (counted as upstream_cx_overflow).
    /// </summary>
    public async ValueTask<ConnectionSlot> AcquireConnectionAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        if (TryOpenConnection(endpoint) is { } slot)
        {
            return slot;
        }
        TaskCompletionSource<bool> waiter;
        lock (_waiters)
        {
            if (Volatile.Read(ref _connections) < _thresholds.MaxConnections)
            {
                Interlocked.Increment(ref _connections);
                return Open(endpoint);
            }
            if (_pending >= _thresholds.MaxPendingRequests)
            {
                _stats.RequestOverflowed();
                throw new UpstreamOverflowException($"{_thresholds.MaxConnections} connections open and {_pending} requests waiting for one (maxPendingRequests)");
            }
            waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
            _pending++;
        }
        try
        {
            // A closing connection hands its slot over: _connections stays as it is.
            await waiter.Task.WaitAsync(cancellationToken);
            return Open(endpoint);
        }
        catch (OperationCanceledException)
        {
            if (!waiter.TrySetCanceled())
            {
                // The slot was handed over just as the wait was given up: pass it on.
                ReleaseConnection();
            }
            throw;
        }
        finally
        {
            lock (_waiters)
            {
                _pending--;
            }
        }
    }

    /// <summary>A slot without waiting (the L4 relay): null at the limit, counted as upstream_cx_overflow.</summary>
    public ConnectionSlot? TryOpenConnection(IPEndPoint endpoint)
    {
        if (TryIncrement(ref _connections, _thresholds.MaxConnections))
        {
            return Open(endpoint);
        }
        if (!_connectionsPerEndpoint.TryGetValue(endpoint, out var open) || Volatile.Read(ref open.Value) == 0)
        {
            _stats.ConnectionOverflowed();
            Interlocked.Increment(ref _connections);
            return Open(endpoint);
        }
        _stats.ConnectionOverflowed();
        return null;
    }

    private ConnectionSlot Open(IPEndPoint endpoint)
    {
        var perEndpoint = _connectionsPerEndpoint.GetOrAdd(endpoint, static _ => new StrongBox());
        Interlocked.Increment(ref perEndpoint.Value);
        return new ConnectionSlot(this, perEndpoint);
    }

    internal void Close(StrongBox perEndpoint)
    {
        Interlocked.Decrement(ref perEndpoint.Value);
        ReleaseConnection();
    }

    private void ReleaseConnection()
    {
        lock (_waiters)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult(true))
                {
                    return;
                }
            }
            Interlocked.Decrement(ref _connections);
        }
    }

    private static bool TryIncrement(ref int counter, int limit)
    {
        var current = Volatile.Read(ref counter);
        while (current < limit)
        {
            var seen = Interlocked.CompareExchange(ref counter, current + 1, current);
            if (seen == current)
            {
                return true;
            }
            current = seen;
        }
        return false;
    }

    internal sealed class StrongBox
    {
        public int Value;
    }
}

/// <summary>An open connection's place under maxConnections; disposing it (once) frees the place.</summary>
public sealed class ConnectionSlot : IDisposable
{
    private readonly ResourceLimits _owner;
    private readonly ResourceLimits.StrongBox _perEndpoint;
    private int _disposed;

    internal ConnectionSlot(ResourceLimits owner, ResourceLimits.StrongBox perEndpoint)
    {
        _owner = owner;
        _perEndpoint = perEndpoint;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _owner.Close(_perEndpoint);
        }
    }
}
