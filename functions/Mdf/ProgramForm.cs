using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tcma.Domain.Mdf;
using Tcma.Storage.Mdf;

namespace Tcma.Functions.Mdf;

/// <summary>One activity type as typed in the console form.</summary>
public sealed class ActivityRow
{
    /// <summary>Kept from the stored program so renaming an activity never orphans the requests made under its id.</summary>
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string RatePercent { get; set; } = "";
    public string Cap { get; set; } = "";
    public string GlCode { get; set; } = "";
    // The hidden id alone does not make a row: clearing the visible fields removes the activity type.
    public bool IsBlank => string.IsNullOrWhiteSpace(Name + RatePercent + Cap + GlCode);
}

/// <summary>One approval level as typed in the console form.</summary>
public sealed class LevelRow
{
    public string Name { get; set; } = "";
    public string Role { get; set; } = nameof(ApproverRole.ChannelManager);
    public string Above { get; set; } = "";
    public string ApproverId { get; set; } = "";
    public string ApproverName { get; set; } = "";
    public string ApproverEmail { get; set; } = "";
    public string BackupId { get; set; } = "";
    public string BackupName { get; set; } = "";
    public string BackupEmail { get; set; } = "";
    // The role is a select that always has a value, so it alone does not make a level.
    public bool IsBlank => string.IsNullOrWhiteSpace(Name + Above + ApproverId + ApproverName + ApproverEmail + BackupId + BackupName + BackupEmail);
}

/// <summary>
/// The console's program form: what the vendor admin typed, kept as text so a refused form comes back exactly as typed,
/// and the problems keyed by the input's name so each shows next to its field. The rules are the domain's
/// (<see cref="MdfProgram.Check"/>, <see cref="MoneyInput"/>, <see cref="Currency.Parse"/>); this class only reads text
/// and says where each refusal belongs.
/// </summary>
public sealed partial class ProgramForm
{
    public const int ActivityRows = 6;
    public const int LevelRows = 3;
    public const int MaxNameLength = 100;
    public const int MaxTextLength = 200;
    public const string RequestChain = "request";
    public const string ClaimChain = "claim";
    /// <summary>Where problems that belong to no single field go (shown at the top of the form).</summary>
    public const string FormKey = "form";

    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string PeriodKind { get; set; } = nameof(Tcma.Domain.Mdf.PeriodKind.Quarter);
    public string PeriodStart { get; set; } = "";
    public string Currency { get; set; } = "USD";
    public string FundType { get; set; } = nameof(Tcma.Domain.Mdf.FundType.FixedAllocation);
    public string FixedAllocation { get; set; } = "";
    public string AccrualPercent { get; set; } = "";
    public string ProposalLeadDays { get; set; } = "14";
    public string ClaimDeadlineDays { get; set; } = "60";
    public string ReminderAfterDays { get; set; } = "2";
    public string EscalationAfterDays { get; set; } = "5";
    public string MaxAmount { get; set; } = "1,000,000";
    /// <summary>The version the form was filled from; saving replaces only that version.</summary>
    public string ETag { get; set; } = "";
    public ActivityRow[] Activities { get; } = Enumerable.Range(0, ActivityRows).Select(_ => new ActivityRow()).ToArray();
    public LevelRow[] RequestLevels { get; } = Enumerable.Range(0, LevelRows).Select(_ => new LevelRow()).ToArray();
    public LevelRow[] ClaimLevels { get; } = Enumerable.Range(0, LevelRows).Select(_ => new LevelRow { Role = nameof(ApproverRole.Finance) }).ToArray();

    public Dictionary<string, List<string>> Errors { get; } = new(StringComparer.Ordinal);
    public bool HasErrors => Errors.Count > 0;
    public IReadOnlyList<string> ErrorsFor(string key) => Errors.TryGetValue(key, out var list) ? list : [];

    // Input names, shared by the page that renders them and the reader that reads them back.
    public static string ActivityField(int row, string field) => $"activity-{row}-{field}";
    public static string LevelField(string chain, int row, string field) => $"{chain}-{row}-{field}";

