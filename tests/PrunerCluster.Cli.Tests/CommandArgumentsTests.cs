using PrunerCluster.Cli.Commands;

namespace PrunerCluster.Cli.Tests;

public sealed class CommandArgumentsTests
{
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "json", "csv", "wait", "verbose" };

    private static CommandArguments Parse(params string[] args) => new(args, Flags);

    [Fact]
    public void Positionals_options_and_flags_are_separated()
    {
        var args = Parse("spec.json", "--slots", "3", "--wait", "extra", "--out", "runs");
        Assert.Equal(["spec.json", "extra"], args.Positional);
        Assert.Equal(3, args.Number("slots", 1, 1));
        Assert.True(args.Flag("wait"));
        Assert.False(args.Flag("json"));
        Assert.Equal("runs", args.Value("out"));
        args.EnsureAllUsed();
    }

    [Fact]
    public void Equals_syntax_sets_a_value_including_empty_and_embedded_equals()
    {
        var args = Parse("--gateway=30000,30001", "--out=", "--label=a=b");
        Assert.Equal("30000,30001", args.Value("gateway"));
        Assert.Equal("", args.Value("out"));
        Assert.Equal("a=b", args.Value("label"));
        args.EnsureAllUsed();
    }

    [Fact]
    public void A_flag_does_not_swallow_the_next_argument()
    {
        var args = Parse("--json", "id-1");
        Assert.True(args.Flag("json"));
        Assert.Equal("id-1", args.Required(0, "experiment id"));
    }

    [Fact]
    public void Double_dash_alone_is_positional()
    {
        var args = Parse("--", "x");
        Assert.Equal(["--", "x"], args.Positional);
    }

    [Fact]
    public void Unknown_options_are_rejected_by_name()
    {
        var args = Parse("spec.json", "--slots", "2", "--slot", "3", "--jsn=1");
        _ = args.Number("slots", 1, 1);
        var ex = Assert.Throws<CommandLineException>(args.EnsureAllUsed);
        Assert.Contains("--jsn", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--slot", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--slots", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_option_at_the_end_is_rejected_by_name()
    {
        // Without a value the parser cannot tell a typo'd flag from a value option: it still names the option.
        var ex = Assert.Throws<CommandLineException>(() => Parse("exp-1", "--jsn"));
        Assert.Contains("--jsn", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Option_without_value_at_the_end_is_rejected_by_name()
    {
        var ex = Assert.Throws<CommandLineException>(() => Parse("spec.json", "--out"));
        Assert.Contains("--out", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("99999999999")]
    public void Bad_numbers_name_the_option_and_the_value(string text)
    {
        var args = Parse("--slots", text);
        var ex = Assert.Throws<CommandLineException>(() => args.Number("slots", 1, 1));
        Assert.Contains("--slots", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{text}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Number_falls_back_when_absent()
    {
        Assert.Equal(4, Parse().Number("rank", 4, 1));
    }

    [Fact]
    public void Missing_positional_names_what_is_missing()
    {
        var ex = Assert.Throws<CommandLineException>(() => Parse("--json").Required(0, "experiment id"));
        Assert.Contains("experiment id", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_command_rejects_an_unknown_option_before_connecting()
    {
        var args = Parse("exp-1", "--jsonn", "--csv");
        using var output = new StringWriter();
        var ex = await Assert.ThrowsAsync<CommandLineException>(() => ClientCommands.RunAsync("pareto", args, output, CancellationToken.None));
        Assert.Contains("--jsonn", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_gateway_list_names_the_option()
    {
        var args = Parse("exp-1", "--gateway", "30000,abc");
        using var output = new StringWriter();
        var ex = await Assert.ThrowsAsync<CommandLineException>(() => ClientCommands.RunAsync("status", args, output, CancellationToken.None));
        Assert.Contains("--gateway", ex.Message, StringComparison.Ordinal);
        Assert.Contains("30000,abc", ex.Message, StringComparison.Ordinal);
    }
}
