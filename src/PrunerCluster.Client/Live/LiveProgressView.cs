using PrunerCluster.Client.Output;
using PrunerCluster.Contracts;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PrunerCluster.Client.Live;

/// <summary>
/// The terminal view: counters, rate, ETA, slot utilisation and hypervolume, the experiment's notes (input normalisation,
/// data warnings) and the current Pareto front, redrawn in
/// place (Spectre.Console live display). Logs must go elsewhere (a file) while it runs.
/// </summary>
public sealed class LiveProgressView(IAnsiConsole console, TimeProvider time, string title, int maxFrontRows = 15) : IProgressView
{
    public async Task<ExperimentStatus> RunAsync(Func<CancellationToken, Task<ProgressSnapshot>> poll, TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(poll);
        ExperimentStatus? final = null;
        await console.Live(new Markup($"[grey]{Markup.Escape(title)}: connecting...[/]"))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .StartAsync(async context =>
            {
                while (true)
                {
                    var snapshot = await poll(cancellationToken).ConfigureAwait(false);
                    context.UpdateTarget(Render(snapshot));
                    context.Refresh();
                    if (snapshot.Status.State.IsTerminal())
                    {
                        final = snapshot.Status;
                        return;
                    }

                    await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        return final!;
    }

    public IRenderable Render(ProgressSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var s = snapshot.Status;
        var stats = new Grid().AddColumn().AddColumn().AddColumn().AddColumn();
        var done = snapshot.MaxEvaluations is { } max ? $"{s.Evaluated}/{max}" : $"{s.Evaluated}";
        stats.AddRow("[bold]done[/]", done, "[bold]in flight[/]", $"{s.InFlight}");
        stats.AddRow("[bold]failed[/]", s.Failed > 0 ? $"[red]{s.Failed}[/]" : "0", "[bold]cached[/]", $"{s.CacheHits}");
        stats.AddRow("[bold]rate[/]", ProgressText.Rate(snapshot), "[bold]ETA[/]", ProgressText.Eta(snapshot.Eta));
        stats.AddRow("[bold]slots[/]", ProgressText.Slots(snapshot), "[bold]hypervolume[/]", ProgressText.Hv(s.Hypervolume));
        stats.AddRow("[bold]generation[/]", $"{s.Generation}", "[bold]pareto[/]", $"{s.ParetoSize}");
        if (s.RecoveryPlanned > 0)
        {
            stats.AddRow("[bold]final recovery[/]", $"{s.RecoveryDone}/{s.RecoveryPlanned}", "", "");
        }

        var state = s.State switch
        {
            ExperimentState.Completed => "[green]Completed[/]",
            ExperimentState.Failed or ExperimentState.Cancelled => $"[red]{s.State}[/]",
            _ => $"[yellow]{s.State}[/]",
        };
        var header = new Panel(stats) { Header = new PanelHeader($"{Markup.Escape(title)}: {state}") };
        var rows = new List<IRenderable> { header };
        foreach (var note in s.Errors.Where(ExperimentStatus.IsNote))
        {
            rows.Add(new Markup("[grey]note: " + Markup.Escape(note) + "[/]"));
        }

        if (s.Preparation is { TotalSteps: > 0 } preparation)
        {
            rows.Add(new BreakdownChart().Width(60).HideTags()
                .AddItem("trained", preparation.Step, Color.Blue)
                .AddItem("left", Math.Max(0, preparation.TotalSteps - preparation.Step), Color.Grey23));
            rows.Add(new Markup(Markup.Escape(ProgressText.PreparationDetail(preparation))));
        }

        if (snapshot.MaxEvaluations is { } budget && budget > 0)
        {
            rows.Add(new BreakdownChart().Width(60).HideTags()
                .AddItem("done", Math.Max(0, s.Evaluated - s.Failed), Color.Green)
                .AddItem("failed", s.Failed, Color.Red)
                .AddItem("in flight", s.InFlight, Color.Yellow)
                .AddItem("left", Math.Max(0, budget - s.Evaluated - s.InFlight), Color.Grey23));
        }

        rows.Add(FrontTable(snapshot.Pareto));
        rows.Add(new Markup("[grey]Ctrl+C: " + Markup.Escape(title.StartsWith("embedded", StringComparison.Ordinal) ? "cancel the search (results so far are kept)" : "detach (the experiment keeps running)") + "[/]"));
        return new Rows(rows);
    }

    private Table FrontTable(ParetoSet? pareto)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("current Pareto front");
        table.AddColumn("#");
        if (pareto is null || pareto.Entries.Count == 0)
        {
            table.AddColumn("members");
            table.AddRow("-", "[grey]none yet[/]");
            return table;
        }

        var metrics = pareto.Objectives.Select(o => o.Metric).ToArray();
        foreach (var m in metrics)
        {
            table.AddColumn(new TableColumn(Markup.Escape(ParetoReport.Header(m))).RightAligned());
        }

        table.AddColumn("mask");
        var ordered = ParetoReport.Ordered(pareto);
        for (var i = 0; i < Math.Min(ordered.Count, maxFrontRows); i++)
        {
            var e = ordered[i];
            var cells = new List<string> { $"{i + 1}" };
            cells.AddRange(metrics.Select(m => e.Metrics.TryGetValue(m, out var v) ? Markup.Escape(ParetoReport.FormatMetric(m, v)) : "-"));
            cells.Add(Markup.Escape(e.MaskHash[..Math.Min(12, e.MaskHash.Length)]));
            table.AddRow(cells.ToArray());
        }

        if (ordered.Count > maxFrontRows)
        {
            table.Caption($"{ordered.Count - maxFrontRows} more members: 'prunercluster pareto' lists all");
        }

        return table;
    }
}
