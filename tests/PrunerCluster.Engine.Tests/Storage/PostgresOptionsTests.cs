using PrunerCluster.Storage.Postgres;

namespace PrunerCluster.Engine.Tests.Storage;

[Trait("Category", "Unit")]
public sealed class PostgresOptionsTests
{
    private const string Secret = "Host=db.example;Port=5432;Username=pc;Password=hunter2-secret;Database=prunercluster";

    [Fact]
    public void Configuration_wins_over_file_and_environment()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "Host=from-file;Database=x\n");
            var options = new PostgresOptions { ConnectionString = Secret, ConnectionStringFile = file };
            Assert.Equal(Secret, options.ResolveConnectionString(_ => "Host=from-env"));
            Assert.Equal("Host=from-file;Database=x", new PostgresOptions { ConnectionStringFile = file }.ResolveConnectionString(_ => "Host=from-env"));
            Assert.Equal("Host=from-env", new PostgresOptions().ResolveConnectionString(v => v == PostgresOptions.EnvironmentVariable ? "Host=from-env" : null));
            Assert.Equal("Host=from-file;Database=x", new PostgresOptions().ResolveConnectionString(v => v == PostgresOptions.FileEnvironmentVariable ? file : null));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Missing_connection_string_names_every_place_it_may_come_from()
    {
        var ex = Assert.Throws<PostgresConfigurationException>(() => new PostgresOptions().ResolveConnectionString(_ => null));
        Assert.Contains("PrunerCluster:Postgres:ConnectionString", ex.Message, StringComparison.Ordinal);
        Assert.Contains(PostgresOptions.EnvironmentVariable, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreadable_file_is_named()
    {
        var ex = Assert.Throws<PostgresConfigurationException>(() => new PostgresOptions { ConnectionStringFile = "/no/such/secret" }.ResolveConnectionString(_ => null));
        Assert.Contains("/no/such/secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_and_descriptions_never_show_the_password()
    {
        var bad = Secret + ";Bogus Keyword=1";
        var ex = Assert.Throws<PostgresConfigurationException>(() => new PostgresOptions { ConnectionString = bad }.ResolveConnectionString(_ => null));
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", PostgresOptions.Describe(Secret), StringComparison.Ordinal);
        Assert.Equal("db.example:5432/prunercluster", PostgresOptions.Describe(Secret));
        Assert.DoesNotContain("hunter2", new PostgresOptions { ConnectionString = Secret }.ToString(), StringComparison.Ordinal);
    }
}
