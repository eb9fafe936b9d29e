namespace PrunerCluster.Grains.Simulation;

/// <summary>Heavy-tailed evaluation times from a seeded source: log-normal (median, sigma of the log) or Pareto (shape, same median).</summary>
internal sealed class EvaluationTimes(SimulationConfig config, Random random)
{
    public double Next()
    {
        var u = 1 - random.NextDouble();
        if (config.ParetoShape > 0)
        {
            var scale = config.MedianEvaluationSeconds / Math.Pow(2, 1 / config.ParetoShape);
            return scale / Math.Pow(u, 1 / config.ParetoShape);
        }

        var v = random.NextDouble();
        var normal = Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
        return config.MedianEvaluationSeconds * Math.Exp(config.LogNormalSigma * normal);
    }

    public static double Exponential(Random random, double mean) => -mean * Math.Log(1 - random.NextDouble());
}
