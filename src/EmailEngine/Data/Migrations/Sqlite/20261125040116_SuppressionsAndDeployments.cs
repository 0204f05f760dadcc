using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SuppressionsAndDeployments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "pmta_deployments",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
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

            migrationBuilder.CreateIndex(
                name: "ix_pmta_deployments_started_at",
                table: "pmta_deployments",
                column: "started_at");

            migrationBuilder.CreateIndex(
                name: "ix_suppressions_email_hash_tenant_id",
                table: "suppressions",
                columns: new[] { "email_hash", "tenant_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_suppressions_tenant_id",
                table: "suppressions",
                column: "tenant_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "pmta_deployments");

            migrationBuilder.DropTable(
                name: "suppressions");
        }
    }
}
