using System.Buffers;
using System.Net;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace PmtaStandIn.Daemon;

/// <summary>
/// SMTP submission (the `SmtpServer` package): relaying allowed per `&lt;source&gt;`, VMTA chosen from X-Virtual-MTA
/// (when the source processes it) or the source's default, and a 250 only once the message is in the spool.
/// </summary>
public sealed class SmtpIntake(Mta mta) : MailboxFilter, IMessageStore
{
    private const string VirtualMtaHeader = "X-Virtual-MTA";

    public static SmtpServer.SmtpServer Create(Mta mta, int port)
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName(mta.Config.HostName)
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var intake = new SmtpIntake(mta);
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add((IMailboxFilter)intake);
        services.Add((IMessageStore)intake);
        return new SmtpServer.SmtpServer(options, services);
    }

    public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
    {
        if (!mta.Config.ForClient(ClientIp(context)).AlwaysAllowRelaying)
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "5.7.1 relaying denied"));
        return Task.FromResult(true);
    }

    public Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var clientIp = ClientIp(context);
        var source = mta.Config.ForClient(clientIp);
        var message = buffer.ToArray();
        var headers = MessageHeaders.Parse(message);
        var requested = source.ProcessXVirtualMta ? headers.FirstOrDefault(h => h.Name.Equals(VirtualMtaHeader, StringComparison.OrdinalIgnoreCase))?.Value : null;
        var name = requested ?? source.DefaultVirtualMta ?? DaemonConfig.DefaultVmta;
        if (mta.SelectVmta(name) is not var (vmta, pool))
            return Task.FromResult(new SmtpResponse(SmtpReplyCode.MailboxUnavailable, $"5.7.1 invalid virtual MTA '{name}'"));
        if (!source.RetainXVirtualMta)
        {
            message = MessageHeaders.Without(message, VirtualMtaHeader);
            headers = MessageHeaders.Parse(message);
        }
        var now = mta.Now;
        var entries = transaction.To.Select(rcpt => new SpoolEntry(Guid.NewGuid().ToString("N"), transaction.From.AsAddress(), rcpt.AsAddress(),
            vmta, pool, now, clientIp.ToString(), message.Length, headers)).ToList();
        mta.Accept(entries, message);
        return Task.FromResult(new SmtpResponse(SmtpReplyCode.Ok, $"2.6.0 message received, queued as {entries[0].Id}"));
    }

    private static IPAddress ClientIp(ISessionContext context)
    {
        var address = context.Properties.TryGetValue("EndpointListener:RemoteEndPoint", out var endpoint) && endpoint is IPEndPoint ip ? ip.Address : IPAddress.Loopback;
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}
