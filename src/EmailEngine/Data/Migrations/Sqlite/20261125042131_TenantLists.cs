using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TenantLists : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "list_sync_attempts",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "list_sync_last_error",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "list_sync_remote_uid",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "list_sync_status",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "list_sync_synced_at",
                table: "tenants");

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

            migrationBuilder.CreateIndex(
                name: "ix_tenant_lists_tenant_id_language",
                table: "tenant_lists",
                columns: new[] { "tenant_id", "language" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "tenant_lists");

            migrationBuilder.AddColumn<int>(
                name: "list_sync_attempts",
                table: "tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "list_sync_last_error",
                table: "tenants",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "list_sync_remote_uid",
                table: "tenants",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "list_sync_status",
                table: "tenants",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "list_sync_synced_at",
                table: "tenants",
                type: "INTEGER",
                nullable: true);
        }
    }
}
