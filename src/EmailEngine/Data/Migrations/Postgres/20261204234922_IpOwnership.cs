using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Postgres
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
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "tenant_id",
                table: "sending_ips",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_sending_ips_tenant_id",
                table: "sending_ips",
                column: "tenant_id");

            migrationBuilder.AddForeignKey(
                name: "fk_sending_ips_tenant_tenant_id",
                table: "sending_ips",
                column: "tenant_id",
                principalTable: "tenants",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
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
