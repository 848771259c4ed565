using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Provenance.Core.Json;

namespace Provenance.Core.Tests.Json;

public sealed class JcsTests
{
    public static TheoryData<string, string> NumberVectors()
    {
        // The generated set repeats a few of the RFC's own rows (1e+21, 0.000001, 5e-324). Both files are kept
        // as published; a row is run once so xunit does not skip duplicate test ids.
        var data = new TheoryData<string, string>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in new[] { "rfc8785-appendix-b.json", "ecmascript-numbers.json" })
        {
            using var doc = JsonDocument.Parse(TestData.Bytes("Json", "TestData", file));
            foreach (var row in doc.RootElement.GetProperty("valid").EnumerateArray())
            {
                string bits = row.GetProperty("ieee754").GetString()!;
                string json = row.GetProperty("json").GetString()!;
                if (seen.TryGetValue(bits, out string? earlier))
                {
                    if (earlier != json)
                    {
                        throw new InvalidOperationException($"{file}: {bits} expects {json}, an earlier file {earlier}.");
                    }

                    continue;
                }

                seen.Add(bits, json);
                data.Add(bits, json);
            }
        }

        return data;
    }

    [Theory]
    [InlineData("rfc8785-3.2.2")]
    [InlineData("rfc8785-3.2.3")]
    public void Canonicalize_Rfc8785Example_MatchesExpectedBytes(string name)
    {
        var input = TestData.Bytes("Json", "TestData", name + ".input.json");
        var expected = TestData.Bytes("Json", "TestData", name + ".expected.json");

        var actual = Jcs.Canonicalize(input);

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(NumberVectors))]
    public void Canonicalize_NumberVector_MatchesEcmaScript(string ieee754, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(Convert.FromHexString(ieee754)));
        var input = Encoding.UTF8.GetBytes("[" + value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "]");

        var actual = Encoding.UTF8.GetString(Jcs.Canonicalize(input));

        Assert.Equal("[" + expected + "]", actual);
    }

    [Theory]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("-0", "0")]
    [InlineData("-0.0e10", "0")]
    [InlineData("1.0", "1")]
    [InlineData("100", "100")]
    [InlineData("-123456789012345", "-123456789012345")]
    [InlineData("1234567890123456789", "1234567890123456800")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("0.0000001", "1e-7")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("4.5e-324", "5e-324")]
    [InlineData("2e-324", "0")]
    public void Canonicalize_NumberText_ParsedAsIeeeDouble(string text, string expected)
    {
        var input = Encoding.UTF8.GetBytes(text);

        var actual = Encoding.UTF8.GetString(Jcs.Canonicalize(input));

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("1E400")]
    [InlineData("-1e400")]
    [InlineData("[1,{\"a\":1e309}]")]
    public void Canonicalize_NumberBeyondDouble_ThrowsNonFinite(string text)
    {
        var input = Encoding.UTF8.GetBytes(text);

        var error = Assert.Throws<JcsException>(() => Jcs.Canonicalize(input));

        Assert.Equal("jcs-non-finite-number", error.Code);
    }

    [Theory]
    [InlineData("\"\\u0000\\u001F\\u007f\"", "\"\\u0000\\u001f\u007f\"")]
    [InlineData("\"\\b\\f\\n\\r\\t\\\"\\\\\\/\"", "\"\\b\\f\\n\\r\\t\\\"\\\\/\"")]
    [InlineData("\"\\u00e9\\u20AC\\ud83d\\ude00\"", "\"é€😀\"")]
    [InlineData("\"é€😀 </script>\"", "\"é€😀 </script>\"")]
    [InlineData("\"\\u000b\"", "\"\\u000b\"")]
    public void Canonicalize_String_UsesMinimalEscaping(string input, string expected)
    {
        var actual = Jcs.Canonicalize(Encoding.UTF8.GetBytes(input));

        Assert.Equal(expected, Encoding.UTF8.GetString(actual));
    }

    [Fact]
    public void Canonicalize_NestedObjects_SortedRecursivelyWithoutWhitespace()
    {
        var input = """ { "b" : [ { "z":1, "a" : {"y":null,"x":true} } ], "a" : "" , "aa":{}, "A":[] } """u8.ToArray();

        var actual = Encoding.UTF8.GetString(Jcs.Canonicalize(input));

        Assert.Equal("""{"A":[],"a":"","aa":{},"b":[{"a":{"x":true,"y":null},"z":1}]}""", actual);
    }

    [Fact]
    public void Canonicalize_SupplementaryVersusPrivateUse_SortsByUtf16NotCodePoint()
    {
        var input = "{\"\uE000\":1,\"\U0001F600\":2}"u8.ToArray();

        var actual = Encoding.UTF8.GetString(Jcs.Canonicalize(input));

        Assert.Equal("{\"\U0001F600\":2,\"\uE000\":1}", actual);
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""", "a")]
    [InlineData("""{"x":[{"k":1,"b":0,"k":2}]}""", "k")]
    [InlineData("""{"\u0061":1,"a":2}""", "a")]
    public void Canonicalize_DuplicateProperty_ThrowsJcsException(string input, string name)
    {
        var bytes = Encoding.UTF8.GetBytes(input);

        var error = Assert.Throws<JcsException>(() => Jcs.Canonicalize(bytes));

        Assert.Equal(JcsError.DuplicateProperty, error.Error);
        Assert.Equal("jcs-duplicate-property", error.Code);
        Assert.Equal(name, error.Field);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1] [2]")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("'a'")]
    [InlineData("{\"a\":1 /* c */}")]
    [InlineData("01")]
    public void Canonicalize_MalformedJson_ThrowsInvalidJson(string input)
    {
        var bytes = Encoding.UTF8.GetBytes(input);

        var error = Assert.Throws<JcsException>(() => Jcs.Canonicalize(bytes));

        Assert.Equal("jcs-invalid-json", error.Code);
    }

    [Fact]
    public void Canonicalize_TooDeep_ThrowsInvalidJson()
    {
        var input = Encoding.UTF8.GetBytes(new string('[', 100) + new string(']', 100));

        var error = Assert.Throws<JcsException>(() => Jcs.Canonicalize(input));

        Assert.Equal(JcsError.InvalidJson, error.Error);
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"\\udc00x\"")]
    [InlineData("{\"\\ud83d\":1}")]
    [InlineData("\"\\ude00\\ud83d\"")]
    public void Canonicalize_LoneSurrogateEscape_ThrowsInvalidString(string input)
    {
        var bytes = Encoding.UTF8.GetBytes(input);

        var error = Assert.Throws<JcsException>(() => Jcs.Canonicalize(bytes));

        Assert.Equal("jcs-invalid-string", error.Code);
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0xFF, 0x22 })]
    [InlineData(new byte[] { 0x22, 0xC3, 0x22 })]
    [InlineData(new byte[] { 0x22, 0xED, 0xA0, 0x80, 0x22 })]
    [InlineData(new byte[] { 0x22, 0xC0, 0xAF, 0x22 })]
    public void Canonicalize_InvalidUtf8_ThrowsInvalidString(byte[] input)
    {
        var error = Assert.Throws<JcsException>(() => Jcs.Canonicalize(input));

        Assert.Equal(JcsError.InvalidString, error.Error);
    }

    [Fact]
    public void Canonicalize_Canonical_IsIdempotent()
    {
        var once = Jcs.Canonicalize(TestData.Bytes("Json", "TestData", "rfc8785-3.2.3.input.json"));

        var twice = Jcs.Canonicalize(once);

        Assert.Equal(once, twice);
    }

    [Fact]
    public void Canonicalize_JsonNode_SameAsBytes()
    {
        var node = new JsonObject { ["b"] = 1.5e-7, ["a"] = new JsonArray(1, "x\n", null, true) };

        var actual = Encoding.UTF8.GetString(Jcs.Canonicalize(node));

        Assert.Equal("""{"a":[1,"x\n",null,true],"b":1.5e-7}""", actual);
    }

    [Fact]
    public void Canonicalize_NullNode_GivesNull()
    {
        var actual = Jcs.Canonicalize((JsonNode?)null);

        Assert.Equal("null"u8.ToArray(), actual);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Canonicalize_NodeWithNonFiniteNumber_ThrowsNonFinite(double value)
    {
        var node = new JsonObject { ["x"] = new JsonArray(value) };

        var error = Assert.Throws<JcsException>(() => Jcs.Canonicalize(node));

        Assert.Equal(JcsError.NonFiniteNumber, error.Error);
    }

    [Fact]
    public void Canonicalize_JsonElement_ReadsRawTextIncludingDuplicates()
    {
        using var ok = JsonDocument.Parse("""{"b":2,"a":{"d":1e2,"c":0}}""");
        using var duplicate = JsonDocument.Parse("""{"a":1,"a":2}""");

        var actual = Encoding.UTF8.GetString(Jcs.Canonicalize(ok.RootElement.GetProperty("a")));

        Assert.Equal("""{"c":0,"d":100}""", actual);
        Assert.Throws<JcsException>(() => Jcs.Canonicalize(duplicate.RootElement));
    }

    [Fact]
    public void Canonicalize_LargeDocument_GrowsBuffersCorrectly()
    {
        var node = new JsonObject();
        for (var i = 999; i >= 0; i--)
        {
            node[$"k{i:D4}"] = new string('x', i % 50) + "\u0001";
        }

        var actual = Jcs.Canonicalize(node);

        using var reparsed = JsonDocument.Parse(actual);
        var names = reparsed.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(1000, names.Length);
        Assert.Equal(new string('x', 10) + "\u0001", reparsed.RootElement.GetProperty("k0010").GetString());
    }
}
