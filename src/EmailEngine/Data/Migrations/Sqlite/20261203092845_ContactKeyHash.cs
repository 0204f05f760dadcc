using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ContactKeyHash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_contacts_email_key_tenant_id",
                table: "contacts");

            migrationBuilder.AddColumn<Guid>(
                name: "key_hash",
                table: "contacts",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            // SQLite has no SHA-256: DatabaseMigrator registers ee_key_hash (Contact.KeyHashOf, as EF stores a Guid).
            migrationBuilder.Sql("UPDATE contacts SET key_hash = ee_key_hash(email_key);");

            migrationBuilder.CreateIndex(
                name: "ix_contacts_key_hash_tenant_id",
                table: "contacts",
                columns: new[] { "key_hash", "tenant_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_contacts_key_hash_tenant_id",
                table: "contacts");

            migrationBuilder.DropColumn(
                name: "key_hash",
                table: "contacts");

            migrationBuilder.CreateIndex(
                name: "ix_contacts_email_key_tenant_id",
                table: "contacts",
                columns: new[] { "email_key", "tenant_id" },
                unique: true);
        }
    }
}
