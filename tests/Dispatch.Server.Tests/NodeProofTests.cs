using Dispatch.Outbox;
using NaCl;
using NetMQ;

namespace Dispatch.Server.Tests;

public sealed class NodeProofTests
{
    [Fact]
    public void TheSharedSecretIsX25519AsRfc7748Section61GivesIt()
    {
        // RFC 7748, 6.1 (Curve25519): Alice's private key, Bob's public key, and their shared secret K.
        var alicePrivate = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        var bobPublic = Convert.FromHexString("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

        Convert.ToHexStringLower(Curve25519.ScalarMultiplication(alicePrivate, bobPublic))
            .Should().Be("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    }

    [Fact]
    public void TheNodeAndTheBridgeComputeTheSameProofFromTheirOwnSecretKeys()
    {
        var bridge = new NetMQCertificate();
        var node = new NetMQCertificate();

        NodeProof.Compute(node, bridge.PublicKey, "node-a").Should().Equal(NodeProof.Compute(bridge, node.PublicKey, "node-a"));
    }

    [Fact]
    public void AnotherKeyOrAnotherNameGivesAnotherProof()
    {
        var bridge = new NetMQCertificate();
        var node = new NetMQCertificate();
        var expected = NodeProof.Compute(bridge, node.PublicKey, "node-a");

        NodeProof.Compute(new NetMQCertificate(), bridge.PublicKey, "node-a").Should().NotEqual(expected, "an impostor has its own key");
        NodeProof.Compute(node, bridge.PublicKey, "node-b").Should().NotEqual(expected, "a proof is for one name");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("too-short")]
    [InlineData("~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~")]
    public void AKeyOfTheWrongShapeIsRefusedNamingTheSetting(string? key)
    {
        var refuse = () => NodeProof.FromSecretKey(key, "Bridge:SecretKey");

        refuse.Should().Throw<InvalidOperationException>().WithMessage("Bridge:SecretKey must be a 40-character Z85 secret key*");
    }
}
