namespace MeshProxy.Identity.Tests.Support;

/// <summary>Bounded polling for a condition that another thread makes true.</summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Returns the first non-null <paramref name="probe"/> result; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public static async Task<T> UntilAsync<T>(Func<T?> probe, TimeSpan timeout, Func<string> describeFailure) where T : class
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }
            try
            {
                await Task.Delay(Interval, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{describeFailure()} (waited {timeout})");
            }
        }
    }
}
