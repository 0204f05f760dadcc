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

    private static ValueConverter<TEnum, string> LowerCase<TEnum>() where TEnum : struct, Enum =>
        new(value => value.ToString().ToLowerInvariant(), text => Enum.Parse<TEnum>(text, true));
}
