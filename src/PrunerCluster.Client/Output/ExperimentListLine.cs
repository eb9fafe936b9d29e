using System.Globalization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Output;

/// <summary>One experiment as plain <c>list</c> prints it: id, name, submission time, who submitted it, and its status line.</summary>
public static class ExperimentListLine
{
    private const string CertificatePrefix = "certificate:";
    private const string NamePrefix = "name:";

    public static string Format(ExperimentSummary e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return string.Create(CultureInfo.InvariantCulture, $"{e.ExperimentId}  {e.Name,-24} {e.SubmittedAt:u}  {Client(e.Client),-18} {(e.Status is { } s ? StatusLine.Format(s, null) : "-")}");
    }

    /// <summary>
    /// The submitter in a few characters: a declared name as given, a certificate as <c>cert:</c> and the first 12 hex
    /// digits of its thumbprint (<c>list --json</c> has the whole), <c>-</c> for experiments from before clients were told apart.
    /// </summary>
    public static string Client(string? client) => client switch
    {
        null or "" => "-",
        _ when client.StartsWith(NamePrefix, StringComparison.Ordinal) => client[NamePrefix.Length..],
        _ when client.StartsWith(CertificatePrefix, StringComparison.Ordinal) => "cert:" + client[CertificatePrefix.Length..][..Math.Min(12, client.Length - CertificatePrefix.Length)],
        _ => client,
    };
}
