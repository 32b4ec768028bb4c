using MeshProxy.Http;
using MeshProxy.LoadBalancing;
using MeshProxy.Telemetry;
using MeshProxy.Upstream;

namespace MeshProxy.Resilience;

/// <summary>
/// One request's upstream attempts under a retry policy, with Envoy's router semantics: retriable responses and
/// resets are retried after a jittered back-off on another endpoint while retries, the retry circuit breaker (or
/// budget) and the body buffer allow; a per-try timeout cancels the attempt and may retry it, or, with hedging, keeps
/// it and races a new one, where the first acceptable response wins and the rest are cancelled. The route timeout
/// (the token) bounds everything. Nothing is retried once a response has been handed to the forwarder.
/// </summary>
internal sealed class AttemptLoop
{
    private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _send;
    private readonly HttpRequestMessage _original;
    private readonly ProxyRequestContext _context;
    private readonly RouteResilience _route;
    private readonly RetryPolicy _policy;
    private readonly ClusterState _cluster;
    private readonly ResourceLimits _limits;
    private readonly ResilienceStats _stats;
    private readonly TimeProvider _timeProvider;
    private readonly Random _random;
    private readonly CancellationToken _requestToken;
    private readonly ReplayableRequestBody? _body;
    private readonly JitteredBackOff _backOff;
    private readonly List<Attempt> _live = [];
    private readonly List<EndpointState> _tried = [];
    private readonly Func<EndpointState, bool> _alreadyTried;
    private readonly CancellationTokenSource _timers;
    private int _retriesLeft;
    private int _heldRetries;
    private Task? _backOffTimer;
    private bool _adaptiveHedgeTaken;

    public AttemptLoop(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, HttpRequestMessage request, ProxyRequestContext context,
        RouteResilience route, TimeProvider timeProvider, Random random, CancellationToken requestToken)
    {
        _send = send;
        _original = request;
        _context = context;
        _route = route;
        _policy = route.Retry!;
        _cluster = context.Cluster!;
        _limits = _cluster.Resources.For(route.Priority);
        _stats = _cluster.Stats.Resilience;
        _timeProvider = timeProvider;
        _random = random;
        _requestToken = requestToken;
        _retriesLeft = _policy.NumRetries;
        _backOff = _policy.CreateBackOff(random);
        _alreadyTried = _tried.Contains;
        _timers = CancellationTokenSource.CreateLinkedTokenSource(requestToken);
        if (request.Content is { } content)
        {
            _body = new ReplayableRequestBody(content, route.BufferLimitBytes);
            context.ReplayableBody = _body;
        }
        if (route.AdaptiveHedge is { } adaptive)
        {
            _cluster.Resources.AdaptiveHedge.CountRequest(adaptive.BudgetPercent);
        }
    }

    public async Task<HttpResponseMessage> RunAsync()
    {
        try
        {
            Start(_context.Endpoint!, _original);
            while (true)
            {
                var finished = await Task.WhenAny(Waits());
                if (finished == _backOffTimer)
                {
                    _backOffTimer = null;
                    await finished;
                    StartRetry();
                    continue;
                }
                var attempt = _live.First(a => a.Owns(finished));
                // A timer also ends when the client leaves (its request token); that is no timeout, and the
                // attempts, cancelled by the same token, end the loop.
                if (finished == attempt.HedgeTimer)
                {
                    attempt.HedgeTimer = null;
                    if (!_requestToken.IsCancellationRequested)
                    {
                        OnHedgeDelay(attempt);
                    }
                    continue;
                }
                if (finished == attempt.PerTryTimer)
                {
                    attempt.PerTryTimer = null;
                    if (!_requestToken.IsCancellationRequested)
                    {
                        OnPerTryTimeout(attempt);
                    }
                    continue;
                }
                _live.Remove(attempt);
                if (await OnCompletedAsync(attempt) is { } response)
                {
                    return response;
                }
            }
        }
        finally
        {
            Finish();
        }
    }

    /// <summary>Everything that can happen next: an attempt ends, a timer fires, a back-off elapses.</summary>
    private List<Task> Waits()
    {
        var waits = new List<Task>(_live.Count * 2 + 1);
        foreach (var attempt in _live)
        {
            waits.Add(attempt.Send);
            if (attempt.PerTryTimer is { } perTry)
            {
                waits.Add(perTry);
            }
            if (attempt.HedgeTimer is { } hedge)
            {
                waits.Add(hedge);
            }
        }
        if (_backOffTimer is { } backOff)
        {
            waits.Add(backOff);
        }
        return waits;
    }

