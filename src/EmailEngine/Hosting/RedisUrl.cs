using StackExchange.Redis;

namespace EmailEngine.Hosting;

/// <summary>Parses <c>REDIS_URL</c>'s <c>redis://[:password@]host:port/db</c> (and <c>rediss://</c> for TLS) form.</summary>
public static class RedisUrl
{
    public static bool TryParse(string value, out ConfigurationOptions? options, out string error)
    {
        options = null;
        error = "";
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || uri.Host.Length == 0)
        {
            error = "expected redis://[:password@]host:port/db";
            return false;
        }
        options = new ConfigurationOptions
        {
            Ssl = uri.Scheme == "rediss",
            AbortOnConnectFail = false,
            ConnectTimeout = 3000,
        };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo.Length == 2)
        {
            if (userInfo[0].Length > 0) options.User = Uri.UnescapeDataString(userInfo[0]);
            options.Password = Uri.UnescapeDataString(userInfo[1]);
        }
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, out var db) || db < 0)
            {
                error = $"database index must be a number, got '{path}'";
                return false;
            }
            options.DefaultDatabase = db;
        }
        return true;
    }
}
