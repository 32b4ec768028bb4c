using System.Buffers;

namespace MeshProxy.Tls.Tests;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, as a pipe hands over bytes from several reads.</summary>
internal static class SegmentedSequence
{
    /// <summary>Splits <paramref name="data"/> into segments that end at each of <paramref name="boundaries"/> (ascending).</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, params ReadOnlySpan<int> boundaries)
    {
        if (boundaries.IsEmpty)
        {
            return new ReadOnlySequence<byte>(data);
        }
        var first = new Segment(data[..boundaries[0]], 0);
        var last = first;
        for (var i = 0; i < boundaries.Length; i++)
        {
            var end = i + 1 < boundaries.Length ? boundaries[i + 1] : data.Length;
            last = last.Append(data[boundaries[i]..end]);
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>One segment per byte: the worst case for code that assumes contiguous bytes.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(ReadOnlyMemory<byte> data)
    {
        var boundaries = new int[Math.Max(data.Length - 1, 0)];
        for (var i = 0; i < boundaries.Length; i++)
        {
            boundaries[i] = i + 1;
        }
        return Split(data, boundaries);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
