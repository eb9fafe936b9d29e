using System.Globalization;
using System.Text;

namespace PrunerCluster.Pruning.Onnx;

/// <summary>
/// One ONNX node the importer cannot take: its operator, its name and why (null when the operator itself is not supported).
/// <see cref="Message"/> joins all of a file's refusals into one message, grouped by operator in order of first appearance.
/// </summary>
public sealed record NodeRefusal(string OpType, string Node, string? Reason)
{
    /// <summary>
    /// "ONNX model 'm' (opset 13): 4 nodes cannot be imported, by operator: op Shape x1 (operator not supported): '/Shape'; op Gather
    /// x2 (operator not supported): '/Gather', '/Gather_1'; op MaxPool x1: node 'pool' (op MaxPool) uses ... . Supported operators: ...".
    /// </summary>
    public static string Message(string model, int opset, IReadOnlyList<NodeRefusal> refusals, string supported)
    {
        ArgumentNullException.ThrowIfNull(refusals);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"ONNX model '{model}' (opset {opset}): {refusals.Count} node{(refusals.Count == 1 ? "" : "s")} cannot be imported, by operator: ");
        var groups = refusals.GroupBy(r => r.OpType, StringComparer.Ordinal).ToArray();
        for (var g = 0; g < groups.Length; g++)
        {
            var group = groups[g].ToArray();
            sb.Append(g == 0 ? "" : "; ").Append(CultureInfo.InvariantCulture, $"op {groups[g].Key} x{group.Length}");
            var unknown = group.Where(r => r.Reason is null).Select(r => $"'{r.Node}'").ToArray();
            if (unknown.Length > 0)
            {
                sb.Append(" (operator not supported): ").AppendJoin(", ", unknown);
            }

            var reasons = group.Where(r => r.Reason is not null).Select(r => r.Reason!.TrimEnd('.')).ToArray();
            if (reasons.Length > 0)
            {
                sb.Append(unknown.Length > 0 ? ", " : ": ").AppendJoin(", ", reasons);
            }
        }

        return sb.Append(CultureInfo.InvariantCulture, $". Supported operators: {supported}.").ToString();
    }
}
