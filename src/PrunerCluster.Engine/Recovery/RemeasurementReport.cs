using System.Text.Json;
using PrunerCluster.Contracts;

namespace PrunerCluster.Engine.Recovery;

/// <summary>The re-measurement of a search's Pareto set as JSON: both latency figures of every member and why members left.</summary>
public static class RemeasurementReport
{
    public const string JsonFileName = "remeasure.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string ToJson(RemeasuredFront front)
    {
        ArgumentNullException.ThrowIfNull(front);
        return JsonSerializer.Serialize(
            new
            {
                seconds = front.Seconds,
                stayed = front.Pareto.Entries.Count,
                left = front.Left.Count(),
                members = front.Members.Select(m => new
                {
                    maskHash = m.Entry.MaskHash,
                    candidateId = m.Entry.CandidateId,
                    searchLatencyMs = m.SearchLatencyMs,
                    retimedLatencyMs = m.LatencyMs,
                    retimedCiPercent = m.Metrics.GetValueOrDefault(MetricNames.LatencyCiPercent, double.NaN),
                    retimedRuns = m.Metrics.GetValueOrDefault(MetricNames.LatencyRuns, double.NaN),
                    retimed = m.Retimed,
                    stays = m.Stays,
                    leftReason = m.LeftReason,
                }),
            },
            Json);
    }

    public static string Write(string directory, RemeasuredFront front)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, JsonFileName);
        File.WriteAllText(path, ToJson(front));
        return path;
    }
}
