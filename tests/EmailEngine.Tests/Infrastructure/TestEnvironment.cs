namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// Services the <c>./test</c> command starts (PostgreSQL, Redis, sshd) are passed in environment variables.
/// Running <c>dotnet test</c> without them fails with a pointer to the right command, never a silent skip.
/// </summary>
public static class TestEnvironment
{
    public static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the suite with ./test, which starts PostgreSQL, Redis and sshd.");

    public static string PostgresAdmin => Require("EE_TEST_PG");
    public static string RedisUrl => Require("EE_TEST_REDIS");

    /// <summary>The engine's compiled entry assembly, to run CLI verbs as a real process.</summary>
    public static string EngineDll => typeof(EmailEngine.Hosting.EngineHost).Assembly.Location;
}
