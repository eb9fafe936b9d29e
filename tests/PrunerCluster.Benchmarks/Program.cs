using PrunerCluster.Benchmarks;

var suites = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["evolution"] = EvolutionSuite.Run,
    ["pruning"] = PruningSuite.Run,
    ["cluster"] = ClusterSuite.Run,
    ["quality"] = QualitySuite.Run,
    ["artifacts"] = ArtifactSuite.Run,
    ["noise"] = NoiseSuite.Run,
    ["rounding"] = RoundingSuite.Run,
    ["latency-table"] = LatencyTableSuite.Run,
    ["fidelity"] = FidelitySuite.Run,
    ["cifar10"] = Cifar10Suite.Run,
    ["simulate"] = SimulateSuite.Run,
    ["scale"] = ScaleSuite.Run,
    ["torchvision"] = TorchvisionSuite.Run,
};

if (args.Length == 0 || !suites.TryGetValue(args[0], out var suite))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project tests/PrunerCluster.Benchmarks -- <suite> [options]; suites: {string.Join(", ", suites.Keys.Order(StringComparer.Ordinal))}");
    return 2;
}

return suite(args[1..]);
