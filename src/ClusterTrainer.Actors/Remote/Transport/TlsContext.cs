using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ClusterTrainer.Actors.Remote.Transport;

/// <summary>Loads the TLS certificate from settings and wraps connections in <see cref="SslStream"/>.</summary>
internal sealed class TlsContext
{
    private readonly TlsSettings _settings;
    private readonly X509Certificate2 _certificate;
    private readonly HashSet<string> _trustedThumbprints = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _targetHost;

    public TlsContext(TlsSettings settings)
    {
        _settings = settings;
        _certificate = Load(settings);
        if (!_certificate.HasPrivateKey)
            throw new ArgumentException($"TLS certificate '{settings.CertificatePath}' has no private key; give a PFX with its key or set remote.tls.key to the PEM key file.");
        _trustedThumbprints.Add(_certificate.Thumbprint);
        foreach (string p in settings.TrustedCertificatePaths)
            _trustedThumbprints.Add(X509CertificateLoader.LoadCertificateFromFile(p).Thumbprint);
        _targetHost = settings.TargetHost ?? _certificate.GetNameInfo(X509NameType.SimpleName, false);
    }

    private static X509Certificate2 Load(TlsSettings s)
    {
        try
        {
            string ext = Path.GetExtension(s.CertificatePath).ToLowerInvariant();
            if (ext is ".pfx" or ".p12")
                return X509CertificateLoader.LoadPkcs12FromFile(s.CertificatePath, s.CertificatePassword);
            if (s.KeyPath is null)
                throw new ArgumentException($"TLS certificate '{s.CertificatePath}' is PEM but remote.tls.key is not set; give the PEM private key file too (or use a .pfx).");
            using var pem = X509Certificate2.CreateFromPemFile(s.CertificatePath, s.KeyPath);
            // Re-import so the key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ArgumentException($"Cannot load TLS certificate '{s.CertificatePath}': {e.Message}. Check the file format (PEM cert + key, or PFX) and the password.", e);
        }
    }

    public async Task<SslStream> AuthenticateAsServerAsync(Stream inner, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = _certificate,
            ClientCertificateRequired = _settings.RequireClientCertificate,
            RemoteCertificateValidationCallback = (_, cert, _, errors) => Accept(cert, errors, required: _settings.RequireClientCertificate),
        }, ct).ConfigureAwait(false);
        return ssl;
    }

    public async Task<SslStream> AuthenticateAsClientAsync(Stream inner, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = _targetHost,
            ClientCertificates = new X509CertificateCollection { _certificate },
            LocalCertificateSelectionCallback = (_, _, _, _, _) => _certificate,
            RemoteCertificateValidationCallback = (_, cert, _, errors) => Accept(cert, errors, required: true),
        }, ct).ConfigureAwait(false);
        return ssl;
    }

    private bool Accept(X509Certificate? cert, SslPolicyErrors errors, bool required)
    {
        if (cert is null) return !required;
        if (errors == SslPolicyErrors.None) return true;
        // Self-signed cluster certificates: accept exactly the ones configured (ours and the trusted list).
        return _trustedThumbprints.Contains(cert.GetCertHashString());
    }
}
