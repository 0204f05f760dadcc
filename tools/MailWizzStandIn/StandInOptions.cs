namespace MailWizzStandIn;

public sealed record StandInOptions(string Url, string ApiKey, string? SmtpHost, int SmtpPort)
{
    public static StandInOptions FromArgs(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var smtp = Arg("--smtp")?.Split(':');
        return new StandInOptions(
            Arg("--urls") ?? "http://127.0.0.1:8090",
            Arg("--api-key") ?? Environment.GetEnvironmentVariable("MAILWIZZ_API_KEY") ?? "standin-key",
            smtp?[0], smtp is { Length: 2 } ? int.Parse(smtp[1]) : 25);
    }
}
