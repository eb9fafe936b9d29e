namespace PrunerCluster.Engine.Hosting;

/// <summary>The settings file named by <see cref="KubernetesEnvironment.SettingsFile"/> is missing or malformed; the message names it.</summary>
public sealed class SettingsFileException(string message) : Exception(message);
