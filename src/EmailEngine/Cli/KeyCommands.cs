using System.CommandLine;
using EmailEngine.Auth;
using EmailEngine.Http;
using Spectre.Console;

namespace EmailEngine.Cli;

internal static class KeyCommands
{
    public static Command Build()
    {
        var keys = new Command("keys", "Manage per-tenant API keys (stored hashed; a new key is shown once).");
        var tenant = new Option<string>("--tenant") { Description = "Tenant slug", Required = true };

        var name = new Option<string?>("--name") { Description = "What the key is for" };
        var create = new Command("create", "Create a key for a tenant and print it once.") { tenant, name };
        create.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var created = await services.GetRequiredService<ApiKeyService>().CreateAsync(result.GetValue(tenant)!, result.GetValue(name), token);
            if (!created.IsSuccess)
                return Fail(created.Error!);
            Console.WriteLine(created.Value!.Token);
            Console.Error.WriteLine($"key id {created.Value.KeyId}: store the key above now, it cannot be shown again");
            return 0;
        }, ct));

        var list = new Command("list", "List a tenant's keys (ids and prefixes only).") { tenant };
        list.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var listed = await services.GetRequiredService<ApiKeyService>().ListAsync(result.GetValue(tenant)!, token);
            if (!listed.IsSuccess)
                return Fail(listed.Error!);
            var table = new Table().AddColumns("key id", "name", "prefix", "created", "revoked");
            foreach (var k in listed.Value!)
                table.AddRow(k.KeyId, Markup.Escape(k.Name), k.Prefix, k.CreatedAt.ToString("u"), k.RevokedAt?.ToString("u") ?? "");
            AnsiConsole.Write(table);
            return 0;
        }, ct));

        var keyId = new Argument<string>("key-id");
        var revoke = new Command("revoke", "Revoke a key; requests using it get 401 from now on.") { tenant, keyId };
        revoke.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var revoked = await services.GetRequiredService<ApiKeyService>().RevokeAsync(result.GetValue(tenant)!, result.GetValue(keyId)!, token);
            if (!revoked.IsSuccess)
                return Fail(revoked.Error!);
            Console.WriteLine($"revoked {revoked.Value!.KeyId}");
            return 0;
        }, ct));

        keys.Add(create);
        keys.Add(list);
        keys.Add(revoke);
        return keys;
    }

    private static int Fail(Failure failure) => TenantCommands.Fail(failure switch
    {
        Failure.Validation v => string.Join("; ", v.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
        _ => failure.Detail,
    });
}
