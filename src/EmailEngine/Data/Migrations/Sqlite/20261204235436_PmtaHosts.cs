using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PmtaHosts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // SQLite cannot change a primary key in place, and EF's table rebuild turns foreign keys off outside the
            // migration's transaction: the two stats tables are rebuilt here by hand, inside it (no foreign key refers to them).
            RebuildStatsWithHost(migrationBuilder, "delivery_stats");
            RebuildStatsWithHost(migrationBuilder, "delivery_stats_daily");

            migrationBuilder.AddColumn<string>(
                name: "host",
                table: "sending_ips",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "host",
                table: "pmta_deployments",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<string>(
                name: "host",
                table: "acct_sources",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "default");

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
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pmta_hosts", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_sending_ips_host",
                table: "sending_ips",
                column: "host");

            migrationBuilder.CreateIndex(
                name: "ix_pmta_deployments_host_id",
                table: "pmta_deployments",
                columns: new[] { "host", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_pmta_hosts_name",
                table: "pmta_hosts",
                column: "name",
                unique: true);
        }

        private static void RebuildStatsWithHost(MigrationBuilder migrationBuilder, string table)
        {
            const string counters = "sent, delivered, deferred, deferred_block, bounced_hard, bounced_soft, bounced_block, bounced_other, complaints";
            migrationBuilder.DropIndex(name: $"ix_{table}_tenant_id_hour", table: table);
            migrationBuilder.DropIndex(name: $"ix_{table}_vmta_hour", table: table);
            migrationBuilder.RenameTable(name: table, newName: $"{table}_before_hosts");
            migrationBuilder.CreateTable(
                name: table,
                columns: t => new
                {
                    hour = t.Column<long>(type: "INTEGER", nullable: false),
                    host = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false, defaultValue: "default"),
                    vmta = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    isp_group = t.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    tenant_id = t.Column<long>(type: "INTEGER", nullable: false),
                    campaign_id = t.Column<long>(type: "INTEGER", nullable: false),
                    sent = t.Column<long>(type: "INTEGER", nullable: false),
                    delivered = t.Column<long>(type: "INTEGER", nullable: false),
                    deferred = t.Column<long>(type: "INTEGER", nullable: false),
                    deferred_block = t.Column<long>(type: "INTEGER", nullable: false),
                    bounced_hard = t.Column<long>(type: "INTEGER", nullable: false),
                    bounced_soft = t.Column<long>(type: "INTEGER", nullable: false),
                    bounced_block = t.Column<long>(type: "INTEGER", nullable: false),
                    bounced_other = t.Column<long>(type: "INTEGER", nullable: false),
                    complaints = t.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: t => t.PrimaryKey($"pk_{table}", x => new { x.hour, x.host, x.vmta, x.isp_group, x.tenant_id, x.campaign_id }));
            migrationBuilder.Sql($"INSERT INTO {table} (hour, host, vmta, isp_group, tenant_id, campaign_id, {counters}) "
                + $"SELECT hour, 'default', vmta, isp_group, tenant_id, campaign_id, {counters} FROM {table}_before_hosts;");
            migrationBuilder.DropTable(name: $"{table}_before_hosts");
            migrationBuilder.CreateIndex(name: $"ix_{table}_tenant_id_hour", table: table, columns: new[] { "tenant_id", "hour" });
            migrationBuilder.CreateIndex(name: $"ix_{table}_vmta_hour", table: table, columns: new[] { "vmta", "hour" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "pmta_hosts");

            migrationBuilder.DropIndex(
                name: "ix_sending_ips_host",
                table: "sending_ips");

            migrationBuilder.DropIndex(
                name: "ix_pmta_deployments_host_id",
                table: "pmta_deployments");

            migrationBuilder.DropPrimaryKey(
                name: "pk_delivery_stats_daily",
                table: "delivery_stats_daily");

            migrationBuilder.DropPrimaryKey(
                name: "pk_delivery_stats",
                table: "delivery_stats");

            migrationBuilder.DropColumn(
                name: "host",
                table: "sending_ips");

            migrationBuilder.DropColumn(
                name: "host",
                table: "pmta_deployments");

            migrationBuilder.DropColumn(
                name: "host",
                table: "delivery_stats_daily");

            migrationBuilder.DropColumn(
                name: "host",
                table: "delivery_stats");

            migrationBuilder.DropColumn(
                name: "host",
                table: "acct_sources");

            migrationBuilder.AddPrimaryKey(
                name: "pk_delivery_stats_daily",
                table: "delivery_stats_daily",
                columns: new[] { "hour", "vmta", "isp_group", "tenant_id", "campaign_id" });

            migrationBuilder.AddPrimaryKey(
                name: "pk_delivery_stats",
                table: "delivery_stats",
                columns: new[] { "hour", "vmta", "isp_group", "tenant_id", "campaign_id" });
        }
    }
}
