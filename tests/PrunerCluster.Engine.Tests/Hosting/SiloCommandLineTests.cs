using Microsoft.Extensions.Options;
using PrunerCluster.Engine.Hosting;

namespace PrunerCluster.Engine.Tests.Hosting;

/// <summary>The silo's <c>--grace SECONDS</c> is its drain grace period ("PrunerCluster:Drain:GracePeriodSeconds").</summary>
[Trait("Category", "Unit")]
public sealed class SiloCommandLineTests
{
    [Fact]
    public void Grace_becomes_the_drain_grace_period_and_other_arguments_pass_unchanged()
    {
        Assert.Equal(
            ["--PrunerCluster:SlotsPerDevice=2", "--PrunerCluster:Drain:GracePeriodSeconds=30", "x"],
            SiloCommandLine.Normalize(["--PrunerCluster:SlotsPerDevice=2", "--grace", "30", "x"]));
        Assert.Equal(["--PrunerCluster:Drain:GracePeriodSeconds=0"], SiloCommandLine.Normalize(["--grace=0"]));
    }

    [Theory]
    [InlineData("--grace", "soon")]
    [InlineData("--grace", "-1")]
    [InlineData("--grace", "21601")]
    [InlineData("--grace")]
    public void A_bad_grace_is_refused_naming_the_option_and_the_value(params string[] args)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => SiloCommandLine.Normalize(args));
        Assert.StartsWith("--grace expects whole seconds from 0 to 21600", ex.Message, StringComparison.Ordinal);
        Assert.Contains(args.Length > 1 ? $"got '{args[1]}'" : "got '(nothing)'", ex.Message, StringComparison.Ordinal);
    }
}
