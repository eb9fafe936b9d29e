using PrunerCluster.Client.Live;
using PrunerCluster.Contracts;
using Spectre.Console;

namespace PrunerCluster.Client.Tests.Live;

[Trait("Category", "Unit")]
public sealed class ProgressViewTests
{
    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static ExperimentStatus Status(int evaluated, ExperimentState state = ExperimentState.Running) => new()
    {
        ExperimentId = "exp-1",
        State = state,
        Evaluated = evaluated,
        InFlight = 2,
        Failed = 1,
        CacheHits = 3,
        SlotShare = 4,
        Hypervolume = 0.4321,
        ParetoSize = 3,
        StartedAt = Start,
    };

    [Fact]
    public void Rate_and_eta_follow_the_evaluation_budget_and_are_capped_by_the_wall_clock()
    {
        var time = new ManualTime(Start.AddSeconds(100));
        var tracker = new ProgressTracker(new BudgetSettings { MaxEvaluations = 60 }, time);
        var s = tracker.Next(Status(10), null);
        Assert.Equal(0.1, s.EvaluationsPerSecond!.Value, 9);
        Assert.Equal(TimeSpan.FromSeconds(500), s.Eta);
        Assert.Equal(0.5, s.SlotUtilisation);

        // Evaluations queued on a silo beyond its running ones occupy no slot: never "slots 7/6 (117%)".
        var queued = tracker.Next(Status(10) with { InFlight = 7, SlotShare = 6 }, null);
        Assert.Equal("6/6 (100%)", ProgressText.Slots(queued));

        var capped = new ProgressTracker(new BudgetSettings { MaxEvaluations = 60, WallClock = TimeSpan.FromMinutes(3) }, time).Next(Status(10), null);
        Assert.Equal(TimeSpan.FromSeconds(80), capped.Eta);
        Assert.Null(new ProgressTracker(null, time).Next(Status(10, ExperimentState.Completed), null).Eta);
    }

    [Fact]
    public void The_wall_clock_eta_and_the_rate_count_from_the_start_of_the_search_not_from_acceptance()
    {
        var time = new ManualTime(Start.AddSeconds(1));
        var tracker = new ProgressTracker(new BudgetSettings { WallClock = TimeSpan.FromSeconds(270) }, time);
        Assert.Null(tracker.Next(Status(0, ExperimentState.Preparing), null).Eta);
        time.Now = Start.AddSeconds(195);
        Assert.Null(tracker.Next(Status(0, ExperimentState.Preparing), null).Eta);

        time.Now = Start.AddSeconds(196);
        Assert.Equal(TimeSpan.FromSeconds(270), tracker.Next(Status(0), null).Eta);
        time.Now = Start.AddSeconds(196 + 90);
        var later = tracker.Next(Status(30), null);
        Assert.Equal(TimeSpan.FromSeconds(180), later.Eta);
        Assert.Equal(30 / 90.0, later.EvaluationsPerSecond!.Value, 9);
        Assert.Equal("3:00", ProgressText.Eta(later.Eta));
    }

    [Fact]
    public void Attaching_to_an_experiment_without_a_start_time_measures_the_rate_between_polls()
    {
        var time = new ManualTime(Start);
        var tracker = new ProgressTracker(new BudgetSettings { MaxEvaluations = 100 }, time);
        Assert.Null(tracker.Next(Status(40) with { StartedAt = null }, null).EvaluationsPerSecond);
        time.Now = Start.AddSeconds(20);
        var s = tracker.Next(Status(50) with { StartedAt = null }, null);
        Assert.Equal(0.5, s.EvaluationsPerSecond!.Value, 9);
        Assert.Equal(TimeSpan.FromSeconds(100), s.Eta);
    }

