using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Contacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "contacts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    email_key = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
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
                name: "ix_contact_events_contact_id_id",
                table: "contact_events",
                columns: new[] { "contact_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_contacts_tenant_id_email_key",
                table: "contacts",
                columns: new[] { "tenant_id", "email_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_contacts_welcome_campaign_id",
                table: "contacts",
                column: "welcome_campaign_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "contact_events");

            migrationBuilder.DropTable(
                name: "contacts");
        }
    }
}
