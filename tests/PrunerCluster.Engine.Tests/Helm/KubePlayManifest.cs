using System.Text;

namespace PrunerCluster.Engine.Tests.Helm;

/// <summary>
/// What <c>podman kube play</c> gets: the YAML, the secrets to create first (name to key/value), the pods it starts, and
/// the ConfigMaps it turns into named volumes (which <c>kube play --down</c> leaves behind, and a later run would reuse).
/// <see cref="PodmanSecretJson"/> is the form podman 4.3 reads a secretKeyRef from.
/// </summary>
internal sealed record KubePlayManifest(string Yaml, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Secrets, IReadOnlyList<string> Pods, IReadOnlyList<string> ConfigMaps)
{
    public static string PodmanSecretJson(IReadOnlyDictionary<string, string> values) =>
        System.Text.Json.JsonSerializer.Serialize(values.ToDictionary(kv => kv.Key, kv => Convert.ToBase64String(Encoding.UTF8.GetBytes(kv.Value)), StringComparer.Ordinal));
}
