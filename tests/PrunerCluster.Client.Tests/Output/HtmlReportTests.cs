using PrunerCluster.Testing;
using System.Text.RegularExpressions;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using SkiaSharp;

namespace PrunerCluster.Client.Tests.Output;

[Trait("Category", "Unit")]
public sealed partial class HtmlReportTests
{
    internal static string WriteRun(TempDirectory temp, ParetoSet pareto)
    {
        var spec = SpecFile.Load(TestPaths.ExampleSpec);
        var status = new ExperimentStatus
        {
            ExperimentId = pareto.ExperimentId,
            State = ExperimentState.Completed,
            Evaluated = 5,
            StartedAt = DateTimeOffset.UnixEpoch,
            FinishedAt = DateTimeOffset.UnixEpoch.AddMinutes(3),
        };
        var dir = Path.Combine(temp.Path, "run");
        RunDirectory.Write(dir, spec, status, pareto, Samples.Ledger(pareto));
        return dir;
    }

    [Fact]
    public void The_report_lists_every_pareto_member_and_embeds_every_image()
    {
        using var temp = new TempDirectory();
        var pareto = Samples.Pareto("exp <&> 1");
        var dir = WriteRun(temp, pareto);
        var html = File.ReadAllText(Path.Combine(dir, RunDirectory.ReportFileName));

        foreach (var entry in pareto.Entries)
        {
            Assert.Contains($"<tr class=\"member\" data-mask-hash=\"{entry.MaskHash}\">", html, StringComparison.Ordinal);
        }

        Assert.Equal(pareto.Entries.Count, MemberRow().Count(html));
        var sources = ImageSource().Matches(html).Select(m => m.Groups[1].Value).ToArray();

        // progress, one scatter (2 objectives), hypervolume, one kept-channel chart per member
        Assert.Equal(3 + pareto.Entries.Count, sources.Length);
        foreach (var src in sources)
        {
            Assert.StartsWith("data:image/png;base64,", src, StringComparison.Ordinal);
            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(src["data:image/png;base64,".Length..]));
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width > 100 && bitmap.Height > 100);
        }

        Assert.Contains("exp &lt;&amp;&gt; 1", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.Contains("id=\"spec\"", html, StringComparison.Ordinal);
        Assert.Contains("fashion-mnist-vgg", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Exported_members_are_linked_with_their_test_accuracy()
    {
        using var temp = new TempDirectory();
        var pareto = Samples.Pareto();
        var dir = WriteRun(temp, pareto);
        var member = ParetoReport.Ordered(pareto)[1];
        var export = Path.Combine(dir, RunDirectory.ExportsFolder, "2-" + member.MaskHash);
        Directory.CreateDirectory(export);
        File.WriteAllText(Path.Combine(export, "model-card.json"), $$"""{ "maskHash": "{{member.MaskHash}}", "metrics": { "accuracy": 0.8765 } }""");

        var html = HtmlReport.Render(RunDirectory.Read(dir));
        Assert.Contains($"<a href=\"exports/2-{member.MaskHash}/model-card.json\">", html, StringComparison.Ordinal);
        Assert.Contains("<td>87.65%</td>", html, StringComparison.Ordinal);
        Assert.Equal(pareto.Entries.Count - 1, Regex.Count(html, "not exported"));
    }

    [Fact]
    public void Three_objectives_add_the_pairwise_image()
    {
        using var temp = new TempDirectory();
        var pareto = Samples.Pareto() with
        {
            Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize), new(MetricNames.LatencyMs, ObjectiveDirection.Minimize)],
        };
        var html = HtmlReport.Render(RunDirectory.Read(WriteRun(temp, pareto)));
        Assert.Contains("alt=\"pairwise objectives\"", html, StringComparison.Ordinal);
        Assert.Equal(1 + 2 + 1 + 1 + pareto.Entries.Count, ImageSource().Count(html));
    }

    [GeneratedRegex("<img [^>]*src=\"([^\"]+)\"")]
    private static partial Regex ImageSource();

    [GeneratedRegex("<tr class=\"member\"")]
    private static partial Regex MemberRow();
}
