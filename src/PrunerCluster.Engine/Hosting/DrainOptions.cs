using Microsoft.Extensions.Options;

namespace PrunerCluster.Engine.Hosting;

/// <summary>
/// Graceful drain on shutdown (configuration section "PrunerCluster:Drain"). On SIGTERM the silo stops taking work, hands
/// its queued evaluations back and gives running ones up to <see cref="GracePeriod"/> to finish; Orleans' own graceful
/// shutdown follows. Kubernetes' terminationGracePeriodSeconds must cover both (see <see cref="ShutdownBudget"/>).
/// </summary>
public sealed class DrainOptions
{
    public const string SectionName = "PrunerCluster:Drain";

    /// <summary>Time Orleans gets after the drain to leave the membership and deactivate its grains.</summary>
    public static readonly TimeSpan OrleansShutdown = TimeSpan.FromSeconds(30);

    /// <summary>The longest grace period accepted (6 hours).</summary>
    public const int MaxGracePeriodSeconds = 6 * 3600;

    public bool Enabled { get; set; } = true;

    /// <summary>How long running evaluations may go on after SIGTERM or SIGHUP, in seconds (the chart's drain.gracePeriodSeconds, the silo's --grace).</summary>
    public int GracePeriodSeconds { get; set; } = 120;

    public TimeSpan GracePeriod => TimeSpan.FromSeconds(GracePeriodSeconds);

    /// <summary>The whole stop: drain plus Orleans' shutdown (the host's shutdown timeout).</summary>
    public TimeSpan ShutdownBudget => GracePeriod + OrleansShutdown;
}

public sealed class DrainOptionsValidator : IValidateOptions<DrainOptions>
{
    public ValidateOptionsResult Validate(string? name, DrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.GracePeriodSeconds is < 0 or > DrainOptions.MaxGracePeriodSeconds
            ? ValidateOptionsResult.Fail(FormattableString.Invariant($"{DrainOptions.SectionName}:GracePeriodSeconds must be between 0 and {DrainOptions.MaxGracePeriodSeconds}, got {options.GracePeriodSeconds}."))
            : ValidateOptionsResult.Success;
    }
}
