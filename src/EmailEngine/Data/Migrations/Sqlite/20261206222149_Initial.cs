using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "acct_sources",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    identity = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    host = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false, defaultValue: "default"),
                    name = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    header = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    committed_offset = table.Column<long>(type: "INTEGER", nullable: false),
                    records = table.Column<long>(type: "INTEGER", nullable: false),
                    completed = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_acct_sources", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    key = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    opened_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_seen_at = table.Column<long>(type: "INTEGER", nullable: false),
                    reminded_at = table.Column<long>(type: "INTEGER", nullable: true),
                    resolved_at = table.Column<long>(type: "INTEGER", nullable: true),
                    occurrences = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alerts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "blocklist_checks",
                columns: table => new
                {
                    target = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    zone = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    checked_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_blocklist_checks", x => new { x.target, x.zone });
                });

            migrationBuilder.CreateTable(
                name: "blocklist_listings",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    target = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    zone = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    codes = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    sublists = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    meaning = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    txt = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    listed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_seen_at = table.Column<long>(type: "INTEGER", nullable: false),
                    delisted_at = table.Column<long>(type: "INTEGER", nullable: true),
                    ip_status_before = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    action = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    delist_action = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_blocklist_listings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    friendly_name = table.Column<string>(type: "TEXT", nullable: true),
                    xml = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "delivery_stats",
                columns: table => new
                {
                    hour = table.Column<long>(type: "INTEGER", nullable: false),
                    host = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false, defaultValue: "default"),
                    vmta = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    isp_group = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    campaign_id = table.Column<long>(type: "INTEGER", nullable: false),
                    sent = table.Column<long>(type: "INTEGER", nullable: false),
                    delivered = table.Column<long>(type: "INTEGER", nullable: false),
                    deferred = table.Column<long>(type: "INTEGER", nullable: false),
                    deferred_block = table.Column<long>(type: "INTEGER", nullable: false),
                    bounced_hard = table.Column<long>(type: "INTEGER", nullable: false),
                    bounced_soft = table.Column<long>(type: "INTEGER", nullable: false),
                    bounced_block = table.Column<long>(type: "INTEGER", nullable: false),
                    bounced_other = table.Column<long>(type: "INTEGER", nullable: false),
                    complaints = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delivery_stats", x => new { x.hour, x.host, x.vmta, x.isp_group, x.tenant_id, x.campaign_id });
                });

            migrationBuilder.CreateTable(
                name: "delivery_stats_daily",
                columns: table => new
                {
                    hour = table.Column<long>(type: "INTEGER", nullable: false),
                    host = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false, defaultValue: "default"),
                    vmta = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    isp_group = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    campaign_id = table.Column<long>(type: "INTEGER", nullable: false),
                    sent = table.Column<long>(type: "INTEGER", nullable: false),
                    delivered = table.Column<long>(type: "INTEGER", nullable: false),
                    deferred = table.Column<long>(type: "INTEGER", nullable: false),
                    deferred_block = table.Column<long>(type: "INTEGER", nullable: false),
                    bounced_hard = table.Column<long>(type: "INTEGER", nullable: false),
                    bounced_soft = table.Column<long>(type: "INTEGER", nullable: false),
                    bounced_block = table.Column<long>(type: "INTEGER", nullable: false),
                    bounced_other = table.Column<long>(type: "INTEGER", nullable: false),
                    complaints = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delivery_stats_daily", x => new { x.hour, x.host, x.vmta, x.isp_group, x.tenant_id, x.campaign_id });
                });

            migrationBuilder.CreateTable(
                name: "import_jobs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    file_name = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    rows = table.Column<long>(type: "INTEGER", nullable: false),
                    accepted = table.Column<long>(type: "INTEGER", nullable: false),
                    rejected = table.Column<long>(type: "INTEGER", nullable: false),
                    duplicates = table.Column<long>(type: "INTEGER", nullable: false),
                    inserted = table.Column<long>(type: "INTEGER", nullable: false),
                    updated = table.Column<long>(type: "INTEGER", nullable: false),
                    suppressed = table.Column<long>(type: "INTEGER", nullable: false),
                    error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_import_jobs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "import_rejects",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    job_id = table.Column<long>(type: "INTEGER", nullable: false),
                    row_number = table.Column<long>(type: "INTEGER", nullable: false),
                    value = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_import_rejects", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "import_staging",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    job_id = table.Column<long>(type: "INTEGER", nullable: false),
                    row_number = table.Column<long>(type: "INTEGER", nullable: false),
                    email = table.Column<string>(type: "TEXT", nullable: false),
                    email_key = table.Column<string>(type: "TEXT", nullable: false),
                    email_hash = table.Column<string>(type: "TEXT", nullable: false),
                    first_name = table.Column<string>(type: "TEXT", nullable: true),
                    last_name = table.Column<string>(type: "TEXT", nullable: true),
                    company = table.Column<string>(type: "TEXT", nullable: true),
                    language = table.Column<string>(type: "TEXT", nullable: false),
                    source = table.Column<string>(type: "TEXT", nullable: true),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    fields = table.Column<string>(type: "TEXT", nullable: false),
                    flags = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_import_staging", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    kind = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    resource_key = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: true),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    locked_until = table.Column<long>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    processed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    held_for_capacity = table.Column<bool>(type: "INTEGER", nullable: false),
                    capacity_domain = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    capacity_pool = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "pmta_bases",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    config_text = table.Column<string>(type: "TEXT", nullable: false),
                    source_name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    imported_at = table.Column<long>(type: "INTEGER", nullable: false),
                    report_json = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pmta_bases", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "pmta_deployments",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    host = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false, defaultValue: "default"),
                    actor = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true),
                    config_sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    config_text = table.Column<string>(type: "TEXT", nullable: false),
                    diff = table.Column<string>(type: "TEXT", nullable: false),
                    log = table.Column<string>(type: "TEXT", nullable: false),
                    error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    backup_path = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pmta_deployments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "pmta_hosts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ssh_host = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    ssh_port = table.Column<int>(type: "INTEGER", nullable: false),
                    ssh_user = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    key_file = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    host_key = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    trust_unknown_host = table.Column<bool>(type: "INTEGER", nullable: false),
                    config_path = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    acct_path = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    relay_sources = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    smtp_host = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    pmta_command = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    dkim_directory = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    mgmt_port = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pmta_hosts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sending_admissions",
                columns: table => new
                {
                    hour = table.Column<long>(type: "INTEGER", nullable: false),
                    pool = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    domain = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    admitted = table.Column<int>(type: "INTEGER", nullable: false),
                    deferred = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sending_admissions", x => new { x.hour, x.pool, x.domain });
                });

            migrationBuilder.CreateTable(
                name: "sending_domains",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sending_domains", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "telegram_chat_moves",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    chat_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    moved_to = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    moved_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_telegram_chat_moves", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tenants",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    slug = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    default_language = table.Column<string>(type: "TEXT", maxLength: 35, nullable: false),
                    from_name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    from_email = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    reply_to = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    company_name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    company_address = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    company_city = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    company_zip = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    company_country = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tenants", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "warmup_plans",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    quotas = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_warmup_plans", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alert_notifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    alert_id = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    sent_at = table.Column<long>(type: "INTEGER", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    delivered_to = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_notifications", x => x.id);
                    table.ForeignKey(
                        name: "fk_alert_notifications_alerts_alert_id",
                        column: x => x.alert_id,
                        principalTable: "alerts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "dkim_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    domain_id = table.Column<long>(type: "INTEGER", nullable: false),
                    selector = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    public_key = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    fingerprint = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    encrypted_private_key = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    activated_at = table.Column<long>(type: "INTEGER", nullable: true),
                    retired_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dkim_keys", x => x.id);
                    table.ForeignKey(
                        name: "fk_dkim_keys_sending_domains_domain_id",
                        column: x => x.domain_id,
                        principalTable: "sending_domains",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    key_id = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    revoked_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                    table.ForeignKey(
                        name: "fk_api_keys_tenant_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sending_ips",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    address = table.Column<string>(type: "TEXT", maxLength: 45, nullable: false),
                    domain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    host = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: true),
                    pool = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sending_ips", x => x.id);
                    table.ForeignKey(
                        name: "fk_sending_ips_tenant_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "soft_bounces",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    email_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_soft_bounces", x => x.id);
                    table.ForeignKey(
                        name: "fk_soft_bounces_tenant_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "suppressions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: true),
                    email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    email_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_suppressions", x => x.id);
                    table.ForeignKey(
                        name: "fk_suppressions_tenant_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "templates",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 190, nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    html = table.Column<string>(type: "TEXT", nullable: false),
                    language = table.Column<string>(type: "TEXT", maxLength: 35, nullable: false),
                    sync_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    sync_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    sync_last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    sync_remote_uid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    sync_synced_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_templates", x => x.id);
                    table.ForeignKey(
                        name: "fk_templates_tenant_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "tenant_lists",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    language = table.Column<string>(type: "TEXT", maxLength: 35, nullable: false),
                    sync_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    sync_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    sync_last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    sync_remote_uid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    sync_synced_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tenant_lists", x => x.id);
                    table.ForeignKey(
                        name: "fk_tenant_lists_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "webhooks",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    events = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    encrypted_secret = table.Column<byte[]>(type: "BLOB", nullable: false),
                    secret_prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhooks", x => x.id);
                    table.ForeignKey(
                        name: "fk_webhooks_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ip_warmups",
                columns: table => new
                {
                    ip_id = table.Column<long>(type: "INTEGER", nullable: false),
                    plan_name = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    quotas = table.Column<string>(type: "TEXT", nullable: false),
                    phase = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    sending_day = table.Column<int>(type: "INTEGER", nullable: false),
                    steps = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    paused_until = table.Column<long>(type: "INTEGER", nullable: true),
                    hold_until = table.Column<long>(type: "INTEGER", nullable: true),
                    window_start = table.Column<long>(type: "INTEGER", nullable: false),
                    last_period = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ip_warmups", x => x.ip_id);
                    table.ForeignKey(
                        name: "fk_ip_warmups_sending_ips_ip_id",
                        column: x => x.ip_id,
                        principalTable: "sending_ips",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "mailwizz_delivery_servers",
                columns: table => new
                {
                    ip_id = table.Column<long>(type: "INTEGER", nullable: false),
                    server_id = table.Column<int>(type: "INTEGER", nullable: true),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    written_status = table.Column<string>(type: "TEXT", maxLength: 15, nullable: true),
                    written_hourly_quota = table.Column<int>(type: "INTEGER", nullable: true),
                    written_daily_quota = table.Column<int>(type: "INTEGER", nullable: true),
                    written_at = table.Column<long>(type: "INTEGER", nullable: true),
                    attempted_at = table.Column<long>(type: "INTEGER", nullable: true),
                    failures = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mailwizz_delivery_servers", x => x.ip_id);
                    table.ForeignKey(
                        name: "fk_mailwizz_delivery_servers_sending_ips_ip_id",
                        column: x => x.ip_id,
                        principalTable: "sending_ips",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "warmup_decisions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ip_id = table.Column<long>(type: "INTEGER", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    group = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    sending_day = table.Column<int>(type: "INTEGER", nullable: false),
                    step = table.Column<int>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    figures = table.Column<string>(type: "TEXT", nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    deployment_id = table.Column<long>(type: "INTEGER", nullable: true),
                    deployment_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    deployment_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_warmup_decisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_warmup_decisions_sending_ips_ip_id",
                        column: x => x.ip_id,
                        principalTable: "sending_ips",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "campaigns",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 190, nullable: false),
                    template_id = table.Column<long>(type: "INTEGER", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    delay_value = table.Column<int>(type: "INTEGER", nullable: false),
                    delay_unit = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    send_at = table.Column<long>(type: "INTEGER", nullable: true),
                    subject = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    from_name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    from_email = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    reply_to = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    mailwizz_paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    mailwizz_servers = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    is_welcome = table.Column<bool>(type: "INTEGER", nullable: false),
                    sync_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    sync_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    sync_last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    sync_remote_uid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    sync_synced_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_campaigns", x => x.id);
                    table.ForeignKey(
                        name: "fk_campaigns_email_template_template_id",
                        column: x => x.template_id,
                        principalTable: "templates",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_campaigns_tenant_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    event_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    webhook_id = table.Column<long>(type: "INTEGER", nullable: false),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    event_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_response_status = table.Column<int>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    delivered_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_webhook_deliveries_webhooks_webhook_id",
                        column: x => x.webhook_id,
                        principalTable: "webhooks",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "contacts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    email_key = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    key_hash = table.Column<Guid>(type: "TEXT", nullable: false),
                    first_name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    last_name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    company = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    language = table.Column<string>(type: "TEXT", maxLength: 35, nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    fields = table.Column<string>(type: "TEXT", nullable: false),
                    consent_at = table.Column<long>(type: "INTEGER", nullable: true),
                    consent_ip = table.Column<string>(type: "TEXT", maxLength: 45, nullable: true),
                    consent_text = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    flags = table.Column<int>(type: "INTEGER", nullable: false),
                    welcome_campaign_id = table.Column<long>(type: "INTEGER", nullable: true),
                    sync_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    sync_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    sync_last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    sync_remote_uid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    sync_synced_at = table.Column<long>(type: "INTEGER", nullable: true),
                    import_job_id = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_contacts", x => x.id);
                    table.ForeignKey(
                        name: "fk_contacts_campaigns_welcome_campaign_id",
                        column: x => x.welcome_campaign_id,
                        principalTable: "campaigns",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_contacts_tenant_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "contact_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    contact_id = table.Column<long>(type: "INTEGER", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_contact_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_contact_events_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_acct_sources_identity",
                table: "acct_sources",
                column: "identity",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_alert_notifications_alert_id",
                table: "alert_notifications",
                column: "alert_id");

            migrationBuilder.CreateIndex(
                name: "ix_alert_notifications_sent_at_next_attempt_at",
                table: "alert_notifications",
                columns: new[] { "sent_at", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_key_state",
                table: "alerts",
                columns: new[] { "key", "state" });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_key_id",
                table: "api_keys",
                column: "key_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_tenant_id",
                table: "api_keys",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_blocklist_listings_target_zone_delisted_at",
                table: "blocklist_listings",
                columns: new[] { "target", "zone", "delisted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_campaigns_template_id",
                table: "campaigns",
                column: "template_id");

            migrationBuilder.CreateIndex(
                name: "ix_campaigns_tenant_id_name",
                table: "campaigns",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_contact_events_contact_id_id",
                table: "contact_events",
                columns: new[] { "contact_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_contacts_key_hash_tenant_id",
                table: "contacts",
                columns: new[] { "key_hash", "tenant_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_contacts_tenant_id_import_job_id_id",
                table: "contacts",
                columns: new[] { "tenant_id", "import_job_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_contacts_welcome_campaign_id",
                table: "contacts",
                column: "welcome_campaign_id");

            migrationBuilder.CreateIndex(
                name: "ix_delivery_stats_tenant_id_hour",
                table: "delivery_stats",
                columns: new[] { "tenant_id", "hour" });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_stats_vmta_hour",
                table: "delivery_stats",
                columns: new[] { "vmta", "hour" });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_stats_daily_tenant_id_hour",
                table: "delivery_stats_daily",
                columns: new[] { "tenant_id", "hour" });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_stats_daily_vmta_hour",
                table: "delivery_stats_daily",
                columns: new[] { "vmta", "hour" });

            migrationBuilder.CreateIndex(
                name: "ix_dkim_keys_domain_id_selector",
                table: "dkim_keys",
                columns: new[] { "domain_id", "selector" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_import_rejects_job_id_row_number",
                table: "import_rejects",
                columns: new[] { "job_id", "row_number" });

            migrationBuilder.CreateIndex(
                name: "ix_mailwizz_delivery_servers_server_id",
                table: "mailwizz_delivery_servers",
                column: "server_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_held_for_capacity_id",
                table: "outbox_messages",
                columns: new[] { "held_for_capacity", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_resource_key_id",
                table: "outbox_messages",
                columns: new[] { "resource_key", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_status_next_attempt_at",
                table: "outbox_messages",
                columns: new[] { "status", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_pmta_bases_version",
                table: "pmta_bases",
                column: "version",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_pmta_deployments_host_id",
                table: "pmta_deployments",
                columns: new[] { "host", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_pmta_deployments_started_at",
                table: "pmta_deployments",
                column: "started_at");

            migrationBuilder.CreateIndex(
                name: "ix_pmta_hosts_name",
                table: "pmta_hosts",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sending_domains_name",
                table: "sending_domains",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sending_ips_address",
                table: "sending_ips",
                column: "address",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sending_ips_host",
                table: "sending_ips",
                column: "host");

            migrationBuilder.CreateIndex(
                name: "ix_sending_ips_tenant_id",
                table: "sending_ips",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_soft_bounces_tenant_id_email_hash_at",
                table: "soft_bounces",
                columns: new[] { "tenant_id", "email_hash", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_suppressions_email_hash_tenant_id",
                table: "suppressions",
                columns: new[] { "email_hash", "tenant_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_suppressions_tenant_id",
                table: "suppressions",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_telegram_chat_moves_chat_id",
                table: "telegram_chat_moves",
                column: "chat_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_templates_tenant_id_language",
                table: "templates",
                columns: new[] { "tenant_id", "language" });

            migrationBuilder.CreateIndex(
                name: "ix_templates_tenant_id_name",
                table: "templates",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tenant_lists_tenant_id_language",
                table: "tenant_lists",
                columns: new[] { "tenant_id", "language" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tenants_slug",
                table: "tenants",
                column: "slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_warmup_decisions_ip_id_id",
                table: "warmup_decisions",
                columns: new[] { "ip_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_warmup_plans_name",
                table: "warmup_plans",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_webhook_id_created_at",
                table: "webhook_deliveries",
                columns: new[] { "webhook_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_webhooks_tenant_id",
                table: "webhooks",
                column: "tenant_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "acct_sources");

            migrationBuilder.DropTable(
                name: "alert_notifications");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "blocklist_checks");

            migrationBuilder.DropTable(
                name: "blocklist_listings");

            migrationBuilder.DropTable(
                name: "contact_events");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "delivery_stats");

            migrationBuilder.DropTable(
                name: "delivery_stats_daily");

            migrationBuilder.DropTable(
                name: "dkim_keys");

            migrationBuilder.DropTable(
                name: "import_jobs");

            migrationBuilder.DropTable(
                name: "import_rejects");

            migrationBuilder.DropTable(
                name: "import_staging");

            migrationBuilder.DropTable(
                name: "ip_warmups");

            migrationBuilder.DropTable(
                name: "mailwizz_delivery_servers");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropTable(
                name: "pmta_bases");

            migrationBuilder.DropTable(
                name: "pmta_deployments");

            migrationBuilder.DropTable(
                name: "pmta_hosts");

            migrationBuilder.DropTable(
                name: "sending_admissions");

            migrationBuilder.DropTable(
                name: "soft_bounces");

            migrationBuilder.DropTable(
                name: "suppressions");

            migrationBuilder.DropTable(
                name: "telegram_chat_moves");

            migrationBuilder.DropTable(
                name: "tenant_lists");

            migrationBuilder.DropTable(
                name: "warmup_decisions");

            migrationBuilder.DropTable(
                name: "warmup_plans");

            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropTable(
                name: "alerts");

            migrationBuilder.DropTable(
                name: "contacts");

            migrationBuilder.DropTable(
                name: "sending_domains");

            migrationBuilder.DropTable(
                name: "sending_ips");

            migrationBuilder.DropTable(
                name: "webhooks");

            migrationBuilder.DropTable(
                name: "campaigns");

            migrationBuilder.DropTable(
                name: "templates");

            migrationBuilder.DropTable(
                name: "tenants");
        }
    }
}
