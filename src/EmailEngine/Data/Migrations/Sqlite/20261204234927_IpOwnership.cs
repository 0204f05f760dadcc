using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IpOwnership : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "pool",
                table: "sending_ips",
                type: "TEXT",
                maxLength: 50,
                nullable: true);

            // Hand edit (docs/migrations.md): SQLite adds a nullable column with its foreign key in place. EF's AddForeignKey
            // would rebuild the table with foreign keys turned off, outside the migration's transaction.
            migrationBuilder.Sql("ALTER TABLE sending_ips ADD COLUMN tenant_id INTEGER NULL "
                + "CONSTRAINT fk_sending_ips_tenant_tenant_id REFERENCES tenants (id) ON DELETE RESTRICT;");

            migrationBuilder.CreateIndex(
                name: "ix_sending_ips_tenant_id",
                table: "sending_ips",
                column: "tenant_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_sending_ips_tenant_tenant_id",
                table: "sending_ips");

            migrationBuilder.DropIndex(
                name: "ix_sending_ips_tenant_id",
                table: "sending_ips");

            migrationBuilder.DropColumn(
                name: "pool",
                table: "sending_ips");

            migrationBuilder.DropColumn(
                name: "tenant_id",
                table: "sending_ips");
        }
    }
}
