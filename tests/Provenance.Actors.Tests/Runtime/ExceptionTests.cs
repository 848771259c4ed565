using Provenance.Actors.Tests.Support;

namespace Provenance.Actors.Tests.Runtime;

public sealed class ExceptionTests
{
    [Fact]
    public async Task Call_GrainThrowsSynchronously_CallerGetsSameException()
    {
        await using var node = await TestNode.StartAsync();
        var thrown = new ArgumentException("bad input");

        var caught = await Assert.ThrowsAsync<ArgumentException>(() => node.Factory.GetGrain<IThrowingGrain>("s").ThrowSynchronouslyAsync(thrown));

        Assert.Same(thrown, caught);
    }

    [Fact]
    public async Task Call_GrainThrowsAfterAwait_CallerGetsSameException()
    {
        await using var node = await TestNode.StartAsync();
        var thrown = new InvalidOperationException("later");

        var caught = await Assert.ThrowsAsync<InvalidOperationException>(() => node.Factory.GetGrain<IThrowingGrain>("a").ThrowAfterYieldAsync(thrown));

        Assert.Same(thrown, caught);
    }

    [Fact]
    public async Task Call_ValueTaskMethodThrows_CallerGetsSameException()
    {
        await using var node = await TestNode.StartAsync();
        var thrown = new OperationCanceledException("cancelled inside");

        var caught = await Assert.ThrowsAsync<OperationCanceledException>(async () => await node.Factory.GetGrain<IThrowingGrain>("v").ThrowValueTaskAsync(thrown));

        Assert.Same(thrown, caught);
    }

    [Fact]
    public async Task Call_QueuedCallThrows_CallerGetsSameException()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<IThrowingGrain>("q");
        var thrown = new FormatException("queued");

        var calls = Enumerable.Range(0, 5).Select(_ => grain.ThrowAfterYieldAsync(thrown)).ToList();

        foreach (var call in calls)
        {
            Assert.Same(thrown, await Assert.ThrowsAsync<FormatException>(() => call));
        }
    }

    [Fact]
    public async Task Call_AfterGrainThrew_ActivationKeepsServing()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<IThrowingGrain>("k");
        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.ThrowAfterYieldAsync(new InvalidOperationException()));

        var result = await grain.OkAsync();

        Assert.Equal(42, result);
    }

    [Fact]
    public async Task Activate_OnActivateAsyncThrows_CallFailsAndActivationDiscarded()
    {
        await using var node = await TestNode.StartAsync();
        node.Probe.FailActivation = true;
        var grain = node.Factory.GetGrain<IFailingActivationGrain>("f");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.GetAttemptAsync());
        node.Probe.FailActivation = false;
        var attempt = await grain.GetAttemptAsync();

        Assert.Equal("activation refused", failure.Message);
        Assert.Equal(2, attempt);
    }

    [Fact]
    public async Task Activate_OnActivateAsyncThrows_AllQueuedCallsFail()
    {
        await using var node = await TestNode.StartAsync();
        node.Probe.FailActivation = true;
        var grain = node.Factory.GetGrain<IFailingActivationGrain>("many");

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            try
            {
                await grain.GetAttemptAsync();
                return false;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }));

        Assert.All(results, Assert.True);
    }
}
