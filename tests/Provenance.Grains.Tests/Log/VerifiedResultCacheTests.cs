using Provenance.Grains.Log;

namespace Provenance.Grains.Tests.Log;

/// <summary>The verify path's cache of passed checks: passes are reused, failures never, and a new key ring starts over.</summary>
public sealed class VerifiedResultCacheTests
{
    [Fact]
    public void GetOrVerify_SameKeyAndGeneration_VerifiesOnce()
    {
        var cache = new VerifiedResultCache();
        var ring = new object();
        var runs = 0;
        Assert.Equal("ok", cache.GetOrVerify(ring, "k", () => { runs++; return "ok"; }));
        Assert.Equal("ok", cache.GetOrVerify(ring, "k", () => { runs++; return "other"; }));
        Assert.Equal(1, runs);
    }

    [Fact]
    public void GetOrVerify_Failure_IsNotRemembered()
    {
        var cache = new VerifiedResultCache();
        var ring = new object();
        Assert.Throws<InvalidOperationException>(() => cache.GetOrVerify(ring, "k", () => throw new InvalidOperationException("bad signature")));
        Assert.Throws<InvalidOperationException>(() => cache.GetOrVerify(ring, "k", () => throw new InvalidOperationException("still bad")));
        Assert.Equal("now ok", cache.GetOrVerify(ring, "k", () => "now ok"));
    }

    [Fact]
    public void GetOrVerify_NewGeneration_VerifiesAgain()
    {
        var cache = new VerifiedResultCache();
        cache.GetOrVerify(new object(), "k", () => "old ring");
        Assert.Throws<InvalidOperationException>(() => cache.GetOrVerify(new object(), "k", () => throw new InvalidOperationException("key retired")));
    }

    [Fact]
    public void GetOrVerify_OtherKey_VerifiesItself()
    {
        var cache = new VerifiedResultCache();
        var ring = new object();
        cache.GetOrVerify(ring, "checkpoint A", () => "A");
        Assert.Equal("B", cache.GetOrVerify(ring, "checkpoint B", () => "B"));
    }

    [Fact]
    public void RememberPass_CheckedUnderARingSinceReplaced_NotKeptForTheNewRing()
    {
        var cache = new VerifiedResultCache<int>(16);
        var old = new object();
        var reloaded = new object();
        Assert.False(cache.TryGetPass(old, 7, out _));
        Assert.False(cache.TryGetPass(reloaded, 7, out _));

        cache.RememberPass(old, 7, "checked with the old ring");

        Assert.False(cache.TryGetPass(reloaded, 7, out _));
    }

    [Fact]
    public void RememberPass_BoundReached_StartsOver()
    {
        var cache = new VerifiedResultCache<int>(2);
        var ring = new object();
        Assert.False(cache.TryGetPass(ring, 1, out _));
        cache.RememberPass(ring, 1, "one");
        cache.RememberPass(ring, 2, "two");

        cache.RememberPass(ring, 3, "three");

        Assert.False(cache.TryGetPass(ring, 1, out _));
        Assert.True(cache.TryGetPass(ring, 3, out var detail));
        Assert.Equal("three", detail);
    }
}
