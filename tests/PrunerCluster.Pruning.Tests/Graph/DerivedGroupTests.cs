using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;

namespace PrunerCluster.Pruning.Tests.Graph;

[Trait("Category", "Unit")]
public sealed class DerivedGroupTests
{
    [Fact]
    public void Zoo_groups_bindings_and_costs_derived_from_graphs_equal_the_former_hand_written_blueprints()
    {
        TestSupport.Init();
        var lines = new List<string>();
        foreach (var k in ModelZoo.Names)
        {
            foreach (var g in PruningStructure.Analyze(ModelZoo.DefaultArchitecture(k, 1, 28, 10)))
            {
                lines.Add($"{k}|{g.Name}|{g.Units}|{g.Kind}|{string.Join(",", g.Producers)}|{string.Join(",", g.Consumers)}");
            }

            using var m = ModelZoo.Create(k, 1, 28, 10, 1);
            foreach (var (t, bs) in m.Bindings.OrderBy(b => b.Key, StringComparer.Ordinal))
            {
                foreach (var b in bs)
                {
                    Assert.Equal(0, b.Offset);
                    lines.Add($"B {k}|{t}|{b.Dim}|{b.Group}|{b.Repeat}|{b.Produces}");
                }
            }

            lines.Add($"M {k}|{m.Macs}|{m.ParameterCount}");
        }

        Assert.Equal(ZooExpectations.Lines.Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Concat_depthwise_and_residual_ties_are_derived()
    {
        var graph = TestGraphs.Branchy(classes: 5);
        var analysis = GraphAnalysis.Of(graph);
        var groups = analysis.Groups.ToDictionary(g => g.Name);

        // stem and the residual 1x1 conv are tied by the Add; the depthwise conv follows its input (no group of its own).
        Assert.Equal(GroupKinds.ResidualChannels, groups["stem"].Kind);
        Assert.Equal(["stem", "stem_bn", "dw", "dw_bn", "res"], groups["stem"].Producers);
        Assert.Equal(["branch_a", "branch_b", "fc1", "head", "stem"], groups.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("branch_a", groups["stem"].Consumers);

        // The Concat puts branch_a then branch_b along the channels that the head conv reads: offsets 0 and 6.
        var head = analysis.Bindings["head.weight"].Where(b => b.Dim == 1).ToDictionary(b => b.Group, b => b.Offset);
        Assert.Equal(new Dictionary<string, int> { ["branch_a"] = 0, ["branch_b"] = 6 }, head);

        // Flatten after pooling to 4x4 feeds fc1 with each head channel repeated 16 times; it feeds the classifier with repeat 1; the classifier's outputs are never a group.
        Assert.Equal(5, analysis.Classes);
        Assert.DoesNotContain(analysis.Groups, g => g.Producers.Contains("fc"));
        Assert.Equal(16, analysis.Bindings["fc1.weight"].Single(b => b.Dim == 1 && b.Group == "head").Repeat);
        Assert.Equal(1, analysis.Bindings["fc.weight"].Single(b => b.Dim == 1).Repeat);
    }

    [Fact]
    public void Excluding_a_layer_removes_its_group_and_unknown_names_are_listed()
    {
        var groups = PruningStructure.Analyze(ModelZoo.DefaultArchitecture("resnet", 1, 16, 10));
        var layers = ModelZoo.Graph(ModelZoo.DefaultArchitecture("resnet", 1, 16, 10)).Nodes.Select(n => n.Name);
        var kept = PruningStructure.Exclude(groups, ["b2_proj", "b1_conv1"], layers);
        Assert.Equal(new[] { "block2", "block3", "stage1", "stage3" }, kept.Select(g => g.Name).Order(StringComparer.Ordinal));
        var e = Assert.Throws<ArgumentException>(() => PruningStructure.Exclude(groups, ["conv9"], layers));
        Assert.Contains("conv9", e.Message, StringComparison.Ordinal);
        Assert.Contains("b1_conv1", e.Message, StringComparison.Ordinal);
    }
}
