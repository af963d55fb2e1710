namespace Tcma.Benchmarks.Liquid;

/// <summary>A realistic launch email: the same 60 lines for every engine, differing only in the filters plain Liquid lacks.</summary>
internal static class EmailTemplates
{
    public static readonly Dictionary<string, object?> Partner = new()
    {
        ["name"] = "Acme IT Solutions", ["city"] = "Lyon", ["phone"] = "+33 4 00 00 00 00",
        ["logo_url"] = "https://cdn.example/acme/logo.png", ["brand_color"] = "#0a5cff", ["address"] = "12 rue de la Paix, 69002 Lyon",
    };

    public static readonly Dictionary<string, object?> Vendor = new() { ["name"] = "Contoso", ["legal"] = "Contoso SAS, Paris" };

    public static readonly Dictionary<string, object?> Campaign = new()
    {
        ["title"] = "Spring network refresh",
        ["intro"] = "Upgrade your office network before the busy season.",
        ["ends_at"] = new DateTimeOffset(2026, 12, 31, 23, 0, 0, TimeSpan.Zero),
        ["products"] = Enumerable.Range(1, 6).Select(i => (object?)new Dictionary<string, object?>
        {
            ["name"] = "Product " + i, ["price"] = 9950 * i, ["available"] = i % 4 != 0, ["url"] = "https://contoso.example/p/" + i,
            ["image"] = $"https://cdn.example/p/{i}.png", ["badge"] = i == 1 ? "New" : null,
        }).ToList(),
    };

    private const string Body = """
        <!DOCTYPE html>
        <html lang="fr">
        <head>
          <meta charset="utf-8">
          <title>{{ campaign.title }}</title>
        </head>
        <body style="margin:0;padding:0;background:#f4f4f4;">
          <table role="presentation" width="100%" cellpadding="0" cellspacing="0">
            <tr>
              <td style="background:{{ partner.brand_color }};padding:16px;">
                <img src="{{ partner.logo_url }}" alt="{{ partner.name }}" height="40">
              </td>
            </tr>
            <tr>
              <td style="padding:24px;font-family:Arial,sans-serif;">
                {% if recipient.first_name != "" %}<p>Bonjour {{ recipient.first_name }},</p>{% else %}<p>Bonjour,</p>{% endif %}
                {% if recipient.company %}<p>Une offre pour {{ recipient.company }}.</p>{% endif %}
                <h1 style="font-size:22px;">{{ campaign.title }}</h1>
                <p>{{ campaign.intro }}</p>
                <table role="presentation" width="100%">
                  {% for product in campaign.products %}
                  {% if product.available %}
                  <tr>
                    <td width="120"><img src="{{ product.image }}" alt="{{ product.name }}" width="100"></td>
                    <td>
                      <strong>{{ product.name }}</strong>
                      {% if product.badge %}<span style="color:{{ partner.brand_color }};">{{ product.badge }}</span>{% endif %}
                      <br>PRICE
                      <br><a href="TRACKED">Voir le produit</a>
                    </td>
                  </tr>
                  {% endif %}
                  {% endfor %}
                </table>
                <p>Offre valable jusqu'au ENDS.</p>
                <p>Votre contact : {{ partner.name }}, {{ partner.phone }}</p>
              </td>
            </tr>
            <tr>
              <td style="padding:16px;font-size:11px;color:#888;">
                <p>{{ partner.name }} &middot; {{ partner.address }}</p>
                <p>En partenariat avec {{ vendor.name }} ({{ vendor.legal }}).</p>
                <p>Vous recevez cet e-mail à {{ recipient.email }}.</p>
                <p><a href="{{ links.unsubscribe }}">Se désabonner</a></p>
              </td>
            </tr>
          </table>
          <table role="presentation" width="100%">
            <tr>
              <td style="text-align:center;font-size:10px;color:#aaa;">
                {{ vendor.name }} &copy; {{ campaign.ends_at | date: "%Y" }}
              </td>
            </tr>
          </table>
        </body>
        </html>
        """;

    /// <summary>Ours escapes by default and has money, track and strftime dates in the partner's language.</summary>
    public static readonly string Ours = Body
        .Replace("PRICE", "{{ product.price | money }}")
        .Replace("TRACKED", "{{ product.url | track: product.name }}")
        .Replace("ENDS", "{{ campaign.ends_at | date: '%-d %B %Y' }}");

    /// <summary>
    /// Plain Liquid (the baseline) needs explicit escaping and has no track; prices in cents as money takes
    /// them, printed with standard filters.
    /// </summary>
    public static readonly string Plain = System.Text.RegularExpressions.Regex.Replace(Body, @"\{\{ (recipient\.\w+|partner\.\w+) \}\}", "{{ $1 | escape }}")
        .Replace("PRICE", "{{ product.price | divided_by: 100.0 | round: 2 | prepend: '€' }}")
        .Replace("TRACKED", "{{ product.url | append: '?utm_source=acme-it&utm_medium=email' | escape }}")
        .Replace("ENDS", "{{ campaign.ends_at | date: '%-d %B %Y' }}");
}
