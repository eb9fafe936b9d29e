namespace PrunerCluster.Client.Security;

/// <summary>Where one side's mutual-TLS files are, and the names of the settings they came from (for error messages).</summary>
public sealed record MutualTlsPaths(
    string CertificatePath,
    string KeyPath,
    string CaPath,
    string CertificateSetting = "certificate",
    string KeySetting = "key",
    string CaSetting = "ca");
