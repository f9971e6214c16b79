using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ClusterTrainer.Node.Control;

/// <summary>
/// Checks "Authorization: Bearer &lt;token&gt;". Both tokens are hashed first and the hashes compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, so the time taken says nothing about the token, its length included.
/// </summary>
internal sealed class BearerAuth(string token)
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim()));

    /// <summary>Null when the request may pass; otherwise what is wrong with its credentials.</summary>
    public string? Refusal(HttpRequest request)
    {
        var header = request.Headers.Authorization;
        if (header.Count == 0 || string.IsNullOrWhiteSpace(header[0]))
            return "missing bearer token: send 'Authorization: Bearer <token>' (ctr: --token) with the node's token";
        if (header.Count > 1)
            return "more than one Authorization header: send exactly one 'Authorization: Bearer <token>'";
        var value = header[0]!.Trim();
        const string scheme = "Bearer ";
        if (!value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return "Authorization header is not a bearer token: send 'Authorization: Bearer <token>'";
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(value[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, _expected)
            ? null
            : "wrong bearer token: use the token the node was started with (Node:Token, --token or CLUSTERTRAINER_NODE__TOKEN)";
    }
}
