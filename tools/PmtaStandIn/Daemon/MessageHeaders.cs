using System.Text;

namespace PmtaStandIn.Daemon;

public sealed record MessageHeader(string Name, string Value);

/// <summary>Reads a message's header block (unfolded) and removes a header from the raw bytes without re-encoding the rest.</summary>
public static class MessageHeaders
{
    public static List<MessageHeader> Parse(byte[] message)
    {
        var headers = new List<MessageHeader>();
        foreach (var (name, value, _, _) in Fields(message))
            headers.Add(new MessageHeader(name, value));
        return headers;
    }

    public static byte[] Without(byte[] message, string headerName)
    {
        var output = new MemoryStream(message.Length);
        var copied = 0;
        foreach (var (name, _, start, end) in Fields(message))
        {
            if (!name.Equals(headerName, StringComparison.OrdinalIgnoreCase))
                continue;
            output.Write(message, copied, start - copied);
            copied = end;
        }
        output.Write(message, copied, message.Length - copied);
        return output.ToArray();
    }

    /// <summary>Each header field with its byte range (start of its name to after its last continuation line).</summary>
    private static IEnumerable<(string Name, string Value, int Start, int End)> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var lineEnd = NextLineEnd(message, position);
            if (lineEnd == position || message[position] is (byte)'\r' or (byte)'\n')
                yield break; // the blank line ending the header block
            var end = lineEnd;
            while (end < message.Length && message[end] is (byte)' ' or (byte)'\t')
                end = NextLineEnd(message, end);
            var text = Encoding.UTF8.GetString(message, position, end - position);
            var colon = text.IndexOf(':');
            if (colon > 0)
                yield return (text[..colon].Trim(), string.Join(' ', text[(colon + 1)..].Split(["\r\n", "\n"], StringSplitOptions.None).Select(s => s.Trim())).Trim(), position, end);
            position = end;
        }
    }

    private static int NextLineEnd(byte[] message, int from)
    {
        var newline = Array.IndexOf(message, (byte)'\n', from);
        return newline < 0 ? message.Length : newline + 1;
    }
}
