using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Warmup : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ip_warmups",
                columns: table => new
                {
                    ip_id = table.Column<long>(type: "INTEGER", nullable: false),
                    plan_name = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    quotas = table.Column<string>(type: "TEXT", nullable: false),
                    phase = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    sending_day = table.Column<int>(type: "INTEGER", nullable: false),
                    steps = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    paused_until = table.Column<long>(type: "INTEGER", nullable: true),
                    hold_until = table.Column<long>(type: "INTEGER", nullable: true),
                    window_start = table.Column<long>(type: "INTEGER", nullable: false),
                    last_period = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ip_warmups", x => x.ip_id);
                    table.ForeignKey(
                        name: "fk_ip_warmups_sending_ips_ip_id",
                        column: x => x.ip_id,
                        principalTable: "sending_ips",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "warmup_decisions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ip_id = table.Column<long>(type: "INTEGER", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    group = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    sending_day = table.Column<int>(type: "INTEGER", nullable: false),
                    step = table.Column<int>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    figures = table.Column<string>(type: "TEXT", nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    deployment_id = table.Column<long>(type: "INTEGER", nullable: true),
                    deployment_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    deployment_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_warmup_decisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_warmup_decisions_sending_ips_ip_id",
                        column: x => x.ip_id,
                        principalTable: "sending_ips",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "warmup_plans",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    quotas = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_warmup_plans", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_warmup_decisions_ip_id_id",
                table: "warmup_decisions",
                columns: new[] { "ip_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_warmup_plans_name",
                table: "warmup_plans",
                column: "name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ip_warmups");

            migrationBuilder.DropTable(
                name: "warmup_decisions");

            migrationBuilder.DropTable(
                name: "warmup_plans");
        }
    }
}
