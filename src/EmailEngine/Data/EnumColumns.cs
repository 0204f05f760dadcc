using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace EmailEngine.Data;

public static class EnumColumns
{
    /// <summary>Stored as the member's name in lower case (<c>pending</c>, <c>critical</c>), read back whatever its case.</summary>
    public static PropertyBuilder<TEnum> HasLowerCaseConversion<TEnum>(this PropertyBuilder<TEnum> property) where TEnum : struct, Enum =>
        property.HasConversion(LowerCase<TEnum>());

    /// <inheritdoc cref="HasLowerCaseConversion{TEnum}(PropertyBuilder{TEnum})"/>
    public static PropertyBuilder<TEnum?> HasLowerCaseConversion<TEnum>(this PropertyBuilder<TEnum?> property) where TEnum : struct, Enum =>
        property.HasConversion(LowerCase<TEnum>());

    /// <summary>The text a lower-case enum column holds for <paramref name="value"/> (for statements written without EF).</summary>
    public static string ToColumn<TEnum>(TEnum value) where TEnum : struct, Enum => value.ToString().ToLowerInvariant();

    private static ValueConverter<TEnum, string> LowerCase<TEnum>() where TEnum : struct, Enum =>
        new(value => ToColumn(value), text => Enum.Parse<TEnum>(text, true));
}
