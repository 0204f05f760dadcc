using EmailEngine.Http;

namespace EmailEngine.Dkim;

/// <summary>Answers 503 with the reason when an endpoint needs DKIM private keys and the master key is not configured.</summary>
public sealed class DkimUnavailableFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (DkimVaultUnavailableException e)
        {
            return new Failure.Unavailable(e.Message).ToProblem();
        }
    }
}
