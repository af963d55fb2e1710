using System.Collections;
using System.Globalization;
using Fluid.Values;

namespace Tcma.Rendering.Liquid;

/// <summary>
/// The documented data a template sees: <c>partner</c>, <c>vendor</c>, <c>campaign</c>, <c>recipient</c> and
/// <c>links</c>. Built from plain data only (dictionaries, lists, strings, numbers, booleans, dates), copied on the
/// way in, so a template can never reach a method of one of our objects nor observe a later change.
/// </summary>
public sealed class LiquidModel
{
    public static readonly IReadOnlyList<string> Roots = ["partner", "vendor", "campaign", "recipient", "links"];
    /// <summary>Values typed by partners and recipients: <c>raw</c> may never switch off their escaping.</summary>
    internal static readonly IReadOnlySet<string> UntrustedRoots = new HashSet<string> { "partner", "recipient" };
    /// <summary>What changes from one recipient of a launch to the next.</summary>
    internal static readonly IReadOnlySet<string> PerRecipientRoots = new HashSet<string> { "recipient", "links" };

    private const int MaxDepth = 16;
    /// <summary>The roots as Fluid values, built once: a render only looks them up, so a model can be shared by every email.</summary>
    internal IReadOnlyDictionary<string, FluidValue> Values { get; }

    private LiquidModel(Dictionary<string, FluidValue> values) => Values = values;

    public static LiquidModel Create(
        IReadOnlyDictionary<string, object?>? partner = null,
        IReadOnlyDictionary<string, object?>? vendor = null,
        IReadOnlyDictionary<string, object?>? campaign = null,
        IReadOnlyDictionary<string, object?>? recipient = null,
        IReadOnlyDictionary<string, object?>? links = null)
    {
        var hash = new Dictionary<string, FluidValue>(StringComparer.Ordinal);
        void Put(string name, IReadOnlyDictionary<string, object?>? value)
        {
            if (value is null) return;
            try
            {
                hash[name] = Plain(value, 0);
            }
            catch (ModelValueException e)
            {
                throw new ArgumentException($"model value '{name}{e.Path}' {e.Reason}");
            }
        }
        Put("partner", partner);
        Put("vendor", vendor);
        Put("campaign", campaign);
        Put("recipient", recipient);
        Put("links", links);
        return new LiquidModel(hash);
    }

    /// <summary>Only the recipient-dependent roots, to render against a prepared launch.</summary>
    public static LiquidModel ForRecipient(IReadOnlyDictionary<string, object?>? recipient, IReadOnlyDictionary<string, object?>? links = null) =>
        Create(recipient: recipient, links: links);

    /// <summary>
    /// This model with the roots of <paramref name="other"/> added or replaced: a launch's model built once plus each
    /// recipient's, for callers that render whole templates many times. Nothing is copied again.
    /// </summary>
    public LiquidModel With(LiquidModel other)
    {
        var hash = new Dictionary<string, FluidValue>(Values.Count + other.Values.Count, StringComparer.Ordinal);
        foreach (var (key, value) in Values) hash[key] = value;
        foreach (var (key, value) in other.Values) hash[key] = value;
        return new LiquidModel(hash);
    }

    /// <summary>The model without <c>recipient</c> and <c>links</c>: what a launch may share between all its emails.</summary>
    internal LiquidModel Shared()
    {
        var hash = new Dictionary<string, FluidValue>(StringComparer.Ordinal);
        foreach (var (key, value) in Values)
            if (!PerRecipientRoots.Contains(key)) hash[key] = value;
        return new LiquidModel(hash);
    }

