using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly.CircuitBreaker;

namespace EmailEngine.MailWizz;

/// <summary>
/// The MailWizz client's circuit breaker as the operator needs to see it: closed (calls go out), open (every call is held
/// back after repeated failures), half-open (one trial call decides). Fed by the resilience pipeline's own state.
/// </summary>
public sealed class MailWizzCircuit
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _openedAt;
    private string? _cause;

    public CircuitBreakerStateProvider Provider { get; } = new();

    public CircuitState State => Provider.CircuitState;

    /// <summary>Since when calls are held back, and the failure that opened the circuit.</summary>
    public (DateTimeOffset? OpenedAt, string? Cause) LastOpening
    {
        get { lock (_gate) return (_openedAt, _cause); }
    }

    public void Opened(string cause)
    {
        lock (_gate)
            (_openedAt, _cause) = (TimeProvider.System.GetUtcNow(), cause); // real time, as the breaker's own timing
    }

    /// <summary>0 closed, 1 half-open, 2 open or isolated: the gauge's value, ordered by how little goes through.</summary>
    public int Level => State switch
    {
        CircuitState.Closed => 0,
        CircuitState.HalfOpen => 1,
        _ => 2,
    };
}

/// <summary>Degraded while the circuit holds MailWizz calls back: pushes wait in the outbox (nothing is lost).</summary>
internal sealed class MailWizzHealthCheck(MailWizzCircuit circuit) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var (openedAt, cause) = circuit.LastOpening;
        var data = new Dictionary<string, object> { ["circuit"] = circuit.State.ToString().ToLowerInvariant() };
        if (openedAt is { } at)
            data["last_opened_at"] = at;
        return Task.FromResult(circuit.State switch
        {
            CircuitState.Closed => HealthCheckResult.Healthy("MailWizz calls go out", data),
            CircuitState.HalfOpen => HealthCheckResult.Degraded($"MailWizz circuit half-open: a trial call decides (opened {openedAt:u}: {cause})", data: data),
            _ => HealthCheckResult.Degraded($"MailWizz circuit open since {openedAt:u} after repeated failures ({cause}); pushes wait in the outbox", data: data),
        });
    }
}
