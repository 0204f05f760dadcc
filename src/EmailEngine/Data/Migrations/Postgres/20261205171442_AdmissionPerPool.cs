using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AdmissionPerPool : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_sending_admissions",
                table: "sending_admissions");

            migrationBuilder.AddColumn<string>(
                name: "pool",
                table: "sending_admissions",
                type: "character varying(80)",
                maxLength: 80,
                nullable: false,
                // Admissions counted before pools were: the default shared pool's, as every IP's was.
                defaultValue: "pool-all");

            migrationBuilder.AddColumn<string>(
                name: "capacity_pool",
                table: "outbox_messages",
                type: "character varying(80)",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "pk_sending_admissions",
                table: "sending_admissions",
                columns: new[] { "hour", "pool", "domain" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_sending_admissions",
                table: "sending_admissions");

            migrationBuilder.DropColumn(
                name: "pool",
                table: "sending_admissions");

            migrationBuilder.DropColumn(
                name: "capacity_pool",
                table: "outbox_messages");

            migrationBuilder.AddPrimaryKey(
                name: "pk_sending_admissions",
                table: "sending_admissions",
                columns: new[] { "hour", "domain" });
        }
    }
}
