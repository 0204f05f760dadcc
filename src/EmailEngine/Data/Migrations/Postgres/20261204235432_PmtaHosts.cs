using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace EmailEngine.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PmtaHosts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_delivery_stats_daily",
                table: "delivery_stats_daily");

            migrationBuilder.DropPrimaryKey(
                name: "pk_delivery_stats",
                table: "delivery_stats");

            migrationBuilder.AddColumn<string>(
                name: "host",
                table: "sending_ips",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "host",
                table: "pmta_deployments",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<string>(
                name: "host",
                table: "delivery_stats_daily",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<string>(
                name: "host",
                table: "delivery_stats",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<string>(
                name: "host",
                table: "acct_sources",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddPrimaryKey(
                name: "pk_delivery_stats_daily",
                table: "delivery_stats_daily",
                columns: new[] { "hour", "host", "vmta", "isp_group", "tenant_id", "campaign_id" });

            migrationBuilder.AddPrimaryKey(
                name: "pk_delivery_stats",
                table: "delivery_stats",
                columns: new[] { "hour", "host", "vmta", "isp_group", "tenant_id", "campaign_id" });

            migrationBuilder.CreateTable(
                name: "pmta_hosts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ssh_host = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    ssh_port = table.Column<int>(type: "integer", nullable: false),
                    ssh_user = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    key_file = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    host_key = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true),
                    trust_unknown_host = table.Column<bool>(type: "boolean", nullable: false),
                    config_path = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    acct_path = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    relay_sources = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    smtp_host = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    pmta_command = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    dkim_directory = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
