namespace EmailEngine.Http;

/// <summary>A list response, <c>{"items": […]}</c>: a named shape, so the OpenAPI document can describe it.</summary>
public sealed record ItemList<T>(IEnumerable<T> Items);

/// <summary>One page of a cursor-paginated list: pass <c>next_after</c> as <c>after</c>; null on the last page.</summary>
public sealed record Page<T>(IEnumerable<T> Items, long? NextAfter);
