using Dispatch.Server.Sessions;

namespace Dispatch.Server.Tests;

public sealed class SecretsTests
{
    [Fact]
    public void TokensAreUrlSafeAndCarry256RandomBits()
    {
        var tokens = Enumerable.Range(0, 100).Select(_ => Secrets.NewToken()).ToList();

        tokens.Should().OnlyHaveUniqueItems();
        tokens.Should().AllSatisfy(t => t.Should().MatchRegex("^[A-Za-z0-9_-]{43}$"));
    }

    [Fact]
    public void TheStoredHashIsTheSha256OfTheToken()
    {
        Convert.ToHexStringLower(Secrets.Hash("abc"))
            .Should().Be("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
