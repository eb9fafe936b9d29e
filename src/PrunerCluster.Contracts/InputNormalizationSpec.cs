using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrunerCluster.Contracts;

/// <summary>
/// <c>dataset.normalize</c>: how pixels become model inputs, <c>(pixel / 255 - mean[c]) / std[c]</c> per channel. Written as one of
/// the presets <c>"dataset"</c> (the default: mean and standard deviation of the training files, per channel), <c>"imagenet"</c>
/// (mean 0.485, 0.456, 0.406, std 0.229, 0.224, 0.225; RGB only) and <c>"none"</c> (pixels scaled to [0, 1] only), or as explicit
/// constants <c>{ "mean": [...], "std": [...] }</c>, one value per channel.
/// </summary>
[GenerateSerializer, Immutable, Alias("prunercluster.InputNormalizationSpec")]
[JsonConverter(typeof(InputNormalizationSpecJsonConverter))]
public sealed record InputNormalizationSpec
{
    public const string Dataset = "dataset";
    public const string Imagenet = "imagenet";
    public const string None = "none";

    public static IReadOnlyList<string> Presets { get; } = [Dataset, Imagenet, None];

    /// <summary>One of <see cref="Presets"/>; null when <see cref="Mean"/> and <see cref="Std"/> are given.</summary>
    [Id(0)] public string? Preset { get; init; }

    [Id(1)] public IReadOnlyList<double>? Mean { get; init; }

    [Id(2)] public IReadOnlyList<double>? Std { get; init; }

    /// <summary>True for the default, the training files' statistics.</summary>
    public bool IsDefault => Preset == Dataset || (Preset is null && Mean is null && Std is null);

    public static InputNormalizationSpec Named(string preset) => new() { Preset = preset };

    public static InputNormalizationSpec Explicit(IReadOnlyList<double> mean, IReadOnlyList<double> std) => new() { Mean = mean, Std = std };
}

/// <summary>Reads <c>"imagenet"</c> or <c>{ "mean": [...], "std": [...] }</c>; writes the same. Values are checked by the spec validator.</summary>
public sealed class InputNormalizationSpecJsonConverter : JsonConverter<InputNormalizationSpec>
{
    public override InputNormalizationSpec? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return InputNormalizationSpec.Named(reader.GetString() ?? "");
            case JsonTokenType.StartObject:
                break;
            default:
                throw new JsonException($"dataset.normalize must be one of {string.Join(", ", InputNormalizationSpec.Presets.Select(p => "\"" + p + "\""))} or {{\"mean\": [...], \"std\": [...]}}, got a {reader.TokenType}.");
        }

        List<double>? mean = null;
        List<double>? std = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString() ?? "";
            reader.Read();
            if (string.Equals(name, "mean", StringComparison.OrdinalIgnoreCase))
            {
                mean = ReadNumbers(ref reader, "mean");
            }
            else if (string.Equals(name, "std", StringComparison.OrdinalIgnoreCase))
            {
                std = ReadNumbers(ref reader, "std");
            }
            else
            {
                throw new JsonException($"dataset.normalize.{name}: unknown field; expected mean and std.");
            }
        }

        return new InputNormalizationSpec { Mean = mean, Std = std };
    }

    public override void Write(Utf8JsonWriter writer, InputNormalizationSpec value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Preset is { } preset)
        {
            writer.WriteStringValue(preset);
            return;
        }

        writer.WriteStartObject();
        WriteNumbers(writer, "mean", value.Mean);
        WriteNumbers(writer, "std", value.Std);
        writer.WriteEndObject();
    }

    private static List<double> ReadNumbers(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"dataset.normalize.{field} must be a list of numbers, one per channel.");
        }

        var values = new List<double>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            values.Add(reader.TokenType == JsonTokenType.Number
                ? reader.GetDouble()
                : throw new JsonException($"dataset.normalize.{field}[{values.Count}] must be a number, got a {reader.TokenType}."));
        }

        return values;
    }

    private static void WriteNumbers(Utf8JsonWriter writer, string name, IReadOnlyList<double>? values)
    {
        if (values is null)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var v in values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }
}