    /// <summary>Handles an attempt that ended; returns the response for the client, or null to keep going.</summary>
    private async Task<HttpResponseMessage?> OnCompletedAsync(Attempt attempt)
    {
        ReleaseRetry(attempt);
        HttpResponseMessage response;
        try
        {
            response = await attempt.Send;
        }
        catch (Exception ex)
        {
            return OnFailed(attempt, ex);
        }

        var latency = _timeProvider.GetElapsedTime(attempt.StartTimestamp);
        if (_route.AdaptiveHedge is not null)
        {
            _cluster.Resources.AdaptiveHedge.Record(latency);
        }
        if (!_policy.ShouldRetry(response))
        {
            if (attempt.IsRetry)
            {
                _stats.RetrySucceeded();
            }
            return Win(attempt, response);
        }
        // A retriable response. A hedged attempt's error is dropped while another attempt can still answer; otherwise
        // retry if allowed, else drop it if something is outstanding, else it is the answer.
        if (attempt.Hedged && Outstanding)
        {
            Discard(attempt, response);
            return null;
        }
        if (!attempt.Hedged && TryScheduleRetry() || Outstanding)
        {
            Discard(attempt, response);
            return null;
        }
        return Win(attempt, response);
    }

    private HttpResponseMessage? OnFailed(Attempt attempt, Exception exception)
    {
        if (_requestToken.IsCancellationRequested)
        {
            // The route timeout or the client: every attempt ends, and the request path reports why.
            AttemptAccounting.Failed(_context, attempt.Endpoint, exception, _requestToken);
            throw exception;
        }
        var failure = attempt.TimedOut ? new PerTryTimeoutException(_route.PerTryTimeout) : exception;
        var reset = UpstreamFailure.Reset(failure);
        AttemptAccounting.Failed(_context, attempt.Endpoint, failure, _requestToken);
        attempt.Cancel.Dispose();
        // A hedged attempt is not retried again (Envoy: the same upstream request is never retried twice).
        if (!attempt.Hedged && _policy.ShouldRetry(reset) && TryScheduleRetry())
        {
            return null;
        }
        if (Outstanding)
        {
            return null;
        }
        if (failure == exception)
        {
            throw exception;
        }
        throw failure;
    }

    /// <summary>Envoy's per-try timeout: with hedging, keep the attempt and race another; otherwise cancel it (and maybe retry).</summary>
    private void OnPerTryTimeout(Attempt attempt)
    {
        if (_route.HedgeOnPerTryTimeout)
        {
            Hedge(attempt);
            return;
        }
        _stats.PerTryTimedOut();
        attempt.TimedOut = true;
        attempt.Cancel.Cancel();
    }

    /// <summary>Adaptive hedging: the attempt is slower than the cluster's recent percentile; hedge if the budget allows.</summary>
    private void OnHedgeDelay(Attempt attempt)
    {
        if (!attempt.Hedged && _cluster.Resources.AdaptiveHedge.TrySpendHedge())
        {
            Hedge(attempt);
        }
    }

    private void Hedge(Attempt attempt)
    {
        attempt.Hedged = true;
        // Outlier detection hears the slow attempt once, as Envoy records a timeout on a soft per-try timeout.
        _cluster.OutcomeObserver.OnOutcome(attempt.Endpoint, EndpointOutcome.Failure(LocalOriginFailure.Timeout));
        TryScheduleRetry();
    }

    /// <summary>Envoy's shouldRetry bookkeeping: retries left, a replayable body, then the retry circuit breaker.</summary>
    private bool TryScheduleRetry()
    {
        if (_backOffTimer is not null)
        {
            return true;
        }
        if (_retriesLeft == 0)
        {
            _stats.RetryLimitWasExceeded();
            _context.Flags |= ResponseFlags.UpstreamRetryLimitExceeded;
            return false;
        }
        if (_body is { CanReplay: false })
        {
            _stats.RetryWasAbandoned();
            return false;
        }
        _retriesLeft--;
        if (!_limits.TryStartRetry())
        {
            _context.Flags |= ResponseFlags.UpstreamOverflow;
            return false;
        }
        _heldRetries++;
        _stats.Retried();
        _backOffTimer = Task.Delay(_backOff.Next(), _timeProvider, _requestToken);
        return true;
    }

    private void StartRetry()
    {
        var endpoint = NextEndpoint();
        if (_live.Count > 0)
        {
            _stats.Hedged();
        }
        var request = Clone(endpoint);
        var attempt = Start(endpoint, request);
        attempt.IsRetry = true;
        attempt.HoldsRetry = true;
    }

    /// <summary>Another endpoint for a retry: untried ones first (Envoy's previous_hosts predicate), else whatever the balancer gives.</summary>
    private EndpointState NextEndpoint()
    {
        var last = _tried[^1];
        if (_cluster.IsOriginalDestination)
        {
            return last;
        }
        var context = _policy.Config.AvoidPreviousHosts
            ? new LoadBalancerContext(_random, shouldSelectAnotherEndpoint: _alreadyTried, hostSelectionRetryCount: _policy.Config.HostSelectionRetryMaxAttempts)
            : new LoadBalancerContext(_random);
        return _cluster.PickEndpoint(context) ?? last;
    }

