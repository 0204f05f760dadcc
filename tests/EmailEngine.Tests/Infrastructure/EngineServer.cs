using System.Net.Http.Json;
using EmailEngine.Data;
using EmailEngine.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Infrastructure;

public enum Provider { Postgres, Sqlite }

/// <summary>
/// The real engine (same host builder as <c>email-engine serve</c>) listening on a free 127.0.0.1 port, on a
/// fresh PostgreSQL database or SQLite file, in a home directory of its own (its SQLite file, its spooled imports):
/// engines of tests running side by side never share files. Tests talk to it over a real socket.
/// </summary>
public sealed class EngineServer : IAsyncDisposable
{
    public const string OperatorKey = "test_operator_key_0123456789";
    /// <summary>PostgreSQL needs a configured DKIM master key (pass "" to test without one).</summary>
    public static readonly string DkimMasterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private readonly WebApplication _app;
    private readonly PostgresDatabase? _postgres;
    private readonly string _home;

    private EngineServer(WebApplication app, Uri baseAddress, EngineSettings settings, PostgresDatabase? postgres, string home)
    {
        _app = app;
        BaseAddress = baseAddress;
        Settings = settings;
        _postgres = postgres;
        _home = home;
    }

    /// <summary>
    /// What every test engine runs with. The reconciler, the blocklist sweep, the DNS check, the health alerts, the
    /// delivery-server sync and the PowerMTA status poll would act behind a test's back: tests that are about them turn
    /// them on.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> BaseSettings = new Dictionary<string, string>
    {
        ["API_KEY"] = OperatorKey, ["IPS_COUNT"] = "5", ["DKIM_MASTER_KEY"] = DkimMasterKey, ["PMTA_RECONCILE_SECONDS"] = "0",
        ["BLOCKLIST_MONITOR"] = "off", ["DNS_CHECK_HOURS"] = "0", ["ALERT_HEALTH_SECONDS"] = "0", ["MAILWIZZ_DB_SYNC_SECONDS"] = "0",
        ["PMTA_STATUS_SECONDS"] = "0",
    };

    public Uri BaseAddress { get; }
    public EngineSettings Settings { get; }
    public IServiceProvider Services => _app.Services;
    public PostgresDatabase Postgres => _postgres ?? throw new InvalidOperationException("not a PostgreSQL server");

    public static async Task<EngineServer> StartAsync(Provider provider, bool migrate = true,
        IDictionary<string, string>? extraSettings = null, Action<IServiceCollection>? extraServices = null)
    {
        PostgresDatabase? postgres = null;
        // Each engine's own: two engines on fresh databases both number their first import job 1, and a shared
        // import directory let one engine's runner take (and delete) the other's upload.
        var home = Directory.CreateTempSubdirectory("ee-engine-").FullName;
        var values = new Dictionary<string, string>(BaseSettings);
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string>())
            values[key] = value;
        // A test that names its own database gets no copy of the migrated one.
        var fromTemplate = migrate && !(extraSettings?.ContainsKey("DATABASE_URL") ?? false);
        if (provider == Provider.Postgres)
        {
            postgres = fromTemplate ? await MigratedTemplates.NewPostgresAsync() : await PostgresDatabase.CreateAsync();
            values.TryAdd("DATABASE_URL", postgres.Url);
        }
        else if (fromTemplate)
            await MigratedTemplates.CopySqliteAsync(home);

        var settings = SettingsLoader.FromValues(values, home);
        var app = EngineHost.Create(settings, "http://127.0.0.1:0", services =>
        {
            services.AddSingleton<EmailEngine.Dkim.IDkimKeyPairs, DkimKeyPool>();
            extraServices?.Invoke(services);
        });
        if (migrate)
            await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new EngineServer(app, new Uri(address), settings, postgres, home);
    }

    /// <summary>Runs the outbox by hand until nothing is pending (deferred messages included), or fails after the timeout.</summary>
    public async Task SyncAllAsync(TimeSpan? timeout = null)
    {
        var dispatcher = Services.GetRequiredService<EmailEngine.Outbox.OutboxDispatcher>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            await dispatcher.DrainAsync(CancellationToken.None);
            using var scope = Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            if (!await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Set<EmailEngine.Outbox.OutboxMessage>(),
                    m => m.Status == EmailEngine.Outbox.OutboxStatus.Pending || m.Status == EmailEngine.Outbox.OutboxStatus.Processing))
                return;
            await Task.Delay(200);
        }
        throw new TimeoutException("outbox still has pending messages");
    }

    /// <summary>A client of this engine whose every API answer (2xx, and 4xx but 401) is held to the engine's OpenAPI document (<see cref="OpenApiContract"/>).</summary>
    public HttpClient Client(string? apiKey = OperatorKey)
    {
        var client = new HttpClient(new ContractCheckingHandler(ContractAsync)) { BaseAddress = BaseAddress };
        if (apiKey is not null)
            client.DefaultRequestHeaders.Add("X-API-KEY", apiKey);
        return client;
    }

    private static Task<OpenApiContract>? _contract;

    /// <summary>The document is the same for every engine of the run: read once, from the first engine asked (again after a failed read).</summary>
    private Task<OpenApiContract> ContractAsync()
    {
        var contract = _contract;
        if (contract is null || contract.IsFaulted)
            _contract = contract = ReadContractAsync();
        return contract;
    }

    private async Task<OpenApiContract> ReadContractAsync()
    {
        using var anonymous = new HttpClient { BaseAddress = BaseAddress };
        return new OpenApiContract(System.Text.Json.JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json")).RootElement.Clone());
    }

    /// <summary>Creates a tenant and one key for it through the API; returns the key's token.</summary>
    public async Task<string> CreateTenantKeyAsync(string tenant)
    {
        using var client = Client();
        (await client.PostAsJsonAsync("/api/v1/tenants", new { slug = tenant })).EnsureSuccessStatusCode();
        var created = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant}/keys", new { name = "test" });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_postgres is not null)
            await _postgres.DisposeAsync();
        if (_postgres is null)
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }
}
