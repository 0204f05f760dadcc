using System.Reflection;
using Xunit.Abstractions;

[assembly: TestCollectionOrderer("EmailEngine.Tests.Infrastructure.LongestFirst", "EmailEngine.Tests")]

namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// Marks a test class that takes long: about <paramref name="seconds"/> seconds run on its own. Its tests run one after
/// another (a class is a collection), so the class is started early: started last, it would run alone at the end of
/// the parallel part while the other cores idle.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class LongRunningAttribute(int seconds) : Attribute
{
    public int Seconds { get; } = seconds;
}

/// <summary>
/// Starts the test collections the longest first (<see cref="LongRunningAttribute"/>), the others after them in name
/// order: with four collections at a time on two cores, this is what keeps the end of the run from waiting on one
/// long class.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    private const string PerClassPrefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderByDescending(Seconds).ThenBy(c => c.DisplayName, StringComparer.Ordinal);

    private static int Seconds(ITestCollection collection)
    {
        // A class without a [Collection] is a collection of its own, named after it.
        var type = (collection.CollectionDefinition as IReflectionTypeInfo)?.Type
            ?? (collection.DisplayName.StartsWith(PerClassPrefix, StringComparison.Ordinal)
                ? typeof(LongestFirst).Assembly.GetType(collection.DisplayName[PerClassPrefix.Length..])
                : null);
        return type?.GetCustomAttribute<LongRunningAttribute>()?.Seconds ?? 0;
    }
}
