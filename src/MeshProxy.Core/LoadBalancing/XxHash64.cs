using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// xxHash64 (the XXH64 specification), the hash Envoy uses for ring hash, Maglev and hash policies
/// (HashUtil::xxHash64, seed 0). Written here on the BCL rather than taking a package for one function;
/// the tests pin it to reference vectors.
/// </summary>
internal static class XxHash64
{
    private const ulong Prime1 = 11400714785074694791UL;
    private const ulong Prime2 = 14029467366897019727UL;
    private const ulong Prime3 = 1609587929392839161UL;
    private const ulong Prime4 = 9650029242287828579UL;
    private const ulong Prime5 = 2870177450012600261UL;

    /// <summary>Hashes the UTF-8 bytes of a string without allocating for strings up to 256 characters.</summary>
    public static ulong HashUtf8(ReadOnlySpan<char> text, ulong seed = 0)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (maxBytes <= 768)
        {
            Span<byte> buffer = stackalloc byte[maxBytes];
            var length = Encoding.UTF8.GetBytes(text, buffer);
            return Hash(buffer[..length], seed);
        }
        return Hash(Encoding.UTF8.GetBytes(text.ToArray()), seed);
    }

    public static ulong Hash(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        unchecked
        {
            var length = (ulong)data.Length;
            ulong hash;
            if (data.Length >= 32)
            {
                var v1 = seed + Prime1 + Prime2;
                var v2 = seed + Prime2;
                var v3 = seed;
                var v4 = seed - Prime1;
                while (data.Length >= 32)
                {
                    v1 = Round(v1, BinaryPrimitives.ReadUInt64LittleEndian(data));
                    v2 = Round(v2, BinaryPrimitives.ReadUInt64LittleEndian(data[8..]));
                    v3 = Round(v3, BinaryPrimitives.ReadUInt64LittleEndian(data[16..]));
                    v4 = Round(v4, BinaryPrimitives.ReadUInt64LittleEndian(data[24..]));
                    data = data[32..];
                }
                hash = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
                hash = MergeRound(hash, v1);
                hash = MergeRound(hash, v2);
                hash = MergeRound(hash, v3);
                hash = MergeRound(hash, v4);
            }
            else
            {
                hash = seed + Prime5;
            }

            hash += length;
            while (data.Length >= 8)
            {
                hash ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(data));
                hash = (BitOperations.RotateLeft(hash, 27) * Prime1) + Prime4;
                data = data[8..];
            }
            if (data.Length >= 4)
            {
                hash ^= BinaryPrimitives.ReadUInt32LittleEndian(data) * Prime1;
                hash = (BitOperations.RotateLeft(hash, 23) * Prime2) + Prime3;
                data = data[4..];
            }
            foreach (var b in data)
            {
                hash ^= b * Prime5;
                hash = BitOperations.RotateLeft(hash, 11) * Prime1;
            }

            hash ^= hash >> 33;
            hash *= Prime2;
            hash ^= hash >> 29;
            hash *= Prime3;
            hash ^= hash >> 32;
            return hash;
        }
    }

    private static ulong Round(ulong accumulator, ulong lane)
    {
        unchecked
        {
            accumulator += lane * Prime2;
            return BitOperations.RotateLeft(accumulator, 31) * Prime1;
        }
    }

    private static ulong MergeRound(ulong hash, ulong value)
    {
        unchecked
        {
            hash ^= Round(0, value);
            return (hash * Prime1) + Prime4;
        }
    }
}
