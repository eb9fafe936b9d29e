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

    [Fact]
    public void A_settings_file_is_layered_over_the_other_sources_and_a_missing_or_malformed_one_is_named()
    {
        var directory = Directory.CreateTempSubdirectory("settings-file-");
        try
        {
            var file = Path.Combine(directory.FullName, "limits.json");
            File.WriteAllText(file, """{"PrunerCluster": {"Limits": {"MaxPopulation": 64, "Clients": [{"client": "CN=alice", "maxActiveExperiments": 2}]}}}""");
            using var configuration = new ConfigurationManager();
            configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["PrunerCluster:Limits:MaxPopulation"] = "512" });
            SettingsFileSource.AddTo(configuration, file);
            var limits = configuration.GetSection(Grains.Hosting.SubmissionLimits.SectionName).Get<Grains.Hosting.SubmissionLimits>()!;
            Assert.Equal(64, limits.MaxPopulation);
            Assert.Equal("CN=alice", Assert.Single(limits.Clients).Client);
            Assert.Equal(2, limits.Clients[0].MaxActiveExperiments);

            SettingsFileSource.AddTo(configuration, null);
            var missing = Assert.Throws<SettingsFileException>(() => SettingsFileSource.AddTo(new ConfigurationManager(), Path.Combine(directory.FullName, "absent.json")));
            Assert.Contains("PRUNERCLUSTER_SETTINGS_FILE", missing.Message, StringComparison.Ordinal);
            Assert.Contains("absent.json' does not exist", missing.Message, StringComparison.Ordinal);

            var broken = Path.Combine(directory.FullName, "broken.json");
            File.WriteAllText(broken, """{"PrunerCluster": {"Limits": """);
            var malformed = Assert.Throws<SettingsFileException>(() => SettingsFileSource.AddTo(new ConfigurationManager(), broken));
            Assert.Contains("broken.json' is not a JSON object of settings", malformed.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
