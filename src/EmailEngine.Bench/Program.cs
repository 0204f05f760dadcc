using EmailEngine.Bench;
using EmailEngine.Cli;

// `./run bench VERB …` lands here with VERB first; the engine's configuration rules and error handling apply.
return await EngineCli.RunAsync(BenchCommands.Build(), args);
