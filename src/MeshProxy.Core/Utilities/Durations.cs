using System.Globalization;

namespace MeshProxy.Utilities;

/// <summary>
/// Parses and formats durations the way Envoy and Kubernetes users write them: "250ms", "5s", "1m30s", "1h", "0s".
/// A bare number is rejected on purpose: "5" could mean seconds or milliseconds.
/// </summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var span = text.AsSpan().Trim();
        if (span.IsEmpty)
        {
            return false;
        }

        var total = 0.0;
        while (!span.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.'))
            {
                numberLength++;
            }
            if (numberLength == 0 || !double.TryParse(span[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }
            span = span[numberLength..];

            var unitLength = 0;
            while (unitLength < span.Length && char.IsAsciiLetter(span[unitLength]))
            {
                unitLength++;
            }
            double? millisecondsPerUnit = span[..unitLength] switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => null,
            };
            if (millisecondsPerUnit is null)
            {
                return false;
            }
            span = span[unitLength..];
            total += number * millisecondsPerUnit.Value;
        }

        if (total > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }
        value = TimeSpan.FromMilliseconds(total);
        return true;
    }

    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }
        if (value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        }
        var seconds = (long)value.TotalSeconds;
        if (seconds % 3600 == 0)
        {
            return (seconds / 3600).ToString(CultureInfo.InvariantCulture) + "h";
        }
        if (seconds % 60 == 0)
        {
            return (seconds / 60).ToString(CultureInfo.InvariantCulture) + "m";
        }
        return seconds.ToString(CultureInfo.InvariantCulture) + "s";
    }
}
