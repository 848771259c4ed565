using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Provenance.Core.Json;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme: no insignificant whitespace, object members sorted by the
/// UTF-16 code units of their names (section 3.2.3), numbers in ECMAScript <c>Number.prototype.toString</c>
/// form (section 3.2.2.3), strings with the minimal escaping of section 3.2.2.2, UTF-8 output (section 3.2.4).
/// Input must be I-JSON (RFC 7493): unique member names, valid UTF-8 without lone surrogates, finite numbers.
/// </summary>
public static class Jcs
{
    private const int MaxDepth = 64;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = MaxDepth,
    };

    /// <summary>Canonicalises one UTF-8 JSON document.</summary>
    /// <param name="utf8Json">A single JSON value (RFC 8259), optionally surrounded by whitespace.</param>
    /// <returns>The canonical UTF-8 bytes.</returns>
    /// <exception cref="JcsException">The input is not well-formed JSON, nests deeper than 64, or breaks I-JSON.</exception>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        using var output = new PooledByteBuffer(Math.Max(256, utf8Json.Length));
        CanonicalizeCore(utf8Json, output);
        return output.ToArray();
    }

    /// <summary>Canonicalises one UTF-8 JSON document into <paramref name="destination"/>, without an intermediate array.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="JcsException">As for <see cref="Canonicalize(ReadOnlySpan{byte})"/>; partial output may have been written.</exception>
    public static void Canonicalize(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var output = new PooledByteBuffer(Math.Max(256, utf8Json.Length));
        CanonicalizeCore(utf8Json, output);
        destination.Write(output.WrittenSpan);
    }

    /// <summary>Canonicalises a parsed element (its original text is re-read, so duplicates in it are still refused).</summary>
    /// <exception cref="InvalidOperationException"><paramref name="element"/> is <c>default</c> or its document was disposed.</exception>
    /// <exception cref="JcsException">As for <see cref="Canonicalize(ReadOnlySpan{byte})"/>.</exception>
    public static byte[] Canonicalize(JsonElement element) => Canonicalize(JsonMarshal.GetRawUtf8Value(element));

    /// <summary>Canonicalises a DOM node; <see langword="null"/> gives <c>null</c>.</summary>
    /// <exception cref="JcsException">The node holds a NaN or infinite number, or breaks I-JSON.</exception>
    public static byte[] Canonicalize(JsonNode? node)
    {
        RejectNonFinite(node);
        using var buffer = new PooledByteBuffer();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = false, MaxDepth = MaxDepth }))
        {
            if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer);
            }
        }

        return Canonicalize(buffer.WrittenSpan);
    }

    internal static void CanonicalizeCore(ReadOnlySpan<byte> utf8Json, PooledByteBuffer output)
    {
        if (!Utf8.IsValid(utf8Json))
        {
            throw new JcsException(JcsError.InvalidString, "The document is not valid UTF-8.");
        }

        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        var members = new MemberStack();
        var scratch = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            if (!reader.Read())
            {
                throw new JcsException(JcsError.InvalidJson, "The document is empty.");
            }

            WriteValue(ref reader, output, ref members, ref scratch);
            if (reader.Read())
            {
                throw new JcsException(JcsError.InvalidJson, "The document holds more than one JSON value.");
            }
        }
        catch (JsonException e)
        {
            throw new JcsException(JcsError.InvalidJson, $"The document is not well-formed JSON: {e.Message}", inner: e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
            members.Dispose();
        }
    }

    private static void WriteValue(ref Utf8JsonReader reader, PooledByteBuffer output, ref MemberStack members, ref byte[] scratch)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                WriteObject(ref reader, output, ref members, ref scratch);
                break;
            case JsonTokenType.StartArray:
                output.Write((byte)'[');
                var first = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (!first)
                    {
                        output.Write((byte)',');
                    }

                    first = false;
                    WriteValue(ref reader, output, ref members, ref scratch);
                }

                output.Write((byte)']');
                break;
            case JsonTokenType.String:
                WriteString(Unescape(ref reader, ref scratch), output);
                break;
            case JsonTokenType.Number:
                if (IsSafeIntegerText(reader.ValueSpan))
                {
                    // Fast path: an integer of at most 15 digits is exact as a double and prints as itself in ECMAScript.
                    output.Write(reader.ValueSpan);
                    break;
                }

                if (!reader.TryGetDouble(out var number) || !double.IsFinite(number))
                {
                    throw new JcsException(JcsError.NonFiniteNumber, $"The number {Encoding.UTF8.GetString(reader.ValueSpan)} is outside the IEEE 754 double range.");
                }

                WriteNumber(number, output);
                break;
            case JsonTokenType.True:
                output.Write("true"u8);
                break;
            case JsonTokenType.False:
                output.Write("false"u8);
                break;
            case JsonTokenType.Null:
                output.Write("null"u8);
                break;
            default:
                throw new JcsException(JcsError.InvalidJson, $"Unexpected token {reader.TokenType}.");
        }
    }

    private static void WriteObject(ref Utf8JsonReader reader, PooledByteBuffer output, ref MemberStack members, ref byte[] scratch)
    {
        output.Write((byte)'{');
        var bodyStart = output.Length;
        var firstMember = members.Count;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var nameUtf8 = Unescape(ref reader, ref scratch);
            var name = Encoding.UTF8.GetString(nameUtf8);
            var memberStart = output.Length;
            WriteString(nameUtf8, output);
            output.Write((byte)':');
            reader.Read();
            WriteValue(ref reader, output, ref members, ref scratch);
            members.Push(new Member(name, memberStart, output.Length - memberStart));
        }

        var count = members.Count - firstMember;
        if (count > 1)
        {
            SortMembers(members.Slice(firstMember, count), output, bodyStart);
        }

        members.Pop(count);
        output.Write((byte)'}');
    }

    /// <summary>Sorts the members written at <c>[bodyStart, output.Length)</c> in place, joining them with commas.</summary>
    private static void SortMembers(Span<Member> members, PooledByteBuffer output, int bodyStart)
    {
        // RFC 8785 section 3.2.3: compare names as arrays of UTF-16 code units; string.CompareOrdinal does exactly that.
        members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (var i = 1; i < members.Length; i++)
        {
            if (string.Equals(members[i - 1].Name, members[i].Name, StringComparison.Ordinal))
            {
                throw new JcsException(JcsError.DuplicateProperty, $"The property '{members[i].Name}' appears more than once in an object.", members[i].Name);
            }
        }

        // Members were written back to back without commas; move them into sorted order, comma-separated.
        var bodyLength = output.Length - bodyStart;
        var copy = ArrayPool<byte>.Shared.Rent(bodyLength);
        try
        {
            output.WrittenSpan[bodyStart..].CopyTo(copy);
            output.Truncate(bodyStart);
            for (var i = 0; i < members.Length; i++)
            {
                if (i > 0)
                {
                    output.Write((byte)',');
                }

                output.Write(copy.AsSpan(members[i].Start - bodyStart, members[i].Length));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>True for <c>0</c> and <c>-?[1-9][0-9]{0,14}</c> (the reader has already rejected leading zeros).</summary>
    private static bool IsSafeIntegerText(ReadOnlySpan<byte> number)
    {
        var digits = number.Length > 0 && number[0] == (byte)'-' ? number[1..] : number;
        return digits.Length is > 0 and <= 15
            && !(digits.Length == 1 && digits[0] == (byte)'0' && digits.Length != number.Length)
            && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static ReadOnlySpan<byte> Unescape(ref Utf8JsonReader reader, ref byte[] scratch)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        if (scratch.Length < reader.ValueSpan.Length)
        {
            ArrayPool<byte>.Shared.Return(scratch);
            scratch = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        }

        int written;
        try
        {
            written = reader.CopyString(scratch);
        }
        catch (InvalidOperationException e)
        {
            throw new JcsException(JcsError.InvalidString, "A string holds an invalid \\u escape (lone surrogate).", inner: e);
        }

        var value = scratch.AsSpan(0, written);
        if (!Utf8.IsValid(value))
        {
            throw new JcsException(JcsError.InvalidString, "A string holds a lone surrogate escape.");
        }

        return value;
    }

    /// <summary>RFC 8785 section 3.2.2.2: escape only '"', '\\' and C0 controls; short forms where JSON has them, else lowercase \u00xx.</summary>
    private static void WriteString(ReadOnlySpan<byte> utf8, PooledByteBuffer output)
    {
        output.Write((byte)'"');
        while (!utf8.IsEmpty)
        {
            var plain = IndexOfNeedsEscape(utf8);
            if (plain < 0)
            {
                output.Write(utf8);
                break;
            }

            output.Write(utf8[..plain]);
            var b = utf8[plain];
            switch (b)
            {
                case (byte)'"': output.Write("\\\""u8); break;
                case (byte)'\\': output.Write("\\\\"u8); break;
                case (byte)'\b': output.Write("\\b"u8); break;
                case (byte)'\f': output.Write("\\f"u8); break;
                case (byte)'\n': output.Write("\\n"u8); break;
                case (byte)'\r': output.Write("\\r"u8); break;
                case (byte)'\t': output.Write("\\t"u8); break;
                default:
                    var span = output.GetSpan(6);
                    "\\u00"u8.CopyTo(span);
                    span[4] = HexLower(b >> 4);
                    span[5] = HexLower(b & 0xF);
                    output.Advance(6);
                    break;
            }

            utf8 = utf8[(plain + 1)..];
        }

        output.Write((byte)'"');
    }

    private static readonly SearchValues<byte> NeedsEscape = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (byte)i), (byte)'"', (byte)'\\']);

    private static int IndexOfNeedsEscape(ReadOnlySpan<byte> utf8) => utf8.IndexOfAny(NeedsEscape);

    private static byte HexLower(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    /// <summary>
    /// ECMAScript Number::toString (ECMA-262 section 6.1.6.1.20, RFC 8785 section 3.2.2.3): the shortest
    /// digits that round-trip, placed in plain or exponent notation by the decimal exponent.
    /// </summary>
    internal static void WriteNumber(double value, PooledByteBuffer output)
    {
        if (value == 0)
        {
            output.Write((byte)'0');
            return;
        }

        // .NET's "R" gives the shortest round-trip digits; only their layout differs from ECMAScript.
        Span<byte> formatted = stackalloc byte[32];
        if (!value.TryFormat(formatted, out var length, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A double did not fit in 32 characters.");
        }

        Span<byte> digits = stackalloc byte[24];
        var digitCount = 0;
        var pointPosition = -1;
        var exponent = 0;
        var negative = false;
        var i = 0;
        if (formatted[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        for (; i < length; i++)
        {
            var c = formatted[i];
            if (c == (byte)'.')
            {
                pointPosition = digitCount;
            }
            else if (c is (byte)'E' or (byte)'e')
            {
                exponent = int.Parse(formatted[(i + 1)..length], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                break;
            }
            else
            {
                digits[digitCount++] = c;
            }
        }

        if (pointPosition < 0)
        {
            pointPosition = digitCount;
        }

        // Normalise to value = 0.d1d2...dk * 10^n with d1 != 0 and dk != 0 (ECMA-262 names k and n).
        var leading = 0;
        while (leading < digitCount - 1 && digits[leading] == (byte)'0')
        {
            leading++;
        }

        var k = digitCount - leading;
        var n = pointPosition - leading + exponent;
        var d = digits.Slice(leading, k);
        while (k > 1 && d[k - 1] == (byte)'0')
        {
            k--;
        }

        d = d[..k];
        if (negative)
        {
            output.Write((byte)'-');
        }

        if (k <= n && n <= 21)
        {
            output.Write(d);
            for (var z = 0; z < n - k; z++)
            {
                output.Write((byte)'0');
            }
        }
        else if (0 < n && n <= 21)
        {
            output.Write(d[..n]);
            output.Write((byte)'.');
            output.Write(d[n..]);
        }
        else if (-6 < n && n <= 0)
        {
            output.Write("0."u8);
            for (var z = 0; z < -n; z++)
            {
                output.Write((byte)'0');
            }

            output.Write(d);
        }
        else
        {
            output.Write(d[0]);
            if (k > 1)
            {
                output.Write((byte)'.');
                output.Write(d[1..]);
            }

            output.Write((byte)'e');
            var e = n - 1;
            output.Write(e < 0 ? (byte)'-' : (byte)'+');
            var span = output.GetSpan(4);
            Math.Abs(e).TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
            output.Advance(written);
        }
    }

    private static void RejectNonFinite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    RejectNonFinite(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    RejectNonFinite(child);
                }

                break;
            case JsonValue value:
                if ((value.TryGetValue<double>(out var d) && !double.IsFinite(d))
                    || (value.TryGetValue<float>(out var f) && !float.IsFinite(f)))
                {
                    throw new JcsException(JcsError.NonFiniteNumber, "NaN and infinities have no JSON form.", node.GetPath());
                }

                break;
        }
    }

    private readonly record struct Member(string Name, int Start, int Length);

    /// <summary>One pooled stack of members shared by every nesting level of a document.</summary>
    private struct MemberStack : IDisposable
    {
        private Member[]? _items;

        public int Count { get; private set; }

        public void Push(Member member)
        {
            _items ??= ArrayPool<Member>.Shared.Rent(32);
            if (Count == _items.Length)
            {
                var grown = ArrayPool<Member>.Shared.Rent(_items.Length * 2);
                _items.AsSpan().CopyTo(grown);
                ArrayPool<Member>.Shared.Return(_items, clearArray: true);
                _items = grown;
            }

            _items[Count++] = member;
        }

        public readonly Span<Member> Slice(int start, int count) => _items.AsSpan(start, count);

        public void Pop(int count) => Count -= count;

        public void Dispose()
        {
            if (_items is not null)
            {
                ArrayPool<Member>.Shared.Return(_items, clearArray: true);
                _items = null;
            }
        }
    }
}