    private Attempt Start(EndpointState endpoint, HttpRequestMessage request)
    {
        AttemptAccounting.Started(_context, endpoint);
        _tried.Add(endpoint);
        UpstreamRequestHeaders.Set(request, _context, _route, _timeProvider);
        if (_body is not null)
        {
            request.Content = _body.CreateContent();
        }
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_requestToken);
        var attempt = new Attempt(endpoint, cancel, _timeProvider.GetTimestamp());
        attempt.Send = _send(request, cancel.Token);
        if (_route.PerTryTimeout > TimeSpan.Zero && !attempt.Send.IsCompleted)
        {
            attempt.PerTryTimer = AfterBodyAsync(_route.PerTryTimeout);
        }
        if (_route.AdaptiveHedge is { } adaptive && !_adaptiveHedgeTaken && !attempt.Send.IsCompleted
            && _cluster.Resources.AdaptiveHedge.Delay(adaptive.Percentile, adaptive.MinDelay, adaptive.MinSamples) is { } delay)
        {
            _adaptiveHedgeTaken = true;
            attempt.HedgeTimer = AfterBodyAsync(delay);
        }
        _live.Add(attempt);
        return attempt;
    }

    /// <summary>
    /// Envoy starts per-try timers once the whole request has been received. Nearly every request ends before its
    /// timer, which is then cancelled: that completes the timer quietly rather than with an exception per request.
    /// </summary>
    private async Task AfterBodyAsync(TimeSpan delay)
    {
        if (_body is not null)
        {
            await _body.Completion.WaitAsync(_timers.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        if (!_timers.IsCancellationRequested)
        {
            await Task.Delay(delay, _timeProvider, _timers.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private HttpRequestMessage Clone(EndpointState endpoint)
    {
        var uri = _original.RequestUri!;
        var clone = new HttpRequestMessage(_original.Method, new Uri(endpoint.DestinationPrefix + uri.PathAndQuery))
        {
            Version = _original.Version,
            VersionPolicy = _original.VersionPolicy,
        };
        foreach (var header in _original.Headers)
        {
            clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        clone.Options.Set(ProxyRequestContext.OptionKey, _context);
        return clone;
    }

    private HttpResponseMessage Win(Attempt attempt, HttpResponseMessage response)
    {
        _context.Endpoint = attempt.Endpoint;
        _context.RespondingEndpoint = attempt.Endpoint;
        // The response body still streams under this attempt's token: it is released when the request ends.
        _context.ResponseCancellation = attempt.Cancel;
        return response;
    }

    private void Discard(Attempt attempt, HttpResponseMessage response)
    {
        AttemptAccounting.Discarded(_context, attempt.Endpoint, (int)response.StatusCode);
        response.Dispose();
        attempt.Cancel.Dispose();
    }

    private bool Outstanding => _live.Count > 0 || _backOffTimer is not null;

    private void ReleaseRetry(Attempt attempt)
    {
        if (attempt.HoldsRetry)
        {
            attempt.HoldsRetry = false;
            _heldRetries--;
            _limits.EndRetry();
        }
    }

    /// <summary>Cancels what is still running (losers of a race) and returns every retry still held.</summary>
    private void Finish()
    {
        _timers.Cancel();
        _timers.Dispose();
        foreach (var attempt in _live)
        {
            attempt.Cancel.Cancel();
            _ = SettleCancelledAsync(attempt);
        }
        _live.Clear();
        for (; _heldRetries > 0; _heldRetries--)
        {
            _limits.EndRetry();
        }
    }

    private async Task SettleCancelledAsync(Attempt attempt)
    {
        try
        {
            (await attempt.Send).Dispose();
        }
        catch
        {
            // Cancelled, as asked.
        }
        AttemptAccounting.Cancelled(_context, attempt.Endpoint);
        attempt.Cancel.Dispose();
    }

    private sealed class Attempt(EndpointState endpoint, CancellationTokenSource cancel, long startTimestamp)
    {
        public EndpointState Endpoint { get; } = endpoint;

        public CancellationTokenSource Cancel { get; } = cancel;

        public long StartTimestamp { get; } = startTimestamp;

        public Task<HttpResponseMessage> Send { get; set; } = null!;

        public Task? PerTryTimer { get; set; }

        public Task? HedgeTimer { get; set; }

        /// <summary>Its per-try timeout fired with hedging on: it runs on, and another attempt races it.</summary>
        public bool Hedged { get; set; }

        /// <summary>Its per-try timeout fired without hedging: it was cancelled for that.</summary>
        public bool TimedOut { get; set; }

        /// <summary>It is a retry or a hedge, not the first attempt.</summary>
        public bool IsRetry { get; set; }

        /// <summary>It still holds its place under the retry circuit breaker.</summary>
        public bool HoldsRetry { get; set; }

        public bool Owns(Task task) => task == Send || task == PerTryTimer || task == HedgeTimer;
    }
}
