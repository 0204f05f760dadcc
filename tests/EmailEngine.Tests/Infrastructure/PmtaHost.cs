using System.Security.Cryptography;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// A "PowerMTA host" reached through the real test sshd on 127.0.0.1: a config directory and the <c>pmta</c>
/// stand-in (tools/PmtaStandIn) installed as a wrapper script for the SSH user.
/// </summary>
public sealed class PmtaHost : IDisposable
{
    public const string OriginalConfig = """
        # V1-style config already on the host
        postmaster admin@sos-holidays.com
        host-name mail.sos-holidays.com
        smtp-listener 0.0.0.0:2525
        <source 0/0>
            smtp-service yes
        </source>
        """;

    public PmtaHost()
    {
        Directory = System.IO.Directory.CreateDirectory(Path.Combine(TestEnvironment.Require("EE_TEST_RUN_DIR"), $"pmta-{Guid.NewGuid():N}")).FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "etc"));
        ConfigPath = Path.Combine(Directory, "etc", "config");
        File.WriteAllText(ConfigPath, OriginalConfig.Replace("\r\n", "\n") + "\n");
        Command = Path.Combine(Directory, "pmta");
        File.WriteAllText(Command, $"#!/bin/sh\nPMTA_CONFIG='{ConfigPath}' PMTA_STANDIN_DIR='{Directory}' DOTNET_NOLOGO=1 exec dotnet '{StandInDll()}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Command, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Directory { get; }
    public string ConfigPath { get; }
    public string Command { get; }
    public string RunningConfig => Path.Combine(Directory, "running-config");

    public void FailNext(string verb) => File.WriteAllText(Path.Combine(Directory, $"fail-{verb}"), "");

    /// <summary>Engine settings that deploy to this host over the test sshd, with its host key pinned.</summary>
    public Dictionary<string, string> EngineSettings(string? pinnedHostKey = null, int? port = null) => new()
    {
        ["PMTA_SSH_HOST"] = TestEnvironment.Require("EE_TEST_SSH_HOST"),
        ["PMTA_SSH_PORT"] = (port ?? int.Parse(TestEnvironment.Require("EE_TEST_SSH_PORT"))).ToString(),
        ["PMTA_SSH_USER"] = TestEnvironment.Require("EE_TEST_SSH_USER"),
        ["PMTA_SSH_KEY_FILE"] = TestEnvironment.Require("EE_TEST_SSH_KEY"),
        ["PMTA_SSH_HOST_KEY"] = pinnedHostKey ?? HostKeyFingerprint(),
        ["PMTA_CONFIG_PATH"] = ConfigPath,
        ["PMTA_COMMAND"] = Command,
        ["PMTA_DKIM_DIR"] = Path.Combine(Directory, "dkim"),
        ["PMTA_RELAY_SOURCES"] = "198.51.100.10",
    };

    /// <summary>The body that registers this host (<c>POST /api/v1/pmta/hosts</c>) over the test sshd, with its host key pinned.</summary>
    public object Registration(string name, int? port = null, string? smtpHost = null) => new
    {
        name, ssh_host = TestEnvironment.Require("EE_TEST_SSH_HOST"), ssh_port = port ?? int.Parse(TestEnvironment.Require("EE_TEST_SSH_PORT")),
        ssh_user = TestEnvironment.Require("EE_TEST_SSH_USER"), key_file = TestEnvironment.Require("EE_TEST_SSH_KEY"), host_key = HostKeyFingerprint(),
        config_path = ConfigPath, acct_path = Path.Combine(Directory, "acct.csv"), relay_sources = new[] { "198.51.100.20" }, smtp_host = smtpHost,
        pmta_command = Command, dkim_dir = Path.Combine(Directory, "dkim"),
    };

    /// <summary><c>SHA256:…</c> of the test sshd's host key, as <c>ssh-keygen -lf</c> prints it.</summary>
    public static string HostKeyFingerprint()
    {
        var blob = Convert.FromBase64String(File.ReadAllText(TestEnvironment.Require("EE_TEST_SSH_HOST_KEY")).Split(' ')[1]);
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
    }

    internal static string StandInDll()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tools", "PmtaStandIn", "bin", configuration, "net10.0", "PmtaStandIn.dll");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException("tools/PmtaStandIn is not built");
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
