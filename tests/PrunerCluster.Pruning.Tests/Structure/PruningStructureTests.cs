using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;

namespace PrunerCluster.Pruning.Tests.Structure;

[Trait("Category", "Unit")]
public sealed class PruningStructureTests
{
    [Fact]
    public void VggGroupsAreConvChannelsAndHiddenNeurons()
    {
        var groups = PruningStructure.Analyze(ModelZoo.DefaultArchitecture("vgg", 1, 28, 10));
        Assert.Equal(["conv1", "conv2", "conv3", "conv4", "conv5", "fc1"], groups.Select(g => g.Name));
        Assert.Equal([32, 32, 64, 64, 128, 256], groups.Select(g => g.Units));
        var conv2 = groups[1];
        Assert.Equal(GroupKinds.ConvChannels, conv2.Kind);
        Assert.Equal(["conv2", "bn2"], conv2.Producers);
        Assert.Equal(["conv3"], conv2.Consumers);
        Assert.Equal(GroupKinds.LinearNeurons, groups[5].Kind);
    }

    [Fact]
    public void ResidualChannelsAreOneGroup()
    {
        var groups = PruningStructure.Analyze(ModelZoo.DefaultArchitecture("resnet", 1, 28, 10)).ToDictionary(g => g.Name);
        Assert.Equal(GroupKinds.ResidualChannels, groups["stage1"].Kind);
        Assert.Contains("stem", groups["stage1"].Producers);
        Assert.Contains("b1_conv2", groups["stage1"].Producers);
        Assert.Equal(GroupKinds.ResidualChannels, groups["stage2"].Kind);
        Assert.Contains("b2_proj", groups["stage2"].Producers);
        Assert.Equal(GroupKinds.ConvChannels, groups["block2"].Kind);
        Assert.Equal(6, groups.Count);
    }
}
