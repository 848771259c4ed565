using Provenance.Server.Hosting;

namespace Provenance.Server.Tests.Hosting;

public sealed class HealthCheckCommandTests
{
    [Theory]
    [InlineData(null, "http://127.0.0.1:5080")]
    [InlineData("", "http://127.0.0.1:5080")]
    [InlineData("http://0.0.0.0:8080", "http://127.0.0.1:8080")]
    [InlineData("http://+:9000;https://+:9001", "http://127.0.0.1:9000")]
    [InlineData("http://*:7000", "http://127.0.0.1:7000")]
    [InlineData("http://[::]:8080", "http://127.0.0.1:8080")]
    [InlineData("http://10.1.2.3:8080", "http://10.1.2.3:8080")]
    public void FromEnvironment_AspNetCoreUrls_LocalProbeUrl(string? urls, string expected)
    {
        var url = HealthCheckCommand.FromEnvironment(urls);

        Assert.Equal(expected, url);
    }

    [Fact]
    public async Task RunAsync_NothingListening_ExitsOne()
    {
        var code = await HealthCheckCommand.RunAsync(["http://127.0.0.1:1"]);

        Assert.Equal(1, code);
    }

    [Fact]
    public async Task RunAsync_NotAUrl_ExitsTwo()
    {
        var code = await HealthCheckCommand.RunAsync(["not a url"]);

        Assert.Equal(2, code);
    }
}
