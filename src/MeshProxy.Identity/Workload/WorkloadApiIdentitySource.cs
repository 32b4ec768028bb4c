using Grpc.Core;
using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Sources;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Telemetry;
using MeshProxy.Identity.Workload.Api;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Identity.Workload;

/// <summary>
/// Streams this workload's identity from the SPIFFE Workload API (<c>/SpiffeWorkloadAPI/FetchX509SVID</c>, with the
/// required <c>workload.spiffe.io: true</c> metadata). Each message is the whole state: the first SVID is the
/// default identity, its <c>bundle</c> is the own trust domain's bundle, and <c>federated_bundles</c> replaces the
/// set of foreign bundles (a missing one is a redaction). On Unavailable, PermissionDenied and other errors it
/// reconnects with exponential backoff (<see cref="WorkloadApiOptions.InitialBackoff"/> doubling up to
/// <see cref="WorkloadApiOptions.MaxBackoff"/>); InvalidArgument and Unimplemented are final, as the spec says
/// (SPIFFE_Workload_Endpoint.md §6).
/// </summary>
public sealed partial class WorkloadApiIdentitySource : RotatingIdentitySource
{
    private static readonly Metadata SecurityHeader = new() { { "workload.spiffe.io", "true" } };

    private readonly WorkloadApiOptions _options;
    private readonly WorkloadEndpointAddress _address;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<WorkloadApiIdentitySource> _logger;
    private int _connectionAttempts;

    /// <summary>
    /// Creates the source; it connects when started. Throws <see cref="ArgumentException"/> when the endpoint
    /// address (from the options or <c>SPIFFE_ENDPOINT_SOCKET</c>) is missing or invalid.
    /// </summary>
    public WorkloadApiIdentitySource(WorkloadApiOptions options, TimeProvider timeProvider, ILogger<WorkloadApiIdentitySource> logger)
        : base(timeProvider, logger)
    {
        var text = options.EndpointAddress ?? Environment.GetEnvironmentVariable(WorkloadEndpointAddress.EnvironmentVariable);
        if (!WorkloadEndpointAddress.TryParse(text, out var address, out var error))
        {
            throw new ArgumentException($"Invalid Workload API address '{text}' (set it or {WorkloadEndpointAddress.EnvironmentVariable}): {error}", nameof(options));
        }
        _options = options;
        _address = address;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>How many streams were opened so far (for tests and diagnostics).</summary>
    public int ConnectionAttempts => Volatile.Read(ref _connectionAttempts);

    /// <inheritdoc/>
    protected override string Origin => "Workload API " + _address;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var channel = WorkloadApiChannel.Create(_address);
        var client = new SpiffeWorkloadAPI.SpiffeWorkloadAPIClient(channel);
        var backoff = _options.InitialBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _connectionAttempts);
            Log.Connecting(_logger, _address.ToString());
            try
            {
                using var call = client.FetchX509SVID(new X509SVIDRequest(), SecurityHeader, cancellationToken: stoppingToken);
                await foreach (var response in call.ResponseStream.ReadAllAsync(stoppingToken))
                {
                    Apply(response);
                    backoff = _options.InitialBackoff;
                }
                Log.StreamEnded(_logger, _address.ToString());
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.Unimplemented)
            {
                Log.GaveUp(_logger, _address.ToString(), e.StatusCode, e.Status.Detail);
                return;
            }
            catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.Retrying(_logger, _address.ToString(), e.StatusCode, e.Status.Detail, backoff);
            }
            catch (Exception e) when (stoppingToken.IsCancellationRequested && e is OperationCanceledException or RpcException)
            {
                return;
            }

            try
            {
                await Task.Delay(backoff, _timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    private void Apply(X509SVIDResponse response)
    {
        if (response.Svids.Count == 0)
        {
            Reject("no_svid", "the response holds no X509SVID");
            return;
        }
        var message = response.Svids[0];
        try
        {
            var svid = X509Svid.FromDer(message.X509Svid.Span, message.X509SvidKey.Span, message.Hint);
            if (!string.Equals(svid.Id.ToString(), message.SpiffeId, StringComparison.Ordinal))
            {
                Reject(SvidFailures.Label(SvidFailure.IdMismatch), $"spiffe_id '{message.SpiffeId}' differs from the certificate's URI SAN {svid.Id}");
                return;
            }
            var bundles = new List<TrustBundle> { TrustBundle.FromDer(svid.Id.TrustDomain, message.Bundle.Span) };
            foreach (var (key, value) in response.FederatedBundles)
            {
                var trustDomain = TrustDomain.Parse(key);
                // The own trust domain's bundle comes with the SVID; a federated copy of it would be ambiguous.
                if (trustDomain != svid.Id.TrustDomain)
                {
                    bundles.Add(TrustBundle.FromDer(trustDomain, value.Span));
                }
            }
            TryPublish(new IdentitySnapshot(svid, TrustBundleSet.Create(bundles)));
        }
        catch (SvidFormatException e)
        {
            Reject(SvidFailures.Label(e.Failure), e.Message);
        }
        catch (Exception e) when (e is TrustBundleFormatException or SpiffeIdFormatException)
        {
            Reject("invalid_bundle", e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = IdentityEventIds.WorkloadApiConnecting, Level = LogLevel.Debug, Message = "Opening the Workload API X.509-SVID stream at {Address}")]
        public static partial void Connecting(ILogger logger, string address);

        [LoggerMessage(EventId = IdentityEventIds.WorkloadApiRetrying, Level = LogLevel.Warning,
            Message = "Workload API at {Address} failed ({Status}: {Detail}); retrying in {Backoff}")]
        public static partial void Retrying(ILogger logger, string address, StatusCode status, string detail, TimeSpan backoff);

        [LoggerMessage(EventId = IdentityEventIds.WorkloadApiGaveUp, Level = LogLevel.Error,
            Message = "Workload API at {Address} refused the request ({Status}: {Detail}); not retrying")]
        public static partial void GaveUp(ILogger logger, string address, StatusCode status, string detail);

        [LoggerMessage(EventId = IdentityEventIds.WorkloadApiStreamEnded, Level = LogLevel.Information, Message = "Workload API stream at {Address} ended; reconnecting")]
        public static partial void StreamEnded(ILogger logger, string address);
    }
}
