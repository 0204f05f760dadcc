using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EmailEngine.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CampaignMailWizzPaused : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "mailwizz_paused",
                table: "campaigns",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            // Campaigns paused before this column existed are paused in MailWizz too.
            migrationBuilder.Sql("UPDATE campaigns SET mailwizz_paused = paused");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "mailwizz_paused",
                table: "campaigns");
        }
    }
}
