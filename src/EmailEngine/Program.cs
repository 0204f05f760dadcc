using EmailEngine.Cli;

return await EngineCli.RunAsync(args);

/// <summary>Entry point; the command line decides what runs (see <see cref="EngineCli"/>).</summary>
public partial class Program;
