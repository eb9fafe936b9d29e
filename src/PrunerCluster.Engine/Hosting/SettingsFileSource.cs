using Microsoft.Extensions.Configuration;

namespace PrunerCluster.Engine.Hosting;

/// <summary>
/// The JSON settings file an operator names with <see cref="KubernetesEnvironment.SettingsFile"/>, layered over every other
/// configuration source: what environment variables express badly, such as the list of named clients' limits
/// (<c>{"PrunerCluster": {"Limits": {"Clients": [{"client": "CN=alice", "maxActiveExperiments": 2}]}}}</c>).
/// Checked when the host is built, so a missing or malformed file stops the silo with its name instead of a stack trace.
/// </summary>
public static class SettingsFileSource
{
    /// <summary>Adds the file at <paramref name="path"/> (nothing when null or empty).</summary>
    /// <exception cref="SettingsFileException">The file does not exist or is not a JSON object.</exception>
    public static void AddTo(IConfigurationBuilder configuration, string? path)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }

        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new SettingsFileException($"{KubernetesEnvironment.SettingsFile}: the settings file '{full}' does not exist; expected a JSON file such as {{\"PrunerCluster\": {{\"Limits\": {{\"Clients\": [...]}}}}}}");
        }

        try
        {
            new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
        }
        catch (InvalidDataException ex)
        {
            throw new SettingsFileException($"{KubernetesEnvironment.SettingsFile}: the settings file '{full}' is not a JSON object of settings: {(ex.InnerException ?? ex).Message}");
        }

        configuration.AddJsonFile(full, optional: false, reloadOnChange: false);
    }
}
