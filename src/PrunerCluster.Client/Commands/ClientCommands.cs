using System.CommandLine;
using PrunerCluster.Client.CommandLine;

namespace PrunerCluster.Client.Commands;

/// <summary>The verbs the thin client has: everything that needs no TorchSharp.</summary>
public static class ClientCommands
{
    public const string Description = "prunercluster: multi-objective pruning search (NSGA-II) on Orleans";

    /// <summary>The thin client's verbs; <paramref name="localChecks"/> extends <c>validate</c> (see <see cref="ValidateCommand"/>).</summary>
    public static IReadOnlyList<Command> Create(CliConsole console, Func<Contracts.ExperimentSpec, IReadOnlyList<Contracts.SpecError>?>? localChecks = null) =>
    [
        SubmitCommand.Create(console),
        StatusCommand.Create(console),
        WatchCommand.Create(console),
        ListCommand.Create(console),
        ParetoCommand.Create(console),
        CancelCommand.Create(console),
        PauseCommand.Create(console),
        ResumeCommand.Create(console),
        PlotCommand.Create(console),
        ReportCommand.Create(console),
        ValidateCommand.Create(console, localChecks),
        SchemaCommand.Create(console),
        DbCommand.Create(console),
    ];
}
