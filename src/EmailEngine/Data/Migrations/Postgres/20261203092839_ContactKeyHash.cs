using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ContactKeyHash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_contact_events_contacts_contact_id",
                table: "contact_events");

            migrationBuilder.DropPrimaryKey(
                name: "pk_contacts",
                table: "contacts");

            migrationBuilder.DropIndex(
                name: "ix_contacts_email_key_tenant_id",
                table: "contacts");

            migrationBuilder.DropIndex(
                name: "ix_contacts_tenant_id_import_job_id_id",
                table: "contacts");

            migrationBuilder.AddColumn<Guid>(
                name: "key_hash",
                table: "contacts",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            // Contact.KeyHashOf: the first 128 bits of the SHA-256 of the lower-cased address, as the suppression hash.
            migrationBuilder.Sql("UPDATE contacts SET key_hash = substr(encode(sha256(convert_to(email_key, 'UTF8')), 'hex'), 1, 32)::uuid;");
            migrationBuilder.Sql("ALTER TABLE contacts ALTER COLUMN key_hash DROP DEFAULT;");

            migrationBuilder.AddPrimaryKey(
                name: "pk_contacts",
                table: "contacts",
                columns: new[] { "tenant_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_contacts_key_hash_tenant_id",
                table: "contacts",
                columns: new[] { "key_hash", "tenant_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_contacts",
                table: "contacts");

            migrationBuilder.DropIndex(
                name: "ix_contacts_key_hash_tenant_id",
                table: "contacts");

            migrationBuilder.DropColumn(
                name: "key_hash",
                table: "contacts");

            migrationBuilder.AddPrimaryKey(
                name: "pk_contacts",
                table: "contacts",
                column: "id");

            migrationBuilder.CreateIndex(
                name: "ix_contacts_email_key_tenant_id",
                table: "contacts",
                columns: new[] { "email_key", "tenant_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_contacts_tenant_id_import_job_id_id",
                table: "contacts",
                columns: new[] { "tenant_id", "import_job_id", "id" });

            migrationBuilder.AddForeignKey(
                name: "fk_contact_events_contacts_contact_id",
                table: "contact_events",
                column: "contact_id",
                principalTable: "contacts",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
