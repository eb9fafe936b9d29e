using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Hosting;

namespace PrunerCluster.Client.Tests.CommandLine;

[Trait("Category", "Unit")]
public sealed class ConnectionOptionsTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "pc-cs-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => File.Delete(_file);

    private static (ConnectionOptions Options, ParseResult Parse) Parse(params string[] args)
    {
        var command = new RootCommand();
        var options = ConnectionOptions.AddTo(command);
        return (options, command.Parse(args));
    }

    [Fact]
    public void A_connection_string_file_discovers_the_gateways_through_postgresql_even_beside_a_gateway()
    {
        File.WriteAllText(_file, "Host=127.0.0.1;Port=5544;Username=postgres;Database=prunercluster\n");
        var (options, parse) = Parse("--connection-string-file", _file, "--gateway", "30001");
        Assert.Empty(parse.Errors);
        Assert.Equal(ClusterConnection.PostgresGateways("Host=127.0.0.1;Port=5544;Username=postgres;Database=prunercluster"), options.ResolveGateway(parse));
    }

    [Fact]
    public void A_gateway_given_on_the_command_line_is_used_as_given()
    {
        var (options, parse) = Parse("--gateway", "db-host:30001");
        Assert.Equal("db-host:30001", options.ResolveGateway(parse));
    }

    [Fact]
    public void A_missing_connection_string_file_is_a_usage_error_naming_the_option()
    {
        var (options, parse) = Parse("--connection-string-file", _file);
        var error = Assert.Throws<CliException>(() => options.ResolveGateway(parse));
        Assert.Contains("--connection-string-file", error.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
    }

    [Fact]
    public void A_database_that_is_down_is_named_as_such_not_the_silos()
    {
        var failure = new Orleans.Runtime.OrleansException("gateway list", new Npgsql.NpgsqlException("Failed to connect to 127.0.0.1:5544"));
        var (message, code) = CliErrors.Describe(failure, "prunercluster list");
        Assert.Contains("PostgreSQL database is not answering", message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:5544", message, StringComparison.Ordinal);
        Assert.DoesNotContain("silos are running", message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Unavailable, code);
    }
}
