using System.Security.Cryptography;
using System.Text;

namespace PrunerCluster;

/// <summary>Lowercase SHA-256 hex digests: the persistent content identities of every layer (never <c>GetHashCode</c>).</summary>
public static class Sha256Hex
{
    /// <summary>The digest of <paramref name="text"/>'s UTF-8 bytes.</summary>
    public static string Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string Of(Stream stream) => Convert.ToHexStringLower(SHA256.HashData(stream));

    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Of(stream);
    }
}
