using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ContentAndOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "company_address",
                table: "tenants",
                type: "TEXT",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "company_city",
                table: "tenants",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "company_country",
                table: "tenants",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "company_name",
                table: "tenants",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "company_zip",
                table: "tenants",
                type: "TEXT",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "from_email",
                table: "tenants",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "from_name",
                table: "tenants",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

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

            migrationBuilder.AddColumn<string>(
                name: "reply_to",
                table: "tenants",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

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
                    processed_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
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
                name: "ix_outbox_messages_resource_key_id",
                table: "outbox_messages",
                columns: new[] { "resource_key", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_status_next_attempt_at",
                table: "outbox_messages",
                columns: new[] { "status", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_templates_tenant_id_language",
                table: "templates",
                columns: new[] { "tenant_id", "language" });

            migrationBuilder.CreateIndex(
                name: "ix_templates_tenant_id_name",
                table: "templates",
                columns: new[] { "tenant_id", "name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "campaigns");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropTable(
                name: "templates");

            migrationBuilder.DropColumn(
                name: "company_address",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "company_city",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "company_country",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "company_name",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "company_zip",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "from_email",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "from_name",
                table: "tenants");

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

            migrationBuilder.DropColumn(
                name: "reply_to",
                table: "tenants");
        }
    }
}
