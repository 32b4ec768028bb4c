using System.Text;
using Xunit;

namespace MeshProxy.Tls.Tests;

public sealed class ServerNameValidatorTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("reviews.default.svc.cluster.local")]
    [InlineData("outbound_.8080_._.reviews.default.svc.cluster.local")]
    [InlineData("outbound_.9080_.v1_.ratings.default.svc.cluster.local")]
    [InlineData("Mixed-Case.Example.COM")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("127.0.0.1")]
    [InlineData("a")]
    public void IsValid_DnsName_True(string name)
    {
        Assert.True(ServerNameValidator.IsValid(Encoding.ASCII.GetBytes(name)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("a.")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("*.a")]
    [InlineData("[::1]")]
    [InlineData("a\u0000")]
    [InlineData("\u00E9.example")]
    public void IsValid_NotADnsName_False(string name)
    {
        Assert.False(ServerNameValidator.IsValid(Encoding.Latin1.GetBytes(name)));
    }

    [Fact]
    public void IsValid_LabelOf63Bytes_True()
    {
        Assert.True(ServerNameValidator.IsValid(Encoding.ASCII.GetBytes(new string('a', 63) + ".b")));
    }

    [Fact]
    public void IsValid_LabelOf64Bytes_False()
    {
        Assert.False(ServerNameValidator.IsValid(Encoding.ASCII.GetBytes(new string('a', 64) + ".b")));
    }

    [Fact]
    public void IsValid_NameOf255Bytes_TrueAnd256_False()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 4));

        Assert.True(ServerNameValidator.IsValid(Encoding.ASCII.GetBytes(name)));
        Assert.False(ServerNameValidator.IsValid(Encoding.ASCII.GetBytes(name + "a")));
    }
}
