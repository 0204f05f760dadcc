using System.Text.Json;
using EmailEngine.Contacts;
using EmailEngine.Tenants;

namespace EmailEngine.MailWizz.Sync;

public static class SubscriberFields
{
    /// <summary>EMAIL, FNAME, LNAME, COMPANY (the tenant's company when the contact has none) and custom fields.</summary>
    public static Dictionary<string, string> For(Contact contact, Tenant tenant)
    {
        var fields = JsonSerializer.Deserialize<Dictionary<string, string>>(contact.Fields)!;
        fields["EMAIL"] = contact.Email;
        fields["FNAME"] = contact.FirstName ?? "";
        fields["LNAME"] = contact.LastName ?? "";
        fields["COMPANY"] = contact.Company ?? tenant.Sender.CompanyName ?? tenant.Name;
        return fields;
    }
}
