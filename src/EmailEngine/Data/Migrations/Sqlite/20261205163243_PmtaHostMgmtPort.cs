using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PmtaHostMgmtPort : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "mgmt_port",
                table: "pmta_hosts",
                type: "INTEGER",
                nullable: false,
                // Hosts registered before this column render and read the port every config had: 1983.
                defaultValue: 1983);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "mgmt_port",
                table: "pmta_hosts");
        }
    }
}
