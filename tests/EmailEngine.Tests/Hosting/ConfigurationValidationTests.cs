using EmailEngine.Hosting;

namespace EmailEngine.Tests.Hosting;

/// <summary>
/// A configuration key with a value the engine cannot use stops the start with one line naming the key, instead of
/// running on a default the operator did not choose (PMTA_SSH_PORT=abc used to deploy to port 22).
/// </summary>
public sealed class ConfigurationValidationTests
{
    public static TheoryData<string, string> BadValues => new()
    {
        // core
        { "PORT", "eighty" }, { "IPS_COUNT", "-1" }, { "DATABASE_URL", "mysql://db/engine" }, { "MAX_REQUEST_BODY_BYTES", "0" },
        // numbers
        { "ACCT_BATCH_SIZE", "abc" }, { "ACCT_SOFT_BOUNCE_LIMIT", "0" }, { "ACCT_SOFT_BOUNCE_DAYS", "-1" }, { "ACCT_PULL_INTERVAL_SECONDS", "5m" },
        { "ADMISSION_PUMP_SECONDS", "0" }, { "ALERT_HEALTH_SECONDS", "x" }, { "ALERT_REMIND_HOURS", "-2" }, { "ALERT_RETRY_SECONDS", "0" },
        { "ALERT_SEND_SECONDS", "1.5" }, { "BLOCKLIST_ACTIVE_HOURS", "0" }, { "BLOCKLIST_CHECK_SECONDS", "abc" }, { "BLOCKLIST_DOMAIN_HOURS", "-3" },
        { "BLOCKLIST_WARMING_HOURS", "two" }, { "DNS_CHECK_HOURS", "x" }, { "HEALTH_ACCT_LAG_MINUTES", "0" }, { "HEALTH_OUTBOX_AGE_MINUTES", "abc" },
        { "HEALTH_WARMUP_LATE_MINUTES", "-1" }, { "MAILWIZZ_CHECK_SECONDS", "-5" }, { "MAILWIZZ_DB_SYNC_SECONDS", "-1" }, { "MAILWIZZ_REQUESTS_PER_SECOND", "0" }, { "MAILWIZZ_BULK_MAX", "20000" },
        { "MAILWIZZ_TIMEOUT_SECONDS", "abc" }, { "OUTBOX_GROUP_MAX", "0" }, { "OUTBOX_LEASE_SECONDS", "x" }, { "OUTBOX_POLL_MS", "fast" },
        { "OUTBOX_RETRY_BASE_MS", "-1" }, { "OUTBOX_RETRY_MAX_SECONDS", "0" }, { "PMTA_SSH_PORT", "abc" }, { "PMTA_RECONCILE_SECONDS", "-1" },
        { "PMTA_RECONCILE_MAX_BACKOFF_SECONDS", "0" }, { "PMTA_STOP_ALERT_MINUTES", "x" },
        { "PMTA_STATUS_SECONDS", "-1" }, { "PMTA_STATUS_FAILURES", "0" }, { "PMTA_QUEUE_ALERT_RECIPIENTS", "50k" }, { "PMTA_MGMT_PORT", "70000" }, { "SENDING_ACTIVE_IP_DAILY", "0" },
        { "SENDING_DOMAIN_HEADROOM", "2" }, { "WARMUP_CHECK_SECONDS", "0" }, { "WARMUP_COMPLAINT_PAUSE_HOURS", "x" },
        { "WARMUP_HARD_BOUNCE_PAUSE_HOURS", "0" }, { "WARMUP_MIN_SENT", "-1" }, { "WARMUP_QUARANTINE_DAYS", "0" }, { "WARMUP_RUN_AT", "25:00" },
        { "WARMUP_BOUNCE_RATE_24H", "5%" }, { "WARMUP_ISP_SHARES", "gmail=lots" }, { "WEBHOOK_TIMEOUT_SECONDS", "500" },
        // switches
        { "BLOCKLIST_MONITOR", "maybe" }, { "CONTACTS_DNS_CHECK", "please" }, { "OUTBOX_WORKER", "disabled" }, { "PMTA_SSH_TRUST_UNKNOWN_HOST", "sure" },
        { "WARMUP_WORKER", "stop" }, { "WEBHOOK_ALLOW_PRIVATE_TARGETS", "maybe" },
        // lists and names
        { "MAILWIZZ_DB_URL", "postgresql://mw:pw@db/mailwizz" }, { "MAILWIZZ_DB_TABLE_PREFIX", "mw_; DROP" },
        { "BLOCKLIST_ZONES", "sorbs" }, { "DNS_SERVERS", "dns.google" }, { "DNS_RESOLVER", "8.8.8.8:99999" }, { "DKIM_SELECTOR", "Bad_Selector" },
        { "ALERT_ROUTES", "urgent=telegram" }, { "METRICS", "maybe" }, { "METRICS_PORT", "abc" }, { "METRICS_REFRESH_SECONDS", "0" },
        { "METRICS_LISTEN_ADDRESS", "localhost" }, { "OTEL_EXPORTER_OTLP_PROTOCOL", "udp" }, { "LOG_FORMAT", "xml" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_stops_the_start_with_one_line_naming_its_key(string key, string value)
    {
        var home = Directory.CreateTempSubdirectory("ee-config-").FullName;
        try
        {
            var error = Assert.Throws<ConfigurationError>(() =>
                EngineHost.Create(SettingsLoader.FromValues(new Dictionary<string, string> { ["API_KEY"] = "test_key_123", [key] = value }, home), "http://127.0.0.1:0"));

            Assert.StartsWith($"Invalid configuration: {key}:", error.Message);
            Assert.DoesNotContain('\n', error.Message);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Theory]
    [InlineData("on", true)]
    [InlineData("TRUE", true)]
    [InlineData("yes", true)]
    [InlineData("1", true)]
    [InlineData("off", false)]
    [InlineData("False", false)]
    [InlineData("no", false)]
    [InlineData("0", false)]
    public void Every_switch_reads_the_same_spellings(string text, bool expected)
    {
        var settings = SettingsLoader.FromValues(new Dictionary<string, string> { ["API_KEY"] = "test_key_123", ["ANY_SWITCH"] = text });

        Assert.Equal(expected, settings.Switch("ANY_SWITCH", !expected));
    }

    [Theory]
    [InlineData(null, 10_000)]
    [InlineData("1000", 1_000)]
    public void An_import_pushes_mailwizz_limit_per_bulk_call_unless_told_less(string? value, int expected)
    {
        var values = new Dictionary<string, string> { ["API_KEY"] = "test_key_123" };
        if (value is not null)
            values["MAILWIZZ_BULK_MAX"] = value;

        Assert.Equal(expected, EmailEngine.MailWizz.MailWizzOptions.From(SettingsLoader.FromValues(values)).BulkMax);
    }
}
