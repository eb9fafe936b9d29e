using PrunerCluster.Testing;
using System.Xml.Linq;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests;

[Trait("Category", "Unit")]
public sealed class RunDirectoryTests
{
    private static ExperimentStatus Status(ParetoSet pareto) => new()
    {
        ExperimentId = pareto.ExperimentId,
        Name = "sample",
        State = ExperimentState.Completed,
        Evaluated = 5,
        Failed = 1,
        ParetoSize = pareto.Entries.Count,
        Hypervolume = 0.5,
        Errors = ["candidate 4: NaN loss"],
    };

    [Fact]
    public void Write_produces_spec_status_pareto_csvs_and_plots_and_ReadPareto_round_trips()
    {
        using var temp = new TempDirectory();
        var dir = Path.Combine(temp.Path, "run");
        var spec = SpecFile.Load(TestPaths.ExampleSpec);
        var pareto = Samples.Pareto();
        var ledger = Samples.Ledger(pareto);

        var written = RunDirectory.Write(dir, spec, Status(pareto), pareto, ledger);

        var names = written.Select(p => Path.GetRelativePath(dir, p).Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[]
        {
            "spec.json", "status.json", "pareto.json", "pareto.csv", "evaluations.json", "evaluations.csv", "report.html",
            "plots/pareto-accuracy-vs-macs.png", "plots/pareto-accuracy-vs-macs.svg", "plots/hypervolume.png", "plots/hypervolume.svg",
            "plots/kept-channels-1.png", "plots/kept-channels-3.svg",
        })
        {
            Assert.Contains(expected, names);
        }

        var read = RunDirectory.Read(dir);
        Assert.Equal(ledger.Count, read.Evaluations.Count);
        Assert.Equal(ledger.Select(e => e.MaskHash), read.Evaluations.Select(e => e.MaskHash));

        Assert.All(written, p => Assert.True(File.Exists(p), p));
        Assert.All(written.Where(p => p.EndsWith(".svg", StringComparison.Ordinal)), p => XDocument.Load(p));

        // The spec written beside the Pareto set is what export re-reads.
        var specBack = SpecFile.Load(Path.Combine(dir, RunDirectory.SpecFileName));
        Assert.Equal(SpecFile.Serialize(spec), SpecFile.Serialize(specBack));

        var back = RunDirectory.ReadPareto(Path.Combine(dir, RunDirectory.ParetoJsonFileName));
        Assert.Equal(pareto.ExperimentId, back.ExperimentId);
        Assert.Equal(pareto.Objectives, back.Objectives);
        Assert.Equal(pareto.Evaluated, back.Evaluated);
        Assert.Equal(pareto.Hypervolume, back.Hypervolume);
        Assert.Equal(pareto.BaselineMetrics.OrderBy(k => k.Key), back.BaselineMetrics.OrderBy(k => k.Key));
        Assert.Equal(pareto.Entries.Count, back.Entries.Count);
        for (var i = 0; i < pareto.Entries.Count; i++)
        {
            var (a, b) = (pareto.Entries[i], back.Entries[i]);
            Assert.Equal(a with { Metrics = b.Metrics }, b);
            Assert.Equal(a.Metrics.OrderBy(k => k.Key), b.Metrics.OrderBy(k => k.Key));
        }

        Assert.Equal(ParetoReport.Csv(pareto), File.ReadAllText(Path.Combine(dir, "pareto.csv")));
    }

    [Fact]
    public void Evaluations_csv_lists_every_record_by_candidate_with_failure_reasons_quoted()
    {
        using var temp = new TempDirectory();
        var pareto = Samples.Pareto();
        RunDirectory.Write(temp.Path, SpecFile.Load(TestPaths.ExampleSpec), Status(pareto), pareto, Samples.Ledger(pareto));
        var rows = Rfc4180.Parse(File.ReadAllText(Path.Combine(temp.Path, "evaluations.csv")));
        Assert.Equal(["candidate_id", "generation", "mask_hash", "succeeded", "from_cache", "silo", "completed_at", "energy_source", "failure_reason", "accuracy", "latency_ms", "macs", "params", "phase_fine_tune_s"], rows[0]);
        Assert.Equal(["1", "2", "3", "4", "5"], rows.Skip(1).Select(r => r[0]));
        var failed = rows.Single(r => r[0] == "4");
        Assert.Equal("false", failed[3]);
        Assert.Equal("NaN loss, \"diverged\"", failed[8]);
        var first = rows.Single(r => r[0] == "3");
        Assert.Equal("modeled", first[7]);
        Assert.Equal("1.500", first[^1]);
        Assert.All(rows, r => Assert.Equal(rows[0].Count, r.Count));
    }

    [Fact]
    public void Non_finite_metrics_survive_the_json_round_trip()
    {
        using var temp = new TempDirectory();
        var pareto = Samples.Pareto();
        var odd = pareto.Entries[0] with
        {
            Metrics = new Dictionary<string, double>(pareto.Entries[0].Metrics, StringComparer.Ordinal) { [MetricNames.Throughput] = double.PositiveInfinity, [MetricNames.EnergyMj] = double.NaN },
        };
        pareto = pareto with { Entries = [odd], Hypervolume = double.NaN };
        RunDirectory.Write(temp.Path, SpecFile.Load(TestPaths.ExampleSpec), Status(pareto) with { Hypervolume = double.NaN }, pareto, []);
        var back = RunDirectory.ReadPareto(Path.Combine(temp.Path, RunDirectory.ParetoJsonFileName));
        Assert.Equal(double.PositiveInfinity, back.Entries[0].Metrics[MetricNames.Throughput]);
        Assert.True(double.IsNaN(back.Entries[0].Metrics[MetricNames.EnergyMj]));
    }

    [Fact]
    public void ReadPareto_of_a_missing_file_names_the_path()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "pareto.json");
        var ex = Assert.Throws<FileNotFoundException>(() => RunDirectory.ReadPareto(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }
}
