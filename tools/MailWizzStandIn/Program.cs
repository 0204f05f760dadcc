using MailWizzStandIn;

// dotnet run --project tools/MailWizzStandIn -- --urls http://127.0.0.1:8090 --api-key KEY [--smtp host:port]
var options = StandInOptions.FromArgs(args);
var app = StandInApp.Create(options);
Console.WriteLine($"MailWizz stand-in: API at {options.Url}/api (X-API-KEY {(options.ApiKey.Length > 4 ? options.ApiKey[..4] : "")}…), inspection at {options.Url}/_standin");
await app.RunAsync();
