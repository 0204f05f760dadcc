using System.Text.Json;
using EmailEngine.Contacts;
using EmailEngine.Tenants;

namespace EmailEngine.MailWizz.Sync;

public static class SubscriberFields
{
    /// <summary>
    /// EMAIL, FNAME, LNAME, COMPANY and custom fields. A contact without a company gets the company its tenant's list
    /// carries (<paramref name="sender"/>: the tenant's settings over the operator defaults, see
    /// <see cref="TenantListSync.SenderOf"/>), so <c>[COMPANY]</c> names the same business as the mail's footer.
    /// </summary>
    public static Dictionary<string, string> For(Contact contact, SenderSettings sender)
    {
        var fields = JsonSerializer.Deserialize<Dictionary<string, string>>(contact.Fields)!;
        fields["EMAIL"] = contact.Email;
        fields["FNAME"] = contact.FirstName ?? "";
        fields["LNAME"] = contact.LastName ?? "";
        // Never null here: a list (which every subscriber push requires first) is only created with a company name.
        fields["COMPANY"] = contact.Company ?? sender.CompanyName!;
        return fields;
    }
}
