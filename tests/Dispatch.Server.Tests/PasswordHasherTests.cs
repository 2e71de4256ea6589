using Dispatch.Server.Sessions;

namespace Dispatch.Server.Tests;

public sealed class PasswordHasherTests
{
    [Fact]
    public void AHashVerifiesItsPasswordAndNoOther()
    {
        var hash = PasswordHasher.Hash("correct horse", iterations: 1_000);

        PasswordHasher.Verify("correct horse", hash).Should().BeTrue();
        PasswordHasher.Verify("correct horse ", hash).Should().BeFalse();
        PasswordHasher.Verify("", hash).Should().BeFalse();
    }

    [Fact]
    public void TheSamePasswordHashesDifferentlyEachTimeBecauseOfItsSalt()
    {
        PasswordHasher.Hash("same", iterations: 1_000).Should().NotBe(PasswordHasher.Hash("same", iterations: 1_000));
    }

    [Fact]
    public void TheDefaultWorkFactorIsStoredWithTheHash()
    {
        PasswordHasher.Hash("x").Should().StartWith($"pbkdf2-sha256${PasswordHasher.DefaultIterations}$");
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("md5$1000$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$0$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$-5$c2FsdA==$aGFzaA==")]
    public void AMalformedStoredHashNeverVerifies(string stored)
    {
        PasswordHasher.Verify("anything", stored).Should().BeFalse();
    }
}