    [Fact]
    public void While_the_baseline_trains_both_views_show_its_steps_epoch_loss_and_eta()
    {
        var preparing = new ExperimentStatus
        {
            ExperimentId = "exp-1",
            State = ExperimentState.Preparing,
            Preparation = new PreparationProgress { Phase = "baseline vgg on fashion-mnist", Step = 470, TotalSteps = 940, Epoch = 1, TotalEpochs = 2, Loss = 0.41, ElapsedSeconds = 60 },
        };
        var snapshot = new ProgressSnapshot { Status = preparing, MaxEvaluations = 200 };
        const string Expected = "baseline vgg on fashion-mnist: step 470/940 (50%), epoch 1/2, loss 0.4100, ETA 1:00";
        Assert.EndsWith("  " + Expected, ProgressText.Line(snapshot), StringComparison.Ordinal);

        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer) });
        console.Profile.Width = 160;
        console.Write(new LiveProgressView(console, TimeProvider.System, "experiment exp-1", maxFrontRows: 2).Render(snapshot));
        Assert.Contains(Expected, writer.ToString(), StringComparison.Ordinal);

        Assert.DoesNotContain("step", ProgressText.Line(snapshot with { Status = preparing with { State = ExperimentState.Running, Preparation = null } }), StringComparison.Ordinal);
    }

    [Fact]
    public void The_live_view_renders_counters_rate_eta_slots_hypervolume_and_the_front()
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer) });
        console.Profile.Width = 160;
        var view = new LiveProgressView(console, TimeProvider.System, "experiment exp-1", maxFrontRows: 2);
        var pareto = Samples.Pareto();
        var snapshot = new ProgressTracker(new BudgetSettings { MaxEvaluations = 60 }, new ManualTime(Start.AddSeconds(100))).Next(Status(10), pareto);
        console.Write(view.Render(snapshot));
        var text = writer.ToString();
        foreach (var expected in new[] { "10/60", "0.100 evals/s", "8:20", "2/4 (50%)", "0.4321", "current Pareto front", "accuracy", "MACs", "1 more members", "Ctrl+C: detach" })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }

        Assert.Contains(Samples.Pareto().Entries.OrderBy(e => e.Metrics[MetricNames.Macs]).ThenBy(e => e.MaskHash, StringComparer.Ordinal).First().MaskHash, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_plain_view_prints_a_line_per_change_and_returns_the_terminal_status()
    {
        using var writer = new StringWriter();
        var view = new PlainProgressView(writer, TimeProvider.System);
        var polls = new Queue<ExperimentStatus>([Status(1), Status(1), Status(2), Status(3, ExperimentState.Completed)]);
        var final = await view.RunAsync(_ => Task.FromResult(new ProgressSnapshot { Status = polls.Dequeue(), MaxEvaluations = 3 }), TimeSpan.FromMilliseconds(1), CancellationToken.None);
        Assert.Equal(ExperimentState.Completed, final.State);
        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("[Completed] done 3/3", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_views_show_the_input_normalisation_and_data_warnings_as_soon_as_the_experiment_reports_them()
    {
        const string Normalisation = ExperimentStatus.NormalizationPrefix + "dataset statistics: mean [0.2860], std [0.3530]";
        const string Warning = ExperimentStatus.WarningPrefix + "the baseline trained for 9 optimizer steps";
        var noted = Status(0, ExperimentState.Running) with { Errors = [Normalisation, Warning, "evaluation abc failed: out of memory"] };

        using var writer = new StringWriter();
        var view = new PlainProgressView(writer, TimeProvider.System);
        var polls = new Queue<ExperimentStatus>([Status(0, ExperimentState.Preparing), noted, noted with { Evaluated = 1 }, noted with { Evaluated = 2, State = ExperimentState.Completed }]);
        await view.RunAsync(_ => Task.FromResult(new ProgressSnapshot { Status = polls.Dequeue() }), TimeSpan.FromMilliseconds(1), CancellationToken.None);
        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, l => l.EndsWith("note: " + Normalisation, StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("note: " + Warning, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("out of memory", StringComparison.Ordinal));
        Assert.True(Array.FindIndex(lines, l => l.Contains("note: " + Normalisation, StringComparison.Ordinal)) < Array.FindIndex(lines, l => l.Contains("done 1", StringComparison.Ordinal)), "the note comes before the search's progress");

        using var liveWriter = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(liveWriter) });
        console.Profile.Width = 160;
        console.Write(new LiveProgressView(console, TimeProvider.System, "experiment exp-1").Render(new ProgressSnapshot { Status = noted }));
        Assert.Contains("note: " + Normalisation, liveWriter.ToString(), StringComparison.Ordinal);
        Assert.Contains("note: " + Warning, liveWriter.ToString(), StringComparison.Ordinal);
    }
}
