using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MailWizzDeliveryServers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "mailwizz_delivery_servers",
                columns: table => new
                {
                    ip_id = table.Column<long>(type: "INTEGER", nullable: false),
                    server_id = table.Column<int>(type: "INTEGER", nullable: true),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    written_status = table.Column<string>(type: "TEXT", maxLength: 15, nullable: true),
                    written_hourly_quota = table.Column<int>(type: "INTEGER", nullable: true),
                    written_daily_quota = table.Column<int>(type: "INTEGER", nullable: true),
                    written_at = table.Column<long>(type: "INTEGER", nullable: true),
                    attempted_at = table.Column<long>(type: "INTEGER", nullable: true),
                    failures = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mailwizz_delivery_servers", x => x.ip_id);
                    table.ForeignKey(
                        name: "fk_mailwizz_delivery_servers_sending_ips_ip_id",
                        column: x => x.ip_id,
                        principalTable: "sending_ips",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_mailwizz_delivery_servers_server_id",
                table: "mailwizz_delivery_servers",
                column: "server_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "mailwizz_delivery_servers");
        }
    }
}
