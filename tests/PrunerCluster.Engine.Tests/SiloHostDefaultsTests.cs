using Microsoft.Extensions.Configuration;
using PrunerCluster.Engine.Hosting;

namespace PrunerCluster.Engine.Tests;

[Trait("Category", "Unit")]
public sealed class SiloHostDefaultsTests
{
    [Fact]
    public void Log_lines_get_utc_timestamps_unless_configuration_says_otherwise()
    {
        using var defaults = new ConfigurationManager();
        SiloHost.WithHostDefaults(defaults);
        Assert.Equal("true", defaults["Logging:Console:FormatterOptions:UseUtcTimestamp"]);
        Assert.Equal("yyyy-MM-ddTHH:mm:ss.fffZ ", defaults["Logging:Console:FormatterOptions:TimestampFormat"]);
        Assert.Equal("false", defaults["PrunerCluster:TorchSharp:TrustSpecPaths"]);

        using var overridden = new ConfigurationManager();
        overridden.AddCommandLine(["--Logging:Console:FormatterOptions:TimestampFormat=HH:mm "]);
        SiloHost.WithHostDefaults(overridden);
        Assert.Equal("HH:mm ", overridden["Logging:Console:FormatterOptions:TimestampFormat"]);
    }
}
