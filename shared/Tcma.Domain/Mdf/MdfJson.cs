using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tcma.Domain.Mdf;

/// <summary>
/// How MDF states, entries and commands are written into table rows and outbox messages. Money travels as
/// <c>{"amount":"12.50","currency":"USD"}</c>: the amount is a string so no JSON reader on the way can turn it into a float.
/// </summary>
public static class MdfJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { RespectNullableAnnotations = true };
        options.Converters.Add(new CurrencyConverter());
        options.Converters.Add(new MoneyConverter());
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);
    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Empty {typeof(T).Name}.");

    private sealed class CurrencyConverter : JsonConverter<Currency>
    {
        public override Currency Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var parsed = Currency.Parse(reader.GetString());
            return parsed.Value ?? throw new JsonException(parsed.Refusals[0].Message);
        }

        public override void Write(Utf8JsonWriter writer, Currency value, JsonSerializerOptions options) => writer.WriteStringValue(value.Code);
    }

    private sealed class MoneyConverter : JsonConverter<Money>
    {
        public override Money Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("Money must be an object with amount and currency.");
            string? amount = null, currency = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == "amount") amount = reader.GetString();
                else if (name == "currency") currency = reader.GetString();
                else reader.Skip();
            }
            var code = Currency.Parse(currency);
            if (code.Value is null || !decimal.TryParse(amount, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                throw new JsonException($"'{amount} {currency}' is not an amount of money.");
            try { return Money.Of(value, code.Value); }
            catch (ArgumentException e) { throw new JsonException(e.Message, e); }
        }

        public override void Write(Utf8JsonWriter writer, Money value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("amount", value.ToInvariantString());
            writer.WriteString("currency", value.Currency.Code);
            writer.WriteEndObject();
        }
    }
}
