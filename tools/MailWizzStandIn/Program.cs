using MailWizzStandIn;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

// dotnet run --project tools/MailWizzStandIn -- [--urls URL] [--api-key KEY] [--delivery-server host:port] [--state-dir DIR] …
var app = StandInApp.Create(args);
await app.StartAsync();
var options = app.Services.GetRequiredService<StandInOptions>();
foreach (var url in app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses)
    Console.WriteLine($"MailWizz stand-in listening on {url}: API at {url}/api (X-API-KEY {(options.ApiKey.Length > 4 ? options.ApiKey[..4] : "")}…), inspection at {url}/_standin");
foreach (var server in options.DeliveryServers)
    Console.WriteLine($"Delivery server {server.Name} ({server.Type}) {server.Hostname}:{server.Port}, quotas {server.HourlyQuota}/h {server.DailyQuota}/day, headers: {string.Join("; ", server.AdditionalHeaders.Select(h => $"{h.Name}: {h.Value}"))}");
await app.WaitForShutdownAsync();
