using System.Globalization;
using System.Text;

namespace Tcma.Domain.Deals;

/// <summary>
/// When two spellings of a customer's name are the same organisation. "Contoso, Inc.", "CONTOSO INC" and "Contoso
/// Incorporated" normalise to the same name; "Kontoso Ltd" and "Contosso" are similar (a typo, a transliteration);
/// "Contoso Pharma" is related (shares the distinctive word) but is not taken for the same organisation on its own.
/// </summary>
public static class CompanyNames
{
    /// <summary>Similar names from this Jaro-Winkler score up count as the same organisation.</summary>
    public const double SimilarFrom = 0.92;

    // Legal forms say nothing about which organisation it is; dropped wherever they end a name.
    private static readonly HashSet<string> LegalForms = new(StringComparer.Ordinal)
    {
        "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "llp", "lp", "plc", "gmbh", "mbh", "ag",
        "kg", "kgaa", "ug", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "oyj", "ab", "as", "asa", "aps", "pty", "pvt", "kk", "sl",
        "sau", "se", "sp", "zoo", "sro", "doo", "ltda", "cv", "eirl", "holding", "holdings",
    };

    // Words too common to tell organisations apart: never a candidate key on their own.
    private static readonly HashSet<string> Generic = new(StringComparer.Ordinal)
    {
        "and", "of", "the", "for", "systems", "system", "solutions", "services", "service", "group", "global", "international", "intl",
        "technologies", "technology", "tech", "software", "consulting", "partners", "industries", "enterprises", "enterprise", "digital",
        "data", "networks", "network", "labs", "media", "management", "capital", "health", "healthcare", "bank", "insurance", "energy",
        "foods", "logistics", "engineering", "manufacturing", "retail", "trading", "ventures", "worldwide", "america", "europe", "usa",
        "uk", "north", "south", "east", "west", "new", "first", "united", "general", "national", "city", "county", "council", "university",
    };

    /// <summary>The name's words, lower case, without accents, punctuation or legal form; never empty for a non-blank name.</summary>
    public static IReadOnlyList<string> Tokens(string name)
    {
        var folded = Fold(name);
        var raw = folded.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        // "S.A.", "I.B.M." arrive as single letters: one word again.
        var words = new List<string>();
        var letters = new StringBuilder();
        foreach (var w in raw)
        {
            if (w.Length == 1) { letters.Append(w); continue; }
            if (letters.Length > 0) { words.Add(letters.ToString()); letters.Clear(); }
            words.Add(w);
        }
        if (letters.Length > 0) words.Add(letters.ToString());

        var kept = new List<string>(words);
        // "GmbH & Co. KG": legal forms and the "and" between them.
        while (kept.Count > 1 && (LegalForms.Contains(kept[^1]) || kept[^1] == "and")) kept.RemoveAt(kept.Count - 1);
        if (kept.Count > 1 && kept[0] == "the") kept.RemoveAt(0);
        return kept.Count > 0 ? kept : words;
    }

    /// <summary>The normalised name, words separated by one space: "contoso", "fabrikam north".</summary>
    public static string Normalise(string name) => string.Join(' ', Tokens(name));

    /// <summary>The name with its spaces gone, so "Micro Soft" and "Microsoft" are one key.</summary>
    public static string Compact(string name) => string.Concat(Tokens(name));

    /// <summary>The first word that tells organisations apart (three letters or more, not a generic business word), if any.</summary>
    public static string? DistinctiveWord(string name) =>
        Tokens(name).FirstOrDefault(t => t.Length >= 3 && !Generic.Contains(t) && !LegalForms.Contains(t));

