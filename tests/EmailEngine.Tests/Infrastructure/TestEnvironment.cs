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

    /// <summary>The benchmarks' program (<c>./run bench VERB</c>).</summary>
    public static string BenchDll => typeof(EmailEngine.Bench.BenchCommands).Assembly.Location;

    /// <summary>The checkout the tests were built from, for the tests that read its files (docs, scripts).</summary>
    public static string RepositoryRoot()
    {
        // .git is a directory in a clone, a file in a `git worktree` checkout.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Path.Exists(Path.Combine(dir.FullName, ".git")) && File.Exists(Path.Combine(dir.FullName, "run")))
                return dir.FullName;
        throw new DirectoryNotFoundException("the tests do not run from a git checkout");
    }
}
