using System.Globalization;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Contracts;

namespace PrunerCluster.Engine.Recovery;

/// <summary>Command-line overrides of a spec's final recovery (<c>--final-recovery STEPS</c>, <c>--final-members N</c>).</summary>
public static class FinalRecoveryOptions
{
    public static ExperimentSpec Apply(ExperimentSpec spec, string? steps, string? members)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (steps is null && members is null)
        {
            return spec;
        }

        var recovery = spec.FinalRecovery ?? new FinalRecoverySettings();
        if (steps is not null)
        {
            if (!int.TryParse(steps, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                throw new CliException($"--final-recovery expects a number of fine-tune steps (0 turns recovery off), got '{steps}'");
            }

            recovery = recovery with { Enabled = n > 0, FineTuneSteps = n };
        }

        if (members is not null)
        {
            if (!int.TryParse(members, NumberStyles.None, CultureInfo.InvariantCulture, out var m))
            {
                throw new CliException($"--final-members expects a count (0 = the whole Pareto set), got '{members}'");
            }

            recovery = recovery with { MaxMembers = m };
        }

        return spec with { FinalRecovery = recovery };
    }
}
