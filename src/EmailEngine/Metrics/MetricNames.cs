namespace EmailEngine.Metrics;

/// <summary>
/// Every metric the engine defines, as exposed on <c>/metrics</c> (the Prometheus exporter adds <c>_total</c> to
/// counters and <c>_seconds</c> to durations; see README.md beside this file for labels and meaning).
/// </summary>
public static class MetricNames
{
    // Accounting ingest (counters, per vmta × isp_group)
    public const string Sent = "ee_acct_sent";
    public const string Delivered = "ee_acct_delivered";
    public const string Bounced = "ee_acct_bounced";
    public const string Deferred = "ee_acct_deferred";
    public const string Complaints = "ee_acct_complaints";
    public const string AcctRecords = "ee_acct_records";
    public const string AcctBatchDuration = "ee_acct_batch_duration";

    // PowerMTA deployments
    public const string Deployments = "ee_pmta_deployments";
    public const string DeploymentDuration = "ee_pmta_deployment_duration";

    // Outbox and outgoing calls
    public const string OutboxHandled = "ee_outbox_handled";
    public const string CallDuration = "ee_call_duration";

    // State read from the database on a short cache (gauges)
    public const string IpInfo = "ee_ip_info";
    public const string WarmupDay = "ee_warmup_day";
    public const string WarmupDailyQuota = "ee_warmup_daily_quota";
    public const string WarmupGroupQuota = "ee_warmup_group_quota";
    public const string WarmupPhase = "ee_warmup_phase";
    public const string BlocklistListed = "ee_blocklist_listed";
    public const string BlocklistCheckerErrors = "ee_blocklist_checker_errors";
    public const string OutboxMessages = "ee_outbox_messages";
    public const string OutboxOldestAge = "ee_outbox_oldest_pending_age";
    public const string AcctLastIngest = "ee_acct_last_ingest_timestamp";
    public const string AcctPullLag = "ee_acct_pull_lag";
    public const string PmtaLastSuccess = "ee_pmta_last_success_timestamp";
    public const string PmtaInSync = "ee_pmta_config_in_sync";
    // PowerMTA's own /status, read through SSH (per host)
    public const string PmtaStatusUp = "ee_pmta_status_up";
    public const string PmtaQueueRecipients = "ee_pmta_queue_recipients";
    public const string PmtaQueueDomains = "ee_pmta_queue_domains";
    public const string PmtaConnections = "ee_pmta_connections";
    public const string MailWizzCircuit = "ee_mailwizz_circuit_state";
    public const string StateAge = "ee_metrics_state_age";
}
