namespace PrunerCluster.Pruning.Graph;

/// <summary>
/// Shapes of two-operand element-wise operators (Add, Mul, Sub, Div): equal shapes, or a per-channel C x 1 x 1 operand broadcast over a
/// C x H x W map (the squeeze-and-excitation gate), in either order.
/// </summary>
public static class Broadcast
{
    public static ValueShape Shape(GraphNode n, IReadOnlyList<ValueShape> inputs)
    {
        ArgumentNullException.ThrowIfNull(n);
        ArgumentNullException.ThrowIfNull(inputs);
        var x = inputs[0];
        if (inputs.All(i => i == x))
        {
            return x;
        }

        if (inputs.Count == 2 && Wider(inputs[0], inputs[1]) is { } wide)
        {
            return wide;
        }

        throw new GraphException($"Node '{n.Name}' ({n.Op}) combines inputs of different shapes {string.Join(", ", inputs)}; only equal shapes, a per-channel C x 1 x 1 operand over a C x H x W map, or a scalar are supported.");
    }

    /// <summary>The index of the operand whose shape is the output's (the map, when the other is a per-channel gate).</summary>
    public static int MapOperand(IReadOnlyList<ValueShape> inputs, ValueShape output)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return inputs[0] == output ? 0 : 1;
    }

    private static ValueShape? Wider(ValueShape a, ValueShape b)
    {
        static bool Gate(ValueShape s) => !s.IsFlat && s.Height == 1 && s.Width == 1;
        if (a.Channels != b.Channels || a.IsFlat || b.IsFlat)
        {
            return null;
        }

        return Gate(b) ? a : Gate(a) ? b : null;
    }
}
