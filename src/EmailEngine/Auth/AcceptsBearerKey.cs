namespace EmailEngine.Auth;

/// <summary>Endpoint metadata: the key may also come as <c>Authorization: Bearer KEY</c> (scrapers that cannot set X-API-KEY).</summary>
public sealed class AcceptsBearerKey;
