using System.Text.Json.Serialization;
namespace Tcma.Domain.Mdf;

public enum PeriodKind { Quarter, Half, Year }

/// <summary>
/// The time a program's funds live: from <see cref="Start"/> up to the last day <see cref="End"/> inclusive.
/// Days are UTC calendar days; funds expire at <see cref="ExpiresAt"/>, midnight UTC after the last day.
/// </summary>
public sealed record ProgramPeriod(PeriodKind Kind, DateOnly Start)
{
    public static ProgramPeriod Quarter(int year, int quarter) =>
        quarter is >= 1 and <= 4 ? new(PeriodKind.Quarter, new DateOnly(year, (quarter - 1) * 3 + 1, 1)) : throw new ArgumentOutOfRangeException(nameof(quarter));
    public static ProgramPeriod Half(int year, int half) =>
        half is 1 or 2 ? new(PeriodKind.Half, new DateOnly(year, half == 1 ? 1 : 7, 1)) : throw new ArgumentOutOfRangeException(nameof(half));
    public static ProgramPeriod Year(int year) => new(PeriodKind.Year, new DateOnly(year, 1, 1));

    [JsonIgnore] public DateOnly End => Start.AddMonths(Kind switch { PeriodKind.Quarter => 3, PeriodKind.Half => 6, _ => 12 }).AddDays(-1);
    [JsonIgnore] public DateTimeOffset ExpiresAt => Days.StartOf(End.AddDays(1));
    public bool Contains(DateOnly day) => day >= Start && day <= End;

    public override string ToString() => Kind switch
    {
        PeriodKind.Quarter => $"Q{(Start.Month - 1) / 3 + 1} {Start.Year}",
        PeriodKind.Half => $"H{(Start.Month == 1 ? 1 : 2)} {Start.Year}",
        _ => $"{Start.Year}",
    };
}

/// <summary>Calendar days in UTC, the one time zone every deadline in MDF is stated in.</summary>
public static class Days
{
    public static DateOnly Of(DateTimeOffset instant) => DateOnly.FromDateTime(instant.UtcDateTime);
    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    /// <summary>A deadline "on day D" holds until the end of D: the first instant of the next day.</summary>
    public static DateTimeOffset EndOf(DateOnly day) => StartOf(day.AddDays(1));
}
