using EmailEngine.Hosting;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Hosting;

public sealed class SettingsLoaderTests
{
    private static Dictionary<string, string> Valid() => new() { ["API_KEY"] = "email_engine_v2_key" };

    [Fact]
    public void Defaults_to_embedded_sqlite_port_8000_and_five_ips()
    {
        var settings = SettingsLoader.FromValues(Valid(), "/srv/ee");

        Assert.Equal(DatabaseProvider.Sqlite, settings.Database.Provider);
        Assert.Equal("Data Source=/srv/ee/data/email-engine.db", settings.Database.ConnectionString);
        Assert.Equal(8000, settings.HttpPort);
        Assert.Equal(5, settings.IpsCount);
        Assert.Null(settings.RedisUrl);
    }

    [Theory]
    [InlineData("email_engine_v2_key", null, "http://127.0.0.1:8000")]
    [InlineData("a-key-of-our-own-0123456789", null, "http://0.0.0.0:8000")]
    [InlineData("email_engine_v2_key", "0.0.0.0", "http://0.0.0.0:8000")]
    [InlineData("a-key-of-our-own-0123456789", "::1", "http://[::1]:8000")]
    public void The_runbook_key_listens_on_loopback_only_unless_told_otherwise(string key, string? address, string expected)
    {
        var values = new Dictionary<string, string> { ["API_KEY"] = key };
        if (address is not null)
            values["LISTEN_ADDRESS"] = address;

        Assert.Equal(expected, SettingsLoader.FromValues(values, "/srv/ee").ListenUrl);
    }

    [Fact]
    public void A_listen_address_that_is_not_an_ip_is_a_configuration_error()
    {
        var values = Valid();
        values["LISTEN_ADDRESS"] = "everywhere";

        var error = Assert.Throws<ConfigurationError>(() => SettingsLoader.FromValues(values, "/srv/ee"));
        Assert.Contains("LISTEN_ADDRESS", error.Message);
    }

    [Fact]
    public void Reads_the_seed_keys()
    {
        var values = Valid();
        values["DATABASE_URL"] = "postgresql://user:pass@localhost:5432/email_engine_v2";
        values["REDIS_URL"] = "redis://localhost:6379/0";
        values["MAILWIZZ_URL"] = "https://sos-holidays.com/api";
        values["MAILWIZZ_API_KEY"] = "xxx";
        values["PMTA_SSH_HOST"] = "198.51.100.2";
        values["PMTA_CONFIG_PATH"] = "/etc/pmta/config";
        values["IPS_COUNT"] = "5";

        var settings = SettingsLoader.FromValues(values);

        Assert.Equal(DatabaseProvider.Postgres, settings.Database.Provider);
        Assert.Equal("redis://localhost:6379/0", settings.RedisUrl);
        Assert.Equal(new Uri("https://sos-holidays.com/api"), settings.MailWizzUrl);
        Assert.Equal("198.51.100.2", settings.PmtaSshHost);
        Assert.Equal(5, settings.IpsCount);
    }

    [Theory]
    [InlineData("API_KEY", "")]
    [InlineData("API_KEY", "short")]
    [InlineData("DATABASE_URL", "mysql://x/y")]
    [InlineData("REDIS_URL", "localhost:6379")]
    [InlineData("REDIS_URL", "redis://localhost:6379/zero")]
    [InlineData("MAILWIZZ_URL", "ftp://mailwizz/api")]
    [InlineData("IPS_COUNT", "five")]
    [InlineData("IPS_COUNT", "0")]
    [InlineData("PORT", "70000")]
    public void Bad_value_fails_naming_the_key(string key, string value)
    {
        var values = Valid();
        values[key] = value;

        var error = Assert.Throws<ConfigurationError>(() => SettingsLoader.FromValues(values));

        Assert.Equal(key, error.Key);
        Assert.StartsWith($"Invalid configuration: {key}: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Dot_env_file_is_read_and_the_environment_wins()
    {
        var directory = Directory.CreateTempSubdirectory("ee-env-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, ".env"), """
                API_KEY=email_engine_v2_key

                # Database
                DATABASE_URL=postgresql://user:pass@localhost:5432/email_engine_v2
                MAILWIZZ_API_KEY=xxx  # Généré dans MailWizz
                IPS_COUNT=5
                """);
            var fromFile = SettingsLoader.ReadDotEnv(Path.Combine(directory, ".env"));
            var merged = SettingsLoader.Merge(fromFile, new Dictionary<string, string> { ["IPS_COUNT"] = "7" });

            var settings = SettingsLoader.FromValues(merged);

            Assert.Equal("email_engine_v2_key", settings.ApiKey);
            Assert.Equal("xxx", settings.MailWizzApiKey);
            Assert.Equal(7, settings.IpsCount);
            Assert.Equal(DatabaseProvider.Postgres, settings.Database.Provider);
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    [Fact]
    public async Task The_cli_fails_at_start_with_one_line_naming_the_key()
    {
        var directory = Directory.CreateTempSubdirectory("ee-cli-").FullName;
        try
        {
            var result = await ProcessRunner.EngineAsync(new Dictionary<string, string>
            {
                ["API_KEY"] = "email_engine_v2_key", ["DATABASE_URL"] = "mysql://nope/db",
            }, directory, "migrate");

            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith("Invalid configuration: DATABASE_URL:", result.StdErr.Trim());
            Assert.Single(result.StdErr.Trim().Split('\n'));
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }
}
