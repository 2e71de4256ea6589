using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dispatch.Testing;

/// <summary>Real nginx in front of two nodes, from the repository's nginx/dispatch.conf.template; its API is the cluster's front door.</summary>
public sealed class NginxProcess : ServerApi, IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _prefix;

    private NginxProcess(Process process, string prefix, Uri baseAddress, Uri tlsBaseAddress, X509Certificate2 certificate) : base(baseAddress)
    {
        _process = process;
        _prefix = prefix;
        TlsBaseAddress = tlsBaseAddress;
        Certificate = certificate;
    }

    /// <summary>The same front door over HTTPS (and WSS), with <see cref="Certificate"/>.</summary>
    public Uri TlsBaseAddress { get; }

    /// <summary>nginx's self-signed certificate for localhost and 127.0.0.1, made for this run.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Trusts exactly this nginx's certificate, as a client given the hospital's CA would.</summary>
    public bool Trusts(X509Certificate? presented) => presented is not null && presented.GetCertHashString() == Certificate.Thumbprint;

    public static NginxProcess Start(Uri nodeA, Uri nodeB)
    {
        var prefix = Directory.CreateTempSubdirectory("dispatch-nginx-").FullName;
        var listen = $"127.0.0.1:{ExternalProcess.FreeLoopbackPort()}";
        var tlsListen = $"127.0.0.1:{ExternalProcess.FreeLoopbackPort()}";
        var certificate = SelfSignedCertificate(prefix);
        var config = File.ReadAllText(Path.Combine(Repository.Root, "nginx", "dispatch.conf.template"))
            .Replace("{{PREFIX}}", prefix, StringComparison.Ordinal)
            .Replace("{{LISTEN}}", listen, StringComparison.Ordinal)
            .Replace("{{TLS_LISTEN}}", tlsListen, StringComparison.Ordinal)
            .Replace("{{TLS_CERTIFICATE}}", Path.Combine(prefix, "tls.crt"), StringComparison.Ordinal)
            .Replace("{{TLS_CERTIFICATE_KEY}}", Path.Combine(prefix, "tls.key"), StringComparison.Ordinal)
            .Replace("{{NODE_A}}", nodeA.Authority, StringComparison.Ordinal)
            .Replace("{{NODE_B}}", nodeB.Authority, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(prefix, "nginx.conf"), config);
        var process = Process.Start(new ProcessStartInfo("/usr/sbin/nginx",
            ["-p", prefix, "-c", Path.Combine(prefix, "nginx.conf"), "-e", Path.Combine(prefix, "error.log"), "-g", "daemon off;"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        return new NginxProcess(process, prefix, new Uri($"http://{listen}"), new Uri($"https://{tlsListen}"), certificate);
    }

    /// <summary>What scripts/lib/services.sh makes with openssl, made here in-process: PEM files beside nginx.conf.</summary>
    private static X509Certificate2 SelfSignedCertificate(string prefix)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(prefix, "tls.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(prefix, "tls.key"), key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Certificate.Dispose();
        Directory.Delete(_prefix, recursive: true);
    }
}
