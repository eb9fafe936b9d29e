namespace PrunerCluster.Client.Plots;

/// <summary>Per-layer kept channels read from a canonical mask text (<c>name=0101[/ints]</c> per layer, joined by ';').</summary>
public static class MaskLayers
{
    public sealed record Layer(string Name, int Kept, int Total);

    public static IReadOnlyList<Layer> Parse(string maskText)
    {
        ArgumentNullException.ThrowIfNull(maskText);
        var layers = new List<Layer>();
        foreach (var part in maskText.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"mask segment '{part}' is not 'name=bits'");
            }

            var body = part[(eq + 1)..];
            var slash = body.IndexOf('/', StringComparison.Ordinal);
            var bits = slash < 0 ? body : body[..slash];
            if (bits.Any(c => c is not ('0' or '1')))
            {
                throw new FormatException($"mask segment '{part[..eq]}' has bits other than 0 and 1");
            }

            layers.Add(new Layer(part[..eq], bits.Count(c => c == '1'), bits.Length));
        }

        return layers;
    }
}
