namespace PrunerCluster.Engine.Tests.Helm;

internal sealed record CommandResult(int ExitCode, string Stdout, string Stderr);
