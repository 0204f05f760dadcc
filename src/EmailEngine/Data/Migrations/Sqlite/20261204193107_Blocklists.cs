using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Blocklists : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "blocklist_checks",
                columns: table => new
                {
                    target = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    zone = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    checked_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_blocklist_checks", x => new { x.target, x.zone });
                });

            migrationBuilder.CreateTable(
                name: "blocklist_listings",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    target = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    zone = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    codes = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    sublists = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    meaning = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    txt = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    listed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_seen_at = table.Column<long>(type: "INTEGER", nullable: false),
                    delisted_at = table.Column<long>(type: "INTEGER", nullable: true),
                    ip_status_before = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    action = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    delist_action = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_blocklist_listings", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_blocklist_listings_target_zone_delisted_at",
                table: "blocklist_listings",
                columns: new[] { "target", "zone", "delisted_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "blocklist_checks");

            migrationBuilder.DropTable(
                name: "blocklist_listings");
        }
    }
}