    /// <summary>
    /// A sound key of the compact name: consonants by the sound class they share (c/k/q/s/g, d/t, b/p/f/v, m/n ...),
    /// vowels and h/w dropped, repeats collapsed, so "Contoso", "Kontoso" and "Contosso" share one key. Null when the
    /// name has fewer than three sounded consonants: such a key would match half the customer base.
    /// </summary>
    public static string? SoundKey(string name)
    {
        var compact = Compact(name).Replace("ph", "f", StringComparison.Ordinal).Replace("ck", "k", StringComparison.Ordinal);
        var key = new StringBuilder();
        var last = '\0';
        foreach (var c in compact)
        {
            var code = c switch
            {
                'b' or 'f' or 'p' or 'v' => '1',
                'c' or 'g' or 'j' or 'k' or 'q' or 's' or 'x' or 'z' => '2',
                'd' or 't' => '3',
                'l' => '4',
                'm' or 'n' => '5',
                'r' => '6',
                >= '0' and <= '9' => c,
                _ => '\0',
            };
            if (code == '\0') { if (c is not ('h' or 'w')) last = '\0'; continue; }
            if (code == last) continue;
            key.Append(code);
            last = code;
            if (key.Length == 12) break;
        }
        return key.Length >= 3 ? key.ToString() : null;
    }

    /// <summary>How alike two names are, 0 to 1 (Jaro-Winkler on the compact names; 1 = the same normalised name).</summary>
    public static double Similarity(string a, string b) => JaroWinkler(Compact(a), Compact(b));

    /// <summary>
    /// The same organisation spelled differently: alike from <see cref="SimilarFrom"/>, or a little less alike but
    /// sounding the same ("Contoso" and "Kontoso" differ in the first letter, which Jaro-Winkler weighs most).
    /// </summary>
    public static bool AreSimilar(string a, string b)
    {
        var score = Similarity(a, b);
        return score >= SimilarFrom || (score >= SoundsAlikeFrom && SoundKey(a) is { } key && key == SoundKey(b));
    }

    private const double SoundsAlikeFrom = 0.85;

    /// <summary>One name's words are all in the other's ("Contoso" and "Contoso Pharma"): perhaps a subsidiary, worth showing an approver.</summary>
    public static bool Related(string a, string b)
    {
        var x = Tokens(a).Where(t => !Generic.Contains(t)).ToHashSet(StringComparer.Ordinal);
        var y = Tokens(b).Where(t => !Generic.Contains(t)).ToHashSet(StringComparer.Ordinal);
        return x.Count > 0 && y.Count > 0 && (x.IsSubsetOf(y) || y.IsSubsetOf(x));
    }

    private static string Fold(string name)
    {
        var decomposed = name.Trim().ToLowerInvariant().Replace("ß", "ss", StringComparison.Ordinal).Replace("&", " and ", StringComparison.Ordinal)
            .Replace("+", " and ", StringComparison.Ordinal).Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark) continue;
            // An apostrophe joins ("O'Neil" is "oneil"); every other mark separates words.
            if (c is '\'' or '’') continue;
            folded.Append(char.IsLetterOrDigit(c) ? c : ' ');
        }
        return folded.ToString().Normalize(NormalizationForm.FormC);
    }

    private static double JaroWinkler(string s, string t)
    {
        if (s.Length == 0 || t.Length == 0) return s.Length == t.Length ? 1 : 0;
        if (s == t) return 1;
        var range = Math.Max(0, Math.Max(s.Length, t.Length) / 2 - 1);
        var sMatched = new bool[s.Length];
        var tMatched = new bool[t.Length];
        var matches = 0;
        for (var i = 0; i < s.Length; i++)
        {
            for (int j = Math.Max(0, i - range), end = Math.Min(t.Length - 1, i + range); j <= end; j++)
            {
                if (tMatched[j] || s[i] != t[j]) continue;
                sMatched[i] = tMatched[j] = true;
                matches++;
                break;
            }
        }
        if (matches == 0) return 0;
        var transpositions = 0;
        for (int i = 0, k = 0; i < s.Length; i++)
        {
            if (!sMatched[i]) continue;
            while (!tMatched[k]) k++;
            if (s[i] != t[k]) transpositions++;
            k++;
        }
        double m = matches;
        var jaro = (m / s.Length + m / t.Length + (m - transpositions / 2.0) / m) / 3;
        var prefix = 0;
        while (prefix < Math.Min(4, Math.Min(s.Length, t.Length)) && s[prefix] == t[prefix]) prefix++;
        return jaro + prefix * 0.1 * (1 - jaro);
    }
}
