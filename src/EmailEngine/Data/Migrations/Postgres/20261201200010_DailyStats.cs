using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DailyStats : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "delivery_stats_daily",
                columns: table => new
                {
                    hour = table.Column<long>(type: "bigint", nullable: false),
                    vmta = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    isp_group = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    tenant_id = table.Column<long>(type: "bigint", nullable: false),
                    campaign_id = table.Column<long>(type: "bigint", nullable: false),
                    sent = table.Column<long>(type: "bigint", nullable: false),
                    delivered = table.Column<long>(type: "bigint", nullable: false),
                    deferred = table.Column<long>(type: "bigint", nullable: false),
                    deferred_block = table.Column<long>(type: "bigint", nullable: false),
                    bounced_hard = table.Column<long>(type: "bigint", nullable: false),
                    bounced_soft = table.Column<long>(type: "bigint", nullable: false),
                    bounced_block = table.Column<long>(type: "bigint", nullable: false),
                    bounced_other = table.Column<long>(type: "bigint", nullable: false),
                    complaints = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delivery_stats_daily", x => new { x.hour, x.vmta, x.isp_group, x.tenant_id, x.campaign_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_stats_daily_tenant_id_hour",
                table: "delivery_stats_daily",
                columns: new[] { "tenant_id", "hour" });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_stats_daily_vmta_hour",
                table: "delivery_stats_daily",
                columns: new[] { "vmta", "hour" });

            // Existing hourly rows get their daily rollup (the same SQL on both providers).
            migrationBuilder.Sql("""
                INSERT INTO delivery_stats_daily (hour, vmta, isp_group, tenant_id, campaign_id, sent, delivered, deferred, deferred_block,
                                                  bounced_hard, bounced_soft, bounced_block, bounced_other, complaints)
                SELECT (hour / 24) * 24, vmta, isp_group, tenant_id, campaign_id, SUM(sent), SUM(delivered), SUM(deferred), SUM(deferred_block),
                       SUM(bounced_hard), SUM(bounced_soft), SUM(bounced_block), SUM(bounced_other), SUM(complaints)
                FROM delivery_stats
                GROUP BY (hour / 24) * 24, vmta, isp_group, tenant_id, campaign_id
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "delivery_stats_daily");
        }
    }
}
