namespace PrunerCluster.Evolution;

/// <summary>
/// NSGA-II crowding distance of the members of one front. Per objective the members are ordered by value, ties broken by
/// their position in <c>front</c>; the first and last get +infinity, the others the normalized gap between their
/// neighbours (an objective with zero range contributes nothing).
/// </summary>
public static class CrowdingDistance
{
    public static double[] Compute(IReadOnlyList<double[]> points, IReadOnlyList<int> front)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(front);
        var n = front.Count;
        var distance = new double[n];
        if (n == 0)
        {
            return distance;
        }

        if (n <= 2)
        {
            Array.Fill(distance, double.PositiveInfinity);
            return distance;
        }

        var m = points[front[0]].Length;
        var order = new int[n];
        var values = new double[n];
        for (var k = 0; k < m; k++)
        {
            for (var i = 0; i < n; i++)
            {
                order[i] = i;
                values[i] = points[front[i]][k];
            }

            Array.Sort(order, (a, b) =>
            {
                var c = values[a].CompareTo(values[b]);
                return c != 0 ? c : a.CompareTo(b);
            });

            distance[order[0]] = double.PositiveInfinity;
            distance[order[n - 1]] = double.PositiveInfinity;
            var range = values[order[n - 1]] - values[order[0]];
            if (range <= 0)
            {
                continue;
            }

            for (var i = 1; i < n - 1; i++)
            {
                distance[order[i]] += (values[order[i + 1]] - values[order[i - 1]]) / range;
            }
        }

        return distance;
    }
}
