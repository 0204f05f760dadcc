using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace EmailEngine.Tests.MailWizzStandIn;

/// <summary>A loopback SMTP server standing for PowerMTA: keeps what it accepts; <see cref="Answer"/> may refuse.</summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private SmtpSink(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder().ServerName("sink.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public int Port { get; }
    public ConcurrentQueue<MimeMessage> Received { get; } = new();
    /// <summary>Called for each message at the end of DATA; the default accepts.</summary>
    public Func<MimeMessage, SmtpResponse> Answer { get; set; } = _ => SmtpResponse.Ok;
    public int Refused => _refused;
    private int _refused;

    public static async Task<SmtpSink> StartAsync(int port)
    {
        var sink = new SmtpSink(port);
        await Poll.UntilAsync(async () =>
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(10), "the SMTP sink listens");
        return sink;
    }


    /// <summary>How many times each recipient got mail.</summary>
    public Dictionary<string, int> CountByRecipient() =>
        Received.GroupBy(m => m.To.Mailboxes.Single().Address).ToDictionary(g => g.Key, g => g.Count());

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            var message = await MimeMessage.LoadAsync(new MemoryStream(buffer.ToArray()), cancellationToken);
            var answer = sink.Answer(message);
            if (answer.ReplyCode == SmtpReplyCode.Ok)
                sink.Received.Enqueue(message);
            else
                Interlocked.Increment(ref sink._refused);
            return answer;
        }
    }
}

public static class Poll
{
    /// <summary>Polls until true; fails the test with <paramref name="what"/> when the deadline passes.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting until {what}");
            await Task.Delay(50);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) => UntilAsync(() => Task.FromResult(condition()), timeout, what);
}
