using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
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

            migrationBuilder.CreateIndex(
                name: "ix_contacts_email_key_tenant_id",
                table: "contacts",
                columns: new[] { "email_key", "tenant_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_contacts_tenant_id_import_job_id_id",
                table: "contacts",
                columns: new[] { "tenant_id", "import_job_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_contacts_email_key_tenant_id",
                table: "contacts");

            migrationBuilder.DropIndex(
                name: "ix_contacts_tenant_id_import_job_id_id",
                table: "contacts");

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
