using System.Collections.Concurrent;
using EmailEngine.Hosting;
using StackExchange.Redis;

namespace EmailEngine.Locks;

/// <summary>
/// "Only one at a time across every engine instance" (deployments, warmup runs). Redis when REDIS_URL is set;
/// otherwise one process is the whole system and an in-process lock is exact.
/// </summary>
public interface IDistributedLock
{
    /// <summary>Takes the named lock for at most <paramref name="lease"/>, or returns null when someone holds it.</summary>
    Task<IAsyncDisposable?> TryAcquireAsync(string name, TimeSpan lease, CancellationToken ct);
}

public static class DistributedLockWaits
{
    /// <summary>
    /// Takes the named lock, trying again every 200 ms until <paramref name="within"/> has passed (zero: one try).
    /// Waited in real time: the holder is doing real work (SSH, HTTP), also when the engine's clock is a simulation's.
    /// </summary>
    public static async Task<IAsyncDisposable?> AcquireWithinAsync(this IDistributedLock locks, string name, TimeSpan lease, TimeSpan within,
        CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            var held = await locks.TryAcquireAsync(name, lease, ct);
            if (held is not null || System.Diagnostics.Stopwatch.GetElapsedTime(started) >= within)
                return held;
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
    }
}

internal sealed class InProcessLock : IDistributedLock
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, TimeSpan lease, CancellationToken ct)
    {
        var semaphore = _locks.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        return await semaphore.WaitAsync(TimeSpan.Zero, ct) ? new Releaser(() => semaphore.Release()) : null;
    }

    private sealed class Releaser(Action release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            release();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>SET NX PX with a random token; released only by its owner (compare-and-delete script).</summary>
internal sealed class RedisLock(IConnectionMultiplexer redis) : IDistributedLock
{
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, TimeSpan lease, CancellationToken ct)
    {
        var key = $"email-engine:lock:{name}";
        var token = Guid.NewGuid().ToString("N");
        var db = redis.GetDatabase();
        return await db.StringSetAsync(key, token, lease, When.NotExists) ? new Releaser(db, key, token) : null;
    }

    private sealed class Releaser(IDatabase db, string key, string token) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await db.ScriptEvaluateAsync(ReleaseScript, [key], [token]);
    }
}

public static class LockSetup
{
    public static IServiceCollection AddDistributedLock(this IServiceCollection services, EngineSettings settings)
    {
        if (settings.RedisUrl is { } url && RedisUrl.TryParse(url, out var options, out _))
        {
            services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options!));
            services.AddSingleton<IDistributedLock, RedisLock>();
        }
        else
        {
            services.AddSingleton<IDistributedLock, InProcessLock>();
        }
        return services;
    }
}
