using System.Text;
using MeshProxy.LoadBalancing;
using Xunit;

namespace MeshProxy.Tests.LoadBalancing;

/// <summary>Pins our xxHash64 to reference values (from System.IO.Hashing's XxHash64, which implements the same spec).</summary>
public sealed class XxHash64Tests
{
    [Theory]
    [InlineData("", 0UL, 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0UL, 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0UL, 0x44BC2CF5AD770999UL)]
    [InlineData("10.0.0.1:80", 0UL, 0x011FACBA8043B217UL)]
    [InlineData("10.0.0.1:80", 1UL, 0xA456919BCBFFAA92UL)]
    [InlineData("10.0.0.1:80_0", 0UL, 0x75041381E7371A08UL)]
    [InlineData("The quick brown fox jumps over the lazy dog, twice over!!", 0UL, 0xB047C72EC7CFD715UL)]
    [InlineData("The quick brown fox jumps over the lazy dog, twice over!!", 7UL, 0x6E0E06D75E9CF964UL)]
    [InlineData("0123456789abcdef0123456789abcdef0", 0UL, 0xE87684F08D6D0816UL)]
    public void Hash_ReferenceVectors_Match(string text, ulong seed, ulong expected)
    {
        Assert.Equal(expected, XxHash64.Hash(Encoding.UTF8.GetBytes(text), seed));
        Assert.Equal(expected, XxHash64.HashUtf8(text, seed));
    }
}
