using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace EmailEngine.Alerts;

/// <summary>
/// An e-mail over SMTP with MailKit: subject "[CRITICAL] …", the alert's text as the body. Sent through the operator's
/// own relay (<c>ALERT_SMTP_*</c>), never through the PowerMTA whose IPs the alert may be about.
/// </summary>
public sealed class EmailAlertChannel(EmailAlertSettings settings) : IAlertChannel
{
    public string Name => "email";

    public async Task SendAsync(AlertMessage message, CancellationToken ct)
    {
        var mail = new MimeMessage { Subject = message.Subject, Body = new TextPart("plain") { Text = $"{message.Body}\n\n{message.Key} · {message.At:u}" } };
        mail.From.Add(MailboxAddress.Parse(settings.From));
        foreach (var to in settings.To)
            mail.To.Add(MailboxAddress.Parse(to));
        mail.Headers.Add("X-EE-Alert", message.Key);
        using var smtp = new SmtpClient { Timeout = 30_000 };
        try
        {
            await smtp.ConnectAsync(settings.Host, settings.Port, settings.Security, ct);
            if (settings.User is not null)
                await smtp.AuthenticateAsync(settings.User, settings.Password ?? "", ct);
            await smtp.SendAsync(mail, ct);
            await smtp.DisconnectAsync(quit: true, ct);
        }
        catch (NotSupportedException) when (smtp.IsConnected && !smtp.IsAuthenticated && settings.User is not null)
        {
            throw new AlertChannelException($"the SMTP server {settings.Host} offers no authentication: unset ALERT_SMTP_USER or use a relay that does", permanent: true);
        }
        catch (AuthenticationException)
        {
            throw new AlertChannelException($"the SMTP server {settings.Host} refused ALERT_SMTP_USER's credentials", permanent: true);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or IOException or System.Net.Sockets.SocketException or SslHandshakeException
                                      || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new AlertChannelException($"the SMTP server {settings.Host}:{settings.Port} did not take the alert: {e.Message}");
        }
    }
}

/// <summary><c>ALERT_SMTP_HOST</c>, <c>_PORT</c> (25), <c>_USER</c>/<c>_PASSWORD</c>, <c>_FROM</c>, <c>_TO</c> (comma-separated), <c>_TLS</c>.</summary>
public sealed record EmailAlertSettings(string Host, int Port, SecureSocketOptions Security, string? User, string? Password, string From, IReadOnlyList<string> To)
{
    public override string ToString() => $"EmailAlertSettings {{ Host = {Host}, Port = {Port}, User = {User}, To = {string.Join(",", To)} }}";
}
