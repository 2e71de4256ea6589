using System.Security.Cryptography;
using System.Text;

namespace Dispatch.Server.Sessions;

/// <summary>
/// Opaque secrets (session tokens, device keys, patient nonces). They carry 256 random bits, so a
/// plain SHA-256 is enough to store them: only the hash is kept, and a leaked table grants nothing.
/// </summary>
public static class Secrets
{
    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
