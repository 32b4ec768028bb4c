using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Identity.Sources;

/// <summary>
/// The part every identity source shares: holds the current snapshot, validates each candidate as this
/// workload's own SVID (<see cref="SvidValidator.ValidateOwn"/>) before swapping it in, and logs why a candidate
/// was rejected. Subclasses fetch candidates in <see cref="BackgroundService.ExecuteAsync"/>.
/// </summary>
public abstract partial class RotatingIdentitySource : BackgroundService, IIdentitySource
{
    private readonly SvidValidator _validator;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<IdentitySnapshot> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IdentitySnapshot? _current;

    private protected RotatingIdentitySource(TimeProvider timeProvider, ILogger logger)
    {
        _validator = new SvidValidator(timeProvider);
        _logger = logger;
    }

    /// <inheritdoc/>
    public IdentitySnapshot? Current => Volatile.Read(ref _current);

    /// <inheritdoc/>
    public event Action<IdentitySnapshot>? Changed;

    /// <inheritdoc/>
    public Task<IdentitySnapshot> WaitForIdentityAsync(CancellationToken cancellationToken) => _first.Task.WaitAsync(cancellationToken);

    /// <summary>Where candidates come from, for logs (a folder, a socket).</summary>
    protected abstract string Origin { get; }

    /// <summary>Validates <paramref name="candidate"/> and makes it current when valid; otherwise logs and keeps the old one.</summary>
    private protected bool TryPublish(IdentitySnapshot candidate)
    {
        var result = _validator.ValidateOwn(candidate.Svid, candidate.Bundles);
        if (!result.IsValid)
        {
            Reject(SvidFailures.Label(result.Failure), result.Detail);
            return false;
        }
        Volatile.Write(ref _current, candidate);
        _first.TrySetResult(candidate);
        Log.Updated(_logger, candidate.Svid.Id.ToString(), candidate.Svid.SerialNumber, candidate.Svid.NotAfter, candidate.Bundles.Count, Origin);
        try
        {
            Changed?.Invoke(candidate);
        }
        catch (Exception e)
        {
            // A faulty subscriber must not stop rotation.
            Log.ListenerFailed(_logger, e);
        }
        return true;
    }

    /// <summary>
    /// Logs a candidate that could not even be loaded; the current identity stays. <paramref name="reason"/> is a
    /// fixed snake_case word (an <see cref="SvidFailures.Label"/>, <c>invalid_bundle</c>, <c>unreadable</c>).
    /// </summary>
    private protected void Reject(string reason, string detail) =>
        Log.Rejected(_logger, Origin, reason, detail, Current?.Svid.ToString() ?? "none");

    private static partial class Log
    {
        [LoggerMessage(EventId = IdentityEventIds.IdentityUpdated, Level = LogLevel.Information,
            Message = "Identity updated from {Origin}: {SpiffeId} serial {Serial} expires {NotAfter:u}, {BundleCount} trust bundles")]
        public static partial void Updated(ILogger logger, string spiffeId, string serial, DateTimeOffset notAfter, int bundleCount, string origin);

        [LoggerMessage(EventId = IdentityEventIds.IdentityRejected, Level = LogLevel.Error,
            Message = "Rejected a new identity from {Origin} ({Reason}): {Detail}. Keeping the current one: {Current}")]
        public static partial void Rejected(ILogger logger, string origin, string reason, string detail, string current);

        [LoggerMessage(EventId = IdentityEventIds.IdentityListenerFailed, Level = LogLevel.Error, Message = "An identity change subscriber threw")]
        public static partial void ListenerFailed(ILogger logger, Exception exception);
    }
}