    /// <summary>A blank form for a new program: next quarter, USD, and the usual lead time and deadlines.</summary>
    public static ProgramForm New(DateTimeOffset now)
    {
        var today = Tcma.Domain.Mdf.Days.Of(now);
        var quarterStart = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1).AddMonths(3);
        return new ProgramForm { PeriodStart = quarterStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
    }

    public static ProgramForm From(StoredProgram stored)
    {
        var p = stored.Program;
        var form = new ProgramForm
        {
            Id = p.Id,
            Name = p.Name,
            PeriodKind = p.Period.Kind.ToString(),
            PeriodStart = p.Period.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Currency = p.Currency.Code,
            FundType = p.FundType.ToString(),
            FixedAllocation = p.FixedAllocation?.ToInvariantString() ?? "",
            AccrualPercent = p.AccrualRate == 0m ? "" : Percent(p.AccrualRate),
            ProposalLeadDays = p.ProposalLeadDays.ToString(CultureInfo.InvariantCulture),
            ClaimDeadlineDays = p.ClaimDeadlineDays.ToString(CultureInfo.InvariantCulture),
            ReminderAfterDays = p.ReminderAfterDays.ToString(CultureInfo.InvariantCulture),
            EscalationAfterDays = p.EscalationAfterDays.ToString(CultureInfo.InvariantCulture),
            MaxAmount = p.MaxAmount.ToInvariantString(),
            ETag = stored.ETag,
        };
        for (var i = 0; i < Math.Min(ActivityRows, p.ActivityTypes.Count); i++)
        {
            var a = p.ActivityTypes[i];
            form.Activities[i] = new ActivityRow { Id = a.Id, Name = a.Name, RatePercent = Percent(a.ReimbursementRate), Cap = a.Cap.ToInvariantString(), GlCode = a.GlCode };
        }
        Fill(form.RequestLevels, p.RequestChain);
        Fill(form.ClaimLevels, p.ClaimChain);
        return form;
    }

    /// <summary>The form as posted; anything missing reads as empty, anything long is cut so a page never echoes megabytes.</summary>
    public static ProgramForm Read(IFormCollection posted)
    {
        string F(string name, int max = MaxTextLength) => Cut(posted[name].ToString(), max);
        var form = new ProgramForm
        {
            Id = F("id", 60).Trim(),
            Name = F("name"),
            PeriodKind = F("periodKind", 20),
            PeriodStart = F("periodStart", 20),
            Currency = F("currency", 20),
            FundType = F("fundType", 20),
            FixedAllocation = F("fixedAllocation", 60),
            AccrualPercent = F("accrualPercent", 60),
            ProposalLeadDays = F("proposalLeadDays", 20),
            ClaimDeadlineDays = F("claimDeadlineDays", 20),
            ReminderAfterDays = F("reminderAfterDays", 20),
            EscalationAfterDays = F("escalationAfterDays", 20),
            MaxAmount = F("maxAmount", 60),
            ETag = F("etag", 200),
        };
        for (var i = 0; i < ActivityRows; i++)
            form.Activities[i] = new ActivityRow
            {
                Id = F(ActivityField(i, "id"), 60).Trim(),
                Name = F(ActivityField(i, "name")),
                RatePercent = F(ActivityField(i, "rate"), 60),
                Cap = F(ActivityField(i, "cap"), 60),
                GlCode = F(ActivityField(i, "gl"), 60),
            };
        foreach (var (chain, levels) in new[] { (RequestChain, form.RequestLevels), (ClaimChain, form.ClaimLevels) })
            for (var i = 0; i < LevelRows; i++)
                levels[i] = new LevelRow
                {
                    Name = F(LevelField(chain, i, "name")),
                    Role = F(LevelField(chain, i, "role"), 40),
                    Above = F(LevelField(chain, i, "above"), 60),
                    ApproverId = F(LevelField(chain, i, "approverId")).Trim(),
                    ApproverName = F(LevelField(chain, i, "approverName")),
                    ApproverEmail = F(LevelField(chain, i, "approverEmail")).Trim(),
                    BackupId = F(LevelField(chain, i, "backupId")).Trim(),
                    BackupName = F(LevelField(chain, i, "backupName")),
                    BackupEmail = F(LevelField(chain, i, "backupEmail")).Trim(),
                };
        return form;
    }

