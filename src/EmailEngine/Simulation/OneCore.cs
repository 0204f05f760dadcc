using System.Diagnostics;
using System.Numerics;

namespace EmailEngine.Simulation;

/// <summary>
/// Runs a command on one core with <c>taskset</c>, where it exists (Linux): the first core this process may use, since
/// a restricted cpuset need not include core 0. The runtime of a .NET program started so sees one processor.
/// </summary>
internal static class OneCore
{
    private const string Taskset = "/usr/bin/taskset";

    /// <summary><c>taskset -c N</c> to put before a command, or empty where there is no taskset.</summary>
    public static string[] Prefix() => OperatingSystem.IsLinux() && File.Exists(Taskset)
        ? [Taskset, "-c", $"{BitOperations.TrailingZeroCount(Process.GetCurrentProcess().ProcessorAffinity)}"]
        : [];
}
