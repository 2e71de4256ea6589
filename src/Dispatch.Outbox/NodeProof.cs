using System.Security.Cryptography;
using System.Text;
using NaCl;
using NetMQ;

namespace Dispatch.Outbox;

/// <summary>
/// How a node proves its key to the bridge (docs/bridge.md, "Keys"). CurveZMQ encrypts the link
/// and proves the bridge to the node, but NetMQ has no allow-list of client keys, so each HELLO
/// carries HMAC-SHA256 of the node's name, keyed by the X25519 secret the node and the bridge
/// share. Only the holder of a key the bridge lists can compute it, and it never crosses the wire
/// in the clear (the link is encrypted).
/// </summary>
public static class NodeProof
{
    public static byte[] Compute(NetMQCertificate own, byte[] peerPublicKey, string nodeName)
    {
        var shared = Curve25519.ScalarMultiplication(
            own.SecretKey ?? throw new ArgumentException("The proof needs the certificate's secret key.", nameof(own)), peerPublicKey);
        try
        {
            return HMACSHA256.HashData(shared, Encoding.UTF8.GetBytes($"dispatch-node-hello:{nodeName}"));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    /// <summary>A Z85 secret key (40 characters, as <c>keygen</c> prints it) as a certificate; throws naming the setting.</summary>
    public static NetMQCertificate FromSecretKey(string? z85, string setting) =>
        Parse(z85, setting, "secret key (print a pair with: dotnet Dispatch.Bridge.dll keygen)", NetMQCertificate.CreateFromSecretKey);

    /// <summary>A Z85 public key as its 32 bytes; throws naming the setting.</summary>
    public static byte[] PublicKey(string? z85, string setting) =>
        Parse(z85, setting, "public key", key => NetMQCertificate.FromPublicKey(key).PublicKey);

    private static T Parse<T>(string? z85, string setting, string what, Func<string, T> parse)
    {
        if (z85 is { Length: 40 })
        {
            try
            {
                return parse(z85);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
            {
                // A character outside Z85's alphabet: refused below, naming the setting.
            }
        }
        throw new InvalidOperationException($"{setting} must be a 40-character Z85 {what}.");
    }
}