    /// <summary>
    /// The program this form describes, or null with <see cref="Errors"/> filled: first what cannot be read (a word where
    /// an amount belongs), then every rule <see cref="MdfProgram.Check"/> refuses, each next to the field it is about.
    /// <paramref name="existing"/> keeps what the form does not show (proof file rules).
    /// </summary>
    public MdfProgram? ToProgram(MdfProgram? existing)
    {
        Errors.Clear();
        if (!MdfProgramEndpoints.IsValidProgramId(Id)) Add("id", MdfProgramEndpoints.ProgramIdRule);
        // The console's own address for a new program; a program called "new" could never be opened there.
        else if (existing is null && Id == "new") Add("id", "'new' is taken by the console; choose another id.");
        if (string.IsNullOrWhiteSpace(Name)) Add("name", "Give the program a name.");
        else if (Name.Trim().Length > MaxNameLength) Add("name", $"At most {MaxNameLength} characters.");

        if (!Enum.TryParse<PeriodKind>(PeriodKind, out var kind) || !Enum.IsDefined(kind) || int.TryParse(PeriodKind, out _))
            Add("periodKind", "Choose a quarter, a half or a year.");
        if (!DateOnly.TryParseExact(PeriodStart.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
            Add("periodStart", "Give the first day of the period as a date, e.g. 2026-01-01.");
        if (!Enum.TryParse<FundType>(FundType, out var fundType) || !Enum.IsDefined(fundType) || int.TryParse(FundType, out _))
            Add("fundType", "Choose a fixed allocation, an accrual or both.");
        var currency = Tcma.Domain.Mdf.Currency.Parse(Currency);
        foreach (var r in currency.Refusals) Add("currency", r.Message);

        var proposalLead = Days("proposalLeadDays", ProposalLeadDays);
        var claimDeadline = Days("claimDeadlineDays", ClaimDeadlineDays);
        var reminder = Days("reminderAfterDays", ReminderAfterDays);
        var escalation = Days("escalationAfterDays", EscalationAfterDays);
        var accrualRate = fundType.HasFlag(Tcma.Domain.Mdf.FundType.Accrual) ? Rate("accrualPercent", AccrualPercent) : 0m;

        // Amounts can only be read in a known currency; without one, the currency's own problem is the one to fix first.
        if (!currency.IsValid) return null;
        var cur = currency.Value!;
        var zero = Money.Zero(cur);
        var maxAmount = Amount("maxAmount", MaxAmount, cur) ?? zero;
        var allocation = fundType.HasFlag(Tcma.Domain.Mdf.FundType.FixedAllocation) && FixedAllocation.Trim().Length > 0
            ? Amount("fixedAllocation", FixedAllocation, cur) ?? zero : null;

        var activities = new List<(int Row, ActivityType Type)>();
        for (var i = 0; i < ActivityRows; i++)
        {
            var row = Activities[i];
            if (row.IsBlank) continue;
            if (string.IsNullOrWhiteSpace(row.Name)) Add(ActivityField(i, "name"), "Name the activity type.");
            var id = row.Id.Length > 0 ? row.Id : Slug(row.Name, i);
            var rate = Rate(ActivityField(i, "rate"), row.RatePercent);
            var cap = Amount(ActivityField(i, "cap"), row.Cap, cur) ?? zero;
            activities.Add((i, new ActivityType(id, row.Name.Trim(), rate, cap, row.GlCode.Trim())));
        }
        var requestChain = Chain(RequestChain, RequestLevels, cur, out var requestRows);
        var claimChain = Chain(ClaimChain, ClaimLevels, cur, out var claimRows);

        var program = (existing ?? Blank(cur)) with
        {
            Id = Id,
            Name = Name.Trim(),
            Period = new ProgramPeriod(kind, start),
            Currency = cur,
            FundType = fundType,
            FixedAllocation = allocation,
            AccrualRate = accrualRate,
            ActivityTypes = activities.Select(a => a.Type).ToList(),
            ProposalLeadDays = proposalLead,
            ClaimDeadlineDays = claimDeadline,
            ReminderAfterDays = reminder,
            EscalationAfterDays = escalation,
            RequestChain = requestChain,
            ClaimChain = claimChain,
            MaxAmount = maxAmount,
        };
        // A field that could not be read already says why; the rule it then breaks (a stand-in zero) would only repeat it.
        var unreadable = Errors.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var refusal in program.Check())
        {
            if (refusal.Code is "program.activity_rate" or "program.activity_cap" or "program.activity_gl_code") continue;
            var key = Place(refusal, requestRows, claimRows);
            if (!unreadable.Contains(key)) Add(key, refusal.Message);
        }
        // Checked one activity at a time, so each refusal lands on its own row even when two rows share a name.
        foreach (var (row, type) in activities)
            foreach (var refusal in (program with { ActivityTypes = [type] }).Check())
            {
                var key = refusal.Code switch
                {
                    "program.activity_rate" => ActivityField(row, "rate"),
                    "program.activity_cap" => ActivityField(row, "cap"),
                    "program.activity_gl_code" => ActivityField(row, "gl"),
                    _ => null,
                };
                if (key is not null && !unreadable.Contains(key)) Add(key, refusal.Message);
            }
        return HasErrors ? null : program;
    }

    private ApprovalChain Chain(string chain, LevelRow[] rows, Currency currency, out List<int> rowOfLevel)
    {
        rowOfLevel = [];
        var levels = new List<ApprovalLevel>();
        for (var i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            if (row.IsBlank) continue;
            if (!Enum.TryParse<ApproverRole>(row.Role, out var role) || !Enum.IsDefined(role) || int.TryParse(row.Role, out _))
                Add(LevelField(chain, i, "role"), "Choose a role.");
            var above = row.Above.Trim().Length == 0 ? Money.Zero(currency) : Amount(LevelField(chain, i, "above"), row.Above, currency) ?? Money.Zero(currency);
            var approver = Person(LevelField(chain, i, "approverId"), LevelField(chain, i, "approverEmail"), row.ApproverId, row.ApproverName, row.ApproverEmail, "approver");
            var backup = Person(LevelField(chain, i, "backupId"), LevelField(chain, i, "backupEmail"), row.BackupId, row.BackupName, row.BackupEmail, "backup approver");
            rowOfLevel.Add(i);
            levels.Add(new ApprovalLevel(levels.Count + 1, row.Name.Trim().Length > 0 ? row.Name.Trim() : RoleLabel(role), role, above, approver, backup));
        }
        return new ApprovalChain(levels);
    }

    // Approval links are bound to the user id and mails go to the address, so a level without either could never be decided.
    private Approver Person(string idKey, string emailKey, string id, string name, string email, string who)
    {
        if (id.Length == 0) Add(idKey, $"Give the {who}'s user id.");
        if (email.Length == 0) Add(emailKey, $"Give the {who}'s email address.");
        else if (!Tcma.Domain.Launches.ContactList.IsEmailAddress(email)) Add(emailKey, $"'{Cut(email, 60)}' is not an email address.");
        return new Approver(id, name.Trim().Length > 0 ? name.Trim() : email, email);
    }

    /// <summary>The field (or section) a refusal of <see cref="MdfProgram.Check"/> is about.</summary>
    private static string Place(Refusal refusal, List<int> requestRows, List<int> claimRows)
    {
        // The chain refusals name their chain ("the claim chain") and, where it matters, the level number.
        var chain = refusal.Message.Contains("claim", StringComparison.OrdinalIgnoreCase) ? ClaimChain : RequestChain;
        var rows = chain == ClaimChain ? claimRows : requestRows;
        var level = LevelNumber().Match(refusal.Message) is { Success: true } m && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) is var n && n >= 1 && n <= rows.Count
            ? rows[n - 1] : (int?)null;
        return refusal.Code switch
        {
            "program.max_amount" => "maxAmount",
            "program.allocation" => "fixedAllocation",
            "program.accrual_rate" => "accrualPercent",
            "program.no_activity_type" or "program.activity_duplicate" => "activities",
            "program.lead_days" => "proposalLeadDays",
            "program.claim_days" => "claimDeadlineDays",
            "program.reminders" => "reminderAfterDays",
            "program.chain_first_level" when rows.Count > 0 => LevelField(chain, rows[0], "above"),
            "program.chain_order" when level is { } row => LevelField(chain, row, "above"),
            "program.backup_same" when level is { } row => LevelField(chain, row, "backupId"),
            "program.chain_empty" or "program.chain_currency" or "program.chain_first_level" or "program.chain_order"
                or "program.backup_same" or "program.claim_chain_finance" => chain,
            _ => FormKey,
        };
    }

