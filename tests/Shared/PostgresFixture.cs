namespace PrunerCluster.Testing;

/// <summary>One private PostgreSQL server shared by a test class (xUnit class fixture); each test creates its own database.</summary>
public sealed class PostgresFixture : Xunit.IAsyncLifetime
{
    public PrivatePostgres Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PrivatePostgres.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
