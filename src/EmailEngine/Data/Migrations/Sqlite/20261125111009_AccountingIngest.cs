using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AccountingIngest : Migration
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
                name: "delivery_stats",
                columns: table => new
                {
                    hour = table.Column<long>(type: "INTEGER", nullable: false),
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
                    table.PrimaryKey("pk_delivery_stats", x => new { x.hour, x.vmta, x.isp_group, x.tenant_id, x.campaign_id });
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

            migrationBuilder.CreateIndex(
                name: "ix_contacts_email_key",
                table: "contacts",
                column: "email_key");

            migrationBuilder.CreateIndex(
                name: "ix_acct_sources_identity",
                table: "acct_sources",
                column: "identity",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_delivery_stats_tenant_id_hour",
                table: "delivery_stats",
                columns: new[] { "tenant_id", "hour" });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_stats_vmta_hour",
                table: "delivery_stats",
                columns: new[] { "vmta", "hour" });

            migrationBuilder.CreateIndex(
                name: "ix_soft_bounces_tenant_id_email_hash_at",
                table: "soft_bounces",
                columns: new[] { "tenant_id", "email_hash", "at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "acct_sources");

            migrationBuilder.DropTable(
                name: "delivery_stats");

            migrationBuilder.DropTable(
                name: "soft_bounces");

            migrationBuilder.DropIndex(
                name: "ix_contacts_email_key",
                table: "contacts");
        }
    }
}
