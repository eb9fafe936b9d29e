using Microsoft.Extensions.Configuration;
using PrunerCluster.Silo.Hosting;

namespace PrunerCluster.Silo.Tests;

[Trait("Category", "Unit")]
public sealed class SiloLogDefaultsTests
{
    [Fact]
    public void Log_lines_get_utc_timestamps_unless_configuration_says_otherwise()
    {
        using var defaults = new ConfigurationManager();
        SiloHost.WithLogDefaults(defaults);
        Assert.Equal("true", defaults["Logging:Console:FormatterOptions:UseUtcTimestamp"]);
        Assert.Equal("yyyy-MM-ddTHH:mm:ss.fffZ ", defaults["Logging:Console:FormatterOptions:TimestampFormat"]);

        using var overridden = new ConfigurationManager();
        overridden.AddCommandLine(["--Logging:Console:FormatterOptions:TimestampFormat=HH:mm "]);
        SiloHost.WithLogDefaults(overridden);
        Assert.Equal("HH:mm ", overridden["Logging:Console:FormatterOptions:TimestampFormat"]);
    }
}
