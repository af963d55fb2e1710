namespace Tcma.Domain.Leads;

/// <summary>One thing wrong with a submission, naming the field the way the form and the API call it.</summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>What capture does with a submission: keep it, refuse it with reasons, or (a bot) thank it and store nothing.</summary>
public abstract record SubmissionCheck
{
    private SubmissionCheck() { }

    public sealed record Valid(ValidSubmission Submission) : SubmissionCheck;

    public sealed record Invalid(IReadOnlyList<FieldError> Errors) : SubmissionCheck;

    /// <summary>The honeypot was filled: answer exactly as for a real lead so the bot learns nothing, and store nothing.</summary>
    public sealed record Bot : SubmissionCheck;
}

/// <summary>Caps on every field. Anything longer is refused with the field's name, never truncated silently.</summary>
public sealed record SubmissionLimits
{
    public int Email { get; init; } = 254;
    public int Name { get; init; } = 100;
    public int Phone { get; init; } = 40;
    public int Company { get; init; } = 200;
    public int JobTitle { get; init; } = 150;
    /// <summary>Generous so that "Germany" gets the helpful "two-letter code" answer rather than a length error.</summary>
    public int Country { get; init; } = 60;
    public int Region { get; init; } = 100;
    public int PostalCode { get; init; } = 20;
    public int CompanySize { get; init; } = 50;
    public int ProductInterest { get; init; } = 100;
    public int ConsentText { get; init; } = 4000;
    public int SourcePage { get; init; } = 2048;
    public int IpAddress { get; init; } = 45;
}
