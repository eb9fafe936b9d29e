using Microsoft.Extensions.Options;
using PrunerCluster.Client.Security;

namespace PrunerCluster.Engine.Hosting;

/// <summary>
/// Mutual TLS on every Orleans connection ("PrunerCluster:Tls"): silo to silo and client to gateway. With it on, a
/// connection is accepted only from a peer whose certificate chains to <see cref="CaPath"/>, so only holders of a
/// certificate the cluster's CA issued can submit work. The chart mounts the three PEM files from a Secret.
/// </summary>
public sealed class TlsHostingOptions
{
    public const string SectionName = "PrunerCluster:Tls";

    public bool Enabled { get; set; }

    /// <summary>This silo's PEM certificate (it serves as server to clients and other silos, and as client to other silos).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Its PEM private key.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PEM certificate(s) of the CA whose certificates silos and clients must present.</summary>
    public string? CaPath { get; set; }

    public MutualTlsPaths Paths() => new(
        CertificatePath ?? string.Empty,
        KeyPath ?? string.Empty,
        CaPath ?? string.Empty,
        SectionName + ":CertificatePath",
        SectionName + ":KeyPath",
        SectionName + ":CaPath");
}

public sealed class TlsHostingOptionsValidator : IValidateOptions<TlsHostingOptions>
{
    public ValidateOptionsResult Validate(string? name, TlsHostingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var missing = new[] { (options.CertificatePath, "CertificatePath"), (options.KeyPath, "KeyPath"), (options.CaPath, "CaPath") }
            .Where(p => string.IsNullOrWhiteSpace(p.Item1))
            .Select(p => $"{TlsHostingOptions.SectionName}:{p.Item2}")
            .ToList();
        return missing.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{TlsHostingOptions.SectionName}:Enabled is true, so {string.Join(", ", missing)} must name PEM files.");
    }
}
