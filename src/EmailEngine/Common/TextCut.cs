namespace EmailEngine.Common;

/// <summary>Shortening stored or sent text to a limit, marked with "…", never leaving half of a surrogate pair (an emoji).</summary>
public static class TextCut
{
    /// <summary>The text, or its first <paramref name="max"/> − 1 characters and "…".</summary>
    public static string Ellipsis(string text, int max) => text.Length <= max ? text : At(text, max - 1);

    /// <summary>The first <paramref name="end"/> characters (one fewer when that would split a pair) and "…".</summary>
    public static string At(string text, int end) => text[..(end > 0 && char.IsHighSurrogate(text[end - 1]) ? end - 1 : end)] + "…";
}
