using System.Globalization;

namespace PrunerCluster.Benchmarks;

/// <summary>What the <c>torchvision</c> suite measured for one network; a null figure is a step that did not run (see <see cref="Refusal"/> and <see cref="Failure"/>).</summary>
internal sealed record TorchvisionRow(string Name, long Parameters, int InputSize, double MaxAbsLogit)
{
    /// <summary>ONNX Runtime on PyTorch's own export against PyTorch's logits: is the file itself right?</summary>
    public double? ExportVsPyTorch { get; init; }

    /// <summary>The importer's message, verbatim, when it refused the file.</summary>
    public string? Refusal { get; init; }

    public double? ImportSeconds { get; init; }

    /// <summary>The imported model's logits against ONNX Runtime's on the same file: the import alone, without the export's own error.</summary>
    public double? BaselineVsOrt { get; init; }

    /// <summary>PyTorch's float32 logits against its float64 run: the float32 rounding of this network, the floor any runtime can reach.</summary>
    public double? PyTorchVsFloat64 { get; init; }

    /// <summary>The imported model's logits against PyTorch's float64 run.</summary>
    public double? BaselineVsFloat64 { get; init; }

    /// <summary>The imported model's logits against PyTorch's on the saved batch.</summary>
    public double? BaselineVsPyTorch { get; init; }

    public int Groups { get; init; }

    public int PrunableUnits { get; init; }

    /// <summary>Output channels of dense and grouped convolutions and linear layers (the classifier excepted) in no group: kept whole by every mask.</summary>
    public int FrozenChannels { get; init; }

    public long Macs { get; init; }

    public long PrunedMacs { get; init; }

    /// <summary>ONNX Runtime on our export of the pruned model against the pruned model itself.</summary>
    public double? PrunedOrtVsTorch { get; init; }

    /// <summary>The exported pruned file imported again, against the pruned model.</summary>
    public double? ReimportVsTorch { get; init; }

    public string? Failure { get; init; }

    public const string MarkdownHeader =
        "| network | params | input | import | ours vs PyTorch: max abs (relative) | PyTorch's export in ORT vs PyTorch | ours vs ORT, same file | PyTorch float32 vs float64 | ours vs float64 | groups (units) | frozen channels | MACs | MACs, 50 % kept | pruned export: ORT vs ours | re-import vs ours | best MAC x within 1 pt |\n" +
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |";

    public string Markdown()
    {
        var import = Refusal is null ? (ImportSeconds is { } s ? Invariant($"yes ({s:F1} s)") : "-") : "**refused** (below)";
        var pruned = Macs > 0 && PrunedMacs > 0 ? Invariant($"{PrunedMacs / 1e6:F1} M ({(double)Macs / PrunedMacs:F2}x)") : "-";
        var groups = Refusal is null && ImportSeconds is not null ? Invariant($"{Groups} ({PrunableUnits:N0})") : "-";
        var frozen = Refusal is null && ImportSeconds is not null ? Invariant($"{FrozenChannels:N0}") : "-";
        var macs = Macs > 0 ? Invariant($"{Macs / 1e6:F1} M") : "-";
        var baseline = BaselineVsPyTorch is { } b ? Invariant($"{Diff(b)} ({Diff(b / MaxAbsLogit)})") : "-";
        return Invariant($"| {Name} | {Parameters / 1e6:F2} M | {InputSize} | {import} | {baseline} | {Diff(ExportVsPyTorch)} | {Diff(BaselineVsOrt)} | {Diff(PyTorchVsFloat64)} | {Diff(BaselineVsFloat64)} | {groups} | {frozen} | {macs} | {pruned} | {Diff(PrunedOrtVsTorch)} | {Diff(ReimportVsTorch)} | n/a (random weights) |");
    }

    private static string Diff(double? d) => d is { } v ? v.ToString("0.0e+0", CultureInfo.InvariantCulture) : "-";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
