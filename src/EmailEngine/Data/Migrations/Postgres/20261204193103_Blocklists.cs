using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace EmailEngine.Data.Migrations.Postgres
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
                    target = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    zone = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    state = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    checked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_blocklist_checks", x => new { x.target, x.zone });
                });

            migrationBuilder.CreateTable(
                name: "blocklist_listings",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    target = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    zone = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    codes = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    sublists = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    meaning = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    severity = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    txt = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    listed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    delisted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ip_status_before = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    action = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    delist_action = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
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
