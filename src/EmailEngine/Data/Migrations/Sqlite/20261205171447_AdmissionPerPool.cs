using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AdmissionPerPool : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "capacity_pool",
                table: "outbox_messages",
                type: "TEXT",
                maxLength: 80,
                nullable: true);

            // Hand edit: a new primary key means a new table on SQLite. EF's rebuild turns foreign keys off, which only
            // works outside the migration's transaction (it warned at every first start, and a crash in between would
            // leave the table half rebuilt). No foreign key points to or from sending_admissions: rebuilt inside it.
            // Admissions counted before pools were: the default shared pool's, as every IP's was.
            migrationBuilder.Sql("""
                CREATE TABLE "ef_temp_sending_admissions" (
                    "hour" INTEGER NOT NULL,
                    "pool" TEXT NOT NULL,
                    "domain" TEXT NOT NULL,
                    "admitted" INTEGER NOT NULL,
                    "deferred" INTEGER NOT NULL,
                    CONSTRAINT "pk_sending_admissions" PRIMARY KEY ("hour", "pool", "domain")
                );
                """);
            migrationBuilder.Sql("""
                INSERT INTO "ef_temp_sending_admissions" ("hour", "pool", "domain", "admitted", "deferred")
                SELECT "hour", 'pool-all', "domain", "admitted", "deferred" FROM "sending_admissions";
                """);
            migrationBuilder.Sql("""DROP TABLE "sending_admissions";""");
            migrationBuilder.Sql("""ALTER TABLE "ef_temp_sending_admissions" RENAME TO "sending_admissions";""");
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
