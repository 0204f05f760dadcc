using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ContactImportIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_contacts_email_key",
                table: "contacts");

            migrationBuilder.DropIndex(
                name: "ix_contacts_import_job_id",
                table: "contacts");

            migrationBuilder.DropIndex(
                name: "ix_contacts_tenant_id_email_key",
                table: "contacts");

            migrationBuilder.AlterColumn<string>(
                name: "email_key",
                table: "import_staging",
                type: "text",
                nullable: false,
                collation: "C",
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AlterColumn<string>(
                name: "email_key",
                table: "contacts",
                type: "character varying(320)",
                maxLength: 320,
                nullable: false,
                collation: "C",
                oldClrType: typeof(string),
                oldType: "character varying(320)",
                oldMaxLength: 320);

            migrationBuilder.CreateIndex(
                name: "ix_contacts_email_key_tenant_id",
                table: "contacts",
                columns: new[] { "email_key", "tenant_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_contacts_tenant_id_import_job_id_id",
                table: "contacts",
                columns: new[] { "tenant_id", "import_job_id", "id" });

            // Every index costs bulk import time. Contacts carry no foreign-key trigger here (see Initial), so this
            // one only served clearing a deleted campaign's contacts, which DeleteCampaign does by tenant instead.
            migrationBuilder.Sql("DROP INDEX ix_contacts_welcome_campaign_id;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE INDEX ix_contacts_welcome_campaign_id ON contacts (welcome_campaign_id);");

            migrationBuilder.DropIndex(
                name: "ix_contacts_email_key_tenant_id",
                table: "contacts");

            migrationBuilder.DropIndex(
                name: "ix_contacts_tenant_id_import_job_id_id",
                table: "contacts");

            migrationBuilder.AlterColumn<string>(
                name: "email_key",
                table: "import_staging",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text",
                oldCollation: "C");

            migrationBuilder.AlterColumn<string>(
                name: "email_key",
                table: "contacts",
                type: "character varying(320)",
                maxLength: 320,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(320)",
                oldMaxLength: 320,
                oldCollation: "C");

            migrationBuilder.CreateIndex(
                name: "ix_contacts_email_key",
                table: "contacts",
                column: "email_key");

            migrationBuilder.CreateIndex(
                name: "ix_contacts_import_job_id",
                table: "contacts",
                column: "import_job_id");

            migrationBuilder.CreateIndex(
                name: "ix_contacts_tenant_id_email_key",
                table: "contacts",
                columns: new[] { "tenant_id", "email_key" },
                unique: true);
        }
    }
}
