namespace MeshProxy.TestSupport;

/// <summary>Bounded polling for conditions that become true in the background (a health check, an ejection, a reload).</summary>
public static class Eventually
{
    /// <summary>Polls until the condition holds or the timeout passes; returns whether it held.</summary>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? pollInterval = null)
    {
        var poll = pollInterval ?? TimeSpan.FromMilliseconds(25);
        using var deadline = new CancellationTokenSource(timeout);
        while (!deadline.IsCancellationRequested)
        {
            if (await condition())
            {
                return true;
            }
            try
            {
                await Task.Delay(poll, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return await condition();
    }
}
