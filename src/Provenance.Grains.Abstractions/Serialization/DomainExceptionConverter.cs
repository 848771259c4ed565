using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Provenance.Core;

namespace Provenance.Grains.Serialization;

/// <summary>
/// Carries a <see cref="ProvenanceException"/> (any subtype) across a grain call with its type, message, code, field and
/// every other field its classes declare, so a caller on another silo or a cluster client catches the same typed error
/// with the same <see cref="ProvenanceException.Code"/> the HTTP layer maps. The remote stack trace is kept; the inner
/// exception is not (it may not be serializable, and callers never branch on it).
/// </summary>
internal sealed class DomainExceptionConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeof(ProvenanceException).IsAssignableFrom(typeToConvert);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private static readonly FieldInfo MessageField = typeof(Exception).GetField("_message", BindingFlags.Instance | BindingFlags.NonPublic)!;

    /// <summary>The instance fields from <paramref name="type"/> up to <see cref="ProvenanceException"/>, by declaring type and name.</summary>
    private static IEnumerable<FieldInfo> DomainFields(Type type)
    {
        for (var t = type; t is not null && t != typeof(Exception); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                yield return field;
            }
        }
    }

    private static string KeyOf(FieldInfo field) => $"{field.DeclaringType!.Name}.{field.Name}";

    private sealed class Converter<T> : JsonConverter<T>
        where T : ProvenanceException
    {
        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("message", value.Message);
            writer.WriteString("stackTrace", value.StackTrace);
            writer.WriteStartObject("fields");
            foreach (var field in DomainFields(value.GetType()))
            {
                writer.WritePropertyName(KeyOf(field));
                JsonSerializer.Serialize(writer, field.GetValue(value), field.FieldType, options);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var exception = (T)RuntimeHelpers.GetUninitializedObject(typeToConvert);
            MessageField.SetValue(exception, root.GetProperty("message").GetString());
            var fields = root.GetProperty("fields");
            foreach (var field in DomainFields(typeToConvert))
            {
                if (fields.TryGetProperty(KeyOf(field), out var stored))
                {
                    field.SetValue(exception, stored.Deserialize(field.FieldType, options));
                }
            }

            if (root.GetProperty("stackTrace").GetString() is { Length: > 0 } stack)
            {
                ExceptionDispatchInfo.SetRemoteStackTrace(exception, stack);
            }

            return exception;
        }
    }
}
