using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SendingAdmissions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "capacity_domain",
                table: "outbox_messages",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "held_for_capacity",
                table: "outbox_messages",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "sending_admissions",
                columns: table => new
                {
                    hour = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    domain = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    admitted = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sending_admissions", x => new { x.hour, x.domain });
                });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_held_for_capacity_id",
                table: "outbox_messages",
                columns: new[] { "held_for_capacity", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sending_admissions");

            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_held_for_capacity_id",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "capacity_domain",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "held_for_capacity",
                table: "outbox_messages");
        }
    }
}
