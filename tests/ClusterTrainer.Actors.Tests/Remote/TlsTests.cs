using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClusterTrainer.Actors.Remote;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Remote;

public sealed class TlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-tls-").FullName;

    private static X509Certificate2 SelfSigned(string cn)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(cn);
        req.CertificateExtensions.Add(san.Build());
        return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private TlsSettings WritePem(X509Certificate2 cert, string name)
    {
        string certPath = Path.Combine(_dir, name + ".crt"), keyPath = Path.Combine(_dir, name + ".key");
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, cert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return new TlsSettings { CertificatePath = certPath, KeyPath = keyPath };
    }

    private TlsSettings WritePfx(X509Certificate2 cert, string name)
    {
        string path = Path.Combine(_dir, name + ".pfx");
        File.WriteAllBytes(path, cert.Export(X509ContentType.Pkcs12, "pw"));
        return new TlsSettings { CertificatePath = path, CertificatePassword = "pw" };
    }

    [Fact]
    public async Task Tls_round_trip_with_a_shared_self_signed_certificate()
    {
        using var cert = SelfSigned("ct-node");
        var pem = WritePem(cert, "node");
        var pfx = WritePfx(cert, "node");
        var (a, ha) = TestTransports.Start("sysA", new RemoteSettings { Secret = TestTransports.Secret, Tls = pem });
        var (b, hb) = TestTransports.Start("sysB", new RemoteSettings { Secret = TestTransports.Secret, Tls = pfx });
        await using (a) await using (b)
        {
            a.Send(b.LocalAddress, "/user/x", null, new Pong(1, "over tls"));
            b.Send(a.LocalAddress, "/user/y", null, new Ping(2));
            await Poll.UntilAsync(() => hb.Messages.Count == 1 && ha.Messages.Count == 1, "messages both ways over TLS");
            Assert.Equal(new Pong(1, "over tls"), hb.Messages.Single().Message);
            Assert.Equal(new Ping(2), ha.Messages.Single().Message);
            Assert.Contains(ha.Logs, l => l.Contains("(TLS)"));
        }
    }

    [Fact]
    public async Task An_untrusted_certificate_is_refused()
    {
        using var c1 = SelfSigned("ct-node");
        using var c2 = SelfSigned("ct-node");
        var (a, ha) = TestTransports.Start("sysA", new RemoteSettings { Secret = TestTransports.Secret, Tls = WritePem(c1, "one") });
        var (b, hb) = TestTransports.Start("sysB", new RemoteSettings { Secret = TestTransports.Secret, Tls = WritePem(c2, "two") });
        await using (a) await using (b)
        {
            a.Send(b.LocalAddress, "/user/x", null, new Ping(1));
            await Poll.UntilAsync(() => ha.Refusals.Any(r => r.Reason.Contains("TLS")) && hb.Refusals.Any(r => r.Reason.Contains("TLS")), "TLS refusal on both sides");
            Assert.Empty(hb.Messages);
        }
    }

    [Fact]
    public void A_missing_certificate_file_is_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => new RemoteSettings { Secret = "s", Tls = new TlsSettings { CertificatePath = Path.Combine(_dir, "nope.pem") } }.Validate());
        Assert.Contains("does not exist", e.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
