using PrunerCluster.Client.Output;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests;

[Trait("Category", "Unit")]
public sealed class ParetoReportTests
{
    [Fact]
    public void Entries_are_ordered_by_the_first_minimized_objective_then_mask_hash()
    {
        var ordered = ParetoReport.Ordered(Samples.Pareto());
        Assert.Equal(["aaaa0000", "bbbb0000", "cccc0000"], ordered.Select(e => e.MaskHash));
    }

    [Fact]
    public void Without_a_minimized_objective_the_first_objective_orders_ascending()
    {
        var pareto = Samples.Pareto() with { Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize)] };
        Assert.Equal(["bbbb0000", "aaaa0000", "cccc0000"], ParetoReport.Ordered(pareto).Select(e => e.MaskHash));
    }

    [Fact]
    public void Entries_missing_the_order_metric_go_last()
    {
        var pareto = Samples.Pareto();
        var noMacs = pareto.Entries[0] with
        {
            MaskHash = "0000ffff",
            Metrics = new Dictionary<string, double>(StringComparer.Ordinal) { [MetricNames.Accuracy] = 0.1 },
        };
        pareto = pareto with { Entries = [noMacs, .. pareto.Entries] };
        Assert.Equal("0000ffff", ParetoReport.Ordered(pareto)[^1].MaskHash);
    }

    [Theory]
    [InlineData(0.905, 2000, false)] // +0.5 pt: inside the +-1.3 pt interval of 90 % on 2,000 images
    [InlineData(0.92, 2000, true)] // +2.0 pt: outside it
    [InlineData(0.92, 100000, true)]
    [InlineData(0.95, 36, false)] // +5 pt on 36 images: inside +-9.8 pt
    public void A_member_above_the_unpruned_model_by_more_than_the_interval_is_marked_and_explained(double accuracy, int samples, bool flagged)
    {
        var member = new ParetoEntry
        {
            MaskText = "1",
            MaskHash = "abcdef",
            IndividualKey = "k",
            Metrics = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                [MetricNames.Accuracy] = accuracy,
                [MetricNames.BaselineAccuracy] = 0.90,
                [MetricNames.ValidationSamples] = samples,
                [MetricNames.Macs] = 10,
            },
        };
        var table = ParetoReport.Table(new ParetoSet { ExperimentId = "e", Entries = [member] });
        var row = table.Split(Environment.NewLine)[1];
        Assert.Equal(flagged, row.StartsWith("1" + AboveUnprunedFlag.Marker, StringComparison.Ordinal));
        Assert.Equal(flagged, table.Contains("scores above the unpruned model by more than the 95 % interval", StringComparison.Ordinal));
        Assert.False(AboveUnprunedFlag.IsFlagged(new Dictionary<string, double> { [MetricNames.Accuracy] = 0.99, [MetricNames.BaselineAccuracy] = 0.5 }));
    }

    [Fact]
    public void Table_has_a_header_baseline_row_and_one_row_per_entry_in_order()
    {
        var lines = ParetoReport.Table(Samples.Pareto()).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("#", lines[0], StringComparison.Ordinal);
        Assert.Contains("accuracy", lines[0], StringComparison.Ordinal);
        Assert.Contains("MACs", lines[0], StringComparison.Ordinal);
        Assert.Contains("latency(ms)", lines[0], StringComparison.Ordinal);
        Assert.Contains("energy src", lines[0], StringComparison.Ordinal);

        // Metrics no entry has get no column.
        Assert.DoesNotContain("energy(mJ)", lines[0], StringComparison.Ordinal);

        // Percentages use the invariant culture's pattern ("92.00 %").
        Assert.StartsWith("base", lines[1], StringComparison.Ordinal);
        Assert.Contains("92.00 %", lines[1], StringComparison.Ordinal);
        Assert.Contains("4.00M", lines[1], StringComparison.Ordinal);
        Assert.Contains("(unpruned)", lines[1], StringComparison.Ordinal);

        Assert.StartsWith("1 ", lines[2], StringComparison.Ordinal);
        Assert.Contains("aaaa0000", lines[2], StringComparison.Ordinal);
        Assert.Contains("85.00 %", lines[2], StringComparison.Ordinal);
        Assert.Contains("bbbb0000", lines[3], StringComparison.Ordinal);
        Assert.Contains("cccc0000", lines[4], StringComparison.Ordinal);
        Assert.Contains("3.00M", lines[4], StringComparison.Ordinal);
        Assert.All(lines[2..], l => Assert.Contains("modeled", l, StringComparison.Ordinal));

        // Columns line up: the accuracy cell ends at the same offset in every row.
        var accuracyEnd = lines[1].IndexOf("92.00 %", StringComparison.Ordinal) + 7;
        Assert.Equal(accuracyEnd, lines[2].IndexOf("85.00 %", StringComparison.Ordinal) + 7);
    }

    [Fact]
    public void Table_of_an_empty_set_is_just_the_header()
    {
        var empty = new ParetoSet { ExperimentId = "none", Objectives = Samples.Objectives };
        var lines = ParetoReport.Table(empty).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
    }

    [Fact]
    public void Csv_has_sorted_metric_columns_invariant_numbers_and_rows_in_order()
    {
        var lines = ParetoReport.Csv(Samples.Pareto()).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("rank,candidate_id,mask_hash,individual_key,generation,energy_source,silo,accuracy,latency_ms,macs,params,mask", lines[0]);
        Assert.StartsWith("1,3,aaaa0000,key-aaaa0000,0,modeled,S127.0.0.1:11111:1,0.85,1,1000000,100000,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("2,2,bbbb0000,", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("3,5,cccc0000,", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_quotes_cells_with_commas_quotes_and_newlines()
    {
        var pareto = Samples.Pareto();
        var odd = pareto.Entries[1] with { EnergySource = "modeled, \"approx\"", Silo = "silo\nB", MaskText = "seg0=1011;seg1=11,2" };
        pareto = pareto with { Entries = [odd] };
        var csv = ParetoReport.Csv(pareto);
        Assert.Contains(",\"modeled, \"\"approx\"\"\",\"silo\nB\",", csv, StringComparison.Ordinal);
        Assert.EndsWith(",\"seg0=1011;seg1=11,2\"" + Environment.NewLine, csv, StringComparison.Ordinal);

        // Parsing it back with a minimal RFC 4180 reader recovers the fields.
        var rows = Rfc4180.Parse(csv);
        Assert.Equal(2, rows.Count);
        Assert.Equal(rows[0].Count, rows[1].Count);
        Assert.Equal("modeled, \"approx\"", rows[1][5]);
        Assert.Equal("silo\nB", rows[1][6]);
        Assert.Equal("seg0=1011;seg1=11,2", rows[1][^1]);
    }

    [Theory]
    [InlineData(999, "999")]
    [InlineData(1500, "1.5k")]
    [InlineData(2_340_000, "2.34M")]
    [InlineData(7_100_000_000, "7.10G")]
    [InlineData(-2500, "-2.5k")]
    public void Compact_uses_k_M_G_suffixes(double value, string expected) =>
        Assert.Equal(expected, ParetoReport.Compact(value));
}

/// <summary>Minimal CSV reader (quoted fields, doubled quotes, newlines inside quotes) for checking the writer.</summary>
internal static class Rfc4180
{
    public static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                cell.Append(c);
            }
        }

        if (cell.Length > 0 || row.Count > 0)
        {
            row.Add(cell.ToString());
            rows.Add(row);
        }

        return rows;
    }
}