    private int Days(string key, string text)
    {
        if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var days) && days is > -100_000 and < 100_000) return days;
        Add(key, "Enter a whole number of days.");
        return 0;
    }

    /// <summary>A percentage as people type it ("50", "2.5", "2.5%") as the rate the domain keeps (0.5, 0.025).</summary>
    private decimal Rate(string key, string text)
    {
        var t = text.Trim().TrimEnd('%').Trim();
        if (t.Length == 0) { Add(key, "Enter a percentage, e.g. 50."); return 0m; }
        if (t.Length <= 12 && decimal.TryParse(t, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var percent))
            return percent / 100m;
        Add(key, $"'{Cut(text, 20)}' is not a percentage: use digits and an optional decimal point, e.g. 2.5.");
        return 0m;
    }

    private Money? Amount(string key, string text, Currency currency)
    {
        // Zero passes here so that the program's own rule, with its own words, says whether zero is allowed.
        var parsed = MoneyInput.Parse(text, currency, new MoneyRules(Money.Of(1_000_000_000_000m, currency), AllowZero: true));
        foreach (var r in parsed.Refusals) Add(key, r.Message);
        return parsed.Value;
    }

    private void Add(string key, string message)
    {
        if (!Errors.TryGetValue(key, out var list)) Errors[key] = list = [];
        if (!list.Contains(message)) list.Add(message);
    }

    public static string RoleLabel(ApproverRole role) => role switch
    {
        ApproverRole.ChannelManager => "Channel manager",
        ApproverRole.MarketingDirector => "Marketing director",
        ApproverRole.Finance => "Finance",
        _ => "Other",
    };

    private static void Fill(LevelRow[] rows, ApprovalChain chain)
    {
        for (var i = 0; i < Math.Min(rows.Length, chain.Levels.Count); i++)
        {
            var l = chain.Levels[i];
            rows[i] = new LevelRow
            {
                Name = l.Name, Role = l.Role.ToString(), Above = l.Above.ToInvariantString(),
                ApproverId = l.Approver.UserId, ApproverName = l.Approver.Name, ApproverEmail = l.Approver.Email,
                BackupId = l.Backup.UserId, BackupName = l.Backup.Name, BackupEmail = l.Backup.Email,
            };
        }
    }

    private static MdfProgram Blank(Currency currency) => new()
    {
        Id = "", Name = "", Period = new ProgramPeriod(Tcma.Domain.Mdf.PeriodKind.Quarter, default), Currency = currency,
        FundType = Tcma.Domain.Mdf.FundType.FixedAllocation, ActivityTypes = [], RequestChain = new([]), ClaimChain = new([]), MaxAmount = Money.Zero(currency),
    };

    private static string Percent(decimal rate) => (rate * 100m).ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>An activity id from its name ("Events & webinars" → "events-webinars"), stable as long as the form keeps it.</summary>
    private static string Slug(string name, int row)
    {
        var slug = new StringBuilder();
        foreach (var c in name.Trim().ToLowerInvariant())
            slug.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        var id = Dashes().Replace(slug.ToString(), "-").Trim('-');
        if (id.Length > 40) id = id[..40].TrimEnd('-');
        return id.Length > 0 ? id : $"activity-{row + 1}";
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..max];

    [GeneratedRegex(@"\b[Ll]evel (\d+)\b")]
    private static partial Regex LevelNumber();

    [GeneratedRegex("-{2,}")]
    private static partial Regex Dashes();
}
