using System.Diagnostics;
using System.Globalization;
using OpenTelemetry;

namespace PrunerCluster.Client.Hosting;

/// <summary>
/// Prints each finished span as one line (name, trace id, span id, parent, duration, status, tags) to a writer, stderr
/// in the CLI, so a command's stdout (e.g. --json) stays clean.
/// </summary>
public sealed class SpanLineExporter(TextWriter output) : BaseExporter<Activity>
{
    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var span in batch)
        {
            var tags = string.Join(' ', span.TagObjects.Select(t => $"{t.Key}={t.Value}"));
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"span {span.DisplayName} trace={span.TraceId} span={span.SpanId} parent={(span.ParentSpanId == default ? "-" : span.ParentSpanId.ToHexString())} source={span.Source.Name} {span.Duration.TotalMilliseconds:F1}ms status={span.Status} {tags}").TrimEnd());
        }

        return ExportResult.Success;
    }
}
