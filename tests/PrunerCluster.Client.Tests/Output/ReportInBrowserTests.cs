using PrunerCluster.Testing;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Tests.Browser;
using PrunerCluster.Contracts;
using SkiaSharp;
using Xunit.Abstractions;

namespace PrunerCluster.Client.Tests.Output;

/// <summary>The HTML report in a real browser (Debian's headless Chromium): no console errors, every image decodes, not blank.</summary>
[Trait("Category", "Slow")]
public sealed class ReportInBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_report_renders_in_headless_chromium_without_console_errors_and_is_not_blank()
    {
        using var temp = new TempDirectory();
        var pareto = Samples.Pareto() with
        {
            Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize), new(MetricNames.LatencyMs, ObjectiveDirection.Minimize)],
        };
        var report = Path.Combine(HtmlReportTests.WriteRun(temp, pareto), RunDirectory.ReportFileName);
        await using var browser = await HeadlessChromium.StartAsync(TimeSpan.FromSeconds(90));
        await browser.NavigateAsync(new Uri(report).AbsoluteUri, TimeSpan.FromSeconds(60));

        var errors = browser.Errors();
        Assert.True(errors.Count == 0, "console errors: " + string.Join(Environment.NewLine, errors));
        var images = (int)(await browser.EvaluateAsync("document.images.length"))!;
        Assert.Equal(1 + 2 + 1 + 1 + pareto.Entries.Count, images);
        Assert.Equal(0, (int)(await browser.EvaluateAsync("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length"))!);
        Assert.Equal(pareto.Entries.Count, (int)(await browser.EvaluateAsync("document.querySelectorAll('#pareto tr.member').length"))!);

        var png = await browser.ScreenshotAsync();
        File.WriteAllBytes(Path.Combine(temp.Path, "screenshot.png"), png);
        using var bitmap = SKBitmap.Decode(png);
        Assert.True(bitmap.Width >= 800 && bitmap.Height >= 600, $"screenshot {bitmap.Width}x{bitmap.Height}");
        var (nonWhite, colors) = Ink(bitmap);
        output.WriteLine($"screenshot {bitmap.Width}x{bitmap.Height}: {nonWhite:P1} non-white, {colors} distinct colours");
        Assert.True(nonWhite > 0.02, $"the screenshot is nearly blank ({nonWhite:P2} non-white pixels)");
        Assert.True(colors > 20, $"the screenshot has only {colors} colours");
    }

    [Fact]
    public async Task The_browser_check_does_see_console_errors_and_missing_resources()
    {
        using var temp = new TempDirectory();
        var page = temp.File("broken.html", "<!DOCTYPE html><html><body><p>x</p><img src=\"missing.png\"><script>console.error('boom'); undefinedFunction();</script></body></html>");
        await using var browser = await HeadlessChromium.StartAsync(TimeSpan.FromSeconds(90));
        await browser.NavigateAsync(new Uri(page).AbsoluteUri, TimeSpan.FromSeconds(60));
        var errors = browser.Errors();
        Assert.Contains(errors, e => e.StartsWith("console.error", StringComparison.Ordinal) && e.Contains("boom", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("exception", StringComparison.Ordinal) && e.Contains("undefinedFunction", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("log", StringComparison.Ordinal) && e.Contains("missing.png", StringComparison.Ordinal));
    }

    private static (double NonWhite, int Colors) Ink(SKBitmap bitmap)
    {
        var nonWhite = 0;
        var total = 0;
        var colors = new HashSet<uint>();
        for (var y = 0; y < bitmap.Height; y += 2)
        {
            for (var x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                total++;
                nonWhite += c.Red < 245 || c.Green < 245 || c.Blue < 245 ? 1 : 0;
                colors.Add((uint)c);
            }
        }

        return ((double)nonWhite / total, colors.Count);
    }
}