    /// <summary>
    /// Plain data to Fluid values. Only dictionaries, lists and scalars exist in the result, so Fluid's member access
    /// never reaches a CLR object of ours (no <c>.Length</c>, no <c>.GetType</c>), whatever access strategy it has.
    /// </summary>
    private static FluidValue Plain(object? value, int depth)
    {
        // The path of a refused value is built only when one is refused (ModelValueException), never per value.
        if (depth > MaxDepth) throw new ModelValueException($"is nested more than {MaxDepth} deep");
        switch (value)
        {
            case null:
                return NilValue.Instance;
            case string s:
                return StringValue.Create(s);
            case bool b:
                return BooleanValue.Create(b);
            case int or long or decimal or short or byte or sbyte or ushort or uint:
                return NumberValue.Create(Convert.ToDecimal(value, CultureInfo.InvariantCulture));
            case double or float:
                var real = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (!double.IsFinite(real) || Math.Abs(real) > 7.9e27) throw new ModelValueException("is not a number a template can print");
                return NumberValue.Create((decimal)real);
            case DateTimeOffset d:
                return DateTimeValue.Create(d);
            case DateTime d:
                return DateTimeValue.Create(d.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(d, TimeSpan.Zero) : new DateTimeOffset(d));
            case DateOnly d:
                return DateTimeValue.Create(new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
            case Guid g:
                return StringValue.Create(g.ToString());
            case IEnumerable<KeyValuePair<string, object?>> map:
                var entries = map as IReadOnlyCollection<KeyValuePair<string, object?>> ?? map.ToList();
                var keys = new string[entries.Count];
                var values = new FluidValue[entries.Count];
                var n = 0;
                foreach (var (k, v) in entries)
                {
                    try
                    {
                        values[n] = Plain(v, depth + 1);
                    }
                    catch (ModelValueException e)
                    {
                        throw new ModelValueException(e.Reason, "." + k + e.Path);
                    }
                    keys[n++] = k;
                }
                return DictionaryValue.Create(keys.Length <= PlainMap.MaxScanned
                    ? new PlainMap(keys, values)
                    : new FluidValueDictionaryFluidIndexable(keys.Zip(values).ToDictionary(kv => kv.First, kv => kv.Second, StringComparer.Ordinal)));
            case IDictionary:
                throw new ModelValueException("must be a dictionary with string keys and object values");
            case IEnumerable list:
                var items = new List<FluidValue>(list is ICollection counted ? counted.Count : 4);
                foreach (var item in list)
                {
                    try
                    {
                        items.Add(Plain(item, depth + 1));
                    }
                    catch (ModelValueException e)
                    {
                        throw new ModelValueException(e.Reason, $"[{items.Count}]{e.Path}");
                    }
                }
                return ArrayValue.Create(items);
            default:
                throw new ModelValueException(
                    $"is a {value.GetType().Name}; templates render over plain data only (dictionaries, lists, strings, numbers, booleans, dates)");
        }
    }

    /// <summary>
    /// A small map as two arrays: a model dictionary rarely has more than a dozen keys, where a scan is as fast as
    /// hashing and the arrays cost a third of a Dictionary (the whole model is copied for every whole render).
    /// </summary>
    private sealed class PlainMap(string[] keys, FluidValue[] values) : IFluidIndexable
    {
        public const int MaxScanned = 16;

        public int Count => keys.Length;
        public IEnumerable<string> Keys => keys;

        public bool TryGetValue(string name, out FluidValue value)
        {
            for (var i = 0; i < keys.Length; i++)
                if (string.Equals(keys[i], name, StringComparison.Ordinal))
                {
                    value = values[i];
                    return true;
                }
            value = NilValue.Instance;
            return false;
        }
    }

    private sealed class ModelValueException(string reason, string path = "") : Exception(reason)
    {
        public string Reason { get; } = reason;
        public string Path { get; } = path;
    }
}

/// <summary>The UTM parameters the <c>track</c> filter adds.</summary>
public sealed record LiquidTracking(string Source, string Medium, string Campaign, string? Content = null);

/// <summary>Per-render settings: the partner's language, time zone and currency, "now", and link tracking.</summary>
public sealed record RenderOptions
{
    public CultureInfo Culture { get; init; } = CultureInfo.InvariantCulture;
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;
    /// <summary>ISO 4217 code for the <c>money</c> filter.</summary>
    public string Currency { get; init; } = "USD";
    /// <summary>What "now" means for <c>date</c>; pass the injected TimeProvider's time, never DateTime.UtcNow.</summary>
    public DateTimeOffset Now { get; init; }
    public LiquidTracking? Tracking { get; init; }
    /// <summary>Cancels a whole render or a launch preparation (a cancelled render throws; it is not a template error).</summary>
    public CancellationToken CancellationToken { get; init; }
}
