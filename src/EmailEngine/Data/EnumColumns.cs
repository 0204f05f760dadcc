using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Data;

public static class EnumColumns
{
    /// <summary>Stored as the member's name in lower case (<c>pending</c>, <c>critical</c>), read back whatever its case.</summary>
    public static PropertyBuilder<TEnum> HasLowerCaseConversion<TEnum>(this PropertyBuilder<TEnum> property) where TEnum : struct, Enum =>
        property.HasConversion(value => value.ToString().ToLowerInvariant(), text => Enum.Parse<TEnum>(text, true));
}
