using PrunerCluster.Cli.Commands;
using PrunerCluster.Client.Output;
using PrunerCluster.Testing;

namespace PrunerCluster.Cli.Tests;

/// <summary>verify names an exported member's mask as the run's tables do (its genome hash), with the card's decoded-mask hash beside it.</summary>
[Trait("Category", "Unit")]
public sealed class VerifyMaskLabelTests
{
    private const string Card = "5771da42ce8d0000000000000000000000000000000000000000000000000000";
    private const string Member = "210ce0728ae40000000000000000000000000000000000000000000000000000";

    [Fact]
    public void An_export_of_a_run_member_is_named_by_the_members_hash_and_the_cards_beside_it()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, HtmlReport.MemberFileName), $$"""{ "experimentId": "e", "maskHash": "{{Member}}", "rank": 3 }""");

        Assert.Equal("member mask 210ce0728ae4 (decoded channel mask 5771da42ce8d)", VerifyCommand.MaskLabel(temp.Path, Card));
    }

    [Fact]
    public void Without_a_member_file_or_with_the_same_hash_the_cards_hash_alone_is_shown()
    {
        using var temp = new TempDirectory();
        Assert.Equal("mask 5771da42ce8d", VerifyCommand.MaskLabel(temp.Path, Card));

        File.WriteAllText(Path.Combine(temp.Path, HtmlReport.MemberFileName), $$"""{ "maskHash": "{{Card}}" }""");
        Assert.Equal("mask 5771da42ce8d", VerifyCommand.MaskLabel(temp.Path, Card));

        File.WriteAllText(Path.Combine(temp.Path, HtmlReport.MemberFileName), "{ not json");
        Assert.StartsWith("mask 5771da42ce8d ('", VerifyCommand.MaskLabel(temp.Path, Card), StringComparison.Ordinal);
    }
}
